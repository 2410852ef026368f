/* Attestation evidence: claims, policies and format ids shared by attester and verifier. */
#ifndef OE_BITS_EVIDENCE_H
#define OE_BITS_EVIDENCE_H

#include "defs.h"
#include "types.h"

OE_EXTERNC_BEGIN

typedef struct _oe_claim {
	char *name;
	uint8_t *value;
	size_t value_size;
} oe_claim_t;

/* The 7 claims every verifier returns. */
#define OE_CLAIM_ID_VERSION "id_version"
#define OE_CLAIM_SECURITY_VERSION "security_version"
#define OE_CLAIM_ATTRIBUTES "attributes"
#define OE_CLAIM_UNIQUE_ID "unique_id"
#define OE_CLAIM_SIGNER_ID "signer_id"
#define OE_CLAIM_PRODUCT_ID "product_id"
#define OE_CLAIM_FORMAT_UUID "format_uuid"
#define OE_REQUIRED_CLAIMS_COUNT 7
/* Optional claims. */
#define OE_CLAIM_TCB_STATUS "tcb_status"
#define OE_CLAIM_TCB_DATE "tcb_date"
#define OE_CLAIM_VALIDITY_FROM "validity_from"
#define OE_CLAIM_VALIDITY_UNTIL "validity_until"
#define OE_CLAIM_UEID "ueid"
#define OE_CLAIM_HARDWARE_MODEL "hardware_model"
#define OE_CLAIM_CUSTOM_CLAIMS_BUFFER "custom_claims_buffer"

#define OE_UEID_SIZE 33
#define OE_UEID_TYPE_RAND 0x01
#define OE_UEID_TYPE_IEEE_EUI 0x02
#define OE_UEID_TYPE_IMEI 0x03

/* Evidence flag of oe_get_evidence: bind the evidence to a remote-attestation key. */
#define OE_EVIDENCE_FLAGS_LOCAL_ATTESTATION 0x00000001
#define OE_EVIDENCE_FLAGS_EMBED_FORMAT_ID 0x00000002

typedef enum _oe_policy_type {
	OE_POLICY_ENDORSEMENTS_TIME = 1,
	OE_POLICY_ENDORSEMENTS_BASELINE = 2,
	OE_POLICY_TCB_BASELINE_DATE = 3,
	__OE_POLICY_TYPE_MAX = OE_ENUM_MAX,
} oe_policy_type_t;

typedef struct _oe_policy {
	oe_policy_type_t type;
	void *policy;
	size_t policy_size;
} oe_policy_t;

typedef struct _oe_datetime {
	uint32_t year, month, day, hours, minutes, seconds;
} oe_datetime_t;

/*
 * TrustBox's evidence format: a PSA attestation token (COSE_Sign1, ES256) made by the TEE about
 * the calling enclave, whose nonce is SHA-256 of the serialized custom claims.
 */
#define OE_FORMAT_UUID_TRUSTBOX_PSA \
	{ 0x7d, 0x0f, 0x2c, 0x64, 0x3b, 0x1e, 0x4a, 0x57, 0x9c, 0x86, 0x5e, 0x21, 0x0b, 0xa4, 0xd3, 0x19 }

OE_EXTERNC_END

#endif /* OE_BITS_EVIDENCE_H */
