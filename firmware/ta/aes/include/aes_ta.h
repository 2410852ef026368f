#ifndef TA_AES_H
#define TA_AES_H

#define TA_AES_UUID \
	{ 0x5dbac793, 0xf574, 0x4871, { 0x8a, 0xd3, 0x04, 0x33, 0x1e, 0xc1, 0x7f, 0x24 } }

#define TA_AES_ALGO_ECB 0
#define TA_AES_ALGO_CBC 1
#define TA_AES_ALGO_CTR 2

#define TA_AES_SIZE_128BIT (128 / 8)
#define TA_AES_SIZE_256BIT (256 / 8)

#define TA_AES_MODE_ENCODE 1
#define TA_AES_MODE_DECODE 0

/*
 * PREPARE: value0.a algorithm (TA_AES_ALGO_*), value1.a key size in bytes, value2.a mode
 * (TA_AES_MODE_*) as in optee_examples; the compact form value0 = {algo, key size},
 * value1.a = mode is accepted too.
 */
#define TA_AES_CMD_PREPARE 0
#define TA_AES_CMD_SET_KEY 1	/* memref0 (input): key */
#define TA_AES_CMD_SET_IV 2	/* memref0 (input): IV; starts the cipher */
#define TA_AES_CMD_CIPHER 3	/* memref0 (input) -> memref1 (output), TEE_CipherUpdate */

#endif /* TA_AES_H */
