/*
 * TrustBox extensions of libteec.so.2 (not part of the GP TEE Client API):
 *
 * - sessions whose TA calls back into this process (the device's RPCs, as OE's ocalls use them):
 *   while any call on such a session waits for its answer (its open, each invoke), every RPC the
 *   TEE sends for that call runs `handler` on the calling thread;
 * - installing a signed TA container on the device (the admin credential of <state>/admin.json,
 *   or TRUSTBOX_ADMIN next to TRUSTBOX_ENDPOINT).
 */
#ifndef TRUSTBOX_TEEC_H
#define TRUSTBOX_TEEC_H

#include <stddef.h>
#include <stdint.h>

#include "tee_client_api.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Serves one RPC: `func` is the TEE's function number (value a), `args` (args_size bytes) may be
 * changed in place and travels back, `input` is what the TA sent, and up to `output_capacity`
 * bytes written to `output` (their count in *output_size) travel back. The result goes back to
 * the TEE as the RPC's TEEC result.
 */
typedef TEEC_Result (*trustbox_rpc_handler)(void *arg, TEEC_Session *session, uint32_t func, uint8_t *args,
					     size_t args_size, const uint8_t *input, size_t input_size,
					     uint8_t *output, size_t output_capacity, size_t *output_size);

/* TEEC_OpenSession(ctx, session, dest, TEEC_LOGIN_PUBLIC, NULL, NULL, origin) for a session whose
 * RPCs `handler` serves (with `arg`), from its open until TEEC_CloseSession. */
TEEC_Result trustbox_open_session_rpc(TEEC_Context *ctx, TEEC_Session *session, const TEEC_UUID *dest,
				      trustbox_rpc_handler handler, void *arg, uint32_t *origin);

/* Installs a signed TA container on the device of `ctx` (a connection of its own with the admin
 * credential); the TA's UUID (36 characters and a NUL) goes to uuid_out when not NULL. */
TEEC_Result trustbox_install_ta(TEEC_Context *ctx, const void *bytes, size_t len, char uuid_out[37]);

#ifdef __cplusplus
}
#endif

#endif
