/*
 * The GP TEE Client API over a connection to a virtual TrustBox (conn.c). Parameters travel as
 * the protocol's params (docs/protocol.md, "Parameters and data sync"): values as a/b,
 * temporary memrefs with their bytes, registered memory by its server id with the bytes the
 * direction needs; answers bring sizes and output bytes back, which are copied into the
 * caller's buffers as libteec does (sizes also on TEEC_ERROR_SHORT_BUFFER, bytes only when they
 * fit).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "rpc.h"
#include "tee_client_api.h"
#include "tee_client_api_extensions.h"

#define EXPORT __attribute__((visibility("default")))

/* ---- operations in flight, for TEEC_RequestCancellation ---- */

struct inflight {
	struct inflight *next;
	TEEC_Operation *op;
	struct tbx_conn *conn;
	uint32_t cancel_id;
	uint32_t session;               /* an invoke's session (cancelled by session), 0 for an open */
};

static pthread_mutex_t inflight_lock = PTHREAD_MUTEX_INITIALIZER;
static struct inflight *inflight;

static void track(struct inflight *f)
{
	pthread_mutex_lock(&inflight_lock);
	f->next = inflight;
	inflight = f;
	pthread_mutex_unlock(&inflight_lock);
}

static void untrack(struct inflight *f)
{
	pthread_mutex_lock(&inflight_lock);
	for (struct inflight **p = &inflight; *p; p = &(*p)->next) {
		if (*p == f) {
			*p = f->next;
			break;
		}
	}
	pthread_mutex_unlock(&inflight_lock);
}

/* ---- helpers ---- */

static void set_origin(uint32_t *origin, uint32_t value)
{
	if (origin)
		*origin = value;
}

static struct tbx_conn *conn_of(TEEC_Context *ctx)
{
	return ctx ? tbx_conn_of(ctx->imp.fd) : NULL;
}

static void pack_bin(msgpack_packer *pk, const void *p, size_t n)
{
	msgpack_pack_bin(pk, n);
	msgpack_pack_bin_body(pk, p, n);
}

static int is_partial(uint32_t t)
{
	return t >= TEEC_MEMREF_PARTIAL_INPUT && t <= TEEC_MEMREF_PARTIAL_INOUT;
}

/* Checks what libteec checks before a call; BAD_PARAMETERS (origin API) otherwise. */
static uint32_t check_params(const TEEC_Operation *op)
{
	if (!op)
		return TEEC_SUCCESS;
	for (int i = 0; i < TEEC_CONFIG_PAYLOAD_REF_COUNT; i++) {
		uint32_t t = TEEC_PARAM_TYPE_GET(op->paramTypes, i);
		const TEEC_Parameter *p = &op->params[i];

		switch (t) {
		case TEEC_NONE:
		case TEEC_VALUE_INPUT:
		case TEEC_VALUE_OUTPUT:
		case TEEC_VALUE_INOUT:
			break;
		case TEEC_MEMREF_TEMP_INPUT:
		case TEEC_MEMREF_TEMP_OUTPUT:
		case TEEC_MEMREF_TEMP_INOUT:
			if (!p->tmpref.buffer && p->tmpref.size && t == TEEC_MEMREF_TEMP_INPUT)
				return TEEC_ERROR_BAD_PARAMETERS;
			if (p->tmpref.size > UINT32_MAX)
				return TEEC_ERROR_BAD_PARAMETERS;
			break;
		case TEEC_MEMREF_WHOLE:
		case TEEC_MEMREF_PARTIAL_INPUT:
		case TEEC_MEMREF_PARTIAL_OUTPUT:
		case TEEC_MEMREF_PARTIAL_INOUT: {
			const TEEC_SharedMemory *s = p->memref.parent;

			if (!s || !s->imp.alloced_size)
				return TEEC_ERROR_BAD_PARAMETERS;
			if (is_partial(t)) {
				uint32_t need = t == TEEC_MEMREF_PARTIAL_INPUT ? TEEC_MEM_INPUT :
						t == TEEC_MEMREF_PARTIAL_OUTPUT ? TEEC_MEM_OUTPUT : TEEC_MEM_INPUT | TEEC_MEM_OUTPUT;

				if ((s->flags & need) != need || p->memref.offset > s->size ||
				    p->memref.size > s->size - p->memref.offset)
					return TEEC_ERROR_BAD_PARAMETERS;
			}
			break;
		}
		default:
			return TEEC_ERROR_BAD_PARAMETERS;
		}
	}
	return TEEC_SUCCESS;
}

