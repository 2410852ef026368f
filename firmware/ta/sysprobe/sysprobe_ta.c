/*
 * sysprobe: raw syscalls for tests. See include/sysprobe_ta.h for the command layout.
 */
#include <tee_internal_api.h>
#include <sysprobe_ta.h>

static uint8_t scratch[SYSPROBE_SCRATCH_SIZE];
static const char rodata[] = "read-only data inside the TA image";

/* One svc #0 with x0..x7 and the number in x8; returns w0. */
static uint64_t raw_syscall(uint64_t num, const uint64_t a[8])
{
	register uint64_t x0 __asm__("x0") = a[0];
	register uint64_t x1 __asm__("x1") = a[1];
	register uint64_t x2 __asm__("x2") = a[2];
	register uint64_t x3 __asm__("x3") = a[3];
	register uint64_t x4 __asm__("x4") = a[4];
	register uint64_t x5 __asm__("x5") = a[5];
	register uint64_t x6 __asm__("x6") = a[6];
	register uint64_t x7 __asm__("x7") = a[7];
	register uint64_t x8 __asm__("x8") = num;

	__asm__ volatile("svc #0"
			 : "+r"(x0)
			 : "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5), "r"(x6), "r"(x7), "r"(x8)
			 : "memory");
	return x0;
}

static uint64_t resolve(uint64_t arg, void *param)
{
	uint64_t tag = arg >> 48;
	uint64_t off = arg & 0xffffffffull;

	if (tag == SYSPROBE_TAG_SCRATCH)
		return (uint64_t)(uintptr_t)scratch + off;
	if (tag == SYSPROBE_TAG_PARAM)
		return (uint64_t)(uintptr_t)param + off;
	if (tag == SYSPROBE_TAG_RODATA)
		return (uint64_t)(uintptr_t)rodata + off;
	return arg;
}

static TEE_Result cmd_raw(uint32_t types, TEE_Param p[4])
{
	uint64_t in[9];
	uint64_t args[8];
	size_t n = 0;

	if (types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_MEMREF_INOUT,
				     TEE_PARAM_TYPE_VALUE_OUTPUT, TEE_PARAM_TYPE_NONE) ||
	    p[0].memref.size != sizeof(in) || p[1].memref.size > sizeof(scratch))
		return TEE_ERROR_BAD_PARAMETERS;
	TEE_MemMove(in, p[0].memref.buffer, sizeof(in));
	TEE_MemMove(scratch, p[1].memref.buffer, p[1].memref.size);
	for (n = 0; n < 8; n++)
		args[n] = resolve(in[n], p[1].memref.buffer);
	p[2].value.a = (uint32_t)raw_syscall(in[8], args);
	p[2].value.b = 0;
	TEE_MemMove(p[1].memref.buffer, scratch, p[1].memref.size);
	return TEE_SUCCESS;
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
	if (cmd == TA_SYSPROBE_CMD_RAW)
		return cmd_raw(types, params);
	return TEE_ERROR_NOT_SUPPORTED;
}
