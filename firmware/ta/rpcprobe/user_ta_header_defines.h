#ifndef USER_TA_HEADER_DEFINES_H
#define USER_TA_HEADER_DEFINES_H

#include <rpcprobe_ta.h>

#define TA_UUID TA_RPCPROBE_UUID
#define TA_FLAGS 0
#define TA_STACK_SIZE (4 * 1024)
#define TA_DATA_SIZE (64 * 1024)
#define TA_VERSION "1.0"
#define TA_DESCRIPTION "Sends RPCs through the Open Enclave RPC pseudo-TA (tests of the ocall path)"

#endif
