/*
 * Open Enclave host API on TrustBox: the enclave is a TA on the device (the normal world reaches
 * it through libteec.so.2); see docs/open-enclave.md. Include this in host code only.
 */
#ifndef OE_HOST_H
#define OE_HOST_H

#ifdef OE_ENCLAVE_H
#error "enclave.h and host.h must not be included in the same translation unit"
#endif

/* as OE's host.h: host programs (OE's samples among them) rely on these coming along */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bits/defs.h"
#include "bits/evidence.h"
#include "bits/result.h"
#include "bits/types.h"

OE_EXTERNC_BEGIN

/* ---- flags of oe_create_enclave ------------------------------------------------------------ */
#define OE_ENCLAVE_FLAG_DEBUG 0x00000001u
#define OE_ENCLAVE_FLAG_SIMULATE 0x00000002u
#define OE_ENCLAVE_FLAG_SGX_KSS 0x00000004u
/* debug as the enclave's configuration says (DEBUG wins when both are set) */
#define OE_ENCLAVE_FLAG_DEBUG_AUTO 0x00000010u
#define OE_ENCLAVE_FLAG_RESERVED \
	(~(OE_ENCLAVE_FLAG_DEBUG | OE_ENCLAVE_FLAG_DEBUG_AUTO | OE_ENCLAVE_FLAG_SIMULATE))

/* A host function the enclave calls (an ocall), as the generated `<name>_u.c` defines them. */
typedef void (*oe_ocall_func_t)(const uint8_t *input_buffer, size_t input_buffer_size, uint8_t *output_buffer,
				size_t output_buffer_size, size_t *output_bytes_written);

OE_EXTERNC_END
/* oe_ecall_info_t: the name table the generated oe_create_<name>_enclave passes */
#include "edger8r/common.h"
OE_EXTERNC_BEGIN

/*
 * Creates an enclave: `enclave_path` is a TA UUID (optionally followed by ".ta"), or the path of
 * a signed `.ta` file, which is installed on the device first. OE_ENCLAVE_TYPE_AUTO and _OPTEE
 * select the TrustZone enclave; _SGX gets it too, with a one-line warning on stderr. Flags:
 * DEBUG, DEBUG_AUTO, SIMULATE (accepted; the device is an emulator either way).
 */
oe_result_t oe_create_enclave(const char *enclave_path, oe_enclave_type_t enclave_type, uint32_t flags,
			      const oe_enclave_setting_t *settings, uint32_t setting_count,
			      const oe_ocall_func_t *ocall_table, uint32_t ocall_count,
			      const oe_ecall_info_t *ecall_name_table, uint32_t ecall_count,
			      oe_enclave_t **enclave);

/* Closes the enclave's session and frees it. */
oe_result_t oe_terminate_enclave(oe_enclave_t *enclave);

/* Frees what the host runtime allocated for the caller (e.g. claims, evidence). */
void oe_free(void *ptr);

OE_EXTERNC_END

#endif /* OE_HOST_H */
