/*
 * GP key derivation (Internal Core API 1.3 section 6.8): ECDH, X25519 and HKDF write the
 * derived secret straight into the TA's object in the kernel.
 */
#include <tee_internal_api.h>
#include <utee_syscalls.h>
#include "utee_operation.h"

void TEE_DeriveKey(TEE_OperationHandle operation, const TEE_Attribute *params, uint32_t paramCount,
		   TEE_ObjectHandle derivedKey)
{
	TEE_OperationHandle op = utee_op_keyed(operation, TEE_OPERATION_KEY_DERIVATION);
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
