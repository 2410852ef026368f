/*
 * What an algorithm id implies (GP Internal Core API 1.3 section 6.10, in OP-TEE's id layout):
 * its operation class, the modes it allows, the key object type and usage it takes and its
 * digest length; and TEE_IsAlgorithmSupported. Kept apart from the handle code because both
 * TEE_AllocateOperation and the support query read the same id layout.
 */
#include <tee_internal_api.h>
#include "utee_operation.h"

uint32_t utee_alg_class(uint32_t algo)
{
	/* OP-TEE's SM2 ids do not follow the class nibble (KEP reads 6, PKE 8) */
	if (algo == TEE_ALG_SM2_PKE)
		return TEE_OPERATION_ASYMMETRIC_CIPHER;
	if (algo == TEE_ALG_SM2_KEP)
		return TEE_OPERATION_KEY_DERIVATION;
	switch (algo >> 28) {
	case 1: return TEE_OPERATION_CIPHER;
	case 3: return TEE_OPERATION_MAC;
	case 4: return TEE_OPERATION_AE;
	case 5: return TEE_OPERATION_DIGEST;
	case 6: return TEE_OPERATION_ASYMMETRIC_CIPHER;
	case 7: return TEE_OPERATION_ASYMMETRIC_SIGNATURE;
	case 8: return TEE_OPERATION_KEY_DERIVATION;
	case 0xF: /* GP 1.3's TEE_ALG_RSASSA_PKCS1_V1_5 (no hash); OP-TEE's DES3 CMAC */
		if (algo == TEE_ALG_RSASSA_PKCS1_V1_5)
			return TEE_OPERATION_ASYMMETRIC_SIGNATURE;
		return algo == TEE_ALG_DES3_CMAC ? TEE_OPERATION_MAC : 0;
	default: return 0;
	}
}

bool utee_alg_mode_fits(uint32_t cls, uint32_t mode)
{
	switch (cls) {
	case TEE_OPERATION_CIPHER:
	case TEE_OPERATION_AE:
	case TEE_OPERATION_ASYMMETRIC_CIPHER:
		return mode == TEE_MODE_ENCRYPT || mode == TEE_MODE_DECRYPT;
	case TEE_OPERATION_MAC: return mode == TEE_MODE_MAC;
	case TEE_OPERATION_DIGEST: return mode == TEE_MODE_DIGEST;
	case TEE_OPERATION_ASYMMETRIC_SIGNATURE: return mode == TEE_MODE_SIGN || mode == TEE_MODE_VERIFY;
	case TEE_OPERATION_KEY_DERIVATION: return mode == TEE_MODE_DERIVE;
	default: return false;
	}
}

/* Size of the digest of a SHA/MD5/SHA-3 selector (low nibble of the digest or HMAC id). */
static uint32_t hash_size(uint32_t sel)
{
	switch (sel) {
	case 1: return 16;
	case 2: return 20;
	case 3: return 28;
	case 4: return 32;
	case 5: return 48;
	case 6: return 64;
	case 7: return 32;
	case 8: return 28;
	case 9: return 32;
	case 10: return 48;
	case 11: return 64;
	default: return 0;
	}
}

/* DES (main algorithm 0x11) or triple DES (0x13) key type. */
static uint32_t cls_des_key(uint32_t algo)
{
	return (algo & 0xFF) == 0x11 ? TEE_TYPE_DES : TEE_TYPE_DES3;
}

