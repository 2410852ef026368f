/*
 * hello_world: the first TA of every OP-TEE tutorial, kept command- and log-compatible with
 * optee_examples so the tutorial's host program and expected output carry over.
 */
#include <tee_internal_api.h>
#include <hello_world_ta.h>

static const uint32_t inout_value_only =
	TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INOUT, TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE,
			TEE_PARAM_TYPE_NONE);

TEE_Result TA_CreateEntryPoint(void)
{
	DMSG("has been called");
	return TEE_SUCCESS;
}

void TA_DestroyEntryPoint(void)
{
	DMSG("has been called");
}

TEE_Result TA_OpenSessionEntryPoint(uint32_t param_types, TEE_Param params[4],
				    void **sess_ctx)
{
	const uint32_t none = TEE_PARAM_TYPES(TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE,
					      TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE);

	if (param_types != none)
		return TEE_ERROR_BAD_PARAMETERS;
	*sess_ctx = NULL;
	IMSG("Hello World!");
	return TEE_SUCCESS;
}

void TA_CloseSessionEntryPoint(void *sess_ctx)
{
	IMSG("Goodbye!");
}

static TEE_Result add_to_value(uint32_t param_types, TEE_Param params[4], int delta)
{
	if (param_types != inout_value_only)
		return TEE_ERROR_BAD_PARAMETERS;
	IMSG("Got value: %u from NW", params[0].value.a);
	params[0].value.a += (uint32_t)delta;
	IMSG("%s value to: %u", delta > 0 ? "Increase" : "Decrease", params[0].value.a);
	return TEE_SUCCESS;
}

TEE_Result TA_InvokeCommandEntryPoint(void *sess_ctx, uint32_t cmd_id, uint32_t param_types,
				      TEE_Param params[4])
{
	switch (cmd_id) {
	case TA_HELLO_WORLD_CMD_INC_VALUE:
		return add_to_value(param_types, params, 1);
	case TA_HELLO_WORLD_CMD_DEC_VALUE:
		return add_to_value(param_types, params, -1);
	default:
		return TEE_ERROR_BAD_PARAMETERS;
	}
}
