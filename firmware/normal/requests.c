/*
 * Request handling. The slot lives in memory the host can rewrite at any time, so it is
 * copied once into a private snapshot, checked there, and only the snapshot is used to
 * build the call; results are written back field by field. One table, indexed by
 * HB_OP_*, says how each operation is served.
 *
 * Up to MAX_CALLS requests are in progress at once, as a Linux driver serves many client
 * threads: a TEE call whose secure thread gives the CPU back (a foreign interrupt) stays in
 * progress, parked, and the service loop resumes it in turn with the others while it takes
 * new requests. A call the secure world has no free thread for waits until another ends.
 */
#include <stddef.h>
#include <stdint.h>

#include "board.h"
#include "hostbridge.h"
#include "optee_msg.h"
#include "optee_smc.h"
#include "power.h"
#include "print.h"
#include "requests.h"
#include "shm_pool.h"
#include "string.h"
#include "tee_driver.h"
#include "tee_probe.h"
#include "tee_results.h"

#define HB_MAX_PARAMS   4u
#define META_PARAMS     2u      /* OPEN_SESSION's TA UUID and client identity */

_Static_assert(sizeof(struct hb_request) == 216, "hb_request layout");
_Static_assert(offsetof(struct hb_request, done) == HB_REQ_OFF_DONE, "hb_request.done");
_Static_assert(offsetof(struct hb_request, params) == HB_REQ_OFF_PARAMS, "hb_request.params");
_Static_assert(offsetof(struct hb_request, rpc_arg_pa) == HB_REQ_OFF_RPC_ARG_PA, "rpc_arg_pa");

/* How a TEE operation maps onto a message: command, leading META params, client params. */
struct msg_shape {
	uint32_t cmd;
	unsigned meta;
	unsigned client;
};

struct request {
	struct hb_request in;               /* private snapshot of the slot */
	volatile struct hb_request *slot;   /* where the results go; NULL while the entry is free */
	struct tee_call_ctx call;
	struct msg_shape shape;
	int in_progress;                    /* a TEE call was parked or waits for a thread */
	int rpc_wait;                       /* it waits for the host to answer an RPC (slot->rpc_wait) */
};

/* Requests in progress at once; more stay in the host's queue until one ends. */
#define MAX_CALLS       16u

/* The largest message a request builds: the META params of OPEN_SESSION plus the client's. */
#define MSG_ARG_MAX_SIZE \
	(sizeof(struct optee_msg_arg) + (META_PARAMS + HB_MAX_PARAMS) * sizeof(struct optee_msg_param))

static int tee_available;
static struct request calls[MAX_CALLS];
/*
 * The optee_msg_arg each entry of `calls` builds its requests in: one buffer from the pool per
 * entry, taken once, so a request costs no allocation. 0 when the pool could not spare it
 * (requests on that entry then fail OUT_OF_MEMORY).
 */
static uint64_t msg_arg_pa[MAX_CALLS];
/* Entries in use, and how many of them are in progress: the common case (every call ends in
 * its first step) then costs no scan of the table. */
static unsigned active;
static unsigned calls_in_progress;
/* Of those, the calls waiting for the host's answer to an RPC: not runnable until it comes. */
static unsigned calls_rpc_wait;

void requests_init(int tee_ok)
{
	tee_available = tee_ok;
	for (unsigned i = 0; i < MAX_CALLS; i++)
		if (!msg_arg_pa[i])
			msg_arg_pa[i] = shm_pool_alloc(MSG_ARG_MAX_SIZE, SHM_POOL_GRANULE);
}

/* ---- results ---- */

static void finish(struct request *rq, uint32_t status, uint32_t ret, uint32_t origin)
{
	rq->slot->status = status;
	rq->slot->ret = ret;
	rq->slot->ret_origin = origin;
	rq->slot->smc_calls = rq->call.smc_calls;
}

/* The firmware itself failed the request: same code in status and ret, origin COMMS. */
static void fail(struct request *rq, uint32_t code)
{
	finish(rq, code, code, TEEC_ORIGIN_COMMS);
}

static void succeed(struct request *rq)
{
	finish(rq, TEEC_SUCCESS, TEEC_SUCCESS, TEEC_ORIGIN_COMMS);
}

/* ---- validation of host input ---- */

static int is_tmem(uint64_t attr)
{
	return attr >= OPTEE_MSG_ATTR_TYPE_TMEM_INPUT && attr <= OPTEE_MSG_ATTR_TYPE_TMEM_INOUT;
}

