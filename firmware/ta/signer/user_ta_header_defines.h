#ifndef USER_TA_HEADER_DEFINES_H
#define USER_TA_HEADER_DEFINES_H

#include <signer_ta.h>

#define TA_UUID TA_SIGNER_UUID
/* One instance kept alive for the device's uptime, so every session signs with the same key. */
#define TA_FLAGS (TA_FLAG_SINGLE_INSTANCE | TA_FLAG_MULTI_SESSION | TA_FLAG_INSTANCE_KEEP_ALIVE)
#define TA_STACK_SIZE (4 * 1024)
#define TA_DATA_SIZE (32 * 1024)
#define TA_VERSION "1.0"
#define TA_DESCRIPTION "Signs sensor readings (HMAC-SHA256, key kept in the TA)"

#endif /* USER_TA_HEADER_DEFINES_H */
