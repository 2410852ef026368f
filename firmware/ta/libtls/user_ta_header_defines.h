#ifndef USER_TA_HEADER_DEFINES_H
#define USER_TA_HEADER_DEFINES_H

#include <libtls_ta.h>

#define TA_UUID TA_LIBTLS_UUID
#define TA_STACK_SIZE (2 * 1024)
#define TA_DATA_SIZE (8 * 1024)
#define TA_VERSION "1.0"
#define TA_DESCRIPTION "Module table and TLS in a library TA (tests only)"

/*
 * The dev kit's user_ta_header.c defines __elf_phdr_info in every TA; this one must not (the
 * library TA does, as os_test_lib does for os_test). The macro renames that definition to an
 * unexported placeholder, so the main TA's references bind to the library's table.
 */
struct libtls_unused_phdr_info { int unused; };
#define __elf_phdr_info libtls_unused_phdr_info

#endif
