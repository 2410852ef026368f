/*
 * hotp: RFC 4226 one-time passwords with HMAC-SHA1 (optee_examples' hotp shape): register the
 * shared key, then each GET_HOTP returns the value for the current counter and advances it.
 */
#include <string.h>
#include <tee_internal_api.h>
#include <hotp_ta.h>

#define MAX_KEY 64

struct hotp_session {
	uint8_t key[MAX_KEY];
	uint32_t key_len;
	uint64_t counter;
};

static TEE_Result hmac_sha1(const uint8_t *key, uint32_t key_len, const uint8_t *msg, size_t len,
			    uint8_t mac[20])
{
	TEE_OperationHandle op = TEE_HANDLE_NULL;
	TEE_ObjectHandle k = TEE_HANDLE_NULL;
	TEE_Attribute attr;
	size_t mac_len = 20;
	TEE_Result res;

	res = TEE_AllocateOperation(&op, TEE_ALG_HMAC_SHA1, TEE_MODE_MAC, MAX_KEY * 8);
	if (res)
		goto out;
	res = TEE_AllocateTransientObject(TEE_TYPE_HMAC_SHA1, MAX_KEY * 8, &k);
	if (res)
		goto out;
	TEE_InitRefAttribute(&attr, TEE_ATTR_SECRET_VALUE, key, key_len);
	res = TEE_PopulateTransientObject(k, &attr, 1);
	if (res)
		goto out;
	res = TEE_SetOperationKey(op, k);
	if (res)
		goto out;
	TEE_MACInit(op, NULL, 0);
	res = TEE_MACComputeFinal(op, msg, len, mac, &mac_len);
out:
	TEE_FreeOperation(op);
	TEE_FreeTransientObject(k);
	return res;
}

static TEE_Result register_key(struct hotp_session *s, uint32_t types, TEE_Param params[4])
{
	if (types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_NONE,
				     TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE))
		return TEE_ERROR_BAD_PARAMETERS;
	/* HMAC-SHA1 keys are 80 to 512 bits in GP. */
	if (params[0].memref.size < 10 || params[0].memref.size > MAX_KEY)
		return TEE_ERROR_BAD_PARAMETERS;
	memcpy(s->key, params[0].memref.buffer, params[0].memref.size);
	s->key_len = params[0].memref.size;
	s->counter = 0;
	return TEE_SUCCESS;
}

static TEE_Result get_hotp(struct hotp_session *s, uint32_t types, TEE_Param params[4])
{
	uint8_t msg[8];
	uint8_t mac[20];
	uint32_t bin;
	unsigned int off;
	TEE_Result res;
	int n;

	if (types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_OUTPUT, TEE_PARAM_TYPE_NONE,
				     TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE))
		return TEE_ERROR_BAD_PARAMETERS;
	if (!s->key_len)
		return TEE_ERROR_BAD_STATE;
	for (n = 7; n >= 0; n--)
		msg[7 - n] = (uint8_t)(s->counter >> (n * 8));
	res = hmac_sha1(s->key, s->key_len, msg, sizeof(msg), mac);
	if (res)
		return res;
	/* Dynamic truncation (RFC 4226 section 5.3). */
	off = mac[19] & 0xf;
	bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
	      ((uint32_t)mac[off + 2] << 8) | mac[off + 3];
	params[0].value.a = bin % 1000000;
	params[0].value.b = 0;
	s->counter++;
	return TEE_SUCCESS;
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
	struct hotp_session *s = TEE_Malloc(sizeof(*s), TEE_MALLOC_FILL_ZERO);

	if (!s)
		return TEE_ERROR_OUT_OF_MEMORY;
	*sess_ctx = s;
	return TEE_SUCCESS;
}

void TA_CloseSessionEntryPoint(void *sess_ctx)
{
	TEE_MemFill(sess_ctx, 0, sizeof(struct hotp_session));
	TEE_Free(sess_ctx);
}

TEE_Result TA_InvokeCommandEntryPoint(void *sess_ctx, uint32_t cmd_id, uint32_t param_types,
				      TEE_Param params[4])
{
	switch (cmd_id) {
	case TA_HOTP_CMD_REGISTER_SHARED_KEY: return register_key(sess_ctx, param_types, params);
	case TA_HOTP_CMD_GET_HOTP: return get_hotp(sess_ctx, param_types, params);
	default: return TEE_ERROR_BAD_PARAMETERS;
	}
}
