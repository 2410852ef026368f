/*
 * GP generic operations, digest, MAC, cipher, AE, asymmetric and key derivation (Internal Core
 * API 1.3 chapter 6). The operation handle lives in the TA heap: GP's operation info, the
 * kernel state handle and the kernel key objects the state reads its keys from (filled by
 * TEE_SetOperationKey through CRYP_OBJ_COPY, as OP-TEE's libutee does). The GP state machine
 * (initial / active / extracting, key set, initialized) and its panics are enforced here.
 */
#include <string.h>
#include <tee_internal_api.h>
#include <utee_syscalls.h>
#include "utee_crypto.h"

struct __TEE_OperationHandle {
	TEE_OperationInfo info;
	uint32_t operation_state;
	uint32_t state;			/* kernel state handle */
	TEE_ObjectHandle key1;		/* kernel key objects owned by the operation */
	TEE_ObjectHandle key2;
	uint8_t extract[64];		/* TEE_DigestExtract: digest being read out */
	uint32_t extract_len;
	uint32_t extract_pos;
};

static uint32_t alg_class(uint32_t algo)
{
	switch (algo >> 28) {
	case 1: return TEE_OPERATION_CIPHER;
	case 3: return TEE_OPERATION_MAC;
	case 4: return TEE_OPERATION_AE;
	case 5: return TEE_OPERATION_DIGEST;
	case 6: return TEE_OPERATION_ASYMMETRIC_CIPHER;
	case 7: return TEE_OPERATION_ASYMMETRIC_SIGNATURE;
	case 8: return TEE_OPERATION_KEY_DERIVATION;
	default: return 0;
	}
}

static bool mode_fits(uint32_t cls, uint32_t mode)
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

/* Size of the digest of a SHA/MD5 selector (low nibble of the digest or HMAC id). */
static uint32_t hash_size(uint32_t sel)
{
	switch (sel) {
	case 1: return 16;
	case 2: return 20;
	case 3: return 28;
	case 4: return 32;
	case 5: return 48;
	case 6: return 64;
	default: return 0;
	}
}

/* Object type of the key an algorithm takes in a mode; 0 for none. */
static uint32_t key_type(uint32_t algo, uint32_t mode)
{
	bool pub = mode == TEE_MODE_ENCRYPT || mode == TEE_MODE_VERIFY;

	switch (algo) {
	case TEE_ALG_ED25519: return pub ? TEE_TYPE_ED25519_PUBLIC_KEY : TEE_TYPE_ED25519_KEYPAIR;
	case TEE_ALG_X25519: return TEE_TYPE_X25519_KEYPAIR;
	case TEE_ALG_HKDF: return TEE_TYPE_HKDF;
	case TEE_ALG_ECDH_DERIVE_SHARED_SECRET: return TEE_TYPE_ECDH_KEYPAIR;
	default: break;
	}
	switch (alg_class(algo)) {
	case TEE_OPERATION_DIGEST:
		return 0;
	case TEE_OPERATION_CIPHER:
	case TEE_OPERATION_AE:
		return (algo & 0xFF) == 0x10 ? TEE_TYPE_AES : 0;
	case TEE_OPERATION_MAC:
		if ((algo & 0xFF) == 0x10)
			return TEE_TYPE_AES;
		if ((algo & 0xFFFFFFF0) == 0x30000000 && hash_size(algo & 0xF))
			return TEE_TYPE_HMAC_MD5 - 1 + (algo & 0xF);
		return 0;
	case TEE_OPERATION_ASYMMETRIC_CIPHER:
		return (algo & 0xFF) == 0x30 ? (pub ? TEE_TYPE_RSA_PUBLIC_KEY : TEE_TYPE_RSA_KEYPAIR) : 0;
	case TEE_OPERATION_ASYMMETRIC_SIGNATURE:
		if ((algo & 0xFF) == 0x30)
			return pub ? TEE_TYPE_RSA_PUBLIC_KEY : TEE_TYPE_RSA_KEYPAIR;
		if ((algo & 0xFF) == 0x41 || (algo & 0xFF) == 0x42)
			return pub ? TEE_TYPE_ECDSA_PUBLIC_KEY : TEE_TYPE_ECDSA_KEYPAIR;
		return 0;
	case TEE_OPERATION_KEY_DERIVATION:
		if ((algo & 0xFFFF0FFF) == 0x80000042)
			return TEE_TYPE_ECDH_KEYPAIR;
		if ((algo & 0xFFFF0FFF) == 0x800000C0)
			return TEE_TYPE_HKDF_IKM;
		return 0;
	default:
		return 0;
	}
}

