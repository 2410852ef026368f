/*
 * TrustBox extensions (include/trustbox_teec.h): sessions whose RPCs a handler serves, and TA
 * installation with the admin credential.
 *
 * An RPC frame names the request it belongs to (the open or an invoke of an RPC session);
 * conn.c queues it for the thread waiting for that request, which runs `serve` here: the
 * handler runs on the caller's thread, so a handler may itself call libteec (other sessions,
 * other threads keep working), and the answer goes back as an rpcReply frame.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "rpc.h"
#include "tee_client_api.h"
#include "trustbox_teec.h"

#define EXPORT __attribute__((visibility("default")))
#define MAX_RPC_OUTPUT (4u << 20)

struct rpc_session {
	struct rpc_session *next;
	struct tbx_conn *conn;
	uint32_t session_id;
	TEEC_Session *session;
	trustbox_rpc_handler handler;
	void *arg;
	struct tbx_rpc_hook hook;       /* arg = this */
};

static pthread_mutex_t sessions_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rpc_session *sessions;

const struct tbx_rpc_hook *tbx_rpc_hook_of(struct tbx_conn *c, uint32_t session_id)
{
	const struct tbx_rpc_hook *hook = NULL;

	pthread_mutex_lock(&sessions_lock);
	for (struct rpc_session *s = sessions; s; s = s->next) {
		if (s->conn == c && s->session_id == session_id) {
			hook = &s->hook;
			break;
		}
	}
	pthread_mutex_unlock(&sessions_lock);
	return hook;
}

static void forget(struct tbx_conn *c, int all, uint32_t session_id)
{
	pthread_mutex_lock(&sessions_lock);
	for (struct rpc_session **p = &sessions; *p;) {
		struct rpc_session *s = *p;

		if (s->conn == c && (all || s->session_id == session_id)) {
			*p = s->next;
			free(s);
		} else {
			p = &s->next;
		}
	}
	pthread_mutex_unlock(&sessions_lock);
}

void tbx_rpc_forget(struct tbx_conn *c, uint32_t session_id)
{
	forget(c, 0, session_id);
}

void tbx_rpc_forget_conn(struct tbx_conn *c)
{
	forget(c, 1, 0);
}

/* A bin field of a frame; an absent one counts as empty. -1 when present but not bin. */
static int get_bin(const msgpack_object *frame, const char *key, const uint8_t **p, size_t *n)
{
	const msgpack_object *v = tbx_get(frame, key);

	*p = NULL;
	*n = 0;
	if (!v || v->type == MSGPACK_OBJECT_NIL)
		return 0;
	if (v->type != MSGPACK_OBJECT_BIN)
		return -1;
	*p = (const uint8_t *)v->via.bin.ptr;
	*n = v->via.bin.size;
	return 0;
}

/* Runs the handler for one `{type:'rpc', rpc, func, args, input, outSize}` and answers it. */
static void serve(void *arg, struct tbx_conn *c, const msgpack_object *frame)
{
	struct rpc_session *s = arg;
	uint32_t rpc, func, out_size;
	const uint8_t *args_in, *input;
	size_t args_size, input_size;

	if (tbx_get_u32(frame, "rpc", &rpc))
		return; /* cannot be answered */
	if (tbx_get_u32(frame, "func", &func) || tbx_get_u32(frame, "outSize", &out_size) ||
	    get_bin(frame, "args", &args_in, &args_size) || get_bin(frame, "input", &input, &input_size) ||
	    out_size > MAX_RPC_OUTPUT) {
		tbx_send_rpc_reply(c, rpc, TEEC_ERROR_BAD_PARAMETERS, NULL, 0, NULL, 0);
		return;
	}
	uint8_t *args = malloc(args_size ? args_size : 1);
	/* zeroed: padding the handler leaves must not carry this process's old heap bytes */
	uint8_t *output = calloc(1, out_size ? out_size : 1);

	if (!args || !output) {
		free(args);
		free(output);
		tbx_send_rpc_reply(c, rpc, TEEC_ERROR_OUT_OF_MEMORY, NULL, 0, NULL, 0);
		return;
	}
	if (args_size)
		memcpy(args, args_in, args_size);
	size_t written = 0;
	TEEC_Result res = s->handler(s->arg, s->session, func, args, args_size, input, input_size, output, out_size,
				     &written);

	if (written > out_size)
		written = out_size;
	tbx_send_rpc_reply(c, rpc, res, args, args_size, output, written);
	free(args);
	free(output);
}

EXPORT TEEC_Result trustbox_open_session_rpc(TEEC_Context *ctx, TEEC_Session *session, const TEEC_UUID *dest,
					     trustbox_rpc_handler handler, void *arg, uint32_t *origin)
{
	struct tbx_conn *c = ctx ? tbx_conn_of(ctx->imp.fd) : NULL;

	if (origin)
		*origin = TEEC_ORIGIN_API;
	if (!c || !session || !dest || !handler)
		return TEEC_ERROR_BAD_PARAMETERS;
	struct rpc_session *s = calloc(1, sizeof(*s));

	if (!s)
		return TEEC_ERROR_OUT_OF_MEMORY;
	s->conn = c;
	s->session = session;
	s->handler = handler;
	s->arg = arg;
	s->hook.serve = serve;
	s->hook.arg = s;
	/* the open's own RPCs (the TA's create entry point may call out) are served too */
	TEEC_Result res = tbx_open_session(ctx, session, dest, TEEC_LOGIN_PUBLIC, NULL, NULL, origin, &s->hook);

	if (res) {
		free(s);
		return res;
	}
	s->session_id = session->imp.session_id;
	pthread_mutex_lock(&sessions_lock);
	s->next = sessions;
	sessions = s;
	pthread_mutex_unlock(&sessions_lock);
	return TEEC_SUCCESS;
}

EXPORT TEEC_Result trustbox_install_ta(TEEC_Context *ctx, const void *bytes, size_t len, char uuid_out[37])
{
	struct tbx_conn *c;
	uint32_t origin;

	if (!ctx || !bytes || !len || len > UINT32_MAX)
		return TEEC_ERROR_BAD_PARAMETERS;
	/* the context's own connection said hello without the admin credential: use one that has it */
	TEEC_Result res = tbx_connect_as(&c, "libteec-install", 1, &origin);

	if (res)
		return res;
	msgpack_sbuffer args;
	msgpack_packer pk;
	struct tbx_answer a;

	msgpack_sbuffer_init(&args);
	msgpack_packer_init(&pk, &args, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 1);
	tbx_pack_key(&pk, "bytes");
	msgpack_pack_bin(&pk, len);
	msgpack_pack_bin_body(&pk, bytes, len);
	res = tbx_call(c, "installTA", &args, &a);
	msgpack_sbuffer_destroy(&args);
	if (!res) {
		const msgpack_object *uuid = a.result ? tbx_get(a.result, "uuid") : NULL;

		if (!a.result) {
			if (a.error_message[0])
				fprintf(stderr, "libteec: installTA: %s\n", a.error_message);
			res = a.error_result;
		} else if (!uuid || uuid->type != MSGPACK_OBJECT_STR || uuid->via.str.size != 36) {
			res = TEEC_ERROR_COMMUNICATION;
		} else if (uuid_out) {
			memcpy(uuid_out, uuid->via.str.ptr, 36);
			uuid_out[36] = 0;
		}
		tbx_answer_free(&a);
	}
	tbx_close(c);
	return res;
}