/* Only plain types: META, NONCONTIG and cache bits are ours to set, not the host's. */
static int attr_allowed(uint64_t attr)
{
	switch (attr) {
	case OPTEE_MSG_ATTR_TYPE_NONE:
	case OPTEE_MSG_ATTR_TYPE_VALUE_INPUT:
	case OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT:
	case OPTEE_MSG_ATTR_TYPE_VALUE_INOUT:
	case OPTEE_MSG_ATTR_TYPE_RMEM_INPUT:
	case OPTEE_MSG_ATTR_TYPE_RMEM_OUTPUT:
	case OPTEE_MSG_ATTR_TYPE_RMEM_INOUT:
	case OPTEE_MSG_ATTR_TYPE_TMEM_INPUT:
	case OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT:
	case OPTEE_MSG_ATTR_TYPE_TMEM_INOUT:
		return 1;
	default:
		return 0;
	}
}

/* A client buffer must sit in NS shared memory, outside the firmware's own pool. The
 * null memref (PA 0, size 0) carries no address and is passed through. */
static int tmem_allowed(uint64_t pa, uint64_t size)
{
	if (!pa && !size)
		return 1;
	if (pa < BOARD_NS_SHM_BASE || pa - BOARD_NS_SHM_BASE >= BOARD_NS_SHM_SIZE)
		return 0;
	if (size > BOARD_NS_SHM_BASE + BOARD_NS_SHM_SIZE - pa)
		return 0;
	return !shm_pool_overlaps(pa, size);
}

static int params_allowed(const struct hb_param *p, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (!attr_allowed(p[i].attr))
			return 0;
		if (is_tmem(p[i].attr) && !tmem_allowed(p[i].a, p[i].b))
			return 0;
	}
	return 1;
}

/* ---- building and reading the msg arg ---- */

static void params_to_msg(struct optee_msg_param *dst, const struct hb_param *src, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		dst[i].attr = src[i].attr;
		dst[i].u.value.a = src[i].a;
		dst[i].u.value.b = src[i].b;
		dst[i].u.value.c = src[i].c;
	}
}

static void params_from_msg(volatile struct hb_param *dst, const struct optee_msg_param *src,
			    unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		dst[i].attr = src[i].attr;
		dst[i].a = src[i].u.value.a;
		dst[i].b = src[i].u.value.b;
		dst[i].c = src[i].u.value.c;
	}
}

/* The UUIDs go over as raw octets: the 16 bytes of value.a and value.b. */
static void open_session_meta(struct optee_msg_param *meta, const struct hb_request *in)
{
	meta[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT | OPTEE_MSG_ATTR_META;
	memcpy(meta[0].u.octets, in->uuid, sizeof(in->uuid));
	meta[0].u.value.c = 0;
	meta[1].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT | OPTEE_MSG_ATTR_META;
	memcpy(meta[1].u.octets, in->client_uuid, sizeof(in->client_uuid));
	meta[1].u.value.c = in->login;
}

static void copy_out(struct request *rq, const struct optee_msg_arg *arg,
		     const struct msg_shape *shape)
{
	if (shape->cmd == OPTEE_MSG_CMD_OPEN_SESSION)
		rq->slot->session = arg->session;
	params_from_msg(rq->slot->params, &arg->params[shape->meta], shape->client);
	finish(rq, TEEC_SUCCESS, arg->ret, arg->ret_origin);
}

/* Calls of ours the secure world has taken (each holds a secure thread). */
static unsigned started_calls(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < MAX_CALLS; i++)
		if (calls[i].slot && calls[i].call.started)
			n++;
	return n;
}

/* One more step of the request's TEE call; 1 once it is finished (results in the slot). */
static int tee_continue(struct request *rq)
{
	uint32_t a0 = 0;

	switch (tee_call_step(&rq->call, &a0)) {
	case TEE_STEP_PARKED:
		return 0;
	case TEE_STEP_RPC_WAIT:
		rq->rpc_wait = 1;
		calls_rpc_wait++;
		return 0;
	case TEE_STEP_NO_THREAD:
		/* Only a call of ours can free a thread; with none started, none ever will. */
		if (started_calls())
			return 0;
		fail(rq, TEEC_ERROR_BUSY);
		return 1;
	case TEE_STEP_DONE:
		break;
	}
	if (a0 != OPTEE_SMC_RETURN_OK)
		fail(rq, TEEC_ERROR_COMMUNICATION);
	else
		copy_out(rq, (struct optee_msg_arg *)(uintptr_t)rq->call.arg_pa, &rq->shape);
	return 1;
}