static uint32_t required_usage(uint32_t mode)
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

static uint32_t digest_length(uint32_t algo)
{
	uint32_t cls = alg_class(algo);

	if (cls == TEE_OPERATION_DIGEST && (algo & 0xFFFFFFF0) == 0x50000000)
		return hash_size(algo & 0xF);
	if (cls == TEE_OPERATION_MAC)
		return (algo & 0xFF) == 0x10 ? 16 : hash_size(algo & 0xF);
	return 0;
}

static void free_keys(TEE_OperationHandle op)
{
	TEE_CloseObject(op->key1);
	TEE_CloseObject(op->key2);
}

TEE_Result TEE_AllocateOperation(TEE_OperationHandle *operation, uint32_t algorithm, uint32_t mode,
				 uint32_t maxKeySize)
{
	uint32_t cls = alg_class(algorithm);
	uint32_t ktype = key_type(algorithm, mode);
	TEE_OperationHandle op;
	TEE_Result res;
	uint32_t k1 = 0;
	uint32_t k2 = 0;

	if (!operation)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	*operation = TEE_HANDLE_NULL;
	if (!cls || !mode_fits(cls, mode) || (cls != TEE_OPERATION_DIGEST && !ktype))
		return TEE_ERROR_NOT_SUPPORTED;
	op = TEE_Malloc(sizeof(*op), TEE_MALLOC_FILL_ZERO);
	if (!op)
		return TEE_ERROR_OUT_OF_MEMORY;
	op->info.algorithm = algorithm;
	op->info.operationClass = cls;
	op->info.mode = mode;
	op->info.digestLength = digest_length(algorithm);
	op->info.maxKeySize = maxKeySize;
	op->info.requiredKeyUsage = cls == TEE_OPERATION_DIGEST ? 0 : required_usage(mode);
	if (ktype) {
		res = TEE_AllocateTransientObject(ktype, maxKeySize, &op->key1);
		if (res == TEE_SUCCESS && algorithm == TEE_ALG_AES_XTS) {
			res = TEE_AllocateTransientObject(ktype, maxKeySize, &op->key2);
			op->info.handleState |= TEE_HANDLE_FLAG_EXPECT_TWO_KEYS;
		}
		if (res != TEE_SUCCESS)
			goto fail;
		k1 = (uint32_t)UTEE_OBJ(op->key1);
		k2 = (uint32_t)UTEE_OBJ(op->key2);
	}
	res = _utee_cryp_state_alloc(algorithm, mode, k1, k2, &op->state);
	if (res != TEE_SUCCESS)
		goto fail;
	if (cls == TEE_OPERATION_DIGEST)
		op->info.handleState |= TEE_HANDLE_FLAG_KEY_SET | TEE_HANDLE_FLAG_INITIALIZED;
	op->operation_state = TEE_OPERATION_STATE_INITIAL;
	*operation = op;
	return TEE_SUCCESS;
fail:
	free_keys(op);
	TEE_Free(op);
	if (res != TEE_ERROR_OUT_OF_MEMORY && res != TEE_ERROR_NOT_SUPPORTED)
		TEE_Panic(res);
	return res;
}

void TEE_FreeOperation(TEE_OperationHandle operation)
{
	TEE_Result res;

	if (operation == TEE_HANDLE_NULL)
		return;
	res = _utee_cryp_state_free(operation->state);
	if (res != TEE_SUCCESS)
		TEE_Panic(res);
	free_keys(operation);
	TEE_Free(operation);
}

