/*
 * oe_seal / oe_unseal with TrustBox's default seal plugin, and OE's plugin registry.
 *
 * Blob (ours, little-endian): 48-byte header
 *   0 "TBSL"  4 u16 version (1)  6 u16 policy  8 u16 security_version (PRODUCT key binding)
 *   10 u16 reserved (0)  12 u32 ciphertext_size  16 u32 context_size  20 iv[12]  32 tag[16]
 * then the ADDITIONAL_CONTEXT bytes (also mixed into the key), then the ciphertext.
 * AES-256-GCM, tag 128 bits, AAD = header || context || additional_data.
 */
#include <string.h>
#include <stdlib.h>
#include <tee_internal_api.h>
#include <openenclave/enclave.h>
#include <openenclave/seal.h>
#include "oe_private.h"

oe_result_t oe_keys_seal_key(uint32_t policy, uint32_t svn, const void *context, size_t context_size,
			     uint8_t key[32], uint16_t *svn_used);

#define HDR 48
#define IV_SIZE 12
#define TAG_SIZE 16
#define MAX_CONTEXT 4096

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static uint32_t get32(const uint8_t *p) { return get16(p) | ((uint32_t)get16(p + 2) << 16); }

/* One AES-256-GCM pass; encrypt writes tag, decrypt checks it. */
static oe_result_t gcm(bool encrypt, const uint8_t key[32], const uint8_t *iv, const uint8_t *aad1,
		       size_t aad1_size, const uint8_t *aad2, size_t aad2_size, const uint8_t *in,
		       size_t size, uint8_t *out, uint8_t *tag)
{
	TEE_OperationHandle op = TEE_HANDLE_NULL;
	TEE_ObjectHandle obj = TEE_HANDLE_NULL;
	TEE_Attribute attr;
	size_t out_len = size, tag_len = TAG_SIZE;
	oe_result_t r = OE_CRYPTO_ERROR;
	TEE_Result res;

	if (TEE_AllocateOperation(&op, TEE_ALG_AES_GCM, encrypt ? TEE_MODE_ENCRYPT : TEE_MODE_DECRYPT,
				  256) != TEE_SUCCESS)
		return OE_CRYPTO_ERROR;
	if (TEE_AllocateTransientObject(TEE_TYPE_AES, 256, &obj) != TEE_SUCCESS)
		goto out;
	TEE_InitRefAttribute(&attr, TEE_ATTR_SECRET_VALUE, key, 32);
	if (TEE_PopulateTransientObject(obj, &attr, 1) != TEE_SUCCESS ||
	    TEE_SetOperationKey(op, obj) != TEE_SUCCESS ||
	    TEE_AEInit(op, iv, IV_SIZE, TAG_SIZE * 8, aad1_size + aad2_size, size) != TEE_SUCCESS)
		goto out;
	if (aad1_size)
		TEE_AEUpdateAAD(op, aad1, aad1_size);
	if (aad2_size)
		TEE_AEUpdateAAD(op, aad2, aad2_size);
	if (encrypt) {
		res = TEE_AEEncryptFinal(op, in, size, out, &out_len, tag, &tag_len);
	} else {
		res = TEE_AEDecryptFinal(op, in, size, out, &out_len, tag, TAG_SIZE);
		if (res == TEE_ERROR_MAC_INVALID) {
			r = OE_VERIFY_FAILED;
			goto out;
		}
	}
	if (res == TEE_SUCCESS && out_len == size)
		r = OE_OK;
out:
	if (obj != TEE_HANDLE_NULL)
		TEE_FreeTransientObject(obj);
	TEE_FreeOperation(op);
	return r;
}

