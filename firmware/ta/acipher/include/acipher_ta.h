#ifndef TA_ACIPHER_H
#define TA_ACIPHER_H

#define TA_ACIPHER_UUID \
	{ 0xa734eed9, 0xd6a1, 0x4244, { 0xaa, 0x50, 0x7c, 0x99, 0x71, 0x9e, 0x7b, 0x7b } }

#define TA_ACIPHER_CMD_GEN_KEY 0	/* value0 (input).a: RSA key size in bits */
#define TA_ACIPHER_CMD_ENCRYPT 1	/* memref0 (input) -> memref1 (output), RSAES-PKCS1-v1_5 */
#define TA_ACIPHER_CMD_DECRYPT 2	/* memref0 (input) -> memref1 (output), same key */

#endif /* TA_ACIPHER_H */
