/*
 * bench: workloads for `npm run bench` (see include/bench_ta.h).
 */
#include <tee_internal_api.h>
#include <bench_ta.h>
#include "sha256.h"

static TEE_Result cmd_sha256(uint32_t types, TEE_Param p[4])
{
	struct sha256 s;
	uint8_t digest[32] = { 0 };
	uint32_t round = 0;

	if (types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_MEMREF_OUTPUT,
				     TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_NONE) ||
	    p[1].memref.size < sizeof(digest))
		return TEE_ERROR_BAD_PARAMETERS;
	for (round = 0; round < p[2].value.a; round++) {
		sha256_init(&s);
		sha256_update(&s, p[0].memref.buffer, p[0].memref.size);
		sha256_update(&s, digest, round ? sizeof(digest) : 0);
		sha256_final(&s, digest);
	}
	TEE_MemMove(p[1].memref.buffer, digest, sizeof(digest));
	p[1].memref.size = sizeof(digest);
	return TEE_SUCCESS;
}

static TEE_Result cmd_syscall_loop(uint32_t types, TEE_Param p[4])
{
	uint32_t i = 0;
	bool cancelled = false;

	if (types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_NONE,
				     TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE))
		return TEE_ERROR_BAD_PARAMETERS;
	for (i = 0; i < p[0].value.a; i++)
		cancelled |= TEE_GetCancellationFlag();
	return cancelled ? TEE_ERROR_CANCEL : TEE_SUCCESS;
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

TEE_Result TA_InvokeCommandEntryPoint(void *ctx, uint32_t cmd, uint32_t types, TEE_Param params[4])
{
	(void)ctx;
	switch (cmd) {
	case TA_BENCH_CMD_SHA256:
		return cmd_sha256(types, params);
	case TA_BENCH_CMD_SYSCALL_LOOP:
		return cmd_syscall_loop(types, params);
	default:
		return TEE_ERROR_NOT_SUPPORTED;
	}
}