/*
 * A temporary memref with a buffer but size 0 must reach the TA as a non-NULL 0-byte buffer,
 * while one without a buffer reaches it as NULL (TEEC_Context.imp.memref_null; xtest 1025).
 * The protocol carries a temporary memref as its size and bytes only, so a 0-byte one would
 * arrive as NULL; optee_client passes such a memref through a shadow shared memory block, and
 * so do we: an 8-byte block per such parameter for the call, sent as a 0-byte partial memref.
 */
struct zero_refs {
	TEEC_SharedMemory shm[TEEC_CONFIG_PAYLOAD_REF_COUNT];
	int used[TEEC_CONFIG_PAYLOAD_REF_COUNT];
};

static int is_temp(uint32_t t)
{
	return t >= TEEC_MEMREF_TEMP_INPUT && t <= TEEC_MEMREF_TEMP_INOUT;
}

static TEEC_Result zero_refs_get(TEEC_Context *ctx, const TEEC_Operation *op, struct zero_refs *z)
{
	memset(z, 0, sizeof(*z));
	for (int i = 0; op && i < TEEC_CONFIG_PAYLOAD_REF_COUNT; i++) {
		const TEEC_Parameter *p = &op->params[i];

		if (!is_temp(TEEC_PARAM_TYPE_GET(op->paramTypes, i)) || !p->tmpref.buffer || p->tmpref.size)
			continue;
		z->shm[i].flags = TEEC_MEM_INPUT | TEEC_MEM_OUTPUT;
		TEEC_Result res = TEEC_AllocateSharedMemory(ctx, &z->shm[i]);

		if (res)
			return res;
		z->used[i] = 1;
	}
	return TEEC_SUCCESS;
}

static void zero_refs_put(struct zero_refs *z)
{
	for (int i = 0; i < TEEC_CONFIG_PAYLOAD_REF_COUNT; i++)
		if (z->used[i])
			TEEC_ReleaseSharedMemory(&z->shm[i]);
}

