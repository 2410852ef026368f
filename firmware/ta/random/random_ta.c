/*
 * random: fills an output memref with bytes from the TEE's RNG. Unlike optee_examples' version,
 * which bounces 16 bytes through the heap, any size works: the TEE writes the caller's buffer.
 */
#include <tee_internal_api.h>
#include <random_ta.h>

TEE_Result TA_CreateEntryPoint(void)
{
	return TEE_SUCCESS;
}

void TA_DestroyEntryPoint(void)
{
}

TEE_Result TA_OpenSessionEntryPoint(uint32_t param_types, TEE_Param params[4],
				    void **sess_ctx)
{
	*sess_ctx = NULL;
	IMSG("Random session opened");
	return TEE_SUCCESS;
}

void TA_CloseSessionEntryPoint(void *sess_ctx)
{
}

static TEE_Result generate(uint32_t param_types, TEE_Param params[4])
{
	const uint32_t expected = TEE_PARAM_TYPES(TEE_PARAM_TYPE_MEMREF_OUTPUT,
						  TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE,
						  TEE_PARAM_TYPE_NONE);

	if (param_types != expected)
		return TEE_ERROR_BAD_PARAMETERS;
	DMSG("Generating %zu random bytes", params[0].memref.size);
	TEE_GenerateRandom(params[0].memref.buffer, params[0].memref.size);
	return TEE_SUCCESS;
}

TEE_Result TA_InvokeCommandEntryPoint(void *sess_ctx, uint32_t cmd_id, uint32_t param_types,
				      TEE_Param params[4])
{
	if (cmd_id == TA_RANDOM_CMD_GENERATE)
		return generate(param_types, params);
	return TEE_ERROR_BAD_PARAMETERS;
}
