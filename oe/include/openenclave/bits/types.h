/*
 * Open Enclave basic types. Standard integer/bool/size types come from the compiler's
 * freestanding headers (available under the dev kit's -nostdinc -isystem flags and on hosts).
 */
#ifndef OE_BITS_TYPES_H
#define OE_BITS_TYPES_H

#ifndef __cplusplus
#include <stdbool.h>
#endif
#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

#include "defs.h"

OE_EXTERNC_BEGIN

typedef enum _oe_enclave_type {
	OE_ENCLAVE_TYPE_AUTO = 1,
	OE_ENCLAVE_TYPE_SGX = 2,
	OE_ENCLAVE_TYPE_OPTEE = 3,
	__OE_ENCLAVE_TYPE_MAX = OE_ENUM_MAX,
} oe_enclave_type_t;

typedef enum _oe_seal_policy {
	OE_SEAL_POLICY_UNIQUE = 1,
	OE_SEAL_POLICY_PRODUCT = 2,
	_OE_SEAL_POLICY_MAX = OE_ENUM_MAX,
} oe_seal_policy_t;

/* Opaque handle of a created enclave (host side); the enclave side only sees a pointer to it. */
typedef struct _oe_enclave oe_enclave_t;

#define OE_UUID_SIZE 16
typedef struct _oe_uuid_t {
	uint8_t b[OE_UUID_SIZE];
} oe_uuid_t;

#define OE_UNIQUE_ID_SIZE 32
#define OE_SIGNER_ID_SIZE 32
#define OE_PRODUCT_ID_SIZE 16

/* Sizes of the identity fields that OE's SGX-shaped structures use. */
typedef struct _oe_identity {
	uint32_t id_version;
	uint32_t security_version;
	uint64_t attributes;
	uint8_t unique_id[OE_UNIQUE_ID_SIZE];
	uint8_t signer_id[OE_SIGNER_ID_SIZE];
	uint8_t product_id[OE_PRODUCT_ID_SIZE];
} oe_identity_t;

/* Report attributes (oe_identity_t.attributes). */
#define OE_REPORT_ATTRIBUTES_DEBUG 0x0000000000000001ULL
#define OE_REPORT_ATTRIBUTES_REMOTE 0x0000000000000002ULL
#define OE_REPORT_ATTRIBUTES_RESERVED (~(OE_REPORT_ATTRIBUTES_DEBUG | OE_REPORT_ATTRIBUTES_REMOTE))

typedef struct _oe_report {
	size_t size;
	uint8_t type; /* oe_enclave_type_t */
	uint8_t *report_data;
	size_t report_data_size;
	uint8_t *enclave_report;
	size_t enclave_report_size;
	oe_identity_t identity;
} oe_report_t;

/* Report flags (oe_get_report). */
#define OE_REPORT_FLAGS_REMOTE_ATTESTATION 0x00000001

/* Enclave setting types accepted by oe_create_enclave (host). */
typedef enum _oe_enclave_setting_type {
	OE_ENCLAVE_SETTING_CONTEXT_SWITCHLESS = 0xdc73a628,
	OE_SGX_ENCLAVE_CONFIG_DATA = 0x78b5b41d,
	OE_EXTENDED_ENCLAVE_INITIALIZATION_DATA = 0x976a8f66,
	__OE_ENCLAVE_SETTING_TYPE_MAX = OE_ENUM_MAX,
} oe_enclave_setting_type_t;

typedef struct _oe_enclave_setting_context_switchless {
	size_t max_host_workers;
	size_t max_enclave_workers;
} oe_enclave_setting_context_switchless_t;

typedef struct _oe_sgx_enclave_config_data {
	uint8_t config_id[64];
	uint16_t config_svn;
	bool ignore_if_unsupported;
} oe_sgx_enclave_setting_config_data;

typedef struct _oe_enclave_setting {
	oe_enclave_setting_type_t setting_type;
	union {
		const oe_enclave_setting_context_switchless_t *context_switchless_setting;
		const oe_sgx_enclave_setting_config_data *config_data;
		const void *eeid;
	} u;
} oe_enclave_setting_t;

/* Time in milliseconds since the epoch, used by OE time APIs. */
typedef uint64_t oe_time_t;

OE_EXTERNC_END

#endif /* OE_BITS_TYPES_H */
