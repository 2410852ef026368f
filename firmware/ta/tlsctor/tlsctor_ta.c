/*
 * tlsctor: constructors and thread-local storage, for the loader tests.
 */
#include <tee_internal_api.h>
#include <tlsctor_ta.h>

static uint32_t from_constructor;
static __thread uint32_t tls_counter;
static __thread uint32_t tls_initialised = 0x7157;

__attribute__((constructor)) static void set_marker(void)
{
	from_constructor = 0xC0FFEE;
}

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
	return TEE_SUCCESS;
}

void TA_CloseSessionEntryPoint(void *ctx)
{
	(void)ctx;
}

TEE_Result TA_InvokeCommandEntryPoint(void *ctx, uint32_t cmd, uint32_t types, TEE_Param p[4])
{
	(void)ctx;
	if (cmd != TA_TLSCTOR_CMD_STATE)
		return TEE_ERROR_NOT_SUPPORTED;
	if (types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_OUTPUT, TEE_PARAM_TYPE_VALUE_OUTPUT,
				     TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE))
		return TEE_ERROR_BAD_PARAMETERS;
	p[0].value.a = from_constructor;
	p[0].value.b = ++tls_counter;
	p[1].value.a = tls_initialised;
	p[1].value.b = 0;
	return TEE_SUCCESS;
}
