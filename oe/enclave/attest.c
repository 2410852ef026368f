/*
 * Attester and verifier on TrustBox. Evidence format OE_FORMAT_UUID_TRUSTBOX_PSA
 * (7d0f2c64-3b1e-4a57-9c86-5e210ba4d319), little-endian:
 *   0 "TBOE"  4 u16 version (1)  6 u16 reserved  8 u32 custom_claims_size  12 u32 token_size
 *   16 custom claims buffer, then the PSA token (COSE_Sign1, ES256, this device's identity key)
 * made by the oe-keys pseudo-TA about the calling enclave, nonce = SHA-256(custom claims).
 * Verification runs in the TEE (oe-keys VERIFY), which returns the OE claims as a record:
 *   u32 count, then per claim {u32 name_size (with NUL), u32 value_size, name, value}.
 * oe_get_report / oe_verify_report use the same evidence with report_data as the custom part.
 */
#include <string.h>
#include <stdlib.h>
#include <tee_internal_api.h>
#include <openenclave/enclave.h>
#include <openenclave/attestation/attester.h>
#include <openenclave/attestation/verifier.h>
#include "oe_private.h"

static const oe_uuid_t psa_format = { OE_FORMAT_UUID_TRUSTBOX_PSA };
#define MAX_EVIDENCE (64 * 1024)
#define MAX_CLAIMS_RECORD (64 * 1024)

static bool is_psa(const oe_uuid_t *id)
{
	return id && !memcmp(id, &psa_format, sizeof(*id));
}

oe_result_t oe_attester_initialize(void) { return OE_OK; }
oe_result_t oe_attester_shutdown(void) { return OE_OK; }
oe_result_t oe_verifier_initialize(void) { return OE_OK; }
oe_result_t oe_verifier_shutdown(void) { return OE_OK; }

oe_result_t oe_attester_select_format(const oe_uuid_t *ids, size_t n, oe_uuid_t *selected)
{
	if (!ids || !n || !selected)
		return OE_INVALID_PARAMETER;
	for (size_t i = 0; i < n; i++) {
		if (is_psa(&ids[i])) {
			*selected = psa_format;
			return OE_OK;
		}
	}
	return OE_NOT_FOUND;
}

/* evidence := header || custom || token from the PTA. */
static oe_result_t make_evidence(const void *custom, size_t custom_size, uint8_t **out, size_t *out_size)
{
	uint8_t nonce[32];
	uint32_t hash_len = sizeof(nonce);
	TEE_OperationHandle op = TEE_HANDLE_NULL;
	uint8_t *ev;
	TEE_Param p[4];
	TEE_Result res;
	size_t nonce_len = sizeof(nonce);

	if (custom_size > MAX_EVIDENCE / 2)
		return OE_INVALID_PARAMETER;
	if (TEE_AllocateOperation(&op, TEE_ALG_SHA256, TEE_MODE_DIGEST, 0) != TEE_SUCCESS)
		return OE_CRYPTO_ERROR;
	res = TEE_DigestDoFinal(op, custom, custom_size, nonce, &nonce_len);
	TEE_FreeOperation(op);
	if (res != TEE_SUCCESS || nonce_len != hash_len)
		return OE_CRYPTO_ERROR;
	ev = malloc(16 + custom_size + MAX_EVIDENCE);
	if (!ev)
		return OE_OUT_OF_MEMORY;
	memset(p, 0, sizeof(p));
	p[0].memref.buffer = nonce;
	p[0].memref.size = sizeof(nonce);
	p[1].memref.buffer = ev + 16 + custom_size;
	p[1].memref.size = MAX_EVIDENCE;
	res = oe_keys_invoke(OE_PTA_KEYS_GET_EVIDENCE,
			     TEE_PARAM_TYPES(TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_MEMREF_OUTPUT,
					     TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE),
			     p);
	if (res != TEE_SUCCESS) {
		free(ev);
		return OE_FAILURE;
	}
	memcpy(ev, "TBOE", 4);
	ev[4] = 1;
	ev[5] = ev[6] = ev[7] = 0;
	for (int i = 0; i < 4; i++) {
		ev[8 + i] = (uint8_t)(custom_size >> (8 * i));
		ev[12 + i] = (uint8_t)(p[1].memref.size >> (8 * i));
	}
	if (custom_size)
		memcpy(ev + 16, custom, custom_size);
	*out = ev;
	*out_size = 16 + custom_size + p[1].memref.size;
	return OE_OK;
}