/* Object type of the key an algorithm takes in a mode; 0 for none. */
uint32_t utee_alg_key_type(uint32_t algo, uint32_t mode)
{
	bool pub = mode == TEE_MODE_ENCRYPT || mode == TEE_MODE_VERIFY;

	switch (algo) {
	case TEE_ALG_ED25519: return pub ? TEE_TYPE_ED25519_PUBLIC_KEY : TEE_TYPE_ED25519_KEYPAIR;
	case TEE_ALG_X25519: return TEE_TYPE_X25519_KEYPAIR;
	case TEE_ALG_HKDF: return TEE_TYPE_HKDF;
	case TEE_ALG_ECDH_DERIVE_SHARED_SECRET: return TEE_TYPE_ECDH_KEYPAIR;
	case TEE_ALG_DH_DERIVE_SHARED_SECRET: return TEE_TYPE_DH_KEYPAIR;
	case TEE_ALG_SM2_DSA_SM3: return pub ? TEE_TYPE_SM2_DSA_PUBLIC_KEY : TEE_TYPE_SM2_DSA_KEYPAIR;
	case TEE_ALG_SM2_PKE: return pub ? TEE_TYPE_SM2_PKE_PUBLIC_KEY : TEE_TYPE_SM2_PKE_KEYPAIR;
	case TEE_ALG_SM2_KEP: return TEE_TYPE_SM2_KEP_KEYPAIR;
	default: break;
	}
	switch (utee_alg_class(algo)) {
	case TEE_OPERATION_DIGEST:
		return 0;
	case TEE_OPERATION_CIPHER:
	case TEE_OPERATION_AE:
		if ((algo & 0xFF) == 0x11 || (algo & 0xFF) == 0x13)
			return cls_des_key(algo);
		if ((algo & 0xFF) == 0x14)
			return TEE_TYPE_SM4;
		return (algo & 0xFF) == 0x10 ? TEE_TYPE_AES : 0;
	case TEE_OPERATION_MAC:
		if ((algo & 0xFF) == 0x10)
			return TEE_TYPE_AES;
		if ((algo & 0xFF) == 0x11 || (algo & 0xFF) == 0x13)
			return cls_des_key(algo);
		if ((algo & 0xFFFFFFF0) == 0x30000000 && hash_size(algo & 0xF))
			return TEE_TYPE_HMAC_MD5 - 1 + (algo & 0xF);
		return 0;
	case TEE_OPERATION_ASYMMETRIC_CIPHER:
		return (algo & 0xFF) == 0x30 ? (pub ? TEE_TYPE_RSA_PUBLIC_KEY : TEE_TYPE_RSA_KEYPAIR) : 0;
	case TEE_OPERATION_ASYMMETRIC_SIGNATURE:
		if ((algo & 0xFF) == 0x30)
			return pub ? TEE_TYPE_RSA_PUBLIC_KEY : TEE_TYPE_RSA_KEYPAIR;
		if ((algo & 0xFF) == 0x31)
			return pub ? TEE_TYPE_DSA_PUBLIC_KEY : TEE_TYPE_DSA_KEYPAIR;
		if ((algo & 0xFF) == 0x41 || (algo & 0xFF) == 0x42)
			return pub ? TEE_TYPE_ECDSA_PUBLIC_KEY : TEE_TYPE_ECDSA_KEYPAIR;
		return 0;
	case TEE_OPERATION_KEY_DERIVATION:
		if ((algo & 0xFFFF0FFF) == 0x80000042)
			return TEE_TYPE_ECDH_KEYPAIR;
		if ((algo & 0xFFFF0FFF) == 0x800000C0)
			return TEE_TYPE_HKDF_IKM;
		if ((algo & 0xFFFF0FFF) == 0x800000C1)
			return 0xA10000C1; /* TEE_TYPE_CONCAT_KDF_Z */
		if ((algo & 0xFFFF0FFF) == 0x800000C2)
			return 0xA10000C2; /* TEE_TYPE_PBKDF2_PASSWORD */
		return 0;
	default:
		return 0;
	}
}

uint32_t utee_alg_required_usage(uint32_t mode)
{
	switch (mode) {
	case TEE_MODE_ENCRYPT: return TEE_USAGE_ENCRYPT;
	case TEE_MODE_DECRYPT: return TEE_USAGE_DECRYPT;
	case TEE_MODE_SIGN: return TEE_USAGE_SIGN;
	case TEE_MODE_VERIFY: return TEE_USAGE_VERIFY;
	case TEE_MODE_MAC: return TEE_USAGE_MAC;
	case TEE_MODE_DERIVE: return TEE_USAGE_DERIVE;
	default: return 0;
	}
}

uint32_t utee_alg_digest_length(uint32_t algo)
{
	uint32_t cls = utee_alg_class(algo);

	if (cls == TEE_OPERATION_DIGEST && (algo & 0xFFFFFFF0) == 0x50000000)
		return hash_size(algo & 0xF);
	if (cls == TEE_OPERATION_MAC) {
		if ((algo & 0xFF) == 0x11 || (algo & 0xFF) == 0x13)
			return 8;
		return (algo & 0xFF) == 0x10 ? 16 : hash_size(algo & 0xF);
	}
	return 0;
}

