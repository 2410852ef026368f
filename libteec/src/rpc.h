/* Sessions served with RPCs (trustbox.c) as teec.c needs them. */
#ifndef TBX_RPC_H
#define TBX_RPC_H

#include "conn.h"
#include "tee_client_api.h"

/* The RPC hook of a session opened by trustbox_open_session_rpc; NULL for other sessions. */
const struct tbx_rpc_hook *tbx_rpc_hook_of(struct tbx_conn *c, uint32_t session_id);
/* Forgets a session's hook (TEEC_CloseSession) / every hook of a connection (FinalizeContext). */
void tbx_rpc_forget(struct tbx_conn *c, uint32_t session_id);
void tbx_rpc_forget_conn(struct tbx_conn *c);

/* TEEC_OpenSession with the protocol's `rpc: true` when `hook` is set. */
TEEC_Result tbx_open_session(TEEC_Context *ctx, TEEC_Session *session, const TEEC_UUID *dest, uint32_t method,
			     const void *data, TEEC_Operation *op, uint32_t *origin, const struct tbx_rpc_hook *hook);

#endif
