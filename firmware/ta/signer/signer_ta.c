/*
 * signer: signs sensor readings for the example edge module. The key is 32 bytes from
 * TEE_GenerateRandom, drawn when the (single, kept-alive) instance is created, and never leaves
 * the TA: the normal world only ever sees tags and a key id. It lives as long as the device
 * runs; a real device would derive it from the hardware unique key or keep it in secure storage.
 */
#include <tee_internal_api.h>
#include <signer_ta.h>
#include "sha256.h"

#define PT(a, b, c, d) TEE_PARAM_TYPES(TEE_PARAM_TYPE_##a, TEE_PARAM_TYPE_##b, TEE_PARAM_TYPE_##c, TEE_PARAM_TYPE_##d)

static uint8_t key[32];

TEE_Result TA_CreateEntryPoint(void)
{
	TEE_GenerateRandom(key, sizeof(key));
	return TEE_SUCCESS;
}

void TA_DestroyEntryPoint(void)
{
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

static TEE_Result sign(uint32_t pt, TEE_Param p[4])
{
	if (pt != PT(MEMREF_INPUT, MEMREF_OUTPUT, NONE, NONE))
		return TEE_ERROR_BAD_PARAMETERS;
	if (p[1].memref.size < 32) {
		p[1].memref.size = 32;
		return TEE_ERROR_SHORT_BUFFER;
	}
	hmac_sha256(key, sizeof(key), p[0].memref.buffer, p[0].memref.size, p[1].memref.buffer);
	p[1].memref.size = 32;
	return TEE_SUCCESS;
}

static TEE_Result verify(uint32_t pt, TEE_Param p[4])
{
	uint8_t tag[32];
	const uint8_t *given = p[1].memref.buffer;
	uint8_t diff = 0;
	int i;

	if (pt != PT(MEMREF_INPUT, MEMREF_INPUT, NONE, NONE) || p[1].memref.size != 32)
		return TEE_ERROR_BAD_PARAMETERS;
	hmac_sha256(key, sizeof(key), p[0].memref.buffer, p[0].memref.size, tag);
	for (i = 0; i < 32; i++)
		diff |= tag[i] ^ given[i];
	return diff ? TEE_ERROR_MAC_INVALID : TEE_SUCCESS;
}

static TEE_Result key_id(uint32_t pt, TEE_Param p[4])
{
	struct sha256 s;
	uint8_t h[32];
	uint8_t *out = p[0].memref.buffer;
	int i;

	if (pt != PT(MEMREF_OUTPUT, NONE, NONE, NONE))
		return TEE_ERROR_BAD_PARAMETERS;
	if (p[0].memref.size < 8) {
		p[0].memref.size = 8;
		return TEE_ERROR_SHORT_BUFFER;
	}
	sha256_init(&s);
	sha256_update(&s, key, sizeof(key));
	sha256_final(&s, h);
	for (i = 0; i < 8; i++)
		out[i] = h[i];
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
