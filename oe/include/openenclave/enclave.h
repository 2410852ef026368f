/*
 * Open Enclave enclave API on TrustBox (the enclave is an OP-TEE-style TA; see docs/open-enclave.md).
 * Include this in enclave code only; host code includes <openenclave/host.h>.
 */
#ifndef OE_ENCLAVE_H
#define OE_ENCLAVE_H

#ifdef OE_HOST_H
#error "enclave.h and host.h must not be included in the same translation unit"
#endif

#include "bits/defs.h"
#include "bits/result.h"
#include "bits/types.h"
#include "bits/evidence.h"
#include "bits/optee/opteeproperties.h"

OE_EXTERNC_BEGIN

/* ---- memory ---------------------------------------------------------------------------- */

/* True when [ptr, ptr+size) lies entirely in the enclave's own memory (image, heap, stack). */
bool oe_is_within_enclave(const void *ptr, size_t size);
/* True when [ptr, ptr+size) lies entirely outside it (host-shared buffers, oe_host_malloc). */
bool oe_is_outside_enclave(const void *ptr, size_t size);

/*
 * "Host" memory: a separate shareable mapping (not the enclave heap), which
 * oe_is_outside_enclave reports as outside. Not reachable by the host process itself on
 * TrustBox; it exists so that OE code that stages data for the host keeps working.
 */
void *oe_host_malloc(size_t size);
void *oe_host_calloc(size_t nmemb, size_t size);
void *oe_host_realloc(void *ptr, size_t size);
void oe_host_free(void *ptr);
char *oe_host_strndup(const char *str, size_t n);

/* Enclave heap (the TA heap). */
void *oe_malloc(size_t size);
void *oe_calloc(size_t nmemb, size_t size);
void *oe_realloc(void *ptr, size_t size);
void oe_free(void *ptr);

/* ---- misc ------------------------------------------------------------------------------ */

OE_NO_RETURN void oe_abort(void);
void __oe_assert_fail(const char *expr, const char *file, int line, const char *func) OE_NO_RETURN;
#ifdef NDEBUG
#define oe_assert(EXPR) ((void)0)
#else
#define oe_assert(EXPR) \
	do { if (!(EXPR)) __oe_assert_fail(#EXPR, __FILE__, __LINE__, __func__); } while (0)
#endif

/* Fills data with random bytes (TEE_GenerateRandom). */
oe_result_t oe_random(void *data, size_t size);

/* The host-side handle of this enclave is not known inside a TrustBox enclave: returns NULL. */
oe_enclave_t *oe_get_enclave(void);

/* printf-family output of the enclave: to the host (syscall.edl imported) or the TEE log. */
int oe_host_printf(const char *fmt, ...) OE_PRINTF_FORMAT(1, 2);

/* ---- reports (legacy API; backed by the PSA token evidence) --------------------------- */

oe_result_t oe_get_report_v2(uint32_t flags, const uint8_t *report_data, size_t report_data_size,
			     const void *opt_params, size_t opt_params_size, uint8_t **report_buffer,
			     size_t *report_buffer_size);
void oe_free_report(uint8_t *report_buffer);
oe_result_t oe_verify_report_v2(const uint8_t *report, size_t report_size, oe_report_t *parsed_report);
oe_result_t oe_parse_report(const uint8_t *report, size_t report_size, oe_report_t *parsed_report);
#define oe_get_report oe_get_report_v2
#define oe_verify_report oe_verify_report_v2

oe_result_t oe_get_target_info_v2(const uint8_t *report, size_t report_size, void **target_info_buffer,
				  size_t *target_info_size);
void oe_free_target_info(void *target_info_buffer);
#define oe_get_target_info oe_get_target_info_v2

/* ---- seal keys --------------------------------------------------------------------------- */

oe_result_t oe_get_seal_key_by_policy_v2(oe_seal_policy_t seal_policy, uint8_t **key_buffer,
					 size_t *key_buffer_size, uint8_t **key_info,
					 size_t *key_info_size);
oe_result_t oe_get_seal_key_v2(const uint8_t *key_info, size_t key_info_size, uint8_t **key_buffer,
			       size_t *key_buffer_size);
void oe_free_seal_key(uint8_t *key_buffer, uint8_t *key_info);
void oe_free_key(uint8_t *key_buffer, size_t key_buffer_size, uint8_t *key_info, size_t key_info_size);
#define oe_get_seal_key_by_policy oe_get_seal_key_by_policy_v2
#define oe_get_seal_key oe_get_seal_key_v2

OE_EXTERNC_END

#if defined(__has_include)
#if __has_include("edger8r/enclave.h")
#include "edger8r/enclave.h"
#endif
#endif

#endif /* OE_ENCLAVE_H */
