/* The rpcprobe TA: one RPC (an Open Enclave ocall's transport) per command, for the tests. */
#include <tee_internal_api.h>
#include <tee_internal_api_extensions.h>
#include <string.h>

#include <rpcprobe_ta.h>

static const TEE_UUID rpc_pta = { 0xad0fd0ae, 0x09e1, 0x464b,
	{ 0x98, 0xed, 0x06, 0x07, 0xec, 0x9e, 0xbd, 0x8b } };

static TEE_TASessionHandle rpc_session = TEE_HANDLE_NULL;

TEE_Result TA_CreateEntryPoint(void)
{
	uint32_t origin = 0;

	return TEE_OpenTASession(&rpc_pta, TEE_TIMEOUT_INFINITE, 0, NULL, &rpc_session, &origin);
}

void TA_DestroyEntryPoint(void)
{
	if (rpc_session != TEE_HANDLE_NULL)
		TEE_CloseTASession(rpc_session);
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

/* Copies the client's buffers into TA memory, makes the RPC, copies args and output back. */
static TEE_Result one_rpc(TEE_Param params[4])
{
	static uint8_t args[256], in[4096], out[4096];
	uint32_t origin = 0;
	size_t args_n = params[1].memref.size;
	size_t in_n = params[2].memref.size;
	size_t out_n = params[3].memref.size;

	if (args_n > sizeof(args) || in_n > sizeof(in) || out_n > sizeof(out))
		return TEE_ERROR_BAD_PARAMETERS;
	memcpy(args, params[1].memref.buffer, args_n);
	memcpy(in, params[2].memref.buffer, in_n);

	TEE_Param p[4] = { 0 };
	p[0].value.a = params[0].value.a;
	p[1].memref.buffer = args;
	p[1].memref.size = args_n;
	p[2].memref.buffer = in;
	p[2].memref.size = in_n;
	p[3].memref.buffer = out;
	p[3].memref.size = out_n;
	uint32_t types = TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_MEMREF_INOUT,
					 TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_MEMREF_OUTPUT);
	TEE_Result res = TEE_InvokeTACommand(rpc_session, TEE_TIMEOUT_INFINITE, 0, types, p, &origin);

	if (res != TEE_SUCCESS)
		return res;
	memcpy(params[1].memref.buffer, args, args_n);
	if (p[3].memref.size > out_n)
		return TEE_ERROR_GENERIC;
	memcpy(params[3].memref.buffer, out, p[3].memref.size);
	params[3].memref.size = p[3].memref.size;
	return TEE_SUCCESS;
}

/* tee_invoke_supp_plugin() with the client's UUID, cmd, sub_cmd and data (copied into the TA). */
static TEE_Result supp_plugin(uint32_t types, TEE_Param params[4])
{
	static uint8_t data[4096];
	TEE_UUID uuid = { 0 };
	size_t n = params[2].memref.size;
	size_t outlen = 0;

	if (types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_VALUE_INPUT,
				     TEE_PARAM_TYPE_MEMREF_INOUT, TEE_PARAM_TYPE_VALUE_OUTPUT) ||
	    params[0].memref.size != sizeof(uuid) || n > sizeof(data))
		return TEE_ERROR_BAD_PARAMETERS;
	memcpy(&uuid, params[0].memref.buffer, sizeof(uuid));
	memcpy(data, params[2].memref.buffer, n);
	params[3].value.b = tee_invoke_supp_plugin(&uuid, params[1].value.a, params[1].value.b,
						   n ? data : NULL, n, &outlen);
	params[3].value.a = outlen;
	memcpy(params[2].memref.buffer, data, n);
	return TEE_SUCCESS;
}

TEE_Result TA_InvokeCommandEntryPoint(void *ctx, uint32_t cmd, uint32_t types, TEE_Param params[4])
{
	(void)ctx;
	if (cmd == TA_RPCPROBE_CMD_SUPP_PLUGIN)
		return supp_plugin(types, params);
	if (types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_MEMREF_INOUT,
				     TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_MEMREF_OUTPUT))
		return TEE_ERROR_BAD_PARAMETERS;
	switch (cmd) {
	case TA_RPCPROBE_CMD_RPC:
		return one_rpc(params);
	case TA_RPCPROBE_CMD_RPC_TWICE: {
		TEE_Result res = one_rpc(params);

		return res != TEE_SUCCESS ? res : one_rpc(params);
	}
	case TA_RPCPROBE_CMD_PANIC_AFTER:
		one_rpc(params);
		TEE_Panic(0x0ca11);
		return TEE_ERROR_GENERIC;
	default:
		return TEE_ERROR_NOT_SUPPORTED;
	}
}
