/*
 * GP MAC functions (Internal Core API 1.3 section 6.5): HMAC and the AES MACs, on the kernel's
 * hash state syscalls.
 */
#include <tee_internal_api.h>
#include <utee_syscalls.h>
#include "utee_operation.h"

void TEE_MACInit(TEE_OperationHandle operation, const void *IV, size_t IVLen)
{
	TEE_OperationHandle op = utee_op_keyed(operation, TEE_OPERATION_MAC);
	TEE_Result res = _utee_hash_init(op->state, IV, IVLen);

	if (res != TEE_SUCCESS)
		TEE_Panic(res);
	utee_op_started(op);
}

void TEE_MACUpdate(TEE_OperationHandle operation, const void *chunk, size_t chunkSize)
{
	TEE_OperationHandle op = utee_op_active(operation, TEE_OPERATION_MAC);
	TEE_Result res = _utee_hash_update(op->state, chunk, chunkSize);

	if (res != TEE_SUCCESS)
		TEE_Panic(res);
}

TEE_Result TEE_MACComputeFinal(TEE_OperationHandle operation, const void *message,
			       size_t messageLen, void *mac, size_t *macLen)
{
	TEE_OperationHandle op = utee_op_active(operation, TEE_OPERATION_MAC);
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
	utee_op_finished(op);
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
