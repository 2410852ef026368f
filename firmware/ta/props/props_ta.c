/* props: exposes GP property reads to the normal world for conformance tests. */
#include <string.h>
#include <tee_internal_api.h>
#include <props_ta.h>

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

static bool is_propset(uint32_t set)
{
	return set >= 0xFFFFFFFDu;
}

static TEE_Result get_string(uint32_t param_types, TEE_Param params[4])
{
	const uint32_t expected = TEE_PARAM_TYPES(TEE_PARAM_TYPE_MEMREF_OUTPUT,
						  TEE_PARAM_TYPE_MEMREF_INPUT,
						  TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_NONE);
	char name[TA_PROPS_NAME_MAX + 1];
	size_t name_len = params[1].memref.size;
	size_t out_len = params[0].memref.size;
	TEE_Result res;

	if (param_types != expected || name_len > TA_PROPS_NAME_MAX ||
	    !is_propset(params[2].value.a))
		return TEE_ERROR_BAD_PARAMETERS;
	/* The caller's buffer is shared memory: copy it once, then terminate our copy. */
	memcpy(name, params[1].memref.buffer, name_len);
	name[name_len] = '\0';
	res = TEE_GetPropertyAsString((TEE_PropSetHandle)(uintptr_t)params[2].value.a, name,
				      params[0].memref.buffer, &out_len);
	params[0].memref.size = out_len;
	return res;
}

static TEE_Result data_size(uint32_t param_types, TEE_Param params[4])
{
	const uint32_t expected = TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_OUTPUT, TEE_PARAM_TYPE_NONE,
						  TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE);

	if (param_types != expected)
		return TEE_ERROR_BAD_PARAMETERS;
	params[0].value.b = 0;
	return TEE_GetPropertyAsU32(TEE_PROPSET_CURRENT_TA, "gpd.ta.dataSize",
				    &params[0].value.a);
}

TEE_Result TA_InvokeCommandEntryPoint(void *sess_ctx, uint32_t cmd_id, uint32_t param_types,
				      TEE_Param params[4])
{
	switch (cmd_id) {
	case TA_PROPS_CMD_GET_STRING:
		return get_string(param_types, params);
	case TA_PROPS_CMD_DATA_SIZE:
		return data_size(param_types, params);
	default:
		return TEE_ERROR_BAD_PARAMETERS;
	}
}
