/*
 * GP asymmetric functions (Internal Core API 1.3 section 6.7): RSA encryption and RSA, DSA,
 * ECDSA and Ed25519 signatures over a digest the TA computed. GP lets some results through to
 * the TA (short buffer, invalid signature or ciphertext) and panics on the rest; each function
 * lists its own.
 */
#include <tee_internal_api.h>
#include <utee_syscalls.h>
#include "utee_operation.h"

static TEE_Result asym(TEE_OperationHandle operation, uint32_t cls, uint32_t mode,
		       const TEE_Attribute *params, uint32_t paramCount, const void *src,
		       size_t srcLen, void *dst, size_t *dstLen)
{
	TEE_OperationHandle op = utee_op_keyed(operation, cls);
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
	TEE_OperationHandle op = utee_op_keyed(operation, TEE_OPERATION_ASYMMETRIC_SIGNATURE);
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
