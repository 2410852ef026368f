#ifndef USER_TA_HEADER_DEFINES_H
#define USER_TA_HEADER_DEFINES_H

#include <sysprobe_ta.h>

#define TA_UUID TA_SYSPROBE_UUID
#define TA_FLAGS TA_FLAG_CACHE_MAINTENANCE
#define TA_STACK_SIZE (4 * 1024)
#define TA_DATA_SIZE (16 * 1024)
#define TA_VERSION "1.0"
#define TA_DESCRIPTION "Raw syscall prober (tests only)"

#endif
