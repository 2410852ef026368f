#ifndef TA_WILDPTR_H
#define TA_WILDPTR_H

#define TA_WILDPTR_UUID \
	{ 0x4855eb42, 0x6aee, 0x4d59, { 0xb7, 0x20, 0xff, 0x08, 0x5e, 0x67, 0xad, 0xfe } }

/*
 * Every command takes value0 (VALUE_OUTPUT) and stores the raw syscall's result in value0.a;
 * the command itself returns TEE_SUCCESS. The TA never checks the pointers: the core must.
 */
#define TA_WILDPTR_CMD_LOG_LOW_ADDRESS 0   /* _utee_log(0x10, 64) */
#define TA_WILDPTR_CMD_RANDOM_TO_RODATA 1  /* RNG output into a string literal (read-only) */
#define TA_WILDPTR_CMD_RANDOM_OVERFLOW 2   /* RNG output to 0x1000, length 0xFFFFFFFFFFFFFFF0 */
#define TA_WILDPTR_CMD_TIME_TO_UNMAPPED 3  /* get_time (system) into TA_WILDPTR_UNMAPPED_VA */

#define TA_WILDPTR_UNMAPPED_VA 0x000000dead000000ull

#endif /* TA_WILDPTR_H */
