/*
 * sysprobe: a test-only TA that makes raw syscalls with arguments chosen by the client, so
 * tests can drive every syscall's success and failure paths (wild pointers included) from
 * outside. Not a sample to copy: real TAs use the GP API.
 */
#ifndef SYSPROBE_TA_H
#define SYSPROBE_TA_H

#define TA_SYSPROBE_UUID \
	{ 0x7a3f5c21, 0x0b6e, 0x4c8d, { 0x9e, 0x44, 0x1f, 0x2a, 0x60, 0xd1, 0x3b, 0x85 } }

/*
 * RAW: memref0 IN = 9 little-endian u64 (x0..x7, then the syscall number);
 *      memref1 INOUT = scratch data, copied into the TA's private scratch buffer before the
 *      call and back after it; value2 OUT: a = the syscall's result (w0).
 * An argument whose top 16 bits are one of these tags is replaced before the call:
 *   0x5C5C.... -> address of the private scratch buffer + low 32 bits
 *   0x5D5D.... -> address of memref1 as the TA sees it (client shared memory) + low 32 bits
 *   0x5E5E.... -> address of a read-only string in the TA image + low 32 bits
 */
#define TA_SYSPROBE_CMD_RAW 0

#define SYSPROBE_TAG_SCRATCH 0x5C5Cull
#define SYSPROBE_TAG_PARAM 0x5D5Dull
#define SYSPROBE_TAG_RODATA 0x5E5Eull
#define SYSPROBE_SCRATCH_SIZE 8192

#endif
