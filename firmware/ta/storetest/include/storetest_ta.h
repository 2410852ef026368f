#ifndef TA_STORETEST_H
#define TA_STORETEST_H

#define TA_STORETEST_UUID \
	{ 0x5e1d7c3a, 0x9b2f, 0x4e6d, { 0x8a, 0x41, 0x0c, 0x7f, 0x3b, 0x9d, 0x2e, 0x58 } }

/*
 * Object handles live in STORETEST_SLOTS instance-wide slots. Every command returns the GP
 * function's result. "slot" is value.a of the named parameter.
 */
#define STORETEST_SLOTS 8
/* p0 memref-in id, p1 value-in {flags, slot}, p2 value-in {storage id} */
#define STORETEST_CMD_OPEN 0
/* p0 memref-in id, p1 value-in {flags, slot}, p2 memref-in initial data, p3 value-in {storage id} */
#define STORETEST_CMD_CREATE 1
/* p0 value-in {slot} */
#define STORETEST_CMD_CLOSE 2
/* p0 value-in {slot}, p1 memref-out (size = count read) */
#define STORETEST_CMD_READ 3
/* p0 value-in {slot}, p1 memref-in */
#define STORETEST_CMD_WRITE 4
/* p0 value-in {slot, whence}, p1 value-in {a = offset (int32)} */
#define STORETEST_CMD_SEEK 5
/* p0 value-in {slot, size} */
#define STORETEST_CMD_TRUNC 6
/* p0 value-in {slot}, p1 memref-in new id */
#define STORETEST_CMD_RENAME 7
/* p0 value-in {slot}: TEE_CloseAndDeletePersistentObject1 */
#define STORETEST_CMD_DELETE 8
/* p0 value-in {slot}, p1 value-out {dataSize, dataPosition}, p2 value-out {handleFlags, objectType},
 * p3 value-out {objectSize, objectUsage} */
#define STORETEST_CMD_INFO 9
/* p0 memref-out records {u32 id_len, id, u32 data_size}, p1 value-inout {a: storage id in, count out},
 * p2 value-in {a: reset-and-restart once after the first object (1) or not (0)} */
#define STORETEST_CMD_ENUM 10
/* p0 memref-in id, p1 value-in {flags, slot}, p2 memref-in AES key (16/24/32 bytes), p3 memref-in data:
 * creates the persistent object from a transient AES key object */
#define STORETEST_CMD_CREATE_KEY 11
/* p0 value-in {slot}, p1 memref-out secret value, p2 value-out {objectType, objectSize} */
#define STORETEST_CMD_GET_KEY 12
/* p0 value-in {a: case}, p1 value-out {a: raw syscall result}, p2 none or memref-in (case 8):
 * hostile raw syscalls, see storetest_ta.c */
#define STORETEST_CMD_RAW 13
/* p0 value-in {slot}, p1 value-in {a: usage}: TEE_RestrictObjectUsage1 */
#define STORETEST_CMD_RESTRICT 14

#endif /* TA_STORETEST_H */
