/*
 * PSCI function ids used by the normal-world firmware (SMC32 fast calls, owner 4 =
 * standard secure service). The monitor answers them; SYSTEM_OFF and SYSTEM_RESET do not
 * return. Plain "#define NAME value" lines: parsed by the TypeScript tests.
 */
#ifndef TRUSTBOX_PSCI_H
#define TRUSTBOX_PSCI_H

/* Out: a0 = version, major in bits 31:16, minor in bits 15:0. */
#define PSCI_VERSION            0x84000000
#define PSCI_CPU_OFF            0x84000002
#define PSCI_SYSTEM_OFF         0x84000008
#define PSCI_SYSTEM_RESET       0x84000009
/* In: a1 = function id. Out: a0 = feature flags, or PSCI_E_NOT_SUPPORTED. */
#define PSCI_FEATURES           0x8400000A

/* Return value of a call the monitor does not implement (-1 as a 32-bit word). */
#define PSCI_E_NOT_SUPPORTED    0xFFFFFFFF

#endif
