/*
 * bench: test-only TA for `npm run bench`.
 *   0 SHA256: memref0 IN data, memref1 OUT 32-byte digest, value2 IN a = rounds (the digest
 *     of round n is chained into round n+1 by hashing data || previous digest).
 *   1 SYSCALL_LOOP: value0 IN a = count: makes `count` GET_CANCELLATION_FLAG syscalls.
 */
#ifndef BENCH_TA_H
#define BENCH_TA_H

#define TA_BENCH_UUID \
	{ 0x5e1d8a4c, 0x2b9f, 0x4e07, { 0xb3, 0x6a, 0x90, 0x12, 0xcc, 0x7d, 0x45, 0xe8 } }

#define TA_BENCH_CMD_SHA256 0
#define TA_BENCH_CMD_SYSCALL_LOOP 1

#endif