static TEE_OperationHandle check_op(TEE_OperationHandle op, uint32_t cls)
{
	if (op == TEE_HANDLE_NULL || (cls && op->info.operationClass != cls))
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	return op;
}

void TEE_GetOperationInfo(TEE_OperationHandle operation, TEE_OperationInfo *operationInfo)
{
	check_op(operation, 0);
	if (!operationInfo)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	*operationInfo = operation->info;
	if (operation->info.handleState & TEE_HANDLE_FLAG_EXPECT_TWO_KEYS) {
		operationInfo->keySize = 0;
		operationInfo->requiredKeyUsage = 0;
	}
}

TEE_Result TEE_GetOperationInfoMultiple(TEE_OperationHandle operation,
					TEE_OperationInfoMultiple *operationInfoMultiple,
					size_t *operationSize)
{
	TEE_OperationHandle op = check_op(operation, 0);
	uint32_t keys = op->key2 ? 2 : op->key1 ? 1 : 0;
	size_t need = sizeof(TEE_OperationInfoMultiple) + keys * sizeof(TEE_OperationInfoKey);
	uint32_t n;

	if (!operationSize || !operationInfoMultiple)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	if (*operationSize < need) {
		*operationSize = need;
		return TEE_ERROR_SHORT_BUFFER;
	}
	operationInfoMultiple->algorithm = op->info.algorithm;
	operationInfoMultiple->operationClass = op->info.operationClass;
	operationInfoMultiple->mode = op->info.mode;
	operationInfoMultiple->digestLength = op->info.digestLength;
	operationInfoMultiple->maxKeySize = op->info.maxKeySize;
	operationInfoMultiple->handleState = op->info.handleState;
	operationInfoMultiple->operationState = op->operation_state;
	operationInfoMultiple->numberOfKeys = keys;
	for (n = 0; n < keys; n++) {
		TEE_ObjectInfo oi;

		TEE_GetObjectInfo(n ? op->key2 : op->key1, &oi);
		operationInfoMultiple->keyInformation[n].keySize = oi.objectSize;
		operationInfoMultiple->keyInformation[n].requiredKeyUsage = op->info.requiredKeyUsage;
	}
	*operationSize = need;
	return TEE_SUCCESS;
}

void TEE_ResetOperation(TEE_OperationHandle operation)
{
	TEE_OperationHandle op = check_op(operation, 0);

	if (op->info.operationClass == TEE_OPERATION_DIGEST) {
		if (_utee_hash_init(op->state, NULL, 0) != TEE_SUCCESS)
			TEE_Panic(TEE_ERROR_GENERIC);
	} else {
		if (!(op->info.handleState & TEE_HANDLE_FLAG_KEY_SET))
			TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
		op->info.handleState &= ~TEE_HANDLE_FLAG_INITIALIZED;
	}
	op->operation_state = TEE_OPERATION_STATE_INITIAL;
	op->extract_len = 0;
	op->extract_pos = 0;
}

/* Checks one key against the operation (GP panics) and copies it into the kernel key object. */
static uint32_t load_key(TEE_OperationHandle op, TEE_ObjectHandle dst, TEE_ObjectHandle key)
{
	TEE_ObjectInfo ki;
	TEE_Result res = TEE_GetObjectInfo1(key, &ki);

	if (res != TEE_SUCCESS)
		return res;
	if (!(ki.handleFlags & TEE_HANDLE_FLAG_INITIALIZED))
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	if ((ki.objectUsage & op->info.requiredKeyUsage) != op->info.requiredKeyUsage)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	if (ki.objectSize > op->info.maxKeySize)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	TEE_ResetTransientObject(dst);
	res = _utee_cryp_obj_copy(UTEE_OBJ(dst), UTEE_OBJ(key));
	if (res != TEE_SUCCESS)
		TEE_Panic(res);
	op->info.keySize = ki.objectSize;
	return TEE_SUCCESS;
}

