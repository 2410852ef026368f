/*
 * sims / single: an instance-wide counter shared by every session of a single-instance TA.
 */
#include <tee_internal_api.h>
#include <sims_ta.h>

static uint32_t counter;
static uint32_t sessions;

TEE_Result TA_CreateEntryPoint(void)
{
	return TEE_SUCCESS;
}

void TA_DestroyEntryPoint(void)
{
}

TEE_Result TA_OpenSessionEntryPoint(uint32_t types, TEE_Param params[4], void **ctx)
{
	(void)types;
	(void)params;
	(void)ctx;
	sessions++;
	return TEE_SUCCESS;
}

void TA_CloseSessionEntryPoint(void *ctx)
{
	(void)ctx;
	sessions--;
}

TEE_Result TA_InvokeCommandEntryPoint(void *ctx, uint32_t cmd, uint32_t types, TEE_Param params[4])
{
	(void)ctx;
	switch (cmd) {
	case TA_SIMS_CMD_COUNT:
		if (types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_OUTPUT, TEE_PARAM_TYPE_NONE,
					     TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE))
			return TEE_ERROR_BAD_PARAMETERS;
		params[0].value.a = ++counter;
		params[0].value.b = sessions;
		return TEE_SUCCESS;
	case TA_SIMS_CMD_PANIC:
		TEE_Panic(0x51);
		return TEE_ERROR_GENERIC;
	default:
		return TEE_ERROR_NOT_SUPPORTED;
	}
}
