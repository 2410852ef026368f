/*
 * The standard-call loop of the TEE driver. The secure world runs a yielding call until it
 * needs something from the normal world, then returns an RPC code in a0; we serve it and
 * resume with OPTEE_SMC_CALL_RETURN_FROM_RPC. a3..a7 identify the suspended secure thread,
 * so every reply hands them back exactly as received: the RPC handlers edit the returned
 * register set in place and only touch a0, a1, a2, a4, a5 where the protocol says so.
 *
 * A foreign interrupt (RPC_FOREIGN_INTR) means the secure thread gave the CPU back so that the
 * normal world can do other work: the call is parked with its registers, and the service loop
 * resumes it on its next turn, as Linux resumes it after handling the interrupt.
 */
#include <stddef.h>
#include <stdint.h>

#include "board.h"
#include "hostbridge.h"
#include "mmio.h"
#include "optee_msg.h"
#include "optee_smc.h"
#include "shm_pool.h"
#include "smc.h"
#include "tee_driver.h"
#include "tee_results.h"

static int is_rpc(uint32_t a0)
{
	/* UNKNOWN_FUNCTION shares the RPC prefix but is an answer, not a request. */
	return a0 != OPTEE_SMC_RETURN_UNKNOWN_FUNCTION &&
	       (a0 & OPTEE_SMC_RETURN_RPC_PREFIX_MASK) == OPTEE_SMC_RETURN_RPC_PREFIX;
}

/* RPC_ALLOC: a1 = size. Reply a1:a2 = PA and a4:a5 = cookie (the same), 0 on failure. */
static void rpc_alloc(struct smc_regs *r)
{
	uint64_t pa = shm_pool_alloc(smc_w(r, 1), SHM_POOL_GRANULE);

	smc_set_pair(r, 1, pa);
	smc_set_pair(r, 4, pa);
}

/* RPC_FREE: a1:a2 = cookie. A stale cookie is ignored; there is nothing to report back. */
static void rpc_free(struct smc_regs *r)
{
	shm_pool_free(smc_pair(r, 1));
}

/*
 * The RPC argument must be a buffer we handed out, large enough for its header and the
 * parameters it claims, so a confused secure world cannot make us write elsewhere.
 */
static struct optee_msg_arg *rpc_arg_lookup(uint64_t pa)
{
	uint64_t span = shm_pool_span(pa);

	if ((pa & 7) || span < sizeof(struct optee_msg_arg))
		return NULL;
	struct optee_msg_arg *arg = (struct optee_msg_arg *)(uintptr_t)pa;
	uint64_t need = sizeof(*arg) + (uint64_t)arg->num_params * sizeof(arg->params[0]);

	return need <= span ? arg : NULL;
}

/* value0 = {type, size, align}; answer params[0] as a TMEM_OUTPUT whose cookie is its PA. */
static void rpc_shm_alloc(struct optee_msg_arg *arg)
{
	if (arg->num_params < 1) {
		arg->ret = TEEC_ERROR_BAD_PARAMETERS;
		return;
	}
	struct optee_msg_param *p = &arg->params[0];
	uint64_t size = p->u.value.b;
	uint64_t pa = shm_pool_alloc(size, p->u.value.c);

	if (!pa) {
		arg->ret = TEEC_ERROR_OUT_OF_MEMORY;
		return;
	}
	p->attr = OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT;
	p->u.tmem.buf_ptr = pa;
	p->u.tmem.size = size;
	p->u.tmem.shm_ref = pa;
	arg->ret = TEEC_SUCCESS;
}

/* value0 = {type, cookie}. */
static void rpc_shm_free(struct optee_msg_arg *arg)
{
	if (arg->num_params < 1 || shm_pool_free(arg->params[0].u.value.b)) {
		arg->ret = TEEC_ERROR_BAD_PARAMETERS;
		return;
	}
	arg->ret = TEEC_SUCCESS;
}

/* Everything else (LOAD_TA, FS, GET_TIME, ...) is the host supplicant's job; the host
 * serves it before the doorbell write completes, so the answer is in place afterwards, unless
 * it says (rpc_wait) that the answer comes later: a client program serves it (an ocall).
 * Returns 1 in that case. */
static int rpc_forward(uint64_t pa, struct tee_call_ctx *ctx)
{
	ctx->slot->rpc_arg_pa = pa;
	mmio_write32(BOARD_HOSTBRIDGE_BASE + HB_REG_SUPP_CALL, ctx->slot_index);
	return ctx->slot->rpc_wait != 0;
}

/* RPC_CMD: a1:a2 = cookie (= PA) of the optee_msg_arg holding the request. 1 when the host
 * answers later. */
static int rpc_cmd(struct smc_regs *r, struct tee_call_ctx *ctx)
{
	uint64_t pa = smc_pair(r, 1);
	struct optee_msg_arg *arg = rpc_arg_lookup(pa);

	if (!arg)
		return 0;
	switch (arg->cmd) {
	case OPTEE_RPC_CMD_SHM_ALLOC:
		rpc_shm_alloc(arg);
		return 0;
	case OPTEE_RPC_CMD_SHM_FREE:
		rpc_shm_free(arg);
		return 0;
	default:
		return rpc_forward(pa, ctx);
	}
}

/* Serve one RPC and turn the register set into the RETURN_FROM_RPC that resumes it. Returns 1
 * when the answer is not in place yet (the host serves it later). */
static int handle_rpc(struct smc_regs *r, struct tee_call_ctx *ctx)
{
	int later = 0;

	switch (smc_w(r, 0)) {
	case OPTEE_SMC_RETURN_RPC_ALLOC:
		rpc_alloc(r);
		break;
	case OPTEE_SMC_RETURN_RPC_FREE:
		rpc_free(r);
		break;
	case OPTEE_SMC_RETURN_RPC_CMD:
		later = rpc_cmd(r, ctx);
		break;
	default:
		/* An unknown RPC is resumed rather than wedged. */
		break;
	}
	r->a[0] = OPTEE_SMC_CALL_RETURN_FROM_RPC;
	return later;
}

enum tee_step tee_call_step(struct tee_call_ctx *ctx, uint32_t *a0)
{
	struct smc_regs *r = &ctx->regs;

	if (!ctx->started) {
		*r = (struct smc_regs){ .a = { OPTEE_SMC_CALL_WITH_ARG } };
		smc_set_pair(r, 1, ctx->arg_pa);
		r->a[3] = 0;    /* cache attributes: predefined */
	}
	for (;;) {
		smc_call(r);
		ctx->smc_calls++;
		uint32_t ret = smc_w(r, 0);

		if (!is_rpc(ret)) {
			if (!ctx->started && ret == OPTEE_SMC_RETURN_ETHREAD_LIMIT)
				return TEE_STEP_NO_THREAD;
			*a0 = ret;
			return TEE_STEP_DONE;
		}
		ctx->started = 1;
		if (ret == OPTEE_SMC_RETURN_RPC_FOREIGN_INTR) {
			r->a[0] = OPTEE_SMC_CALL_RETURN_FROM_RPC;
			return TEE_STEP_PARKED;
		}
		if (handle_rpc(r, ctx))
			return TEE_STEP_RPC_WAIT;
	}
}
