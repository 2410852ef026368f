/* Custom claims: name/value pairs serialized into the evidence's custom_claims_buffer. */
#ifndef OE_ATTESTATION_CUSTOM_CLAIMS_H
#define OE_ATTESTATION_CUSTOM_CLAIMS_H

#include "../bits/evidence.h"
#include "../bits/result.h"

OE_EXTERNC_BEGIN

#define OE_CUSTOM_CLAIMS_VERSION 1

/* Wire layout (host byte order, no padding): {u64 version; u64 num_claims} then per claim
 * {u64 name_size (with NUL); u64 value_size; name bytes; value bytes}. */
oe_result_t oe_serialize_custom_claims(const oe_claim_t *custom_claims, size_t custom_claims_length,
				       uint8_t **claims_out, size_t *claims_size_out);
oe_result_t oe_deserialize_custom_claims(const uint8_t *claims_buffer, size_t claims_buffer_size,
					 oe_claim_t **claims_out, size_t *claims_length_out);
oe_result_t oe_free_serialized_custom_claims(uint8_t *custom_claims_buffer);
oe_result_t oe_free_custom_claims(oe_claim_t *claims, size_t claims_length);

OE_EXTERNC_END

#endif
