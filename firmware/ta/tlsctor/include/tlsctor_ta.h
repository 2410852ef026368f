/*
 * tlsctor: test-only TA for what the loader must set up beyond relocations: .init_array
 * constructors (run through __elf_phdr_info) and __thread variables (the TLS block at
 * TPIDR_EL0 + 16, laid out by the loader and the library alike).
 *   0 STATE: value0 OUT a = value a constructor stored (0xC0FFEE when constructors ran),
 *            b = a __thread counter after incrementing it (1, 2, ... per instance);
 *            value1 OUT a = the initial value of an initialised __thread variable (0x7157).
 */
#ifndef TLSCTOR_TA_H
#define TLSCTOR_TA_H

#define TA_TLSCTOR_UUID \
	{ 0x3b0c7e19, 0x5d24, 0x4f8a, { 0x86, 0x0e, 0x4a, 0x77, 0x1c, 0xd2, 0x95, 0x03 } }

#define TA_TLSCTOR_CMD_STATE 0

#endif