static void tee_request(struct request *rq, const struct msg_shape *shape)
{
	const struct hb_request *in = &rq->in;

	if (!tee_available) {
		fail(rq, TEEC_ERROR_COMMUNICATION);
		return;
	}
	if (!params_allowed(in->params, shape->client)) {
		fail(rq, TEEC_ERROR_BAD_PARAMETERS);
		return;
	}

	unsigned n = shape->meta + shape->client;
	uint64_t pa = rq->call.arg_pa;

	if (!pa) {
		fail(rq, TEEC_ERROR_OUT_OF_MEMORY);
		return;
	}
	struct optee_msg_arg *arg = (struct optee_msg_arg *)(uintptr_t)pa;

	/* Every header word and every byte of the n params is written: no clearing pass. */
	arg->cmd = shape->cmd;
	arg->func = in->func;
	arg->session = in->session;
	arg->cancel_id = in->cancel_id;
	arg->pad = 0;
	arg->ret = 0;
	arg->ret_origin = 0;
	arg->num_params = n;
	if (shape->meta)
		open_session_meta(arg->params, in);
	params_to_msg(&arg->params[shape->meta], in->params, shape->client);

	rq->shape = *shape;
	rq->in_progress = !tee_continue(rq);
}

/* ---- operations ---- */

static void op_open_session(struct request *rq)
{
	tee_request(rq, &(struct msg_shape){ OPTEE_MSG_CMD_OPEN_SESSION, META_PARAMS,
					     rq->in.num_params });
}

static void op_invoke_command(struct request *rq)
{
	tee_request(rq, &(struct msg_shape){ OPTEE_MSG_CMD_INVOKE_COMMAND, 0, rq->in.num_params });
}

static void op_close_session(struct request *rq)
{
	tee_request(rq, &(struct msg_shape){ OPTEE_MSG_CMD_CLOSE_SESSION, 0, 0 });
}

static void op_cancel(struct request *rq)
{
	tee_request(rq, &(struct msg_shape){ OPTEE_MSG_CMD_CANCEL, 0, 0 });
}

/* Register/unregister carry exactly one parameter, params[0], whatever num_params says. */
static void op_register_shm(struct request *rq)
{
	tee_request(rq, &(struct msg_shape){ OPTEE_MSG_CMD_REGISTER_SHM, 0, 1 });
}

static void op_unregister_shm(struct request *rq)
{
	tee_request(rq, &(struct msg_shape){ OPTEE_MSG_CMD_UNREGISTER_SHM, 0, 1 });
}

static void op_probe(struct request *rq)
{
	tee_available = tee_probe(0, &rq->call.smc_calls) == NULL;
	if (tee_available)
		succeed(rq);
	else
		fail(rq, TEEC_ERROR_COMMUNICATION);
}

/* Deliberately unchecked: this op exists to show that a normal-world load from secure
 * memory faults (the fault path completes the request). */
static void op_read_address(struct request *rq)
{
	uint64_t addr = rq->in.params[0].a;

	kprintf("peek: reading 0x%llx\n", (unsigned long long)addr);
	uint32_t v = *(volatile uint32_t *)(uintptr_t)addr;

	rq->slot->params[0].b = v;
	succeed(rq);
}

static void op_power_off(struct request *rq)
{
	kprintf("power: off\n");
	psci_system_off();
}

static void op_reset(struct request *rq)
{
	kprintf("power: reset\n");
	psci_system_reset();
}

typedef void (*op_handler)(struct request *rq);

/* Indexed by HB_OP_*; holes and out-of-range ops are not supported. */
static const op_handler op_table[] = {
	[HB_OP_OPEN_SESSION] = op_open_session,
	[HB_OP_INVOKE_COMMAND] = op_invoke_command,
	[HB_OP_CLOSE_SESSION] = op_close_session,
	[HB_OP_CANCEL] = op_cancel,
	[HB_OP_REGISTER_SHM] = op_register_shm,
	[HB_OP_UNREGISTER_SHM] = op_unregister_shm,
	[HB_OP_PROBE] = op_probe,
	[HB_OP_READ_ADDRESS] = op_read_address,
	[HB_OP_POWER_OFF] = op_power_off,
	[HB_OP_RESET] = op_reset,
};

#define OP_COUNT (sizeof(op_table) / sizeof(op_table[0]))

/* 64-bit words that may alias the hb_request fields they are copied into. */
typedef uint64_t __attribute__((may_alias)) alias_u64;

