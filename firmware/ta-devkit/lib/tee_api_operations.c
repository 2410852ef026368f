/*
 * GP generic operation functions (Internal Core API 1.3 section 6.2): allocate, free, info,
 * reset, set key and copy, plus the handle checks every operation class shares (utee_operation.h).
 * The class functions live in tee_api_digest.c, tee_api_mac.c, tee_api_cipher.c, tee_api_ae.c,
 * tee_api_asym.c and tee_api_derive.c; keys are copied into kernel objects here, as OP-TEE's
 * libutee does, so the classes only ever see a key that passed GP's checks.
 */
#include <string.h>
#include <tee_internal_api.h>
#include <utee_syscalls.h>
#include "utee_operation.h"

static void free_keys(TEE_OperationHandle op)
{
	TEE_CloseObject(op->key1);
	TEE_CloseObject(op->key2);
}

TEE_Result TEE_AllocateOperation(TEE_OperationHandle *operation, uint32_t algorithm, uint32_t mode,
				 uint32_t maxKeySize)
{
	uint32_t cls = utee_alg_class(algorithm);
	uint32_t ktype = utee_alg_key_type(algorithm, mode);
	TEE_OperationHandle op;
	TEE_Result res;
	uint32_t k1 = 0;
	uint32_t k2 = 0;

	if (!operation)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	*operation = TEE_HANDLE_NULL;
	if (!cls || !utee_alg_mode_fits(cls, mode) || (cls != TEE_OPERATION_DIGEST && !ktype))
		return TEE_ERROR_NOT_SUPPORTED;
	op = TEE_Malloc(sizeof(*op), TEE_MALLOC_FILL_ZERO);
	if (!op)
		return TEE_ERROR_OUT_OF_MEMORY;
	op->info.algorithm = algorithm;
	op->info.operationClass = cls;
	op->info.mode = mode;
	op->info.digestLength = utee_alg_digest_length(algorithm);
	op->info.maxKeySize = maxKeySize;
	op->info.requiredKeyUsage = cls == TEE_OPERATION_DIGEST ? 0 : utee_alg_required_usage(mode);
	if (ktype) {
		/* SM2 KEP (as OP-TEE): two 256-bit key pairs, maxKeySize 512 for both together */
		uint32_t mks = algorithm == TEE_ALG_SM2_KEP ? maxKeySize / 2 : maxKeySize;

		res = TEE_AllocateTransientObject(ktype, mks, &op->key1);
		if (res == TEE_SUCCESS && (algorithm == TEE_ALG_AES_XTS || algorithm == TEE_ALG_SM2_KEP)) {
			res = TEE_AllocateTransientObject(ktype, mks, &op->key2);
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

void TEE_GetOperationInfo(TEE_OperationHandle operation, TEE_OperationInfo *operationInfo)
{
	utee_op_check(operation, 0);
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
	TEE_OperationHandle op = utee_op_check(operation, 0);
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
	TEE_OperationHandle op = utee_op_check(operation, 0);

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
	TEE_OperationHandle op = utee_op_check(operation, 0);
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
	TEE_OperationHandle op = utee_op_check(operation, 0);
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
	TEE_OperationHandle dst = utee_op_check(dstOperation, 0);
	TEE_OperationHandle src = utee_op_check(srcOperation, 0);
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
	memcpy(dst->cts, src->cts, sizeof(dst->cts));
	dst->cts_len = src->cts_len;
}

/* ---- Handle checks shared by the operation classes ---- */

TEE_OperationHandle utee_op_check(TEE_OperationHandle op, uint32_t cls)
{
	if (op == TEE_HANDLE_NULL || (cls && op->info.operationClass != cls))
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	return op;
}

TEE_OperationHandle utee_op_keyed(TEE_OperationHandle operation, uint32_t cls)
{
	TEE_OperationHandle op = utee_op_check(operation, cls);

	if (!(op->info.handleState & TEE_HANDLE_FLAG_KEY_SET))
		TEE_Panic(TEE_ERROR_BAD_STATE);
	return op;
}

TEE_OperationHandle utee_op_active(TEE_OperationHandle operation, uint32_t cls)
{
	TEE_OperationHandle op = utee_op_check(operation, cls);

	if (!(op->info.handleState & TEE_HANDLE_FLAG_INITIALIZED) ||
	    op->operation_state != TEE_OPERATION_STATE_ACTIVE)
		TEE_Panic(TEE_ERROR_BAD_STATE);
	return op;
}

TEE_Result utee_op_sized(TEE_Result (*fn)(unsigned long, const void *, size_t, void *, uint64_t *),
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
