/*
 * GP symmetric cipher functions (Internal Core API 1.3 section 6.4). The kernel keeps the
 * cipher state; the library enforces the GP state machine and the length conventions.
 */
#include <tee_internal_api.h>
#include <utee_syscalls.h>
#include "utee_operation.h"

void TEE_CipherInit(TEE_OperationHandle operation, const void *IV, size_t IVLen)
{
	TEE_OperationHandle op = utee_op_keyed(operation, TEE_OPERATION_CIPHER);
	TEE_Result res = _utee_cipher_init(op->state, IV, IVLen);

	if (res != TEE_SUCCESS)
		TEE_Panic(res);
	utee_op_started(op);
}

TEE_Result TEE_CipherUpdate(TEE_OperationHandle operation, const void *srcData, size_t srcLen,
			    void *destData, size_t *destLen)
{
	TEE_OperationHandle op = utee_op_active(operation, TEE_OPERATION_CIPHER);

	return utee_op_sized(_utee_cipher_update, op, srcData, srcLen, destData, destLen);
}

TEE_Result TEE_CipherDoFinal(TEE_OperationHandle operation, const void *srcData, size_t srcLen,
			     void *destData, size_t *destLen)
{
	TEE_OperationHandle op = utee_op_active(operation, TEE_OPERATION_CIPHER);
	TEE_Result res = utee_op_sized(_utee_cipher_final, op, srcData, srcLen, destData, destLen);

	if (res == TEE_SUCCESS)
		utee_op_finished(op);
	return res;
}
