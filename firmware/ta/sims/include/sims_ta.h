/*
 * sims / single: test-only TAs for OP-TEE's instance rules. Both are built from sims_ta.c.
 *   sims:   SINGLE_INSTANCE | MULTI_SESSION | INSTANCE_KEEP_ALIVE
 *   single: SINGLE_INSTANCE only (a second session is refused with TEE_ERROR_BUSY)
 * Commands: 0 COUNT (value0 out: a = instance-wide counter after incrementing it, b = number
 * of open sessions), 1 PANIC.
 */
#ifndef SIMS_TA_H
#define SIMS_TA_H

#define TA_SIMS_UUID \
	{ 0x2d8e6f0a, 0x77c1, 0x4b3e, { 0xa5, 0x1d, 0x0c, 0x93, 0x4e, 0x22, 0xb7, 0x61 } }
#define TA_SINGLE_UUID \
	{ 0x9c41b7e2, 0x3f05, 0x4d6a, { 0x8b, 0x72, 0xe1, 0x5d, 0x09, 0xa4, 0xc3, 0x18 } }

#define TA_SIMS_CMD_COUNT 0
#define TA_SIMS_CMD_PANIC 1

#endif
