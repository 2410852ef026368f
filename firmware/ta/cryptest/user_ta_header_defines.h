#ifndef USER_TA_HEADER_DEFINES_H
#define USER_TA_HEADER_DEFINES_H

#include <cryptest_ta.h>

#define TA_UUID TA_CRYPTEST_UUID
#define TA_FLAGS TA_FLAG_EXEC_DDR
#define TA_STACK_SIZE (8 * 1024)
#define TA_DATA_SIZE (64 * 1024)
#define TA_VERSION "1.0"
#define TA_DESCRIPTION "GP crypto conformance driver for the TrustBox emulator (tests only)"

#endif /* USER_TA_HEADER_DEFINES_H */
