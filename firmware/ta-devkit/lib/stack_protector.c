/*
 * Stack protector support for TAs built with -fstack-protector-strong. The library itself is
 * built without it because __utee_entry runs before the guard holds its random value.
 */
#include <tee_internal_api.h>
#include <utee_syscalls.h>
#include "utee_private.h"

/* Recognisable in a panic report: "the stack canary was overwritten". */
#define STACK_SMASH_PANIC_CODE 0x5C5C5C5C

uintptr_t __stack_chk_guard;

void utee_seed_stack_guard(void)
{
	uintptr_t guard = 0;

	if (_utee_cryp_random_number_generate(&guard, sizeof(guard)) != TEE_SUCCESS)
		TEE_Panic(TEE_ERROR_GENERIC);
	__stack_chk_guard = guard;
}

void __stack_chk_fail(void) __attribute__((noreturn));
void __stack_chk_fail(void)
{
	TEE_Panic(STACK_SMASH_PANIC_CODE);
}
