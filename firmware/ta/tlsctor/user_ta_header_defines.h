#ifndef USER_TA_HEADER_DEFINES_H
#define USER_TA_HEADER_DEFINES_H

#include <tlsctor_ta.h>

#define TA_UUID TA_TLSCTOR_UUID
#define TA_FLAGS TA_FLAG_SINGLE_INSTANCE
#define TA_STACK_SIZE (2 * 1024)
#define TA_DATA_SIZE (8 * 1024)
#define TA_VERSION "1.0"
#define TA_DESCRIPTION "Constructors and TLS (tests only)"

#endif