static void clear_keys(TEE_OperationHandle op)
{
	TEE_ResetTransientObject(op->key1);
	TEE_ResetTransientObject(op->key2);
	op->info.keySize = 0;
	op->info.handleState &= ~(TEE_HANDLE_FLAG_KEY_SET | TEE_HANDLE_FLAG_INITIALIZED);
}

TEE_Result TEE_SetOperationKey(TEE_OperationHandle operation, TEE_ObjectHandle key)
{
	TEE_OperationHandle op = check_op(operation, 0);
	TEE_Result res;

	if (op->info.operationClass == TEE_OPERATION_DIGEST ||
	    (op->info.handleState & TEE_HANDLE_FLAG_EXPECT_TWO_KEYS) ||
	    op->operation_state != TEE_OPERATION_STATE_INITIAL)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	if (key == TEE_HANDLE_NULL) {
		clear_keys(op);
		return TEE_SUCCESS;
	}
	res = load_key(op, op->key1, key);
	if (res != TEE_SUCCESS)
		return res;
	op->info.handleState |= TEE_HANDLE_FLAG_KEY_SET;
	op->info.handleState &= ~TEE_HANDLE_FLAG_INITIALIZED;
	return TEE_SUCCESS;
}

TEE_Result TEE_SetOperationKey2(TEE_OperationHandle operation, TEE_ObjectHandle key1,
				TEE_ObjectHandle key2)
{
	TEE_OperationHandle op = check_op(operation, 0);
	TEE_Result res;
	uint32_t size1;

	if (!(op->info.handleState & TEE_HANDLE_FLAG_EXPECT_TWO_KEYS) ||
	    op->operation_state != TEE_OPERATION_STATE_INITIAL)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	if (key1 == TEE_HANDLE_NULL && key2 == TEE_HANDLE_NULL) {
		clear_keys(op);
		return TEE_SUCCESS;
	}
	if (key1 == TEE_HANDLE_NULL || key2 == TEE_HANDLE_NULL)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	res = load_key(op, op->key1, key1);
	if (res != TEE_SUCCESS)
		return res;
	size1 = op->info.keySize;
	res = load_key(op, op->key2, key2);
	if (res != TEE_SUCCESS)
		return res;
	if (op->info.keySize != size1)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	op->info.handleState |= TEE_HANDLE_FLAG_KEY_SET;
	op->info.handleState &= ~TEE_HANDLE_FLAG_INITIALIZED;
	return TEE_SUCCESS;
}

void TEE_CopyOperation(TEE_OperationHandle dstOperation, TEE_OperationHandle srcOperation)
{
	TEE_OperationHandle dst = check_op(dstOperation, 0);
	TEE_OperationHandle src = check_op(srcOperation, 0);
	TEE_Result res;

	if (dst->info.algorithm != src->info.algorithm || dst->info.mode != src->info.mode ||
	    (src->info.operationClass != TEE_OPERATION_DIGEST && dst->info.maxKeySize < src->info.keySize))
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	if (src->key1) {
		TEE_ResetTransientObject(dst->key1);
		if (src->info.handleState & TEE_HANDLE_FLAG_KEY_SET)
			TEE_CopyObjectAttributes(dst->key1, src->key1);
	}
	if (src->key2) {
		TEE_ResetTransientObject(dst->key2);
		if (src->info.handleState & TEE_HANDLE_FLAG_KEY_SET)
			TEE_CopyObjectAttributes(dst->key2, src->key2);
	}
	res = _utee_cryp_state_copy(dst->state, src->state);
	if (res != TEE_SUCCESS)
		TEE_Panic(res);
	dst->info.keySize = src->info.keySize;
	dst->info.handleState = src->info.handleState;
	dst->operation_state = src->operation_state;
	memcpy(dst->extract, src->extract, sizeof(dst->extract));
	dst->extract_len = src->extract_len;
	dst->extract_pos = src->extract_pos;
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
		TEE_ALG_HKDF_SHA384_DERIVE_KEY, TEE_ALG_HKDF_SHA512_DERIVE_KEY,
	};
	size_t n;

	if (alg_class(algId) == TEE_OPERATION_ASYMMETRIC_SIGNATURE && (algId & 0xFF) == 0x42)
		return element >= TEE_ECC_CURVE_NIST_P192 && element <= TEE_ECC_CURVE_NIST_P521 ?
		       TEE_SUCCESS : TEE_ERROR_NOT_SUPPORTED;
	if (algId == TEE_ALG_ECDH_DERIVE_SHARED_SECRET)
		return element >= TEE_ECC_CURVE_NIST_P192 && element <= TEE_ECC_CURVE_NIST_P521 ?
		       TEE_SUCCESS : TEE_ERROR_NOT_SUPPORTED;
	if (element != TEE_CRYPTO_ELEMENT_NONE && element != TEE_ECC_CURVE_25519)
		return TEE_ERROR_NOT_SUPPORTED;
	for (n = 0; n < sizeof(algs) / sizeof(algs[0]); n++)
		if (algs[n] == algId)
			return TEE_SUCCESS;
	return TEE_ERROR_NOT_SUPPORTED;
}

