#ifndef TA_RANDOM_H
#define TA_RANDOM_H

#define TA_RANDOM_UUID \
	{ 0xb6c53aba, 0x9669, 0x4668, { 0xa7, 0xf2, 0x20, 0x56, 0x29, 0xd0, 0x0f, 0x86 } }

/* memref0 (MEMREF_OUTPUT): filled with random bytes, its whole size. */
#define TA_RANDOM_CMD_GENERATE 0

#endif /* TA_RANDOM_H */
