/*
 * GP message digest functions (Internal Core API 1.3 section 6.3). A digest operation is
 * keyless and initialized from allocation; TEE_DigestExtract reads the final digest out in
 * pieces, so the digest is kept in the handle until the last byte is taken.
 */
#include <string.h>
#include <tee_internal_api.h>
#include <utee_syscalls.h>
#include "utee_operation.h"

void TEE_DigestUpdate(TEE_OperationHandle operation, const void *chunk, size_t chunkSize)
{
	TEE_OperationHandle op = utee_op_check(operation, TEE_OPERATION_DIGEST);

	if (op->operation_state == TEE_OPERATION_STATE_EXTRACTING)
		TEE_Panic(TEE_ERROR_BAD_STATE);
	if (_utee_hash_update(op->state, chunk, chunkSize) != TEE_SUCCESS)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	op->operation_state = TEE_OPERATION_STATE_ACTIVE;
}

/* SHAKE128/256: the kernel squeezes on at each final, until the state is initialized again. */
static bool is_xof(TEE_OperationHandle op)
{
	return op->info.algorithm == TEE_ALG_SHAKE128 || op->info.algorithm == TEE_ALG_SHAKE256;
}

TEE_Result TEE_DigestDoFinal(TEE_OperationHandle operation, const void *chunk, size_t chunkLen,
			     void *hash, size_t *hashLen)
{
	TEE_OperationHandle op = utee_op_check(operation, TEE_OPERATION_DIGEST);
	uint64_t len;
	TEE_Result res;

	if (!hashLen)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	/* After TEE_DigestExtract only an XOF may finish, and with no more input. */
	if (op->operation_state == TEE_OPERATION_STATE_EXTRACTING && (!is_xof(op) || chunkLen))
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	len = *hashLen;
	res = _utee_hash_final(op->state, chunk, chunkLen, hash, &len);
	*hashLen = len;
	if (res == TEE_ERROR_SHORT_BUFFER)
		return res;
	if (res != TEE_SUCCESS)
		TEE_Panic(res);
	if (is_xof(op) && _utee_hash_init(op->state, NULL, 0) != TEE_SUCCESS)
		TEE_Panic(TEE_ERROR_GENERIC);
	op->operation_state = TEE_OPERATION_STATE_INITIAL;
	return TEE_SUCCESS;
}

TEE_Result TEE_DigestExtract(TEE_OperationHandle operation, void *hash, size_t *hashLen)
{
	TEE_OperationHandle op = utee_op_check(operation, TEE_OPERATION_DIGEST);
	size_t n;

	if (!hashLen)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	if (is_xof(op)) {
		/* As much as asked for, each call going on from the last. */
		uint64_t len = *hashLen;

		if (_utee_hash_final(op->state, NULL, 0, hash, &len) != TEE_SUCCESS)
			TEE_Panic(TEE_ERROR_GENERIC);
		*hashLen = len;
		op->operation_state = TEE_OPERATION_STATE_EXTRACTING;
		return TEE_SUCCESS;
	}
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
