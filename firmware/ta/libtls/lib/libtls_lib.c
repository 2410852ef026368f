/*
 * The library TA of libtls: the module table (__elf_phdr_info, which the loader must find here
 * and not in the main TA) and __thread variables in the library's own TLS block.
 */
#include <tee_internal_api.h>
#include <user_ta_header.h>
#include <libtls_ta.h>

struct __elf_phdr_info __elf_phdr_info;
const unsigned int libtls_lib_marker = 0x11b;

static __thread unsigned int lib_counter;
static __thread unsigned int lib_initialised = 0x11b7;

unsigned int libtls_lib_next(void)
{
	return ++lib_counter;
}

unsigned int libtls_lib_initial(void)
{
	return lib_initialised;
}
