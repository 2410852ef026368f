/*
 * Ecalls (TEEC_InvokeCommand with OE's argument block) and the TA's RPCs back to the host
 * (ocalls and the runtime's host services), on the wire of docs/open-enclave.md.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "host_private.h"

#define GLOBAL_ID_NULL UINT64_MAX
#define TEEC_ERROR_TARGET_DEAD_ 0xFFFF3024u

/* The enclave whose ocall this thread is running (an ecall into it now would re-enter it). */
static __thread oe_enclave_t *in_ocall_of;

uint64_t oe_host_get_u64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

void oe_host_put_u64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/* The index of `name` in the enclave's ecall name table (the EDL's trusted functions' order). */
static oe_result_t local_id(oe_enclave_t *e, uint64_t *global_id, const char *name, uint64_t *id)
{
	if (global_id && *global_id != GLOBAL_ID_NULL && *global_id < e->ecall_count &&
	    e->ecalls[*global_id].name && !strcmp(e->ecalls[*global_id].name, name)) {
		*id = *global_id;
		return OE_OK;
	}
	for (uint32_t i = 0; i < e->ecall_count; i++) {
		if (e->ecalls[i].name && !strcmp(e->ecalls[i].name, name)) {
			*id = i;
			if (global_id)
				*global_id = i;
			return OE_OK;
		}
	}
	return OE_NOT_FOUND;
}

static oe_result_t from_teec(TEEC_Result res)
{
	switch (res) {
	case TEEC_SUCCESS:
		return OE_OK;
	case TEEC_ERROR_ITEM_NOT_FOUND:
		return OE_NOT_FOUND;
	case TEEC_ERROR_TARGET_DEAD_:
		return OE_ENCLAVE_ABORTED;
	default:
		return OE_UNEXPECTED;
	}
}

oe_result_t oe_call_enclave_function(oe_enclave_t *enclave, uint64_t *global_id, const char *name,
				     const void *input_buffer, size_t input_buffer_size, void *output_buffer,
				     size_t output_buffer_size, size_t *output_bytes_written)
{
	if (!enclave || enclave->magic != OE_ENCLAVE_MAGIC || !name)
		return OE_INVALID_PARAMETER;
	if (in_ocall_of == enclave)
		return OE_REENTRANT_ECALL; /* no TEE call: the TA is busy in this thread's ocall */
	uint64_t id;
	oe_result_t result = local_id(enclave, global_id, name, &id);

	if (result != OE_OK)
		return result;
	uint8_t args[OE_CALL_ARGS_SIZE] = { 0 };

	oe_host_put_u64(args + OE_ARGS_FUNCTION_ID, id);
	oe_host_put_u64(args + OE_ARGS_INPUT_BUFFER, (uintptr_t)input_buffer);
	oe_host_put_u64(args + OE_ARGS_INPUT_SIZE, input_buffer_size);
	oe_host_put_u64(args + OE_ARGS_OUTPUT_BUFFER, (uintptr_t)output_buffer);
	oe_host_put_u64(args + OE_ARGS_OUTPUT_SIZE, output_buffer_size);
	uint32_t initial = OE_UNEXPECTED;

	memcpy(args + OE_ARGS_RESULT, &initial, 4);

	TEEC_Operation op;

	memset(&op, 0, sizeof(op));
	op.paramTypes = TEEC_PARAM_TYPES(TEEC_NONE, TEEC_MEMREF_TEMP_INOUT,
					 input_buffer_size ? TEEC_MEMREF_TEMP_INPUT : TEEC_NONE,
					 output_buffer_size ? TEEC_MEMREF_TEMP_OUTPUT : TEEC_NONE);
	op.params[1].tmpref.buffer = args;
	op.params[1].tmpref.size = sizeof(args);
	op.params[2].tmpref.buffer = (void *)input_buffer;
	op.params[2].tmpref.size = input_buffer_size;
	op.params[3].tmpref.buffer = output_buffer;
	op.params[3].tmpref.size = output_buffer_size;

	uint32_t origin = 0;

	pthread_mutex_lock(&enclave->lock);
	TEEC_Result res = TEEC_InvokeCommand(&enclave->session, OE_ECALL_CALL_ENCLAVE_FUNCTION, &op, &origin);

	pthread_mutex_unlock(&enclave->lock);
	if (res != TEEC_SUCCESS)
		return from_teec(res);
	uint32_t call_result;

	memcpy(&call_result, args + OE_ARGS_RESULT, 4);
	if (call_result != OE_OK)
		return (oe_result_t)call_result;
	uint64_t written = oe_host_get_u64(args + OE_ARGS_WRITTEN);

	if (written > output_buffer_size)
		return OE_UNEXPECTED;
	if (output_bytes_written)
		*output_bytes_written = written;
	return OE_OK;
}