/* Packs the four parameters as the protocol's params array. */
static void pack_params(msgpack_packer *pk, const TEEC_Operation *op, const struct zero_refs *z)
{
	msgpack_pack_array(pk, op ? TEEC_CONFIG_PAYLOAD_REF_COUNT : 0);
	if (!op)
		return;
	for (int i = 0; i < TEEC_CONFIG_PAYLOAD_REF_COUNT; i++) {
		uint32_t t = TEEC_PARAM_TYPE_GET(op->paramTypes, i);
		const TEEC_Parameter *p = &op->params[i];

		if (z->used[i]) {
			/* TEMP_INPUT/OUTPUT/INOUT (5..7) -> PARTIAL_INPUT/OUTPUT/INOUT (0xD..0xF) */
			msgpack_pack_map(pk, 4);
			tbx_pack_key(pk, "type"); msgpack_pack_uint32(pk, t - TEEC_MEMREF_TEMP_INPUT + TEEC_MEMREF_PARTIAL_INPUT);
			tbx_pack_key(pk, "shm"); msgpack_pack_uint32(pk, (uint32_t)z->shm[i].imp.id);
			tbx_pack_key(pk, "offset"); msgpack_pack_uint32(pk, 0);
			tbx_pack_key(pk, "size"); msgpack_pack_uint32(pk, 0);
			continue;
		}
		switch (t) {
		case TEEC_VALUE_INPUT:
		case TEEC_VALUE_INOUT:
			msgpack_pack_map(pk, 3);
			tbx_pack_key(pk, "type"); msgpack_pack_uint32(pk, t);
			tbx_pack_key(pk, "a"); msgpack_pack_uint32(pk, p->value.a);
			tbx_pack_key(pk, "b"); msgpack_pack_uint32(pk, p->value.b);
			break;
		case TEEC_VALUE_OUTPUT:
			msgpack_pack_map(pk, 1);
			tbx_pack_key(pk, "type"); msgpack_pack_uint32(pk, t);
			break;
		case TEEC_MEMREF_TEMP_INPUT:
		case TEEC_MEMREF_TEMP_INOUT:
			msgpack_pack_map(pk, p->tmpref.buffer ? 3 : 2);
			tbx_pack_key(pk, "type"); msgpack_pack_uint32(pk, t);
			tbx_pack_key(pk, "size"); msgpack_pack_uint32(pk, (uint32_t)p->tmpref.size);
			if (p->tmpref.buffer) {
				tbx_pack_key(pk, "data");
				pack_bin(pk, p->tmpref.buffer, p->tmpref.size);
			}
			break;
		case TEEC_MEMREF_TEMP_OUTPUT:
			msgpack_pack_map(pk, 2);
			tbx_pack_key(pk, "type"); msgpack_pack_uint32(pk, t);
			tbx_pack_key(pk, "size"); msgpack_pack_uint32(pk, (uint32_t)p->tmpref.size);
			break;
		case TEEC_MEMREF_WHOLE: {
			const TEEC_SharedMemory *s = p->memref.parent;
			int in = (s->flags & TEEC_MEM_INPUT) != 0;

			msgpack_pack_map(pk, in ? 3 : 2);
			tbx_pack_key(pk, "type"); msgpack_pack_uint32(pk, t);
			tbx_pack_key(pk, "shm"); msgpack_pack_uint32(pk, (uint32_t)s->imp.id);
			if (in) {
				tbx_pack_key(pk, "data");
				pack_bin(pk, s->buffer, s->size);
			}
			break;
		}
		case TEEC_MEMREF_PARTIAL_INPUT:
		case TEEC_MEMREF_PARTIAL_OUTPUT:
		case TEEC_MEMREF_PARTIAL_INOUT: {
			const TEEC_SharedMemory *s = p->memref.parent;
			int in = t != TEEC_MEMREF_PARTIAL_OUTPUT;

			msgpack_pack_map(pk, in ? 5 : 4);
			tbx_pack_key(pk, "type"); msgpack_pack_uint32(pk, t);
			tbx_pack_key(pk, "shm"); msgpack_pack_uint32(pk, (uint32_t)s->imp.id);
			tbx_pack_key(pk, "offset"); msgpack_pack_uint32(pk, (uint32_t)p->memref.offset);
			tbx_pack_key(pk, "size"); msgpack_pack_uint32(pk, (uint32_t)p->memref.size);
			if (in) {
				tbx_pack_key(pk, "data");
				pack_bin(pk, (const char *)s->buffer + p->memref.offset, p->memref.size);
			}
			break;
		}
		default:
			msgpack_pack_map(pk, 1);
			tbx_pack_key(pk, "type"); msgpack_pack_uint32(pk, TEEC_NONE);
			break;
		}
	}
}

