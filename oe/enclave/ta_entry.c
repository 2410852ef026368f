/*
 * What the dev kit's user_ta_header.c gives a normal TA and an OE enclave cannot (it has no
 * user_ta_header_defines.h): the ELF entry point and the symbols the loader writes or reads.
 * The TA header, properties and heap are in ta_defaults.c, the `.oeinfo` record in oeinfo.c,
 * each its own archive member so that OE_SET_ENCLAVE_OPTEE / OE_SET_ENCLAVE_SGX replace them.
 */
#include <tee_internal_api.h>
#include <user_ta_header.h>
#include <utee_types.h>

void __utee_entry(unsigned long func, unsigned long session_id, struct utee_params *up,
		  unsigned long cmd_id) __attribute__((noreturn));
void __ta_entry(unsigned long func, unsigned long session_id, struct utee_params *up,
		unsigned long cmd_id) __attribute__((noreturn));

__attribute__((no_stack_protector)) void __ta_entry(unsigned long func, unsigned long session_id,
						     struct utee_params *up, unsigned long cmd_id)
{
	__utee_entry(func, session_id, up, cmd_id);
}

#ifndef CFG_TEE_TA_LOG_LEVEL
#define CFG_TEE_TA_LOG_LEVEL 2
#endif
int trace_level = CFG_TEE_TA_LOG_LEVEL;
const char trace_ext_prefix[] = "TA";

struct __elf_phdr_info __elf_phdr_info;
