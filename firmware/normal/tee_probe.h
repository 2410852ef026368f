/* Discovery of OP-TEE through its fast calls. */
#ifndef NORMAL_TEE_PROBE_H
#define NORMAL_TEE_PROBE_H

#include <stdint.h>

/*
 * Check that the secure world is OP-TEE speaking message API 2.x and exchange
 * capabilities. verbose prints the identity lines (boot) or nothing (HB_OP_PROBE).
 * *smc_calls (if not NULL) is increased by the number of SMCs made.
 * Returns NULL on success, else a short reason.
 */
const char *tee_probe(int verbose, uint32_t *smc_calls);

#endif
