/*
 * Seal keys from the oe-keys pseudo-TA (emulator/tee/pta/oe-keys.ts). The TEE derives them from
 * the device's HUK and the calling enclave's identity; the HUK never reaches the enclave.
 *
 * key_info (16 bytes, ours): "TBKI", u16 version 1, u16 policy, u16 security_version the key
 * is bound to (PRODUCT policy; 0 for UNIQUE), 6 reserved zero bytes.
 */
#include <string.h>
#include <stdlib.h>
#include <tee_internal_api.h>
#include <openenclave/enclave.h>
#include "oe_private.h"

#define KEY_INFO_SIZE 16
#define SEAL_KEY_SIZE 32
#define SVN_CURRENT 0xFFFFFFFFu

static TEE_TASessionHandle keys_session = TEE_HANDLE_NULL;

TEE_Result oe_keys_invoke(uint32_t cmd, uint32_t types, TEE_Param params[4])
{
	uint32_t origin = 0;

	if (keys_session == TEE_HANDLE_NULL) {
		const TEE_UUID uuid = OE_PTA_KEYS_UUID;
		TEE_Param none[4];
		TEE_Result res;

		memset(none, 0, sizeof(none));
		res = TEE_OpenTASession(&uuid, TEE_TIMEOUT_INFINITE, TEE_PARAM_TYPE_NONE, none,
					&keys_session, &origin);
		if (res != TEE_SUCCESS)
			return res;
	}
	return TEE_InvokeTACommand(keys_session, TEE_TIMEOUT_INFINITE, cmd, types, params, &origin);
}

/* Asks for the key of `policy`, bound to `svn` (SVN_CURRENT = the enclave's own); `context`
 * (optional) is mixed into the derivation. */
oe_result_t oe_keys_seal_key(uint32_t policy, uint32_t svn, const void *context, size_t context_size,
			     uint8_t key[SEAL_KEY_SIZE], uint16_t *svn_used)
{
	TEE_Param p[4];
	TEE_Result res;

	if (policy != OE_SEAL_POLICY_UNIQUE && policy != OE_SEAL_POLICY_PRODUCT)
		return OE_INVALID_PARAMETER;
	memset(p, 0, sizeof(p));
	p[0].value.a = policy;
	p[0].value.b = svn;
	p[1].memref.buffer = (void *)context;
	p[1].memref.size = context_size;
	p[2].memref.buffer = key;
	p[2].memref.size = SEAL_KEY_SIZE;
	res = oe_keys_invoke(OE_PTA_KEYS_SEAL_KEY,
			     TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT,
					     context_size ? TEE_PARAM_TYPE_MEMREF_INPUT : TEE_PARAM_TYPE_NONE,
					     TEE_PARAM_TYPE_MEMREF_OUTPUT, TEE_PARAM_TYPE_VALUE_OUTPUT),
			     p);
	if (res == TEE_ERROR_ACCESS_DENIED)
		return OE_INVALID_ISVSVN; /* a key of a newer security version than ours */
	if (res != TEE_SUCCESS || p[2].memref.size != SEAL_KEY_SIZE)
		return OE_FAILURE;
	if (svn_used)
		*svn_used = (uint16_t)p[3].value.a;
	return OE_OK;
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }

oe_result_t oe_get_seal_key_by_policy_v2(oe_seal_policy_t seal_policy, uint8_t **key_buffer,
					 size_t *key_buffer_size, uint8_t **key_info,
					 size_t *key_info_size)
{
	uint8_t *key, *info = NULL;
	uint16_t svn = 0;
	oe_result_t r;

	if (!key_buffer || !key_buffer_size || (key_info && !key_info_size))
		return OE_INVALID_PARAMETER;
	key = malloc(SEAL_KEY_SIZE);
	if (key_info)
		info = calloc(1, KEY_INFO_SIZE);
	if (!key || (key_info && !info)) {
		free(key);
		free(info);
		return OE_OUT_OF_MEMORY;
	}
	r = oe_keys_seal_key(seal_policy, SVN_CURRENT, NULL, 0, key, &svn);
	if (r != OE_OK) {
		free(key);
		free(info);
		return r;
	}
	if (info) {
		memcpy(info, "TBKI", 4);
		put16(info + 4, 1);
		put16(info + 6, (uint16_t)seal_policy);
		put16(info + 8, seal_policy == OE_SEAL_POLICY_PRODUCT ? svn : 0);
		*key_info = info;
		*key_info_size = KEY_INFO_SIZE;
	}
	*key_buffer = key;
	*key_buffer_size = SEAL_KEY_SIZE;
	return OE_OK;
}

oe_result_t oe_get_seal_key_v2(const uint8_t *key_info, size_t key_info_size, uint8_t **key_buffer,
			       size_t *key_buffer_size)
{
	uint16_t policy;
	uint8_t *key;
	oe_result_t r;

	if (!key_info || !key_buffer || !key_buffer_size)
		return OE_INVALID_PARAMETER;
	if (key_info_size != KEY_INFO_SIZE || memcmp(key_info, "TBKI", 4) || get16(key_info + 4) != 1)
		return OE_INVALID_PARAMETER;
	policy = get16(key_info + 6);
	key = malloc(SEAL_KEY_SIZE);
	if (!key)
		return OE_OUT_OF_MEMORY;
	r = oe_keys_seal_key(policy, policy == OE_SEAL_POLICY_PRODUCT ? get16(key_info + 8) : SVN_CURRENT,
			     NULL, 0, key, NULL);
	if (r != OE_OK) {
		free(key);
		return r;
	}
	*key_buffer = key;
	*key_buffer_size = SEAL_KEY_SIZE;
	return OE_OK;
}

void oe_free_seal_key(uint8_t *key_buffer, uint8_t *key_info)
{
	if (key_buffer) {
		memset(key_buffer, 0, SEAL_KEY_SIZE);
		free(key_buffer);
	}
	free(key_info);
}

void oe_free_key(uint8_t *key_buffer, size_t key_buffer_size, uint8_t *key_info, size_t key_info_size)
{
	if (key_buffer) {
		memset(key_buffer, 0, key_buffer_size);
		free(key_buffer);
	}
	if (key_info) {
		memset(key_info, 0, key_info_size);
		free(key_info);
	}
}
