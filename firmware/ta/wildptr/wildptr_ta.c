/* wildptr: hands hostile pointers to the raw syscall stubs, bypassing every GP-level check. */
#include <tee_internal_api.h>
#include <utee_syscalls.h>
#include <wildptr_ta.h>

/* The LOG stub's prototype returns void; the core still writes a result to x0, read it here. */
typedef TEE_Result (*log_with_result_fn)(const void *buf, size_t len);

static const char read_only_text[] = "this string lives in the read-only segment";

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

static TEE_Result run_bad_syscall(uint32_t cmd_id, TEE_Result *result)
{
	log_with_result_fn log_raw = (log_with_result_fn)(uintptr_t)_utee_log;

	switch (cmd_id) {
	case TA_WILDPTR_CMD_LOG_LOW_ADDRESS:
		*result = log_raw((const void *)0x10, 64);
		return TEE_SUCCESS;
	case TA_WILDPTR_CMD_RANDOM_TO_RODATA:
		*result = _utee_cryp_random_number_generate((void *)(uintptr_t)read_only_text,
							    sizeof(read_only_text));
		return TEE_SUCCESS;
	case TA_WILDPTR_CMD_RANDOM_OVERFLOW:
		*result = _utee_cryp_random_number_generate((void *)0x1000,
							    0xFFFFFFFFFFFFFFF0ull);
		return TEE_SUCCESS;
	case TA_WILDPTR_CMD_TIME_TO_UNMAPPED:
		*result = _utee_get_time(0, (TEE_Time *)(uintptr_t)TA_WILDPTR_UNMAPPED_VA);
		return TEE_SUCCESS;
	default:
		return TEE_ERROR_BAD_PARAMETERS;
	}
}

TEE_Result TA_InvokeCommandEntryPoint(void *sess_ctx, uint32_t cmd_id, uint32_t param_types,
				      TEE_Param params[4])
{
	const uint32_t expected = TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_OUTPUT, TEE_PARAM_TYPE_NONE,
						  TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE);
	TEE_Result result = TEE_ERROR_GENERIC;
	TEE_Result res;

	if (param_types != expected)
		return TEE_ERROR_BAD_PARAMETERS;
	res = run_bad_syscall(cmd_id, &result);
	if (res == TEE_SUCCESS) {
		params[0].value.a = result;
		params[0].value.b = 0;
	}
	return res;
}
