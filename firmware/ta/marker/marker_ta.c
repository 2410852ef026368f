/*
 * marker: a test TA whose .rodata holds a known plaintext marker. The encrypted-TA tests load it
 * encrypted and then search the state directory, the TA store and the normal world's RAM for the
 * marker: it must be found nowhere outside the secure world.
 */
#include <tee_internal_api.h>
#include <marker_ta.h>

/* Read at run time by index, so the compiler keeps every byte of it in .rodata. */
static const char marker[] = "TRUSTBOX-PLAINTEXT-MARKER-0c6f1d92e4a7";

TEE_Result TA_CreateEntryPoint(void)
{
	return TEE_SUCCESS;
}

void TA_DestroyEntryPoint(void)
{
}

TEE_Result TA_OpenSessionEntryPoint(uint32_t param_types, TEE_Param params[4], void **sess_ctx)
{
	(void)param_types;
	(void)params;
	*sess_ctx = NULL;
	return TEE_SUCCESS;
}

void TA_CloseSessionEntryPoint(void *sess_ctx)
{
	(void)sess_ctx;
}

TEE_Result TA_InvokeCommandEntryPoint(void *sess_ctx, uint32_t cmd_id, uint32_t param_types,
				      TEE_Param params[4])
{
	const uint32_t expected = TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INOUT, TEE_PARAM_TYPE_NONE,
						  TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE);
	const uint32_t len = sizeof(marker) - 1;

	(void)sess_ctx;
	if (cmd_id != TA_MARKER_CMD_BYTE_AT || param_types != expected)
		return TEE_ERROR_BAD_PARAMETERS;
	params[0].value.a = (uint8_t)marker[params[0].value.a % len];
	params[0].value.b = len;
	return TEE_SUCCESS;
}