/* 0x8000: ocall_table[function_id]; any failure leaves args.result as the enclave set it. */
static TEEC_Result call_host_function(oe_enclave_t *e, uint8_t *args, size_t args_size, const uint8_t *input,
				      size_t input_size, uint8_t *output, size_t output_capacity,
				      size_t *output_size)
{
	if (args_size != OE_CALL_ARGS_SIZE)
		return TEEC_SUCCESS;
	uint64_t id = oe_host_get_u64(args + OE_ARGS_FUNCTION_ID);

	if (id >= e->ocall_count || !e->ocalls[id] || input_size % 16 || output_capacity % 16)
		return TEEC_SUCCESS;
	size_t written = 0;
	oe_enclave_t *outer = in_ocall_of;

	in_ocall_of = e;
	e->ocalls[id](input, input_size, output, output_capacity, &written);
	in_ocall_of = outer;
	if (written > output_capacity)
		return TEEC_SUCCESS;
	*output_size = written;
	oe_host_put_u64(args + OE_ARGS_WRITTEN, written);
	oe_host_put_u64(args + OE_ARGS_RESULT, OE_OK);
	return TEEC_SUCCESS;
}

/* A u64 argument of a host service: the input's first 8 bytes. */
static int arg_u64(const uint8_t *input, size_t input_size, uint64_t *v)
{
	if (input_size < 8)
		return -1;
	*v = oe_host_get_u64(input);
	return 0;
}

static TEEC_Result put_u64_output(uint64_t v, uint8_t *output, size_t output_capacity, size_t *output_size)
{
	if (output_capacity < 8)
		return TEEC_ERROR_SHORT_BUFFER;
	oe_host_put_u64(output, v);
	*output_size = 8;
	return TEEC_SUCCESS;
}

TEEC_Result oe_host_serve_rpc(void *arg, TEEC_Session *session, uint32_t func, uint8_t *args, size_t args_size,
			      const uint8_t *input, size_t input_size, uint8_t *output, size_t output_capacity,
			      size_t *output_size)
{
	oe_enclave_t *e = arg;
	uint64_t v;

	(void)session;
	*output_size = 0;
	switch (func) {
	case OE_OCALL_CALL_HOST_FUNCTION:
		return call_host_function(e, args, args_size, input, input_size, output, output_capacity, output_size);
	case OE_OCALL_MALLOC:
		if (arg_u64(input, input_size, &v))
			return TEEC_ERROR_BAD_PARAMETERS;
		return put_u64_output((uintptr_t)malloc(v ? v : 1), output, output_capacity, output_size);
	case OE_OCALL_FREE:
		if (arg_u64(input, input_size, &v))
			return TEEC_ERROR_BAD_PARAMETERS;
		free((void *)(uintptr_t)v);
		return TEEC_SUCCESS;
	case OE_OCALL_GET_TIME: {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		return put_u64_output((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000, output,
				      output_capacity, output_size);
	}
	case OE_OCALL_THREAD_WAKE:
	case OE_OCALL_THREAD_WAIT:
		return TEEC_ERROR_NOT_SUPPORTED;
	default:
		return TEEC_ERROR_ITEM_NOT_FOUND;
	}
}