/* Copies the answered parameters back into the operation. */
static void unpack_params(TEEC_Operation *op, const msgpack_object *params)
{
	if (!op || !params || params->type != MSGPACK_OBJECT_ARRAY)
		return;
	for (uint32_t i = 0; i < params->via.array.size && i < TEEC_CONFIG_PAYLOAD_REF_COUNT; i++) {
		const msgpack_object *m = &params->via.array.ptr[i];
		uint32_t t = TEEC_PARAM_TYPE_GET(op->paramTypes, i);
		TEEC_Parameter *p = &op->params[i];
		uint32_t size;
		const msgpack_object *data = tbx_get(m, "data");
		int has_data = data && data->type == MSGPACK_OBJECT_BIN;

		switch (t) {
		case TEEC_VALUE_OUTPUT:
		case TEEC_VALUE_INOUT:
			tbx_get_u32(m, "a", &p->value.a);
			tbx_get_u32(m, "b", &p->value.b);
			break;
		case TEEC_MEMREF_TEMP_INPUT:
		case TEEC_MEMREF_TEMP_OUTPUT:
		case TEEC_MEMREF_TEMP_INOUT:
			if (tbx_get_u32(m, "size", &size))
				break;
			if (has_data && p->tmpref.buffer && data->via.bin.size <= p->tmpref.size)
				memcpy(p->tmpref.buffer, data->via.bin.ptr, data->via.bin.size);
			p->tmpref.size = size;
			break;
		case TEEC_MEMREF_WHOLE:
		case TEEC_MEMREF_PARTIAL_INPUT:
		case TEEC_MEMREF_PARTIAL_OUTPUT:
		case TEEC_MEMREF_PARTIAL_INOUT: {
			TEEC_SharedMemory *s = p->memref.parent;
			size_t off = t == TEEC_MEMREF_WHOLE ? 0 : p->memref.offset;
			size_t room = t == TEEC_MEMREF_WHOLE ? s->size : p->memref.size;

			if (tbx_get_u32(m, "size", &size))
				break;
			if (has_data && data->via.bin.size <= room)
				memcpy((char *)s->buffer + off, data->via.bin.ptr, data->via.bin.size);
			p->memref.size = size;
			break;
		}
		default:
			break;
		}
	}
}

/* An answer's TEE result and origin, with its params copied back. */
static uint32_t finish_call(struct tbx_answer *a, TEEC_Operation *op, uint32_t *origin)
{
	uint32_t result = TEEC_ERROR_COMMUNICATION, org = TEEC_ORIGIN_COMMS;

	if (!a->result) {
		set_origin(origin, a->error_origin);
		return a->error_result;
	}
	tbx_get_u32(a->result, "result", &result);
	tbx_get_u32(a->result, "origin", &org);
	unpack_params(op, tbx_get(a->result, "params"));
	set_origin(origin, org);
	return result;
}

/* A request whose args are one number (`{key: value}`) and whose answer does not matter. */
static void call_one(struct tbx_conn *c, const char *op, const char *key, uint32_t value)
{
	msgpack_sbuffer args;
	msgpack_packer pk;
	struct tbx_answer a;

	msgpack_sbuffer_init(&args);
	msgpack_packer_init(&pk, &args, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 1);
	tbx_pack_key(&pk, key);
	msgpack_pack_uint32(&pk, value);
	if (!tbx_call(c, op, &args, &a))
		tbx_answer_free(&a);
	msgpack_sbuffer_destroy(&args);
}

/* ---- contexts ---- */

EXPORT TEEC_Result TEEC_InitializeContext(const char *name, TEEC_Context *ctx)
{
	struct tbx_conn *c;
	uint32_t origin;

	if (!ctx)
		return TEEC_ERROR_BAD_PARAMETERS;
	memset(ctx, 0, sizeof(*ctx));
	ctx->imp.fd = -1;
	/*
	 * As optee_client, the name selects a TEE by capability: NULL (the default TEE) or
	 * "optee-tz"; any other name finds no TEE (xtest 5006 InitializeContext_NotExistingTEE).
	 */
	if (name && strcmp(name, "optee-tz") != 0)
		return TEEC_ERROR_ITEM_NOT_FOUND;
	uint32_t res = tbx_connect(&c, "libteec", &origin);

	if (res)
		return res;
	msgpack_sbuffer args;
	msgpack_packer pk;
	struct tbx_answer a;

	msgpack_sbuffer_init(&args);
	msgpack_packer_init(&pk, &args, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 0);
	res = tbx_call(c, "initializeContext", &args, &a);
	msgpack_sbuffer_destroy(&args);
	if (!res) {
		if (!a.result || tbx_get_u32(a.result, "context", &c->context))
			res = a.result ? TEEC_ERROR_COMMUNICATION : a.error_result;
		tbx_answer_free(&a);
	}
	if (res) {
		tbx_close(c);
		return res;
	}
	ctx->imp.fd = c->fd;
	ctx->imp.reg_mem = true;
	ctx->imp.memref_null = true;
	return TEEC_SUCCESS;
}

