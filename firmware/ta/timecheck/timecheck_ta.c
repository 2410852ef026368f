/* timecheck: reports the TEE's two clocks so tests can compare them with the host's. */
#include <tee_internal_api.h>
#include <timecheck_ta.h>

TEE_Result TA_CreateEntryPoint(void)
{
	return TEE_SUCCESS;
}

void TA_DestroyEntryPoint(void)
{
}

TEE_Result TA_OpenSessionEntryPoint(uint32_t param_types, TEE_Param params[4], void **sess_ctx)
{
	*sess_ctx = NULL;
	return TEE_SUCCESS;
}

void TA_CloseSessionEntryPoint(void *sess_ctx)
{
}

static TEE_Result get_times(uint32_t param_types, TEE_Param params[4])
{
	const uint32_t expected = TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_OUTPUT,
						  TEE_PARAM_TYPE_VALUE_OUTPUT, TEE_PARAM_TYPE_NONE,
						  TEE_PARAM_TYPE_NONE);
	TEE_Time system_time;
	TEE_Time ree_time;

	if (param_types != expected)
		return TEE_ERROR_BAD_PARAMETERS;
	TEE_GetSystemTime(&system_time);
	TEE_GetREETime(&ree_time);
	params[0].value.a = system_time.seconds;
	params[0].value.b = system_time.millis;
	params[1].value.a = ree_time.seconds;
	params[1].value.b = ree_time.millis;
	return TEE_SUCCESS;
}

TEE_Result TA_InvokeCommandEntryPoint(void *sess_ctx, uint32_t cmd_id, uint32_t param_types,
				      TEE_Param params[4])
{
	if (cmd_id == TA_TIMECHECK_CMD_GET_TIMES)
		return get_times(param_types, params);
	return TEE_ERROR_BAD_PARAMETERS;
}
