/*
 * panic: lets tests kill a TA instance on purpose. Volatile values keep the compiler from
 * recognising the undefined behaviour and replacing it with a trap of its own.
 */
#include <tee_internal_api.h>
#include <panic_ta.h>

static volatile uintptr_t null_address;
static volatile uintptr_t unmapped_code = TA_PANIC_UNMAPPED_VA;
static volatile bool keep_recursing = true;

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

/* Each level keeps 256 bytes live across the call, so the stack only grows. */
static uint32_t recurse(volatile uint8_t *caller_frame, uint32_t depth)
{
	volatile uint8_t frame[256];

	frame[0] = (uint8_t)depth;
	frame[255] = caller_frame ? caller_frame[0] : 0;
	if (!keep_recursing)
		return frame[255];
	return recurse(frame, depth + 1) + frame[0];
}

TEE_Result TA_InvokeCommandEntryPoint(void *sess_ctx, uint32_t cmd_id, uint32_t param_types,
				      TEE_Param params[4])
{
	switch (cmd_id) {
	case TA_PANIC_CMD_PANIC:
		TEE_Panic(TA_PANIC_CODE);
	case TA_PANIC_CMD_NULL_STORE:
		*(volatile uint32_t *)null_address = 0xdeadbeef;
		break;
	case TA_PANIC_CMD_JUMP_UNMAPPED:
		((void (*)(void))unmapped_code)();
		break;
	case TA_PANIC_CMD_STACK_OVERFLOW:
		return recurse(NULL, 0);
	default:
		return TEE_ERROR_BAD_PARAMETERS;
	}
	EMSG("survived command %u, which should not happen", cmd_id);
	return TEE_ERROR_GENERIC;
}
