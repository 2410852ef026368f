/* Attester API (enclave side). On TrustBox the one format is OE_FORMAT_UUID_TRUSTBOX_PSA. */
#ifndef OE_ATTESTATION_ATTESTER_H
#define OE_ATTESTATION_ATTESTER_H

#include "../bits/evidence.h"
#include "../bits/result.h"
#include "custom_claims.h"

OE_EXTERNC_BEGIN

oe_result_t oe_attester_initialize(void);
oe_result_t oe_attester_select_format(const oe_uuid_t *format_ids, size_t format_ids_length,
				      oe_uuid_t *selected_format_id);
oe_result_t oe_get_evidence(const oe_uuid_t *format_id, uint32_t flags, const void *custom_claims_buffer,
			    size_t custom_claims_buffer_size, const void *optional_parameters,
			    size_t optional_parameters_size, uint8_t **evidence_buffer,
			    size_t *evidence_buffer_size, uint8_t **endorsements_buffer,
			    size_t *endorsements_buffer_size);
oe_result_t oe_free_evidence(uint8_t *evidence_buffer);
oe_result_t oe_free_endorsements(uint8_t *endorsements_buffer);
oe_result_t oe_attester_shutdown(void);

OE_EXTERNC_END

#endif