EXPORT void TEEC_FinalizeContext(TEEC_Context *ctx)
{
	struct tbx_conn *c = conn_of(ctx);

	if (!c)
		return;
	/* Closing the connection releases the context's sessions and memory on the device. */
	tbx_rpc_forget_conn(c);
	tbx_close(c);
	ctx->imp.fd = -1;
}

/* ---- sessions and commands ---- */

static uint32_t next_cancel_id(struct tbx_conn *c)
{
	pthread_mutex_lock(&c->lock);
	uint32_t id = ++c->next_cancel_id;

	if (!id)
		id = ++c->next_cancel_id;
	pthread_mutex_unlock(&c->lock);
	return id;
}

/*
 * Sends an open or invoke whose args are packed, with the operation cancellable meanwhile;
 * frees the args and the zero-size shadow blocks. A failure of the connection is returned with
 * origin COMMS (the answer then needs no freeing).
 */
static uint32_t run_operation(struct tbx_conn *c, const char *name, msgpack_sbuffer *args, TEEC_Operation *op,
			      struct inflight *f, struct zero_refs *z, struct tbx_answer *a, uint32_t *origin,
			      const struct tbx_rpc_hook *hook)
{
	if (op) {
		op->started = 1;
		track(f);
	}
	uint32_t res = tbx_call_rpc(c, name, args, a, hook);

	if (op)
		untrack(f);
	msgpack_sbuffer_destroy(args);
	zero_refs_put(z);
	if (res)
		set_origin(origin, TEEC_ORIGIN_COMMS);
	return res;
}

EXPORT TEEC_Result TEEC_OpenSession(TEEC_Context *ctx, TEEC_Session *session, const TEEC_UUID *dest,
				    uint32_t method, const void *data, TEEC_Operation *op, uint32_t *origin)
{
	return tbx_open_session(ctx, session, dest, method, data, op, origin, NULL);
}

TEEC_Result tbx_open_session(TEEC_Context *ctx, TEEC_Session *session, const TEEC_UUID *dest, uint32_t method,
			     const void *data, TEEC_Operation *op, uint32_t *origin, const struct tbx_rpc_hook *hook)
{
	struct tbx_conn *c = conn_of(ctx);

	set_origin(origin, TEEC_ORIGIN_API);
	if (!c || !session || !dest)
		return TEEC_ERROR_BAD_PARAMETERS;
	uint32_t res = check_params(op);

	if (res)
		return res;
	if (method != TEEC_LOGIN_PUBLIC && method != TEEC_LOGIN_USER && method != TEEC_LOGIN_GROUP &&
	    method != TEEC_LOGIN_APPLICATION && method != TEEC_LOGIN_USER_APPLICATION &&
	    method != TEEC_LOGIN_GROUP_APPLICATION)
		return TEEC_ERROR_BAD_PARAMETERS;

	char uuid[37];

	snprintf(uuid, sizeof(uuid), "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", dest->timeLow,
		 dest->timeMid, dest->timeHiAndVersion, dest->clockSeqAndNode[0], dest->clockSeqAndNode[1],
		 dest->clockSeqAndNode[2], dest->clockSeqAndNode[3], dest->clockSeqAndNode[4],
		 dest->clockSeqAndNode[5], dest->clockSeqAndNode[6], dest->clockSeqAndNode[7]);

	struct zero_refs z;

	res = zero_refs_get(ctx, op, &z);
	if (res) {
		zero_refs_put(&z);
		return res;
	}
	struct inflight f = { .op = op, .conn = c, .cancel_id = next_cancel_id(c) };
	int with_data = data && (method == TEEC_LOGIN_GROUP || method == TEEC_LOGIN_GROUP_APPLICATION);
	msgpack_sbuffer args;
	msgpack_packer pk;
	struct tbx_answer a;

	msgpack_sbuffer_init(&args);
	msgpack_packer_init(&pk, &args, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 5 + with_data + (hook != NULL));
	if (hook) {
		tbx_pack_key(&pk, "rpc");
		msgpack_pack_true(&pk);
	}
	tbx_pack_key(&pk, "context"); msgpack_pack_uint32(&pk, c->context);
	tbx_pack_key(&pk, "uuid"); tbx_pack_str(&pk, uuid);
	tbx_pack_key(&pk, "login"); msgpack_pack_uint32(&pk, method);
	tbx_pack_key(&pk, "cancelId"); msgpack_pack_uint32(&pk, f.cancel_id);
	if (with_data) {
		tbx_pack_key(&pk, "connectionData");
		msgpack_pack_uint32(&pk, *(const uint32_t *)data);
	}
	tbx_pack_key(&pk, "params");
	pack_params(&pk, op, &z);
	res = run_operation(c, "openSession", &args, op, &f, &z, &a, origin, hook);
	if (res)
		return res;
	res = finish_call(&a, op, origin);
	uint32_t id = 0;

	if (res == TEEC_SUCCESS && a.result && !tbx_get_u32(a.result, "session", &id)) {
		session->imp.ctx = ctx;
		session->imp.session_id = id;
	}
	tbx_answer_free(&a);
	return res;
}

