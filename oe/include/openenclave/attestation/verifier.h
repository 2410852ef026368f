/* Verifier API (enclave side): checks evidence made on this device through the TEE. */
#ifndef OE_ATTESTATION_VERIFIER_H
#define OE_ATTESTATION_VERIFIER_H

#include "../bits/evidence.h"
#include "../bits/result.h"
#include "custom_claims.h"

OE_EXTERNC_BEGIN

oe_result_t oe_verifier_initialize(void);
oe_result_t oe_verifier_get_formats(oe_uuid_t **format_ids, size_t *format_ids_length);
oe_result_t oe_verifier_free_formats(oe_uuid_t *format_ids);
oe_result_t oe_verifier_get_format_settings(const oe_uuid_t *format_id, uint8_t **settings,
					    size_t *settings_size);
oe_result_t oe_verifier_free_format_settings(uint8_t *settings);
oe_result_t oe_verify_evidence(const oe_uuid_t *format_id, const uint8_t *evidence_buffer,
			       size_t evidence_buffer_size, const uint8_t *endorsements_buffer,
			       size_t endorsements_buffer_size, const oe_policy_t *policies,
			       size_t policies_size, oe_claim_t **claims, size_t *claims_length);
oe_result_t oe_free_claims(oe_claim_t *claims, size_t claims_length);
oe_result_t oe_verifier_shutdown(void);

OE_EXTERNC_END

#endif