oe_result_t oe_get_evidence(const oe_uuid_t *format_id, uint32_t flags, const void *custom,
			    size_t custom_size, const void *opt, size_t opt_size, uint8_t **evidence,
			    size_t *evidence_size, uint8_t **endorsements, size_t *endorsements_size)
{
	(void)flags;
	if (!format_id || !evidence || !evidence_size || (!custom && custom_size))
		return OE_INVALID_PARAMETER;
	if (!is_psa(format_id))
		return OE_NOT_FOUND;
	if (opt || opt_size)
		return OE_INVALID_PARAMETER; /* the PSA format takes no optional parameters */
	if (endorsements) {
		/* No endorsements: the verifier needs only the device's public key. */
		*endorsements = NULL;
		if (endorsements_size)
			*endorsements_size = 0;
	}
	return make_evidence(custom, custom_size, evidence, evidence_size);
}

oe_result_t oe_free_evidence(uint8_t *evidence) { free(evidence); return OE_OK; }
oe_result_t oe_free_endorsements(uint8_t *endorsements) { free(endorsements); return OE_OK; }

oe_result_t oe_verifier_get_formats(oe_uuid_t **ids, size_t *n)
{
	if (!ids || !n)
		return OE_INVALID_PARAMETER;
	*ids = malloc(sizeof(oe_uuid_t));
	if (!*ids)
		return OE_OUT_OF_MEMORY;
	**ids = psa_format;
	*n = 1;
	return OE_OK;
}

oe_result_t oe_verifier_free_formats(oe_uuid_t *ids) { free(ids); return OE_OK; }

oe_result_t oe_verifier_get_format_settings(const oe_uuid_t *format_id, uint8_t **settings, size_t *size)
{
	if (!format_id || !settings || !size)
		return OE_INVALID_PARAMETER;
	if (!is_psa(format_id))
		return OE_NOT_FOUND;
	*settings = NULL; /* the PSA format needs no settings from the verifier */
	*size = 0;
	return OE_OK;
}

oe_result_t oe_verifier_free_format_settings(uint8_t *settings) { free(settings); return OE_OK; }

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* The TEE checks the evidence and answers the claims record; parsed into oe_claim_t. */
static oe_result_t verify_in_tee(const uint8_t *ev, size_t ev_size, oe_claim_t **claims, size_t *count)
{
	uint8_t *rec = malloc(MAX_CLAIMS_RECORD);
	oe_claim_t *c = NULL;
	size_t off = 4, n = 0, rec_size;
	TEE_Param p[4];
	TEE_Result res;

	if (!rec)
		return OE_OUT_OF_MEMORY;
	memset(p, 0, sizeof(p));
	p[0].memref.buffer = (void *)ev;
	p[0].memref.size = ev_size;
	p[1].memref.buffer = rec;
	p[1].memref.size = MAX_CLAIMS_RECORD;
	res = oe_keys_invoke(OE_PTA_KEYS_VERIFY,
			     TEE_PARAM_TYPES(TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_MEMREF_OUTPUT,
					     TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE),
			     p);
	if (res != TEE_SUCCESS) {
		free(rec);
		return res == TEE_ERROR_SECURITY || res == TEE_ERROR_SIGNATURE_INVALID ? OE_VERIFY_FAILED
		       : res == TEE_ERROR_BAD_FORMAT || res == TEE_ERROR_BAD_PARAMETERS ? OE_INVALID_PARAMETER
										       : OE_FAILURE;
	}
	rec_size = p[1].memref.size;
	if (rec_size < 4 || (n = get32(rec)) > 64)
		goto bad;
	c = calloc(n ? n : 1, sizeof(*c));
	if (!c)
		goto bad;
	for (size_t i = 0; i < n; i++) {
		uint32_t ns, vs;

		if (rec_size - off < 8)
			goto bad;
		ns = get32(rec + off);
		vs = get32(rec + off + 4);
		off += 8;
		if (!ns || ns > rec_size - off || vs > rec_size - off - ns || rec[off + ns - 1])
			goto bad;
		c[i].name = malloc(ns);
		c[i].value = malloc(vs ? vs : 1);
		if (!c[i].name || !c[i].value)
			goto bad;
		memcpy(c[i].name, rec + off, ns);
		memcpy(c[i].value, rec + off + ns, vs);
		c[i].value_size = vs;
		off += ns + vs;
	}
	free(rec);
	*claims = c;
	*count = n;
	return OE_OK;
bad:
	oe_free_claims(c, n);
	free(rec);
	return OE_UNEXPECTED;
}