EXPORT void TEEC_CloseSession(TEEC_Session *session)
{
	struct tbx_conn *c = session ? conn_of(session->imp.ctx) : NULL;

	if (c) {
		call_one(c, "closeSession", "session", session->imp.session_id);
		tbx_rpc_forget(c, session->imp.session_id);
	}
}

EXPORT TEEC_Result TEEC_InvokeCommand(TEEC_Session *session, uint32_t cmd, TEEC_Operation *op, uint32_t *origin)
{
	struct tbx_conn *c = session ? conn_of(session->imp.ctx) : NULL;

	set_origin(origin, TEEC_ORIGIN_API);
	if (!c)
		return TEEC_ERROR_BAD_PARAMETERS;
	uint32_t res = check_params(op);

	if (res)
		return res;
	struct zero_refs z;

	res = zero_refs_get(session->imp.ctx, op, &z);
	if (res) {
		zero_refs_put(&z);
		return res;
	}
	struct inflight f = { .op = op, .conn = c, .cancel_id = next_cancel_id(c), .session = session->imp.session_id };
	msgpack_sbuffer args;
	msgpack_packer pk;
	struct tbx_answer a;

	msgpack_sbuffer_init(&args);
	msgpack_packer_init(&pk, &args, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 4);
	tbx_pack_key(&pk, "session"); msgpack_pack_uint32(&pk, session->imp.session_id);
	tbx_pack_key(&pk, "cmd"); msgpack_pack_uint32(&pk, cmd);
	tbx_pack_key(&pk, "cancelId"); msgpack_pack_uint32(&pk, f.cancel_id);
	tbx_pack_key(&pk, "params");
	pack_params(&pk, op, &z);
	if (op)
		op->imp.session = session;
	res = run_operation(c, "invokeCommand", &args, op, &f, &z, &a, origin,
			    tbx_rpc_hook_of(c, session->imp.session_id));
	if (res)
		return res;
	res = finish_call(&a, op, origin);
	tbx_answer_free(&a);
	return res;
}

EXPORT void TEEC_RequestCancellation(TEEC_Operation *op)
{
	struct tbx_conn *c = NULL;
	uint32_t id = 0, session = 0;

	if (!op)
		return;
	pthread_mutex_lock(&inflight_lock);
	for (struct inflight *f = inflight; f; f = f->next) {
		if (f->op == op) {
			c = f->conn;
			id = f->cancel_id;
			session = f->session;
			break;
		}
	}
	pthread_mutex_unlock(&inflight_lock);
	if (!c)
		return; /* not started (or already done): nothing to cancel */
	/* The protocol cancels an open by its cancel id and an invoke by its session. */
	if (session)
		call_one(c, "requestCancellation", "session", session);
	else
		call_one(c, "requestCancellation", "cancelId", id);
}

