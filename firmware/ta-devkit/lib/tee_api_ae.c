/*
 * GP authenticated encryption functions (Internal Core API 1.3 section 6.6): AES-GCM and
 * AES-CCM on the kernel's authenc syscalls.
 */
#include <tee_internal_api.h>
#include <utee_syscalls.h>
#include "utee_operation.h"

TEE_Result TEE_AEInit(TEE_OperationHandle operation, const void *nonce, size_t nonceLen,
		      uint32_t tagLen, size_t AADLen, size_t payloadLen)
{
	TEE_OperationHandle op = utee_op_keyed(operation, TEE_OPERATION_AE);
	TEE_Result res;

	if (tagLen % 8 || !tagLen || tagLen > 128)
		return TEE_ERROR_NOT_SUPPORTED;
	res = _utee_authenc_init(op->state, nonce, nonceLen, tagLen / 8, AADLen, payloadLen);
	if (res == TEE_ERROR_NOT_SUPPORTED)
		return res;
	if (res != TEE_SUCCESS)
		TEE_Panic(res);
	utee_op_started(op);
	return TEE_SUCCESS;
}

void TEE_AEUpdateAAD(TEE_OperationHandle operation, const void *AADdata, size_t AADdataLen)
{
	TEE_OperationHandle op = utee_op_active(operation, TEE_OPERATION_AE);
	TEE_Result res = _utee_authenc_update_aad(op->state, AADdata, AADdataLen);

	if (res != TEE_SUCCESS)
		TEE_Panic(res);
}

TEE_Result TEE_AEUpdate(TEE_OperationHandle operation, const void *srcData, size_t srcLen,
			void *destData, size_t *destLen)
{
	TEE_OperationHandle op = utee_op_active(operation, TEE_OPERATION_AE);

	return utee_op_sized(_utee_authenc_update_payload, op, srcData, srcLen, destData, destLen);
}

TEE_Result TEE_AEEncryptFinal(TEE_OperationHandle operation, const void *srcData, size_t srcLen,
			      void *destData, size_t *destLen, void *tag, size_t *tagLen)
{
	TEE_OperationHandle op = utee_op_active(operation, TEE_OPERATION_AE);
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
	utee_op_finished(op);
	return TEE_SUCCESS;
}

TEE_Result TEE_AEDecryptFinal(TEE_OperationHandle operation, const void *srcData, size_t srcLen,
			      void *destData, size_t *destLen, void *tag, size_t tagLen)
{
	TEE_OperationHandle op = utee_op_active(operation, TEE_OPERATION_AE);
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
	utee_op_finished(op);
	return res;
}