#define HB_HEADER_WORDS     (HB_REQ_OFF_PARAMS / sizeof(uint64_t))
#define HB_PARAM_WORDS      (sizeof(struct hb_param) / sizeof(uint64_t))

/*
 * Volatile 64-bit copy: each slot word is read exactly once, so the host cannot change a
 * field between our check and our use of it. The header, then the params the request names
 * (at least params[0], which REGISTER_SHM, UNREGISTER_SHM and READ_ADDRESS always use; at
 * most four): nothing reads the snapshot beyond them, and rpc_arg_pa is ours to write.
 */
static void snapshot(struct hb_request *dst, volatile struct hb_request *src)
{
	volatile const alias_u64 *s = (volatile const alias_u64 *)src;
	alias_u64 *d = (alias_u64 *)dst;

	for (unsigned i = 0; i < HB_HEADER_WORDS; i++)
		d[i] = s[i];

	unsigned n = dst->num_params;

	if (n == 0)
		n = 1;
	if (n > HB_MAX_PARAMS)
		n = HB_MAX_PARAMS;
	for (unsigned i = HB_HEADER_WORDS; i < HB_HEADER_WORDS + n * HB_PARAM_WORDS; i++)
		d[i] = s[i];
}

_Static_assert(HB_REQ_OFF_PARAMS % sizeof(uint64_t) == 0, "hb_request header is whole words");

int requests_can_begin(void)
{
	return active < MAX_CALLS;
}

static void release(struct request *rq)
{
	if (rq->rpc_wait)
		calls_rpc_wait--;
	rq->rpc_wait = 0;
	if (rq->in_progress)
		calls_in_progress--;
	rq->in_progress = 0;
	rq->slot = NULL;
	active--;
}

static struct request *current;

int request_begin(volatile struct hb_request *slot, uint32_t slot_index)
{
	unsigned i = 0;

	while (i < MAX_CALLS && calls[i].slot)
		i++;
	if (i == MAX_CALLS) {
		/* The service loop asks requests_can_begin() first; a full table is its bug. */
		request_abort(slot);
		return 1;
	}

	/* Not zero-filled: snapshot() writes every field that is read later. */
	struct request *rq = &calls[i];

	active++;
	rq->slot = slot;
	rq->call.slot = slot;
	rq->call.slot_index = slot_index;
	rq->call.smc_calls = 0;
	rq->call.started = 0;
	rq->call.arg_pa = msg_arg_pa[i];
	rq->in_progress = 0;
	rq->rpc_wait = 0;
	current = rq;
	snapshot(&rq->in, slot);
	slot->smc_calls = 0;
	if (rq->in.op >= OP_COUNT || !op_table[rq->in.op])
		fail(rq, TEEC_ERROR_NOT_SUPPORTED);
	else if (rq->in.num_params > HB_MAX_PARAMS)
		fail(rq, TEEC_ERROR_BAD_PARAMETERS);
	else
		op_table[rq->in.op](rq);
	current = NULL;
	if (rq->in_progress) {
		calls_in_progress++;
		return 0;
	}
	release(rq);
	return 1;
}

unsigned requests_in_progress(void)
{
	return calls_in_progress - calls_rpc_wait;
}

/* Where the next turn starts looking: turns go round the table. */
static unsigned next_turn;

unsigned requests_resume(void (*finished)(uint32_t slot_index))
{
	for (unsigned n = 0; n < MAX_CALLS && calls_in_progress; n++) {
		unsigned i = (next_turn + n) % MAX_CALLS;
		struct request *rq = &calls[i];

		if (!rq->slot || !rq->in_progress)
			continue;
		if (rq->rpc_wait) {
			if (rq->slot->rpc_wait)
				continue;       /* the host has not answered yet */
			rq->rpc_wait = 0;
			calls_rpc_wait--;
		}
		next_turn = i + 1;
		current = rq;
		int done = tee_continue(rq);

		current = NULL;
		if (done) {
			uint32_t index = rq->call.slot_index;

			release(rq);
			finished(index);
		}
		break;
	}
	return calls_in_progress - calls_rpc_wait;
}

int request_abort_current(uint32_t *slot_index)
{
	struct request *rq = current;

	if (!rq)
		return 0;
	current = NULL;
	*slot_index = rq->call.slot_index;
	request_abort(rq->slot);
	release(rq);
	return 1;
}

void request_abort(volatile struct hb_request *slot)
{
	slot->status = TEEC_ERROR_COMMUNICATION;
	slot->ret = TEEC_ERROR_COMMUNICATION;
	slot->ret_origin = TEEC_ORIGIN_COMMS;
}
