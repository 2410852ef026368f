/* OCALLs: the enclave's calls to its host, through the RPC pseudo-TA (contract "OCALL wire"). */
#include <string.h>
#include <tee_internal_api.h>
#include <openenclave/enclave.h>
#include "oe_private.h"

oe_result_t oe_call_host_function(size_t function_id, const void *input_buffer, size_t input_buffer_size,
				  void *output_buffer, size_t output_buffer_size,
				  size_t *output_bytes_written)
{
	oe_wire_ocall_args_t args;
	TEE_Param params[4];
	uint32_t origin = 0;
	TEE_Result res;

	if (!input_buffer || !input_buffer_size)
		return OE_INVALID_PARAMETER;
	if (oe_rpc_session == TEE_HANDLE_NULL)
		return OE_UNEXPECTED;
	memset(&args, 0, sizeof(args));
	args.function_id = function_id;
	args.input_buffer = (uintptr_t)input_buffer;
	args.input_buffer_size = input_buffer_size;
	args.output_buffer = (uintptr_t)output_buffer;
	args.output_buffer_size = output_buffer_size;
	args.result = OE_UNEXPECTED;

	memset(params, 0, sizeof(params));
	params[0].value.a = OE_OCALL_CALL_HOST_FUNCTION;
	params[0].value.b = 0;
	params[1].memref.buffer = &args;
	params[1].memref.size = sizeof(args);
	params[2].memref.buffer = (void *)input_buffer;
	params[2].memref.size = input_buffer_size;
	params[3].memref.buffer = output_buffer;
	params[3].memref.size = output_buffer ? output_buffer_size : 0;
	res = TEE_InvokeTACommand(oe_rpc_session, TEE_TIMEOUT_INFINITE, OE_PTA_RPC_EXECUTE,
				  TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_MEMREF_INOUT,
						  TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_MEMREF_OUTPUT),
				  params, &origin);
	if (res != TEE_SUCCESS)
		return OE_FAILURE;
	if (args.result != OE_OK)
		return (oe_result_t)args.result;
	if (args.output_bytes_written > output_buffer_size)
		return OE_UNEXPECTED;
	if (output_bytes_written)
		*output_bytes_written = args.output_bytes_written;
	return OE_OK;
}

/* The marshalling buffer of one OCALL; in enclave memory (TA-to-TA calls bounce it anyway). */
void *oe_allocate_ocall_buffer(size_t size)
{
	return TEE_Malloc(size, TEE_MALLOC_FILL_ZERO);
}

void oe_free_ocall_buffer(void *buffer)
{
	TEE_Free(buffer);
}

/* OE's switchless variant: not available, as on OE's own OP-TEE port. */
oe_result_t oe_call_host_function_by_table_id(uint64_t table_id, uint64_t function_id,
					      const void *input_buffer, size_t input_buffer_size,
					      void *output_buffer, size_t output_buffer_size,
					      size_t *output_bytes_written, bool switchless)
{
	(void)table_id;
	if (switchless)
		return OE_UNSUPPORTED;
	return oe_call_host_function(function_id, input_buffer, input_buffer_size, output_buffer,
				     output_buffer_size, output_bytes_written);
}

oe_result_t oe_switchless_call_host_function(size_t function_id, const void *input_buffer,
					     size_t input_buffer_size, void *output_buffer,
					     size_t output_buffer_size, size_t *output_bytes_written)
{
	/* Switchless calls degrade to ordinary OCALLs (no worker threads in a TA). */
	return oe_call_host_function(function_id, input_buffer, input_buffer_size, output_buffer,
				     output_buffer_size, output_bytes_written);
}