/* ---- Message digest ---- */

void TEE_DigestUpdate(TEE_OperationHandle operation, const void *chunk, size_t chunkSize)
{
	TEE_OperationHandle op = check_op(operation, TEE_OPERATION_DIGEST);

	if (op->operation_state == TEE_OPERATION_STATE_EXTRACTING)
		TEE_Panic(TEE_ERROR_BAD_STATE);
	if (_utee_hash_update(op->state, chunk, chunkSize) != TEE_SUCCESS)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	op->operation_state = TEE_OPERATION_STATE_ACTIVE;
}

TEE_Result TEE_DigestDoFinal(TEE_OperationHandle operation, const void *chunk, size_t chunkLen,
			     void *hash, size_t *hashLen)
{
	TEE_OperationHandle op = check_op(operation, TEE_OPERATION_DIGEST);
	uint64_t len;
	TEE_Result res;

	if (!hashLen || op->operation_state == TEE_OPERATION_STATE_EXTRACTING)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	len = *hashLen;
	res = _utee_hash_final(op->state, chunk, chunkLen, hash, &len);
	*hashLen = len;
	if (res == TEE_ERROR_SHORT_BUFFER)
		return res;
	if (res != TEE_SUCCESS)
		TEE_Panic(res);
	op->operation_state = TEE_OPERATION_STATE_INITIAL;
	return TEE_SUCCESS;
}

TEE_Result TEE_DigestExtract(TEE_OperationHandle operation, void *hash, size_t *hashLen)
{
	TEE_OperationHandle op = check_op(operation, TEE_OPERATION_DIGEST);
	size_t n;

	if (!hashLen)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	if (op->operation_state != TEE_OPERATION_STATE_EXTRACTING) {
		uint64_t len = sizeof(op->extract);

		if (_utee_hash_final(op->state, NULL, 0, op->extract, &len) != TEE_SUCCESS)
			TEE_Panic(TEE_ERROR_GENERIC);
		op->extract_len = len;
		op->extract_pos = 0;
		op->operation_state = TEE_OPERATION_STATE_EXTRACTING;
	}
	n = op->extract_len - op->extract_pos;
	if (*hashLen < n)
		n = *hashLen;
	memcpy(hash, op->extract + op->extract_pos, n);
	op->extract_pos += n;
	*hashLen = n;
	return TEE_SUCCESS;
}

/* ---- Symmetric cipher ---- */

static TEE_OperationHandle keyed(TEE_OperationHandle operation, uint32_t cls)
{
	TEE_OperationHandle op = check_op(operation, cls);

	if (!(op->info.handleState & TEE_HANDLE_FLAG_KEY_SET))
		TEE_Panic(TEE_ERROR_BAD_STATE);
	return op;
}

static TEE_OperationHandle active(TEE_OperationHandle operation, uint32_t cls)
{
	TEE_OperationHandle op = check_op(operation, cls);

	if (!(op->info.handleState & TEE_HANDLE_FLAG_INITIALIZED) ||
	    op->operation_state != TEE_OPERATION_STATE_ACTIVE)
		TEE_Panic(TEE_ERROR_BAD_STATE);
	return op;
}

