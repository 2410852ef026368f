#ifndef TA_SIGNER_H
#define TA_SIGNER_H

#define TA_SIGNER_UUID \
	{ 0x3d0c52a4, 0x5a0e, 0x4a8e, { 0xb1, 0xf2, 0x7c, 0x1d, 0x9e, 0x6b, 0x4f, 0x21 } }

/* memref0 (MEMREF_INPUT) message, memref1 (MEMREF_OUTPUT, >= 32 bytes) HMAC-SHA256 tag */
#define TA_SIGNER_CMD_SIGN 0
/* memref0 (MEMREF_INPUT) message, memref1 (MEMREF_INPUT, 32 bytes) tag: TEE_SUCCESS or TEE_ERROR_MAC_INVALID */
#define TA_SIGNER_CMD_VERIFY 1
/* memref0 (MEMREF_OUTPUT, >= 8 bytes): key id, the first 8 bytes of SHA-256(key) */
#define TA_SIGNER_CMD_KEY_ID 2

#endif /* TA_SIGNER_H */
