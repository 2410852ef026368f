/*
 * Sealing (enclave side). TrustBox's default plugin (plugin_id NULL or OE_SEAL_PLUGIN_TRUSTBOX):
 * AES-256-GCM under a key derived in the TEE from the device's HUK and the enclave's identity
 * (POLICY_UNIQUE: the enclave measurement; POLICY_PRODUCT, the default: signer + product id).
 */
#ifndef OE_SEAL_H
#define OE_SEAL_H

#include "bits/defs.h"
#include "bits/result.h"
#include "bits/types.h"

OE_EXTERNC_BEGIN

enum {
	OE_SEAL_SETTING_POLICY = 0,
	OE_SEAL_SETTING_ADDITIONAL_CONTEXT = 1,
	OE_SEAL_SETTING_IV = 2,
	OE_SEAL_SETTING_PLUGIN_DEFINED = 0x8000,
	OE_SEAL_SETTING_MAX = 0x10000,
};

typedef struct _oe_seal_setting {
	int type;
	uint32_t size;
	union {
		uint64_t q;
		uint32_t d;
		uint16_t w;
		uint8_t b;
		const void *p;
	} value;
} oe_seal_setting_t;

#define OE_SEAL_SET_POLICY(w) { OE_SEAL_SETTING_POLICY, 0, { (uint64_t)(w) } }
#define OE_SEAL_SET_CONTEXT(PTR, SIZE) { OE_SEAL_SETTING_ADDITIONAL_CONTEXT, (uint32_t)(SIZE), { .p = (PTR) } }
#define OE_SEAL_SET_IV(PTR, SIZE) { OE_SEAL_SETTING_IV, (uint32_t)(SIZE), { .p = (PTR) } }

/* TrustBox seal plugin id: 3f1b6c2e-8d47-4e90-a5c3-1b7e2d9f4a60. */
#define OE_SEAL_PLUGIN_TRUSTBOX \
	{ 0x3f, 0x1b, 0x6c, 0x2e, 0x8d, 0x47, 0x4e, 0x90, 0xa5, 0xc3, 0x1b, 0x7e, 0x2d, 0x9f, 0x4a, 0x60 }

typedef struct _oe_seal_plugin_definition {
	oe_uuid_t id;
	oe_result_t (*on_register)(struct _oe_seal_plugin_definition *plugin_definition,
				   const void *config_data, size_t config_data_size);
	oe_result_t (*on_unregister)(struct _oe_seal_plugin_definition *plugin_definition);
	oe_result_t (*seal)(const oe_seal_setting_t *settings, size_t settings_count,
			    const uint8_t *plaintext, size_t plaintext_size,
			    const uint8_t *additional_data, size_t additional_data_size,
			    uint8_t **blob, size_t *blob_size);
	oe_result_t (*unseal)(const uint8_t *blob, size_t blob_size, const uint8_t *additional_data,
			      size_t additional_data_size, uint8_t **plaintext, size_t *plaintext_size);
} oe_seal_plugin_definition_t;

oe_result_t oe_register_seal_plugin(const oe_seal_plugin_definition_t *plugin, bool make_default);
oe_result_t oe_unregister_seal_plugin(const oe_uuid_t *plugin_id);

/* The blob and the plaintext are allocated with malloc; release them with free (or oe_free). */
oe_result_t oe_seal(const oe_uuid_t *plugin_id, const oe_seal_setting_t *settings, size_t settings_count,
		    const uint8_t *plaintext, size_t plaintext_size, const uint8_t *additional_data,
		    size_t additional_data_size, uint8_t **blob, size_t *blob_size);
oe_result_t oe_unseal(const uint8_t *blob, size_t blob_size, const uint8_t *additional_data,
		      size_t additional_data_size, uint8_t **plaintext, size_t *plaintext_size);

OE_EXTERNC_END

#endif /* OE_SEAL_H */
