/*
 * Conversion between the kernel's struct utee_params (two u64 per parameter) and GP's TEE_Param.
 * Both directions are needed: at TA entry (kernel -> TA and back) and for TA-to-TA calls.
 */
#include <tee_api_defines.h>
#include "utee_private.h"

static bool is_memref(uint32_t t)
{
	return t == TEE_PARAM_TYPE_MEMREF_INPUT || t == TEE_PARAM_TYPE_MEMREF_OUTPUT ||
	       t == TEE_PARAM_TYPE_MEMREF_INOUT;
}

static bool is_value(uint32_t t)
{
	return t == TEE_PARAM_TYPE_VALUE_INPUT || t == TEE_PARAM_TYPE_VALUE_OUTPUT ||
	       t == TEE_PARAM_TYPE_VALUE_INOUT;
}

static bool is_output(uint32_t t)
{
	return t == TEE_PARAM_TYPE_VALUE_OUTPUT || t == TEE_PARAM_TYPE_VALUE_INOUT ||
	       t == TEE_PARAM_TYPE_MEMREF_OUTPUT || t == TEE_PARAM_TYPE_MEMREF_INOUT;
}

void utee_params_to_tee(const struct utee_params *up, TEE_Param params[4])
{
	for (unsigned int n = 0; n < 4; n++) {
		uint32_t t = TEE_PARAM_TYPE_GET(up->types, n);
		uint64_t a = up->vals[2 * n];
		uint64_t b = up->vals[2 * n + 1];

		if (is_memref(t)) {
			params[n].memref.buffer = (void *)(uintptr_t)a;
			params[n].memref.size = b;
		} else {
			/* NONE and VALUE_OUTPUT arrive as zeros, which is what GP asks for. */
			params[n].value.a = (uint32_t)a;
			params[n].value.b = (uint32_t)b;
		}
	}
}

void tee_params_to_utee(uint32_t types, const TEE_Param params[4], struct utee_params *up)
{
	up->types = types;
	for (unsigned int n = 0; n < 4; n++) {
		uint32_t t = TEE_PARAM_TYPE_GET(types, n);

		if (is_memref(t)) {
			up->vals[2 * n] = (uintptr_t)params[n].memref.buffer;
			up->vals[2 * n + 1] = params[n].memref.size;
		} else if (is_value(t)) {
			up->vals[2 * n] = params[n].value.a;
			up->vals[2 * n + 1] = params[n].value.b;
		} else {
			up->vals[2 * n] = 0;
			up->vals[2 * n + 1] = 0;
		}
	}
}

/* Only outputs travel back: value a/b, or the (possibly larger than the buffer) memref size. */
void tee_params_copy_back(uint32_t types, const struct utee_params *up, TEE_Param params[4])
{
	for (unsigned int n = 0; n < 4; n++) {
		uint32_t t = TEE_PARAM_TYPE_GET(types, n);

		if (!is_output(t))
			continue;
		if (is_memref(t)) {
			params[n].memref.size = up->vals[2 * n + 1];
		} else {
			params[n].value.a = (uint32_t)up->vals[2 * n];
			params[n].value.b = (uint32_t)up->vals[2 * n + 1];
		}
	}
}
