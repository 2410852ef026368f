/*
 * echo: memref round trips for the TEE Client API tests (temporary, whole and partial
 * memrefs, in place updates, short buffers).
 */
#include <tee_internal_api.h>
#include <echo_ta.h>

#define PT(a, b, c, d) TEE_PARAM_TYPES(TEE_PARAM_TYPE_##a, TEE_PARAM_TYPE_##b, TEE_PARAM_TYPE_##c, TEE_PARAM_TYPE_##d)

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

static TEE_Result copy(uint32_t pt, TEE_Param p[4])
{
	if (pt != PT(MEMREF_INPUT, MEMREF_OUTPUT, VALUE_OUTPUT, NONE))
		return TEE_ERROR_BAD_PARAMETERS;
	p[2].value.a = p[0].memref.size;
	p[2].value.b = p[1].memref.size;
	if (p[1].memref.size < p[0].memref.size) {
		p[1].memref.size = p[0].memref.size;
		return TEE_ERROR_SHORT_BUFFER;
	}
	TEE_MemMove(p[1].memref.buffer, p[0].memref.buffer, p[0].memref.size);
	p[1].memref.size = p[0].memref.size;
	return TEE_SUCCESS;
}

static TEE_Result reverse(uint32_t pt, TEE_Param p[4])
{
	uint8_t *b = p[0].memref.buffer;
	size_t n = p[0].memref.size;
	size_t i;

	if (pt != PT(MEMREF_INOUT, NONE, NONE, NONE))
		return TEE_ERROR_BAD_PARAMETERS;
	for (i = 0; i < n / 2; i++) {
		uint8_t t = b[i];

		b[i] = b[n - 1 - i];
		b[n - 1 - i] = t;
	}
	return TEE_SUCCESS;
}

static TEE_Result need(uint32_t pt, TEE_Param p[4])
{
	uint8_t *b = p[0].memref.buffer;
	size_t want;
	size_t i;

	if (pt != PT(MEMREF_OUTPUT, VALUE_INPUT, NONE, NONE))
		return TEE_ERROR_BAD_PARAMETERS;
	want = p[1].value.a;
	if (p[0].memref.size < want) {
		p[0].memref.size = want;
		return TEE_ERROR_SHORT_BUFFER;
	}
	for (i = 0; i < want; i++)
		b[i] = 0xa5;
	p[0].memref.size = want;
	return TEE_SUCCESS;
}

TEE_Result TA_InvokeCommandEntryPoint(void *sess_ctx, uint32_t cmd_id, uint32_t param_types, TEE_Param params[4])
{
	(void)sess_ctx;
	switch (cmd_id) {
	case TA_ECHO_CMD_COPY:
		return copy(param_types, params);
	case TA_ECHO_CMD_REVERSE:
		return reverse(param_types, params);
	case TA_ECHO_CMD_NEED:
		return need(param_types, params);
	default:
		return TEE_ERROR_BAD_PARAMETERS;
	}
}
