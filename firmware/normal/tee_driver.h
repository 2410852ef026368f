/* Yielding calls into OP-TEE and the RPCs the secure world makes while serving them. */
#ifndef NORMAL_TEE_DRIVER_H
#define NORMAL_TEE_DRIVER_H

#include <stdint.h>

#include "hostbridge.h"

/* Who we are calling for: RPCs the firmware cannot serve go to the host through this slot. */
struct tee_call_ctx {
	volatile struct hb_request *slot;
	uint32_t slot_index;
	uint32_t smc_calls;     /* every SMC made for this call, RPC returns included */
};

/*
 * OPTEE_SMC_CALL_WITH_ARG on the msg arg at arg_pa (in the firmware pool), serving RPCs
 * until the secure world is done. Returns the final a0 (OPTEE_SMC_RETURN_*).
 */
uint32_t tee_call_with_arg(uint64_t arg_pa, struct tee_call_ctx *ctx);

#endif
