/*
 * The enclave side of OE's logging EDL (openenclave/edl/logging.edl), which applications such
 * as OE's data-sealing sample import: its ECALL oe_log_init_ecall(enclave_path, level) must be
 * defined in every enclave that imports the EDL. It records the host's log level; the enclave's
 * own output reaches the host through stdio (stdio.c). Weak, so that a fuller logging runtime
 * can replace it.
 */
#include <stdint.h>
#include <openenclave/enclave.h>

static uint32_t log_level;

__attribute__((weak)) oe_result_t oe_log_init_ecall(const char *enclave_path, uint32_t level)
{
	(void)enclave_path;
	log_level = level;
	(void)log_level;
	return OE_OK;
}