static void started(TEE_OperationHandle op)
{
	op->info.handleState |= TEE_HANDLE_FLAG_INITIALIZED;
	op->operation_state = TEE_OPERATION_STATE_ACTIVE;
}

static void finished(TEE_OperationHandle op)
{
	op->info.handleState &= ~TEE_HANDLE_FLAG_INITIALIZED;
	op->operation_state = TEE_OPERATION_STATE_INITIAL;
}

void TEE_CipherInit(TEE_OperationHandle operation, const void *IV, size_t IVLen)
{
	TEE_OperationHandle op = keyed(operation, TEE_OPERATION_CIPHER);
	TEE_Result res = _utee_cipher_init(op->state, IV, IVLen);

	if (res != TEE_SUCCESS)
		TEE_Panic(res);
	started(op);
}

/* Runs an update/final syscall with GP's size_t <-> u64 length and short-buffer rules. */
static TEE_Result sized(TEE_Result (*fn)(unsigned long, const void *, size_t, void *, uint64_t *),
			TEE_OperationHandle op, const void *src, size_t srcLen, void *dst,
			size_t *dstLen)
{
	uint64_t len;
	TEE_Result res;

	if (!dstLen || (srcLen && !src))
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	len = *dstLen;
	res = fn(op->state, src, srcLen, dst, &len);
	*dstLen = len;
	if (res != TEE_SUCCESS && res != TEE_ERROR_SHORT_BUFFER)
		TEE_Panic(res);
	return res;
}

TEE_Result TEE_CipherUpdate(TEE_OperationHandle operation, const void *srcData, size_t srcLen,
			    void *destData, size_t *destLen)
{
	TEE_OperationHandle op = active(operation, TEE_OPERATION_CIPHER);

	return sized(_utee_cipher_update, op, srcData, srcLen, destData, destLen);
}

TEE_Result TEE_CipherDoFinal(TEE_OperationHandle operation, const void *srcData, size_t srcLen,
			     void *destData, size_t *destLen)
{
	TEE_OperationHandle op = active(operation, TEE_OPERATION_CIPHER);
	TEE_Result res = sized(_utee_cipher_final, op, srcData, srcLen, destData, destLen);

	if (res == TEE_SUCCESS)
		finished(op);
	return res;
}

/* ---- MAC ---- */

void TEE_MACInit(TEE_OperationHandle operation, const void *IV, size_t IVLen)
{
	TEE_OperationHandle op = keyed(operation, TEE_OPERATION_MAC);
	TEE_Result res = _utee_hash_init(op->state, IV, IVLen);

	if (res != TEE_SUCCESS)
		TEE_Panic(res);
	started(op);
}

void TEE_MACUpdate(TEE_OperationHandle operation, const void *chunk, size_t chunkSize)
{
	TEE_OperationHandle op = active(operation, TEE_OPERATION_MAC);
	TEE_Result res = _utee_hash_update(op->state, chunk, chunkSize);

	if (res != TEE_SUCCESS)
		TEE_Panic(res);
}

TEE_Result TEE_MACComputeFinal(TEE_OperationHandle operation, const void *message,
			       size_t messageLen, void *mac, size_t *macLen)
{
	TEE_OperationHandle op = active(operation, TEE_OPERATION_MAC);
	uint64_t len;
	TEE_Result res;

	if (!macLen)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	len = *macLen;
	res = _utee_hash_final(op->state, message, messageLen, mac, &len);
	*macLen = len;
	if (res == TEE_ERROR_SHORT_BUFFER)
		return res;
	if (res != TEE_SUCCESS)
		TEE_Panic(res);
	finished(op);
	return TEE_SUCCESS;
}

