/*
 * GlobalPlatform TEE Client API result codes and origins (TEEC_* as tee_client_api.h spells
 * them; the TEE_* internal API codes have the same values). Plain "#define NAME value"
 * lines: parsed by the TypeScript tests.
 */
#ifndef TRUSTBOX_TEE_RESULTS_H
#define TRUSTBOX_TEE_RESULTS_H

#define TEEC_SUCCESS                        0x00000000
#define TEEC_ERROR_STORAGE_NOT_AVAILABLE    0xF0100003
#define TEEC_ERROR_GENERIC                  0xFFFF0000
#define TEEC_ERROR_ACCESS_DENIED            0xFFFF0001
#define TEEC_ERROR_CANCEL                   0xFFFF0002
#define TEEC_ERROR_ACCESS_CONFLICT          0xFFFF0003
#define TEEC_ERROR_EXCESS_DATA              0xFFFF0004
#define TEEC_ERROR_BAD_FORMAT               0xFFFF0005
#define TEEC_ERROR_BAD_PARAMETERS           0xFFFF0006
#define TEEC_ERROR_BAD_STATE                0xFFFF0007
#define TEEC_ERROR_ITEM_NOT_FOUND           0xFFFF0008
#define TEEC_ERROR_NOT_IMPLEMENTED          0xFFFF0009
#define TEEC_ERROR_NOT_SUPPORTED            0xFFFF000A
#define TEEC_ERROR_NO_DATA                  0xFFFF000B
#define TEEC_ERROR_OUT_OF_MEMORY            0xFFFF000C
#define TEEC_ERROR_BUSY                     0xFFFF000D
#define TEEC_ERROR_COMMUNICATION            0xFFFF000E
#define TEEC_ERROR_SECURITY                 0xFFFF000F
#define TEEC_ERROR_SHORT_BUFFER             0xFFFF0010
#define TEEC_ERROR_EXTERNAL_CANCEL          0xFFFF0011
#define TEEC_ERROR_TARGET_DEAD              0xFFFF3024
#define TEEC_ERROR_STORAGE_NO_SPACE         0xFFFF3041

/* Where a result came from (ret_origin). */
#define TEEC_ORIGIN_API                     0x00000001
#define TEEC_ORIGIN_COMMS                   0x00000002
#define TEEC_ORIGIN_TEE                     0x00000003
#define TEEC_ORIGIN_TRUSTED_APP             0x00000004

#endif