static oe_result_t tb_seal(const oe_seal_setting_t *settings, size_t count, const uint8_t *plaintext,
			   size_t plaintext_size, const uint8_t *aad, size_t aad_size, uint8_t **blob,
			   size_t *blob_size)
{
	uint32_t policy = OE_SEAL_POLICY_PRODUCT;
	const uint8_t *iv_in = NULL, *context = NULL;
	size_t context_size = 0, total;
	uint8_t key[32], *b;
	uint16_t svn = 0;
	oe_result_t r;

	for (size_t i = 0; i < count; i++) {
		const oe_seal_setting_t *s = &settings[i];

		switch (s->type) {
		case OE_SEAL_SETTING_POLICY:
			policy = (uint32_t)s->value.q;
			if (policy != OE_SEAL_POLICY_UNIQUE && policy != OE_SEAL_POLICY_PRODUCT)
				return OE_INVALID_PARAMETER;
			break;
		case OE_SEAL_SETTING_IV:
			if (s->size != IV_SIZE || !s->value.p)
				return OE_INVALID_PARAMETER;
			iv_in = s->value.p;
			break;
		case OE_SEAL_SETTING_ADDITIONAL_CONTEXT:
			if (s->size > MAX_CONTEXT || (s->size && !s->value.p))
				return OE_INVALID_PARAMETER;
			context = s->value.p;
			context_size = s->size;
			break;
		default:
			return OE_UNSUPPORTED;
		}
	}
	if (plaintext_size > 0x7fffffffu - HDR - MAX_CONTEXT)
		return OE_INVALID_PARAMETER;
	total = HDR + context_size + plaintext_size;
	b = calloc(1, total ? total : 1);
	if (!b)
		return OE_OUT_OF_MEMORY;
	r = oe_keys_seal_key(policy, 0xFFFFFFFFu, context, context_size, key, &svn);
	if (r != OE_OK)
		goto fail;
	memcpy(b, "TBSL", 4);
	put16(b + 4, 1);
	put16(b + 6, (uint16_t)policy);
	put16(b + 8, policy == OE_SEAL_POLICY_PRODUCT ? svn : 0);
	put32(b + 12, (uint32_t)plaintext_size);
	put32(b + 16, (uint32_t)context_size);
	if (iv_in)
		memcpy(b + 20, iv_in, IV_SIZE);
	else
		TEE_GenerateRandom(b + 20, IV_SIZE);
	if (context_size)
		memcpy(b + HDR, context, context_size);
	/* AAD covers the header without the tag (zero while encrypting, zeroed when checking). */
	r = gcm(true, key, b + 20, b, HDR + context_size, aad, aad_size, plaintext, plaintext_size,
		b + HDR + context_size, b + 32);
	memset(key, 0, sizeof(key));
	if (r != OE_OK)
		goto fail;
	*blob = b;
	*blob_size = total;
	return OE_OK;
fail:
	free(b);
	return r;
}

static oe_result_t tb_unseal(const uint8_t *blob, size_t blob_size, const uint8_t *aad, size_t aad_size,
			     uint8_t **plaintext, size_t *plaintext_size)
{
	uint8_t hdr[HDR], key[32], *plain, *aad1;
	uint32_t ct_size, context_size;
	uint16_t policy;
	oe_result_t r;

	if (blob_size < HDR || memcmp(blob, "TBSL", 4))
		return OE_UNSUPPORTED; /* not ours: another plugin may take it */
	memcpy(hdr, blob, HDR);
	policy = get16(hdr + 6);
	ct_size = get32(hdr + 12);
	context_size = get32(hdr + 16);
	if (get16(hdr + 4) != 1 || context_size > MAX_CONTEXT || blob_size != HDR + (size_t)context_size + ct_size)
		return OE_INVALID_PARAMETER;
	r = oe_keys_seal_key(policy, policy == OE_SEAL_POLICY_PRODUCT ? get16(hdr + 8) : 0xFFFFFFFFu,
			     blob + HDR, context_size, key, NULL);
	if (r != OE_OK)
		return r;
	plain = malloc(ct_size ? ct_size : 1);
	aad1 = malloc(HDR + context_size);
	if (!plain || !aad1) {
		free(plain);
		free(aad1);
		return OE_OUT_OF_MEMORY;
	}
	memcpy(aad1, hdr, HDR);
	memset(aad1 + 32, 0, TAG_SIZE);
	memcpy(aad1 + HDR, blob + HDR, context_size);
	r = gcm(false, key, hdr + 20, aad1, HDR + context_size, aad, aad_size, blob + HDR + context_size,
		ct_size, plain, hdr + 32);
	memset(key, 0, sizeof(key));
	free(aad1);
	if (r != OE_OK) {
		free(plain);
		return r;
	}
	*plaintext = plain;
	*plaintext_size = ct_size;
	return OE_OK;
}

/* ---- the plugin registry ------------------------------------------------------------------- */

