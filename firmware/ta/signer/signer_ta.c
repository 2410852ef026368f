/*
 * signer: signs sensor readings for the example edge module with HMAC-SHA256 (GP crypto API).
 * The key is 32 bytes from TEE_GenerateRandom, drawn when the (single, kept-alive) instance is
 * created, and never leaves the TA: the normal world only ever sees tags and a key id. It lives as long as the device
 * runs; a real device would derive it from the hardware unique key or keep it in secure storage.
 */
#include <tee_internal_api.h>
#include <signer_ta.h>

#define PT(a, b, c, d) TEE_PARAM_TYPES(TEE_PARAM_TYPE_##a, TEE_PARAM_TYPE_##b, TEE_PARAM_TYPE_##c, TEE_PARAM_TYPE_##d)
#define TAG_SIZE 32

static uint8_t key[32];
static TEE_ObjectHandle key_object = TEE_HANDLE_NULL;

TEE_Result TA_CreateEntryPoint(void)
{
	TEE_Attribute attr;
	TEE_Result res;

	TEE_GenerateRandom(key, sizeof(key));
	res = TEE_AllocateTransientObject(TEE_TYPE_HMAC_SHA256, sizeof(key) * 8, &key_object);
	if (res != TEE_SUCCESS)
		return res;
	TEE_InitRefAttribute(&attr, TEE_ATTR_SECRET_VALUE, key, sizeof(key));
	return TEE_PopulateTransientObject(key_object, &attr, 1);
}

void TA_DestroyEntryPoint(void)
{
	TEE_FreeTransientObject(key_object);
}

TEE_Result TA_OpenSessionEntryPoint(uint32_t param_types, TEE_Param params[4], void **sess_ctx)
{
	(void)param_types;
	(void)params;
	*sess_ctx = NULL;
	return TEE_SUCCESS;
}

void TA_CloseSessionEntryPoint(void *sess_ctx)
{
	(void)sess_ctx;
}

/* An HMAC-SHA256 operation keyed with the TA's key, ready for one message. */
static TEE_Result mac_operation(TEE_OperationHandle *op)
{
	TEE_Result res = TEE_AllocateOperation(op, TEE_ALG_HMAC_SHA256, TEE_MODE_MAC, sizeof(key) * 8);

	if (res != TEE_SUCCESS)
		return res;
	res = TEE_SetOperationKey(*op, key_object);
	if (res != TEE_SUCCESS) {
		TEE_FreeOperation(*op);
		return res;
	}
	TEE_MACInit(*op, NULL, 0);
	return TEE_SUCCESS;
}

static TEE_Result sign(uint32_t pt, TEE_Param p[4])
{
	TEE_OperationHandle op = TEE_HANDLE_NULL;
	size_t len = p[1].memref.size;
	TEE_Result res;

	if (pt != PT(MEMREF_INPUT, MEMREF_OUTPUT, NONE, NONE))
		return TEE_ERROR_BAD_PARAMETERS;
	if (len < TAG_SIZE) {
		p[1].memref.size = TAG_SIZE;
		return TEE_ERROR_SHORT_BUFFER;
	}
	res = mac_operation(&op);
	if (res != TEE_SUCCESS)
		return res;
	res = TEE_MACComputeFinal(op, p[0].memref.buffer, p[0].memref.size, p[1].memref.buffer, &len);
	TEE_FreeOperation(op);
	p[1].memref.size = len;
	return res;
}

static TEE_Result verify(uint32_t pt, TEE_Param p[4])
{
	TEE_OperationHandle op = TEE_HANDLE_NULL;
	TEE_Result res;

	if (pt != PT(MEMREF_INPUT, MEMREF_INPUT, NONE, NONE) || p[1].memref.size != TAG_SIZE)
		return TEE_ERROR_BAD_PARAMETERS;
	res = mac_operation(&op);
	if (res != TEE_SUCCESS)
		return res;
	res = TEE_MACCompareFinal(op, p[0].memref.buffer, p[0].memref.size, p[1].memref.buffer, TAG_SIZE);
	TEE_FreeOperation(op);
	return res;
}

/* The first 8 bytes of SHA-256(key): lets a verifier tell keys apart without learning one. */
static TEE_Result key_id(uint32_t pt, TEE_Param p[4])
{
	TEE_OperationHandle op = TEE_HANDLE_NULL;
	uint8_t h[32];
	size_t len = sizeof(h);
	TEE_Result res;

	if (pt != PT(MEMREF_OUTPUT, NONE, NONE, NONE))
		return TEE_ERROR_BAD_PARAMETERS;
	if (p[0].memref.size < 8) {
		p[0].memref.size = 8;
		return TEE_ERROR_SHORT_BUFFER;
	}
	res = TEE_AllocateOperation(&op, TEE_ALG_SHA256, TEE_MODE_DIGEST, 0);
	if (res != TEE_SUCCESS)
		return res;
	res = TEE_DigestDoFinal(op, key, sizeof(key), h, &len);
	TEE_FreeOperation(op);
	if (res != TEE_SUCCESS)
		return res;
	TEE_MemMove(p[0].memref.buffer, h, 8);
	p[0].memref.size = 8;
	return TEE_SUCCESS;
}

TEE_Result TA_InvokeCommandEntryPoint(void *sess_ctx, uint32_t cmd_id, uint32_t param_types, TEE_Param params[4])
{
	(void)sess_ctx;
	switch (cmd_id) {
	case TA_SIGNER_CMD_SIGN:
		return sign(param_types, params);
	case TA_SIGNER_CMD_VERIFY:
		return verify(param_types, params);
	case TA_SIGNER_CMD_KEY_ID:
		return key_id(param_types, params);
	default:
		return TEE_ERROR_BAD_PARAMETERS;
	}
}
