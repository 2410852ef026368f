/*
 * cryptest: a test-only TA that runs one GP crypto operation per command on keys and data the
 * client passes, so that conformance tests can drive published vectors through real TA code.
 *
 * Every command takes:
 *   param0 VALUE_INPUT   a = algorithm (or object type for GENERATE),
 *                        b = mode (bits 0-7; key size in bits for GENERATE) | chunk << 16
 *                            (chunk: feed the input in pieces of this many bytes; 0 = one call)
 *   param1 MEMREF_INPUT  key blob, or NONE: records describing key 1
 *   param2 MEMREF_INPUT  operation blob, or NONE: input data, IV, AAD, tag and GP attributes
 *   param3 MEMREF_OUTPUT result; on TEE_ERROR_SHORT_BUFFER its size is the size needed
 *
 * A blob is a sequence of records { u32 id; u32 len; u8 data[len]; pad to 4 bytes }, little
 * endian. Ids below 0x100 are cryptest fields (CT_*); others are GP attribute ids, passed to
 * TEE_PopulateTransientObject (key blob) or as operation parameters (operation blob). Value
 * attributes carry 8 bytes: a, b.
 */
#ifndef TA_CRYPTEST_H
#define TA_CRYPTEST_H

#define TA_CRYPTEST_UUID \
	{ 0x7c0a5b1e, 0x3f2d, 0x4c8a, { 0x9e, 0x61, 0xb2, 0xd4, 0xf0, 0xa8, 0xc3, 0x17 } }

/* Record ids of cryptest fields. */
#define CT_IV 0x01	/* IV or nonce */
#define CT_AAD 0x02	/* AE additional data */
#define CT_TAG 0x03	/* expected tag (AE decrypt), MAC (compare) or signature (verify) */
#define CT_DATA 0x04	/* input */
#define CT_TAGLEN 0x05	/* value: a = AE tag length in bits, b = tag buffer size (0: 16) */
#define CT_KEY2 0x06	/* second key: its secret (XTS), or a key blob when key 1 is a key pair (SM2 KEP) */
#define CT_DKSIZE 0x07	/* DERIVE: value a = the derived object's maxObjectSize (default: out size * 8) */
#define CT_KEYTYPE 0x08	/* key blob: value a = object type, b = max key size in bits */

/* Commands. */
#define CT_CMD_DIGEST 0		/* out = digest of DATA */
#define CT_CMD_MAC 1		/* out = MAC of DATA (IV optional); with TAG: TEE_MACCompareFinal */
#define CT_CMD_CIPHER 2		/* out = cipher of DATA (IV, KEY2 for XTS), updates then final */
#define CT_CMD_AE 3		/* encrypt: out = ciphertext || tag; decrypt (TAG): out = plaintext */
#define CT_CMD_ASYM 4		/* encrypt / decrypt / sign: out = result; verify: DATA digest, TAG sig */
#define CT_CMD_DERIVE 5		/* out = derived secret (|| SM2_KEP_CONFIRMATION_OUT's value, if asked) */
#define CT_CMD_GENERATE 6	/* value0 a = type, b = bits; op blob = attributes; out = key blob */
#define CT_CMD_MISUSE 7		/* value0 a = scenario (CT_MISUSE_*); returns GP's result or panics */
#define CT_CMD_COPY 8		/* digest DATA with a copy made half way: out = both digests */
#define CT_CMD_HOSTILE 9	/* raw syscalls with bad pointers/handles/sizes: out = u32 results */

#define CT_MISUSE_UPDATE_BEFORE_INIT 1	/* TEE_CipherUpdate without TEE_CipherInit: panic */
#define CT_MISUSE_WRONG_KEY_TYPE 2	/* HMAC key into an AES operation: panic */
#define CT_MISUSE_MAC_FINAL_TWICE 3	/* second TEE_MACComputeFinal: panic */
#define CT_MISUSE_KEY_USAGE 4		/* decrypt-only key into an encrypt operation: panic */
#define CT_MISUSE_KEY_TOO_LARGE 5	/* 256-bit key into a 128-bit operation: panic */
#define CT_MISUSE_GCM_TAG_72 6		/* TEE_AEInit with a 72-bit tag: TEE_ERROR_NOT_SUPPORTED */
#define CT_MISUSE_NOT_EXTRACTABLE 7	/* secret of a non-extractable key: panic */
#define CT_MISUSE_POPULATE_TWICE 8	/* second TEE_PopulateTransientObject: panic */
#define CT_MISUSE_MODE_MISMATCH 9	/* SHA-256 in encrypt mode: TEE_ERROR_NOT_SUPPORTED */
#define CT_MISUSE_BAD_OBJECT_SIZE 10	/* AES object of 100 bits: TEE_ERROR_NOT_SUPPORTED */
#define CT_MISUSE_MISSING_ATTR 11	/* RSA key pair without private exponent: BAD_PARAMETERS */
#define CT_MISUSE_CBC_PARTIAL 12	/* AES-CBC-NOPAD final on 17 bytes: panic */
#define CT_MISUSE_SET_KEY_ACTIVE 13	/* TEE_SetOperationKey on an active operation: panic */

#endif /* TA_CRYPTEST_H */