TEE_Result TEE_MACCompareFinal(TEE_OperationHandle operation, const void *message,
			       size_t messageLen, const void *mac, size_t macLen)
{
	uint8_t computed[64];
	size_t len = sizeof(computed);
	const uint8_t *m = mac;
	uint8_t diff = 0;
	size_t n;
	TEE_Result res = TEE_MACComputeFinal(operation, message, messageLen, computed, &len);

	if (res != TEE_SUCCESS)
		TEE_Panic(res);
	if (macLen != len)
		return TEE_ERROR_MAC_INVALID;
	for (n = 0; n < len; n++)
		diff |= computed[n] ^ m[n];
	return diff ? TEE_ERROR_MAC_INVALID : TEE_SUCCESS;
}

/* ---- Authenticated encryption ---- */

TEE_Result TEE_AEInit(TEE_OperationHandle operation, const void *nonce, size_t nonceLen,
		      uint32_t tagLen, size_t AADLen, size_t payloadLen)
{
	TEE_OperationHandle op = keyed(operation, TEE_OPERATION_AE);
	TEE_Result res;

	if (tagLen % 8 || !tagLen || tagLen > 128)
		return TEE_ERROR_NOT_SUPPORTED;
	res = _utee_authenc_init(op->state, nonce, nonceLen, tagLen / 8, AADLen, payloadLen);
	if (res == TEE_ERROR_NOT_SUPPORTED)
		return res;
	if (res != TEE_SUCCESS)
		TEE_Panic(res);
	started(op);
	return TEE_SUCCESS;
}

void TEE_AEUpdateAAD(TEE_OperationHandle operation, const void *AADdata, size_t AADdataLen)
{
	TEE_OperationHandle op = active(operation, TEE_OPERATION_AE);
	TEE_Result res = _utee_authenc_update_aad(op->state, AADdata, AADdataLen);

	if (res != TEE_SUCCESS)
		TEE_Panic(res);
}

TEE_Result TEE_AEUpdate(TEE_OperationHandle operation, const void *srcData, size_t srcLen,
			void *destData, size_t *destLen)
{
	TEE_OperationHandle op = active(operation, TEE_OPERATION_AE);

	return sized(_utee_authenc_update_payload, op, srcData, srcLen, destData, destLen);
}

TEE_Result TEE_AEEncryptFinal(TEE_OperationHandle operation, const void *srcData, size_t srcLen,
			      void *destData, size_t *destLen, void *tag, size_t *tagLen)
{
	TEE_OperationHandle op = active(operation, TEE_OPERATION_AE);
	uint64_t dl;
	uint64_t tl;
	TEE_Result res;

	if (!destLen || !tagLen || op->info.mode != TEE_MODE_ENCRYPT)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	dl = *destLen;
	tl = *tagLen;
	res = _utee_authenc_enc_final(op->state, srcData, srcLen, destData, &dl, tag, &tl);
	*destLen = dl;
	*tagLen = tl;
	if (res == TEE_ERROR_SHORT_BUFFER)
		return res;
	if (res != TEE_SUCCESS)
		TEE_Panic(res);
	finished(op);
	return TEE_SUCCESS;
}

TEE_Result TEE_AEDecryptFinal(TEE_OperationHandle operation, const void *srcData, size_t srcLen,
			      void *destData, size_t *destLen, void *tag, size_t tagLen)
{
	TEE_OperationHandle op = active(operation, TEE_OPERATION_AE);
	uint64_t dl;
	TEE_Result res;

	if (!destLen || op->info.mode != TEE_MODE_DECRYPT)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	dl = *destLen;
	res = _utee_authenc_dec_final(op->state, srcData, srcLen, destData, &dl, tag, tagLen);
	*destLen = dl;
	if (res == TEE_ERROR_SHORT_BUFFER)
		return res;
	if (res != TEE_SUCCESS && res != TEE_ERROR_MAC_INVALID)
		TEE_Panic(res);
	finished(op);
	return res;
}

/* ---- Asymmetric ---- */