/* ---- shared memory ---- */

static TEEC_Result register_block(TEEC_Context *ctx, TEEC_SharedMemory *shm, const char *op)
{
	struct tbx_conn *c = conn_of(ctx);

	if (!c || !shm || !shm->flags || (shm->flags & ~(TEEC_MEM_INPUT | TEEC_MEM_OUTPUT)) || shm->size > UINT32_MAX)
		return TEEC_ERROR_BAD_PARAMETERS;
	msgpack_sbuffer args;
	msgpack_packer pk;
	struct tbx_answer a;

	msgpack_sbuffer_init(&args);
	msgpack_packer_init(&pk, &args, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 3);
	tbx_pack_key(&pk, "context"); msgpack_pack_uint32(&pk, c->context);
	tbx_pack_key(&pk, "size"); msgpack_pack_uint32(&pk, (uint32_t)shm->size);
	tbx_pack_key(&pk, "flags"); msgpack_pack_uint32(&pk, shm->flags);
	uint32_t res = tbx_call(c, op, &args, &a);
	uint32_t id = 0;

	msgpack_sbuffer_destroy(&args);
	if (res)
		return res;
	if (!a.result)
		res = a.error_result;
	else if (tbx_get_u32(a.result, "shm", &id))
		res = TEEC_ERROR_COMMUNICATION;
	tbx_answer_free(&a);
	if (res)
		return res;
	shm->imp.id = (int)id;
	shm->imp.flags = shm->flags;
	shm->imp.registered_fd = ctx->imp.fd;
	/* alloced_size is never 0 for a live block (a 0-byte block counts 1), so check_params can
	 * tell a released block from a live one. */
	shm->imp.alloced_size = shm->size ? shm->size : 1;
	return TEEC_SUCCESS;
}

EXPORT TEEC_Result TEEC_RegisterSharedMemory(TEEC_Context *ctx, TEEC_SharedMemory *shm)
{
	/* as optee_client: a NULL buffer is refused whatever the size (xtest 1025) */
	if (!shm || !shm->buffer)
		return TEEC_ERROR_BAD_PARAMETERS;
	shm->imp.shadow_buffer = NULL;
	return register_block(ctx, shm, "registerSharedMemory");
}

EXPORT TEEC_Result TEEC_AllocateSharedMemory(TEEC_Context *ctx, TEEC_SharedMemory *shm)
{
	if (!shm)
		return TEEC_ERROR_BAD_PARAMETERS;
	void *buf = calloc(1, shm->size ? shm->size : 8);

	if (!buf)
		return TEEC_ERROR_OUT_OF_MEMORY;
	shm->buffer = buf;
	TEEC_Result res = register_block(ctx, shm, "allocateSharedMemory");

	if (res) {
		free(buf);
		shm->buffer = NULL;
		return res;
	}
	shm->imp.shadow_buffer = buf; /* ours to free */
	return TEEC_SUCCESS;
}

EXPORT TEEC_Result TEEC_RegisterSharedMemoryFileDescriptor(TEEC_Context *ctx, TEEC_SharedMemory *shm, int fd)
{
	(void)ctx;
	(void)shm;
	(void)fd;
	return TEEC_ERROR_NOT_SUPPORTED;
}

EXPORT void TEEC_ReleaseSharedMemory(TEEC_SharedMemory *shm)
{
	if (!shm || !shm->imp.alloced_size)
		return;
	struct tbx_conn *c = tbx_conn_of(shm->imp.registered_fd);

	if (c)
		call_one(c, "releaseSharedMemory", "shm", (uint32_t)shm->imp.id);
	if (shm->imp.shadow_buffer) {
		free(shm->imp.shadow_buffer);
		shm->buffer = NULL;
	}
	shm->imp.shadow_buffer = NULL;
	shm->imp.alloced_size = 0;
	shm->imp.id = -1;
}
