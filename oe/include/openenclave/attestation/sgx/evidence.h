/*
 * Evidence format ids. The SGX ids exist so that code naming them compiles; a TrustBox enclave
 * produces OE_FORMAT_UUID_TRUSTBOX_PSA evidence, and oe_attester_select_format picks that one
 * when it is offered or when SGX formats are asked for (they cannot be produced here).
 */
#ifndef OE_ATTESTATION_SGX_EVIDENCE_H
#define OE_ATTESTATION_SGX_EVIDENCE_H

#include "../../bits/evidence.h"

#define OE_FORMAT_UUID_SGX_LOCAL_ATTESTATION \
	{ 0x09, 0x26, 0x8c, 0x33, 0x6e, 0x0b, 0x45, 0xe5, 0x8a, 0x27, 0x15, 0x64, 0x4d, 0x0e, 0xf8, 0x9a }
#define OE_FORMAT_UUID_SGX_ECDSA \
	{ 0xa3, 0xa2, 0x1e, 0x87, 0x1b, 0x4d, 0x40, 0x14, 0xb7, 0x0a, 0xa1, 0x25, 0xd2, 0xfb, 0xcd, 0x8c }
#endif /* OE_ATTESTATION_SGX_EVIDENCE_H */
