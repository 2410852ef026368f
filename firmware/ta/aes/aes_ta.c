/*
 * aes: AES ECB/CBC/CTR through the GP cipher API, in the shape of optee_examples' aes TA:
 * prepare an operation, set the key, set the IV, then cipher buffers with TEE_CipherUpdate.
 */
#include <string.h>
#include <tee_internal_api.h>
#include <aes_ta.h>

struct aes_session {
	uint32_t algo;
	uint32_t mode;
	uint32_t key_size;
	TEE_OperationHandle op;
	TEE_ObjectHandle key;
};

static void free_resources(struct aes_session *s)
{
	TEE_FreeOperation(s->op);
	TEE_FreeTransientObject(s->key);
	s->op = TEE_HANDLE_NULL;
	s->key = TEE_HANDLE_NULL;
}

static TEE_Result prepare(struct aes_session *s, uint32_t types, TEE_Param params[4])
{
	const uint32_t full = TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_VALUE_INPUT,
					      TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_NONE);
	const uint32_t compact = TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_VALUE_INPUT,
						 TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE);
	static const uint8_t dummy[32];
	uint32_t algo, size, mode;
	TEE_Attribute attr;
	TEE_Result res;

	if (types == full) {
		algo = params[0].value.a;
		size = params[1].value.a;
		mode = params[2].value.a;
	} else if (types == compact) {
		algo = params[0].value.a;
		size = params[0].value.b;
		mode = params[1].value.a;
	} else {
		return TEE_ERROR_BAD_PARAMETERS;
	}
	switch (algo) {
	case TA_AES_ALGO_ECB: s->algo = TEE_ALG_AES_ECB_NOPAD; break;
	case TA_AES_ALGO_CBC: s->algo = TEE_ALG_AES_CBC_NOPAD; break;
	case TA_AES_ALGO_CTR: s->algo = TEE_ALG_AES_CTR; break;
	default: return TEE_ERROR_BAD_PARAMETERS;
	}
	if (size != TA_AES_SIZE_128BIT && size != 24 && size != TA_AES_SIZE_256BIT)
		return TEE_ERROR_BAD_PARAMETERS;
	if (mode != TA_AES_MODE_ENCODE && mode != TA_AES_MODE_DECODE)
		return TEE_ERROR_BAD_PARAMETERS;
	s->key_size = size;
	s->mode = mode == TA_AES_MODE_ENCODE ? TEE_MODE_ENCRYPT : TEE_MODE_DECRYPT;
	free_resources(s);

	res = TEE_AllocateOperation(&s->op, s->algo, s->mode, size * 8);
	if (res != TEE_SUCCESS)
		goto err;
	res = TEE_AllocateTransientObject(TEE_TYPE_AES, size * 8, &s->key);
	if (res != TEE_SUCCESS)
		goto err;
	/* A dummy key so that the operation is usable until SET_KEY (as optee_examples does). */
	TEE_InitRefAttribute(&attr, TEE_ATTR_SECRET_VALUE, dummy, size);
	res = TEE_PopulateTransientObject(s->key, &attr, 1);
	if (res != TEE_SUCCESS)
		goto err;
	res = TEE_SetOperationKey(s->op, s->key);
	if (res != TEE_SUCCESS)
		goto err;
	return TEE_SUCCESS;
err:
	EMSG("PREPARE failed: 0x%x", res);
	free_resources(s);
	return res;
}

static TEE_Result set_key(struct aes_session *s, uint32_t types, TEE_Param params[4])
{
	TEE_Attribute attr;
	TEE_Result res;

	if (types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_NONE,
				     TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE))
		return TEE_ERROR_BAD_PARAMETERS;
	if (!s->op || params[0].memref.size != s->key_size)
		return TEE_ERROR_BAD_PARAMETERS;
	TEE_InitRefAttribute(&attr, TEE_ATTR_SECRET_VALUE, params[0].memref.buffer,
			     params[0].memref.size);
	TEE_ResetTransientObject(s->key);
	res = TEE_PopulateTransientObject(s->key, &attr, 1);
	if (res != TEE_SUCCESS)
		return res;
	TEE_ResetOperation(s->op);
	return TEE_SetOperationKey(s->op, s->key);
}

static TEE_Result set_iv(struct aes_session *s, uint32_t types, TEE_Param params[4])
{
	if (types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_NONE,
				     TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE))
		return TEE_ERROR_BAD_PARAMETERS;
	if (!s->op)
		return TEE_ERROR_BAD_STATE;
	if (s->algo != TEE_ALG_AES_ECB_NOPAD && params[0].memref.size != 16)
		return TEE_ERROR_BAD_PARAMETERS;
	TEE_CipherInit(s->op, params[0].memref.buffer, params[0].memref.size);
	return TEE_SUCCESS;
}

static TEE_Result cipher(struct aes_session *s, uint32_t types, TEE_Param params[4])
{
	if (types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_MEMREF_OUTPUT,
				     TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE))
		return TEE_ERROR_BAD_PARAMETERS;
	if (!s->op)
		return TEE_ERROR_BAD_STATE;
	if (params[1].memref.size < params[0].memref.size)
		return TEE_ERROR_BAD_PARAMETERS;
	return TEE_CipherUpdate(s->op, params[0].memref.buffer, params[0].memref.size,
				params[1].memref.buffer, &params[1].memref.size);
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
	struct aes_session *s = TEE_Malloc(sizeof(*s), TEE_MALLOC_FILL_ZERO);

	if (!s)
		return TEE_ERROR_OUT_OF_MEMORY;
	*sess_ctx = s;
	return TEE_SUCCESS;
}

void TA_CloseSessionEntryPoint(void *sess_ctx)
{
	free_resources(sess_ctx);
	TEE_Free(sess_ctx);
}

TEE_Result TA_InvokeCommandEntryPoint(void *sess_ctx, uint32_t cmd_id, uint32_t param_types,
				      TEE_Param params[4])
{
	switch (cmd_id) {
	case TA_AES_CMD_PREPARE: return prepare(sess_ctx, param_types, params);
	case TA_AES_CMD_SET_KEY: return set_key(sess_ctx, param_types, params);
	case TA_AES_CMD_SET_IV: return set_iv(sess_ctx, param_types, params);
	case TA_AES_CMD_CIPHER: return cipher(sess_ctx, param_types, params);
	default: return TEE_ERROR_BAD_PARAMETERS;
	}
}
