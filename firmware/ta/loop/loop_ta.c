/* loop: work that never ends on its own, for watchdog and cancellation tests. */
#include <tee_internal_api.h>
#include <loop_ta.h>

TEE_Result TA_CreateEntryPoint(void)
{
	return TEE_SUCCESS;
}

void TA_DestroyEntryPoint(void)
{
}

static TEE_Result until_cancelled(void);

TEE_Result TA_OpenSessionEntryPoint(uint32_t param_types, TEE_Param params[4], void **sess_ctx)
{
	const uint32_t hold = TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_NONE,
					      TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE);

	*sess_ctx = NULL;
	/* An open that lasts until the client cancels it (TEEC_RequestCancellation on the open). */
	if (param_types == hold && params[0].value.a == TA_LOOP_OPEN_UNTIL_CANCEL)
		return until_cancelled();
	return TEE_SUCCESS;
}

void TA_CloseSessionEntryPoint(void *sess_ctx)
{
}

static TEE_Result spin(void)
{
	/* The empty asm is a side effect, so the loop is neither removed nor turned into a trap. */
	for (;;)
		__asm__ volatile("" ::: "memory");
	return TEE_ERROR_GENERIC;
}

static TEE_Result until_cancelled(void)
{
	TEE_UnmaskCancellation();
	while (!TEE_GetCancellationFlag())
		;
	TEE_MaskCancellation();
	return TEE_ERROR_CANCEL;
}

static TEE_Result wait_ms(uint32_t param_types, TEE_Param params[4])
{
	const uint32_t expected = TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_NONE,
						  TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE);

	if (param_types != expected)
		return TEE_ERROR_BAD_PARAMETERS;
	return TEE_Wait(params[0].value.a);
}

static TEE_Result wait_cancellable(uint32_t param_types, TEE_Param params[4])
{
	TEE_Result res;

	TEE_UnmaskCancellation();
	res = wait_ms(param_types, params);
	TEE_MaskCancellation();
	return res;
}

/* Holds a client's memref across a wait, then reads and overwrites it. */
static TEE_Result wait_then_touch(uint32_t param_types, TEE_Param params[4])
{
	const uint32_t inout = TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_MEMREF_INOUT,
					       TEE_PARAM_TYPE_VALUE_OUTPUT, TEE_PARAM_TYPE_NONE);
	const uint32_t output = TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_MEMREF_OUTPUT,
						TEE_PARAM_TYPE_VALUE_OUTPUT, TEE_PARAM_TYPE_NONE);
	uint32_t seen[2] = { 0, 0 };
	size_t n = params[1].memref.size;
	TEE_Result res;

	if (param_types != inout && param_types != output)
		return TEE_ERROR_BAD_PARAMETERS;
	res = TEE_Wait(params[0].value.a);
	if (res != TEE_SUCCESS)
		return res;
	TEE_MemMove(seen, params[1].memref.buffer, n < sizeof(seen) ? n : sizeof(seen));
	params[2].value.a = seen[0];
	params[2].value.b = seen[1];
	TEE_MemFill(params[1].memref.buffer, 0xa5, n);
	return TEE_SUCCESS;
}

/* Attacks on the watchdog: no single run or wait is long, but together they never end. */
static TEE_Result wait_forever(void)
{
	for (;;)
		TEE_Wait(50);
	return TEE_ERROR_GENERIC;
}

static TEE_Result ree_time_spin(void)
{
	TEE_Time t;

	for (;;)
		TEE_GetREETime(&t);
	return TEE_ERROR_GENERIC;
}

TEE_Result TA_InvokeCommandEntryPoint(void *sess_ctx, uint32_t cmd_id, uint32_t param_types,
				      TEE_Param params[4])
{
	switch (cmd_id) {
	case TA_LOOP_CMD_SPIN:
		return spin();
	case TA_LOOP_CMD_UNTIL_CANCEL:
		return until_cancelled();
	case TA_LOOP_CMD_WAIT:
		return wait_ms(param_types, params);
	case TA_LOOP_CMD_WAIT_FOREVER:
		return wait_forever();
	case TA_LOOP_CMD_REE_TIME_SPIN:
		return ree_time_spin();
	case TA_LOOP_CMD_WAIT_CANCELLABLE:
		return wait_cancellable(param_types, params);
	case TA_LOOP_CMD_WAIT_THEN_TOUCH:
		return wait_then_touch(param_types, params);
	default:
		return TEE_ERROR_BAD_PARAMETERS;
	}
}
