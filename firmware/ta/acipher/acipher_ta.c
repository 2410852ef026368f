/*
 * acipher: RSA key generation and RSAES-PKCS1-v1_5 encryption with the generated key, as in
 * optee_examples' acipher; DECRYPT (command 2) is added so a client can check a round trip.
 * A too small output memref gets TEE_ERROR_SHORT_BUFFER and the size needed.
 */
#include <tee_internal_api.h>
#include <acipher_ta.h>

struct acipher_session {
	TEE_ObjectHandle key;
};

static TEE_Result gen_key(struct acipher_session *s, uint32_t types, TEE_Param params[4])
{
	uint32_t bits = params[0].value.a;
	TEE_ObjectHandle key;
	TEE_Result res;

	if (types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_NONE,
				     TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE))
		return TEE_ERROR_BAD_PARAMETERS;
	res = TEE_AllocateTransientObject(TEE_TYPE_RSA_KEYPAIR, bits, &key);
	if (res) {
		EMSG("TEE_AllocateTransientObject(%u bits): 0x%x", bits, res);
		return res;
	}
	res = TEE_GenerateKey(key, bits, NULL, 0);
	if (res) {
		EMSG("TEE_GenerateKey(%u): 0x%x", bits, res);
		TEE_FreeTransientObject(key);
		return res;
	}
	TEE_FreeTransientObject(s->key);
	s->key = key;
	return TEE_SUCCESS;
}

static TEE_Result crypt(struct acipher_session *s, uint32_t mode, uint32_t types,
			TEE_Param params[4])
{
	TEE_OperationHandle op = TEE_HANDLE_NULL;
	TEE_ObjectInfo info;
	TEE_Result res;

	if (types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_MEMREF_OUTPUT,
				     TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE))
		return TEE_ERROR_BAD_PARAMETERS;
	if (!s->key)
		return TEE_ERROR_BAD_STATE;
	res = TEE_GetObjectInfo1(s->key, &info);
	if (res)
		return res;
	res = TEE_AllocateOperation(&op, TEE_ALG_RSAES_PKCS1_V1_5, mode, info.objectSize);
	if (res)
		return res;
	res = TEE_SetOperationKey(op, s->key);
	if (res)
		goto out;
	if (mode == TEE_MODE_ENCRYPT)
		res = TEE_AsymmetricEncrypt(op, NULL, 0, params[0].memref.buffer, params[0].memref.size,
					    params[1].memref.buffer, &params[1].memref.size);
	else
		res = TEE_AsymmetricDecrypt(op, NULL, 0, params[0].memref.buffer, params[0].memref.size,
					    params[1].memref.buffer, &params[1].memref.size);
out:
	TEE_FreeOperation(op);
	return res;
}

TEE_Result TA_CreateEntryPoint(void)
{
	return TEE_SUCCESS;
}

void TA_DestroyEntryPoint(void)
{
}

TEE_Result TA_OpenSessionEntryPoint(uint32_t param_types, TEE_Param params[4], void **sess_ctx)
{
	struct acipher_session *s = TEE_Malloc(sizeof(*s), TEE_MALLOC_FILL_ZERO);

	if (!s)
		return TEE_ERROR_OUT_OF_MEMORY;
	*sess_ctx = s;
	return TEE_SUCCESS;
}

void TA_CloseSessionEntryPoint(void *sess_ctx)
{
	struct acipher_session *s = sess_ctx;

	TEE_FreeTransientObject(s->key);
	TEE_Free(s);
}

TEE_Result TA_InvokeCommandEntryPoint(void *sess_ctx, uint32_t cmd_id, uint32_t param_types,
				      TEE_Param params[4])
{
	switch (cmd_id) {
	case TA_ACIPHER_CMD_GEN_KEY: return gen_key(sess_ctx, param_types, params);
	case TA_ACIPHER_CMD_ENCRYPT: return crypt(sess_ctx, TEE_MODE_ENCRYPT, param_types, params);
	case TA_ACIPHER_CMD_DECRYPT: return crypt(sess_ctx, TEE_MODE_DECRYPT, param_types, params);
	default: return TEE_ERROR_BAD_PARAMETERS;
	}
}
