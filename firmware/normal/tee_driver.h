/* Yielding calls into OP-TEE and the RPCs the secure world makes while serving them. */
#ifndef NORMAL_TEE_DRIVER_H
#define NORMAL_TEE_DRIVER_H

#include <stdint.h>

#include "hostbridge.h"
#include "smc.h"

/*
 * One call into the secure world, from CALL_WITH_ARG to its final answer. Between steps it may
 * be parked: the secure thread gave the CPU back (a foreign interrupt) and `regs` hold what
 * resumes it. RPCs the firmware cannot serve go to the host through the request's slot.
 */
struct tee_call_ctx {
	volatile struct hb_request *slot;
	uint32_t slot_index;
	uint32_t smc_calls;     /* every SMC made for this call, RPC returns included */
	uint64_t arg_pa;        /* the optee_msg_arg (in the firmware pool) */
	int started;            /* the secure world took the call: regs resume it */
	struct smc_regs regs;
};

enum tee_step {
	TEE_STEP_DONE,          /* the secure world answered; *a0 is its OPTEE_SMC_RETURN_* */
	TEE_STEP_PARKED,        /* it gave the CPU back; step again to resume the call */
	TEE_STEP_NO_THREAD,     /* no free secure thread took it; step again once another call ends */
	TEE_STEP_RPC_WAIT,      /* the host serves its RPC later (slot->rpc_wait); step again once
	                           the host has cleared rpc_wait: the call resumes with the answer */
};

/* Start (CALL_WITH_ARG) or resume (RETURN_FROM_RPC) a call and serve its RPCs until it ends
 * or gives the CPU back. */
enum tee_step tee_call_step(struct tee_call_ctx *ctx, uint32_t *a0);

#endif
