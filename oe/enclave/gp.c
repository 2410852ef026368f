/*
 * The GP entry points of an Open Enclave enclave: an OE enclave defines no TA_* functions, the
 * runtime does. Command 2 dispatches ECALLs through the generated oe_ecalls_table (contract).
 */
#include <string.h>
#include <tee_internal_api.h>
#include "oe_private.h"

typedef void (*oe_ecall_func_t)(const uint8_t *input_buffer, size_t input_buffer_size,
				uint8_t *output_buffer, size_t output_buffer_size,
				size_t *output_bytes_written);

/* Defined by the generated <name>_t.c; weak so that an enclave without EDL still links. */
extern oe_ecall_func_t oe_ecalls_table[] __attribute__((weak));
extern size_t oe_ecalls_table_size __attribute__((weak));

TEE_TASessionHandle oe_rpc_session = TEE_HANDLE_NULL;

/*
 * The `.oeinfo` record: the enclave's own (OE_SET_ENCLAVE_SGX/OPTEE) or liboeenclave's default.
 * Referenced here so that the default is linked in when the enclave defines none: oesign and
 * the oe-keys pseudo-TA look for the section.
 */
extern const struct oe_optee_enclave_info oe_optee_enclave_info;
const volatile void *const oe_enclave_info_ref = &oe_optee_enclave_info;

TEE_Result TA_CreateEntryPoint(void)
{
	const TEE_UUID rpc = OE_PTA_RPC_UUID;
	uint32_t origin = 0;
	TEE_Param params[4];

	oe_memory_note_stack(__builtin_frame_address(0));
	memset(params, 0, sizeof(params));
	/* Constructors already ran (the dev kit's entry runs DT_INIT_ARRAY before this). */
	return TEE_OpenTASession(&rpc, TEE_TIMEOUT_INFINITE, TEE_PARAM_TYPE_NONE, params,
				 &oe_rpc_session, &origin);
}

void TA_DestroyEntryPoint(void)
{
	oe_run_atexit();
	if (oe_rpc_session != TEE_HANDLE_NULL) {
		TEE_CloseTASession(oe_rpc_session);
		oe_rpc_session = TEE_HANDLE_NULL;
	}
}

TEE_Result TA_OpenSessionEntryPoint(uint32_t types, TEE_Param params[4], void **ctx)
{
	(void)params;
	*ctx = NULL;
	if (types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE,
				     TEE_PARAM_TYPE_NONE))
		return TEE_ERROR_BAD_PARAMETERS;
	return TEE_SUCCESS;
}

void TA_CloseSessionEntryPoint(void *ctx)
{
	(void)ctx;
}

static TEE_Result call_enclave_function(uint32_t types, TEE_Param params[4])
{
	oe_wire_ecall_args_t *wire;
	oe_wire_ecall_args_t args;
	uint32_t t1 = TEE_PARAM_TYPE_GET(types, 1);
	uint32_t t2 = TEE_PARAM_TYPE_GET(types, 2);
	uint32_t t3 = TEE_PARAM_TYPE_GET(types, 3);
	uint32_t t0 = TEE_PARAM_TYPE_GET(types, 0);
	size_t in_size = 0, out_size = 0, written = 0;
	uint8_t *in = NULL, *out = NULL;
	TEE_Result res = TEE_SUCCESS;

	if ((t0 != TEE_PARAM_TYPE_NONE && t0 != TEE_PARAM_TYPE_VALUE_INPUT) ||
	    t1 != TEE_PARAM_TYPE_MEMREF_INOUT ||
	    (t2 != TEE_PARAM_TYPE_NONE && t2 != TEE_PARAM_TYPE_MEMREF_INPUT) ||
	    (t3 != TEE_PARAM_TYPE_NONE && t3 != TEE_PARAM_TYPE_MEMREF_OUTPUT) ||
	    params[1].memref.size != sizeof(args) || !params[1].memref.buffer)
		return TEE_ERROR_BAD_PARAMETERS;
	wire = params[1].memref.buffer;
	memcpy(&args, wire, sizeof(args)); /* one read of the host's copy */

	if (!oe_ecalls_table || !&oe_ecalls_table_size || args.function_id >= oe_ecalls_table_size ||
	    !oe_ecalls_table[args.function_id]) {
		wire->result = OE_NOT_FOUND;
		return TEE_ERROR_ITEM_NOT_FOUND;
	}
	if (t2 == TEE_PARAM_TYPE_MEMREF_INPUT)
		in_size = params[2].memref.size;
	if (t3 == TEE_PARAM_TYPE_MEMREF_OUTPUT)
		out_size = params[3].memref.size;
	/* Both buffers move into enclave memory: the callee checks oe_is_within_enclave. */
	if (in_size) {
		in = TEE_Malloc(in_size, TEE_MALLOC_NO_FILL);
		if (!in) {
			res = TEE_ERROR_OUT_OF_MEMORY;
			goto out;
		}
		memcpy(in, params[2].memref.buffer, in_size);
	}
	if (out_size) {
		out = TEE_Malloc(out_size, TEE_MALLOC_FILL_ZERO);
		if (!out) {
			res = TEE_ERROR_OUT_OF_MEMORY;
			goto out;
		}
	}
	oe_ecalls_table[args.function_id](in, in_size, out, out_size, &written);
	if (written > out_size)
		written = out_size;
	if (out_size)
		memcpy(params[3].memref.buffer, out, out_size);
	wire->output_bytes_written = written;
	wire->result = OE_OK;
out:
	if (res == TEE_ERROR_OUT_OF_MEMORY)
		wire->result = OE_OUT_OF_MEMORY;
	TEE_Free(in);
	TEE_Free(out);
	return res;
}

TEE_Result TA_InvokeCommandEntryPoint(void *ctx, uint32_t cmd, uint32_t types, TEE_Param params[4])
{
	(void)ctx;
	oe_memory_note_stack(__builtin_frame_address(0));
	switch (cmd) {
	case OE_ECALL_CALL_ENCLAVE_FUNCTION:
		return call_enclave_function(types, params);
	case OE_ECALL_DESTRUCTOR:
	case OE_ECALL_INIT_ENCLAVE:
		return TEE_ERROR_BAD_STATE;
	case OE_ECALL_VIRTUAL_EXCEPTION_HANDLER:
		return TEE_ERROR_NOT_IMPLEMENTED;
	default:
		return TEE_ERROR_ITEM_NOT_FOUND;
	}
}
