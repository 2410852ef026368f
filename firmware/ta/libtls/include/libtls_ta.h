/*
 * libtls: test-only TA for what OP-TEE's os_test / os_test_lib pair needs (xtest 1006, 1029,
 * 1030), without OP-TEE sources. The main TA links against a library TA (DT_NEEDED) that
 * defines the module table __elf_phdr_info and __thread variables of its own; the main TA does
 * not define __elf_phdr_info (as os_test, whose libutee lives in os_test_lib).
 *   0 MODULES: value0 OUT a = modules in __elf_phdr_info (what dl_iterate_phdr walks; 2),
 *              b = 1 when one of them is the library (its load bias is lib_marker's module).
 *   1 LIB_TLS: value0 OUT a = the library's initialised __thread variable (0x11b7),
 *              b = the library's __thread counter after incrementing it (1, 2, ...).
 *   2 SYSTEM_PTA_4X: reaches the system PTA as OP-TEE 4.x libutee does: opened with ret_orig
 *              NULL, MAP_ZI with value1 INOUT (wanted address 0), then UNMAP; then opens a
 *              nested session to itself with a memref in the mapping.
 *              value0 OUT a = first failing step (0 = none), b = its result.
 *   4 DLOPEN: PTA_SYSTEM_DLOPEN of the library TA TA_LIBTLS_DL_UUID_STR (not linked in), as
 *              libdl's dlopen(): value0 OUT a = modules in __elf_phdr_info afterwards (3),
 *              b = the DLOPEN result.
 *   5 DLSYM:  dlopen() of the dl library, then PTA_SYSTEM_DLSYM as libdl's dlsym():
 *              value0 OUT a = libtls_dl_value() called through the dl library's handle (0xd1),
 *              b = libtls_lib_initial() through dlopen(NULL)'s handle (0x11b7);
 *              value1 OUT a = the result for a name no module defines (ITEM_NOT_FOUND),
 *              b = the object libtls_dl_marker read through dlopen(NULL)'s handle (0xd1).
 */
#ifndef LIBTLS_TA_H
#define LIBTLS_TA_H

#define TA_LIBTLS_UUID \
	{ 0x5f376e08, 0x2834, 0x4000, { 0x93, 0x36, 0xc3, 0x21, 0x30, 0x20, 0xb1, 0xa3 } }
#define TA_LIBTLS_LIB_UUID_STR "25ddc037-2f95-40c2-b95e-b7e40c04a7e3"
#define TA_LIBTLS_DL_UUID \
	{ 0x4a8de036, 0xdf81, 0x4e80, { 0x91, 0x1e, 0xf6, 0x98, 0x33, 0xa5, 0x44, 0x39 } }

#define TA_LIBTLS_CMD_MODULES 0
#define TA_LIBTLS_CMD_LIB_TLS 1
#define TA_LIBTLS_CMD_SYSTEM_PTA_4X 2
#define TA_LIBTLS_CMD_ECHO 3
#define TA_LIBTLS_CMD_DLOPEN 4
#define TA_LIBTLS_CMD_DLSYM 5

/* Exported by the library TA. */
unsigned int libtls_lib_next(void);
unsigned int libtls_lib_initial(void);
extern const unsigned int libtls_lib_marker;

#endif