TEE_Result TEE_IsAlgorithmSupported(uint32_t algId, uint32_t element)
{
	static const uint32_t algs[] = {
		TEE_ALG_AES_ECB_NOPAD, TEE_ALG_AES_CBC_NOPAD, TEE_ALG_AES_CTR, TEE_ALG_AES_CTS,
		TEE_ALG_AES_XTS, TEE_ALG_AES_CBC_MAC_NOPAD, TEE_ALG_AES_CBC_MAC_PKCS5,
		TEE_ALG_AES_CMAC, TEE_ALG_AES_CCM, TEE_ALG_AES_GCM, TEE_ALG_MD5, TEE_ALG_SHA1,
		TEE_ALG_SHA224, TEE_ALG_SHA256, TEE_ALG_SHA384, TEE_ALG_SHA512, TEE_ALG_HMAC_MD5,
		TEE_ALG_HMAC_SHA1, TEE_ALG_HMAC_SHA224, TEE_ALG_HMAC_SHA256, TEE_ALG_HMAC_SHA384,
		TEE_ALG_HMAC_SHA512, TEE_ALG_RSASSA_PKCS1_V1_5_MD5, TEE_ALG_RSASSA_PKCS1_V1_5_SHA1,
		TEE_ALG_RSASSA_PKCS1_V1_5_SHA224, TEE_ALG_RSASSA_PKCS1_V1_5_SHA256,
		TEE_ALG_RSASSA_PKCS1_V1_5_SHA384, TEE_ALG_RSASSA_PKCS1_V1_5_SHA512,
		TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA1, TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA224,
		TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA256, TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA384,
		TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA512, TEE_ALG_RSAES_PKCS1_V1_5,
		TEE_ALG_RSAES_PKCS1_OAEP_MGF1_SHA1, TEE_ALG_RSAES_PKCS1_OAEP_MGF1_SHA224,
		TEE_ALG_RSAES_PKCS1_OAEP_MGF1_SHA256, TEE_ALG_RSAES_PKCS1_OAEP_MGF1_SHA384,
		TEE_ALG_RSAES_PKCS1_OAEP_MGF1_SHA512, TEE_ALG_RSA_NOPAD, TEE_ALG_ED25519,
		TEE_ALG_X25519, TEE_ALG_HKDF, TEE_ALG_HKDF_SHA1_DERIVE_KEY,
		TEE_ALG_HKDF_SHA224_DERIVE_KEY, TEE_ALG_HKDF_SHA256_DERIVE_KEY,
		TEE_ALG_HKDF_SHA384_DERIVE_KEY, TEE_ALG_HKDF_SHA512_DERIVE_KEY, TEE_ALG_SHA3_224,
		TEE_ALG_SHA3_256, TEE_ALG_SHA3_384, TEE_ALG_SHA3_512, TEE_ALG_SHAKE128, TEE_ALG_SHAKE256,
		TEE_ALG_HMAC_SHA3_224, TEE_ALG_HMAC_SHA3_256, TEE_ALG_HMAC_SHA3_384, TEE_ALG_HMAC_SHA3_512,
		TEE_ALG_SM3, TEE_ALG_HMAC_SM3, TEE_ALG_RSASSA_PKCS1_V1_5, TEE_ALG_DES_ECB_NOPAD, TEE_ALG_DES_CBC_NOPAD,
		TEE_ALG_DES3_ECB_NOPAD, TEE_ALG_DES3_CBC_NOPAD, TEE_ALG_DES_CBC_MAC_NOPAD,
		TEE_ALG_DES_CBC_MAC_PKCS5, TEE_ALG_DES3_CBC_MAC_NOPAD, TEE_ALG_DES3_CBC_MAC_PKCS5,
		TEE_ALG_SM4_ECB_NOPAD, TEE_ALG_SM4_CBC_NOPAD, TEE_ALG_SM4_CTR, TEE_ALG_DES3_CMAC,
		TEE_ALG_DH_DERIVE_SHARED_SECRET,
		TEE_ALG_DSA_SHA1, TEE_ALG_DSA_SHA224, TEE_ALG_DSA_SHA256,
	};
	size_t n;

	if (utee_alg_class(algId) == TEE_OPERATION_ASYMMETRIC_SIGNATURE && (algId & 0xFF) == 0x42)
		return element >= TEE_ECC_CURVE_NIST_P192 && element <= TEE_ECC_CURVE_NIST_P521 ?
		       TEE_SUCCESS : TEE_ERROR_NOT_SUPPORTED;
	if (algId == TEE_ALG_SM2_DSA_SM3 || algId == TEE_ALG_SM2_PKE || algId == TEE_ALG_SM2_KEP)
		return element == TEE_ECC_CURVE_SM2 ? TEE_SUCCESS : TEE_ERROR_NOT_SUPPORTED;
	if (algId == TEE_ALG_ECDH_DERIVE_SHARED_SECRET)
		return element >= TEE_ECC_CURVE_NIST_P192 && element <= TEE_ECC_CURVE_NIST_P521 ?
		       TEE_SUCCESS : TEE_ERROR_NOT_SUPPORTED;
	if (element != TEE_CRYPTO_ELEMENT_NONE && element != TEE_ECC_CURVE_25519)
		return TEE_ERROR_NOT_SUPPORTED;
	/* OP-TEE's concatenation KDF and PBKDF2 over SHA-1 ... SHA-512 */
	if (((algId & 0xFFFF0FFF) == 0x800000C1 || (algId & 0xFFFF0FFF) == 0x800000C2) &&
	    ((algId >> 12) & 0xF) >= 2 && ((algId >> 12) & 0xF) <= 6)
		return TEE_SUCCESS;
	for (n = 0; n < sizeof(algs) / sizeof(algs[0]); n++)
		if (algs[n] == algId)
			return TEE_SUCCESS;
	return TEE_ERROR_NOT_SUPPORTED;
}
