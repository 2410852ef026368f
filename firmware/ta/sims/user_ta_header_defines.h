#ifndef USER_TA_HEADER_DEFINES_H
#define USER_TA_HEADER_DEFINES_H

#include <sims_ta.h>

#define TA_UUID TA_SIMS_UUID
#define TA_FLAGS (TA_FLAG_SINGLE_INSTANCE | TA_FLAG_MULTI_SESSION | TA_FLAG_INSTANCE_KEEP_ALIVE)
#define TA_STACK_SIZE (2 * 1024)
#define TA_DATA_SIZE (8 * 1024)
#define TA_VERSION "1.0"
#define TA_DESCRIPTION "Single-instance multi-session keep-alive test TA"

#endif