oe_result_t oe_verify_evidence(const oe_uuid_t *format_id, const uint8_t *evidence, size_t evidence_size,
			       const uint8_t *endorsements, size_t endorsements_size,
			       const oe_policy_t *policies, size_t policies_size, oe_claim_t **claims,
			       size_t *claims_length)
{
	oe_claim_t *c = NULL;
	size_t n = 0;
	oe_result_t r;

	(void)endorsements;
	(void)endorsements_size;
	if (!evidence || !evidence_size || (!policies && policies_size) || (!claims != !claims_length))
		return OE_INVALID_PARAMETER;
	if (format_id && !is_psa(format_id))
		return OE_NOT_FOUND;
	r = verify_in_tee(evidence, evidence_size, &c, &n);
	if (r != OE_OK)
		return r;
	if (claims) {
		*claims = c;
		*claims_length = n;
	} else {
		oe_free_claims(c, n);
	}
	return OE_OK;
}

oe_result_t oe_free_claims(oe_claim_t *claims, size_t n)
{
	for (size_t i = 0; claims && i < n; i++) {
		free(claims[i].name);
		free(claims[i].value);
	}
	free(claims);
	return OE_OK;
}

/* ---- legacy reports ------------------------------------------------------------------------ */

#define OE_MAX_REPORT_DATA_SIZE 64

oe_result_t oe_get_report_v2(uint32_t flags, const uint8_t *report_data, size_t report_data_size,
			     const void *opt_params, size_t opt_params_size, uint8_t **report_buffer,
			     size_t *report_buffer_size)
{
	(void)flags;
	if (!report_buffer || !report_buffer_size || report_data_size > OE_MAX_REPORT_DATA_SIZE ||
	    (!report_data && report_data_size) || opt_params || opt_params_size)
		return OE_INVALID_PARAMETER;
	return make_evidence(report_data, report_data_size, report_buffer, report_buffer_size);
}

void oe_free_report(uint8_t *report_buffer) { free(report_buffer); }

static const oe_claim_t *find_claim(const oe_claim_t *c, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(c[i].name, name))
			return &c[i];
	return NULL;
}

static void copy_claim(void *dst, size_t size, const oe_claim_t *c)
{
	memset(dst, 0, size);
	if (c)
		memcpy(dst, c->value, c->value_size < size ? c->value_size : size);
}

/* Fills parsed_report from the verified claims; report_data points into the report buffer. */
oe_result_t oe_verify_report_v2(const uint8_t *report, size_t report_size, oe_report_t *parsed)
{
	oe_claim_t *c = NULL;
	size_t n = 0;
	oe_result_t r;

	if (!report || report_size < 16)
		return OE_INVALID_PARAMETER;
	r = verify_in_tee(report, report_size, &c, &n);
	if (r != OE_OK)
		return r;
	if (parsed) {
		memset(parsed, 0, sizeof(*parsed));
		parsed->size = sizeof(*parsed);
		parsed->type = OE_ENCLAVE_TYPE_OPTEE;
		parsed->report_data_size = get32(report + 8);
		parsed->report_data = parsed->report_data_size ? (uint8_t *)report + 16 : NULL;
		parsed->enclave_report = (uint8_t *)report;
		parsed->enclave_report_size = report_size;
		copy_claim(&parsed->identity.id_version, 4, find_claim(c, n, OE_CLAIM_ID_VERSION));
		copy_claim(&parsed->identity.security_version, 4, find_claim(c, n, OE_CLAIM_SECURITY_VERSION));
		copy_claim(&parsed->identity.attributes, 8, find_claim(c, n, OE_CLAIM_ATTRIBUTES));
		copy_claim(parsed->identity.unique_id, OE_UNIQUE_ID_SIZE, find_claim(c, n, OE_CLAIM_UNIQUE_ID));
		copy_claim(parsed->identity.signer_id, OE_SIGNER_ID_SIZE, find_claim(c, n, OE_CLAIM_SIGNER_ID));
		copy_claim(parsed->identity.product_id, OE_PRODUCT_ID_SIZE, find_claim(c, n, OE_CLAIM_PRODUCT_ID));
	}
	oe_free_claims(c, n);
	return OE_OK;
}

/* Parsing without verification is not offered: the token's signature is checked in the TEE. */
oe_result_t oe_parse_report(const uint8_t *report, size_t report_size, oe_report_t *parsed)
{
	return oe_verify_report_v2(report, report_size, parsed);
}

oe_result_t oe_get_target_info_v2(const uint8_t *report, size_t report_size, void **target_info,
				  size_t *target_info_size)
{
	(void)report;
	(void)report_size;
	(void)target_info;
	(void)target_info_size;
	return OE_UNSUPPORTED; /* SGX local attestation only */
}

void oe_free_target_info(void *target_info) { free(target_info); }