static TEE_Result asym(TEE_OperationHandle operation, uint32_t cls, uint32_t mode,
		       const TEE_Attribute *params, uint32_t paramCount, const void *src,
		       size_t srcLen, void *dst, size_t *dstLen)
{
	TEE_OperationHandle op = keyed(operation, cls);
	struct utee_attribute *ua;
	uint64_t len;
	TEE_Result res;

	if (op->info.mode != mode || !dstLen || (srcLen && !src))
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	ua = utee_attrs_from_tee(params, paramCount);
	len = *dstLen;
	res = _utee_asymm_operate(op->state, ua, paramCount, src, srcLen, dst, &len);
	TEE_Free(ua);
	*dstLen = len;
	return res;
}

TEE_Result TEE_AsymmetricEncrypt(TEE_OperationHandle operation, const TEE_Attribute *params,
				 uint32_t paramCount, const void *srcData, size_t srcLen,
				 void *destData, size_t *destLen)
{
	TEE_Result res = asym(operation, TEE_OPERATION_ASYMMETRIC_CIPHER, TEE_MODE_ENCRYPT, params,
			      paramCount, srcData, srcLen, destData, destLen);

	if (res != TEE_SUCCESS && res != TEE_ERROR_SHORT_BUFFER && res != TEE_ERROR_BAD_PARAMETERS)
		TEE_Panic(res);
	return res;
}

TEE_Result TEE_AsymmetricDecrypt(TEE_OperationHandle operation, const TEE_Attribute *params,
				 uint32_t paramCount, const void *srcData, size_t srcLen,
				 void *destData, size_t *destLen)
{
	TEE_Result res = asym(operation, TEE_OPERATION_ASYMMETRIC_CIPHER, TEE_MODE_DECRYPT, params,
			      paramCount, srcData, srcLen, destData, destLen);

	if (res != TEE_SUCCESS && res != TEE_ERROR_SHORT_BUFFER && res != TEE_ERROR_BAD_PARAMETERS &&
	    res != TEE_ERROR_CIPHERTEXT_INVALID)
		TEE_Panic(res);
	return res;
}

TEE_Result TEE_AsymmetricSignDigest(TEE_OperationHandle operation, const TEE_Attribute *params,
				    uint32_t paramCount, const void *digest, size_t digestLen,
				    void *signature, size_t *signatureLen)
{
	TEE_Result res = asym(operation, TEE_OPERATION_ASYMMETRIC_SIGNATURE, TEE_MODE_SIGN, params,
			      paramCount, digest, digestLen, signature, signatureLen);

	if (res != TEE_SUCCESS && res != TEE_ERROR_SHORT_BUFFER)
		TEE_Panic(res);
	return res;
}

TEE_Result TEE_AsymmetricVerifyDigest(TEE_OperationHandle operation, const TEE_Attribute *params,
				      uint32_t paramCount, const void *digest, size_t digestLen,
				      const void *signature, size_t signatureLen)
{
	TEE_OperationHandle op = keyed(operation, TEE_OPERATION_ASYMMETRIC_SIGNATURE);
	struct utee_attribute *ua;
	TEE_Result res;

	if (op->info.mode != TEE_MODE_VERIFY)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	ua = utee_attrs_from_tee(params, paramCount);
	res = _utee_asymm_verify(op->state, ua, paramCount, digest, digestLen, signature,
				 signatureLen);
	TEE_Free(ua);
	if (res != TEE_SUCCESS && res != TEE_ERROR_SIGNATURE_INVALID)
		TEE_Panic(res);
	return res;
}

/* ---- Key derivation ---- */

void TEE_DeriveKey(TEE_OperationHandle operation, const TEE_Attribute *params, uint32_t paramCount,
		   TEE_ObjectHandle derivedKey)
{
	TEE_OperationHandle op = keyed(operation, TEE_OPERATION_KEY_DERIVATION);
	struct utee_attribute *ua;
	TEE_Result res;

	if (derivedKey == TEE_HANDLE_NULL)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	ua = utee_attrs_from_tee(params, paramCount);
	res = _utee_cryp_derive_key(op->state, ua, paramCount, UTEE_OBJ(derivedKey));
	TEE_Free(ua);
	if (res != TEE_SUCCESS)
		TEE_Panic(res);
}