#define MAX_PLUGINS 8
static oe_seal_plugin_definition_t default_plugin = {
	.id = { OE_SEAL_PLUGIN_TRUSTBOX },
	.seal = tb_seal,
	.unseal = tb_unseal,
};
static const oe_seal_plugin_definition_t *plugins[MAX_PLUGINS] = { &default_plugin };
static size_t plugin_count = 1;

oe_result_t oe_register_seal_plugin(const oe_seal_plugin_definition_t *plugin, bool make_default)
{
	oe_result_t r = OE_OK;

	if (!plugin || !plugin->seal || !plugin->unseal)
		return OE_INVALID_PARAMETER;
	for (size_t i = 0; i < plugin_count; i++)
		if (!memcmp(&plugins[i]->id, &plugin->id, sizeof(oe_uuid_t)))
			return OE_ALREADY_EXISTS;
	if (plugin_count == MAX_PLUGINS)
		return OE_OUT_OF_MEMORY;
	if (plugin->on_register)
		r = plugin->on_register((oe_seal_plugin_definition_t *)plugin, NULL, 0);
	if (r != OE_OK)
		return r;
	if (make_default) {
		memmove(&plugins[1], &plugins[0], plugin_count * sizeof(plugins[0]));
		plugins[0] = plugin;
	} else {
		plugins[plugin_count] = plugin;
	}
	plugin_count++;
	return OE_OK;
}

oe_result_t oe_unregister_seal_plugin(const oe_uuid_t *plugin_id)
{
	for (size_t i = 0; plugin_id && i < plugin_count; i++) {
		if (memcmp(&plugins[i]->id, plugin_id, sizeof(*plugin_id)))
			continue;
		if (plugins[i]->on_unregister)
			plugins[i]->on_unregister((oe_seal_plugin_definition_t *)plugins[i]);
		memmove(&plugins[i], &plugins[i + 1], (plugin_count - i - 1) * sizeof(plugins[0]));
		plugin_count--;
		return OE_OK;
	}
	return OE_NOT_FOUND;
}

static bool sized_ok(const void *p, size_t n)
{
	return (p == NULL) == (n == 0) && (!p || oe_is_within_enclave(p, n));
}

oe_result_t oe_seal(const oe_uuid_t *plugin_id, const oe_seal_setting_t *settings, size_t settings_count,
		    const uint8_t *plaintext, size_t plaintext_size, const uint8_t *additional_data,
		    size_t additional_data_size, uint8_t **blob, size_t *blob_size)
{
	const oe_seal_plugin_definition_t *plugin = NULL;

	if (!blob || !blob_size || !sized_ok(settings, settings_count * sizeof(*settings)) ||
	    !sized_ok(plaintext, plaintext_size) || !sized_ok(additional_data, additional_data_size))
		return OE_INVALID_PARAMETER;
	for (size_t i = 0; i < settings_count; i++)
		if (settings[i].type < 0 || settings[i].type >= OE_SEAL_SETTING_MAX)
			return OE_INVALID_PARAMETER;
	if (!plugin_id) {
		plugin = plugin_count ? plugins[0] : NULL;
	} else {
		for (size_t i = 0; i < plugin_count && !plugin; i++)
			if (!memcmp(&plugins[i]->id, plugin_id, sizeof(*plugin_id)))
				plugin = plugins[i];
	}
	if (!plugin)
		return OE_NOT_FOUND;
	return plugin->seal(settings, settings_count, plaintext, plaintext_size, additional_data,
			    additional_data_size, blob, blob_size);
}

oe_result_t oe_unseal(const uint8_t *blob, size_t blob_size, const uint8_t *additional_data,
		      size_t additional_data_size, uint8_t **plaintext, size_t *plaintext_size)
{
	oe_result_t last = OE_UNSUPPORTED;

	if (!blob || !blob_size || !plaintext || !plaintext_size ||
	    !sized_ok(additional_data, additional_data_size))
		return OE_INVALID_PARAMETER;
	for (size_t i = 0; i < plugin_count; i++) {
		oe_result_t r = plugins[i]->unseal(blob, blob_size, additional_data, additional_data_size,
						   plaintext, plaintext_size);

		if (r == OE_OK)
			return OE_OK;
		if (r != OE_UNSUPPORTED)
			last = r;
	}
	return last;
}
