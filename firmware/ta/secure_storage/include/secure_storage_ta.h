#ifndef TA_SECURE_STORAGE_H
#define TA_SECURE_STORAGE_H

#define TA_SECURE_STORAGE_UUID \
	{ 0xf4e750bb, 0x1437, 0x4fbf, { 0x87, 0x85, 0x8d, 0x35, 0x80, 0xc3, 0x49, 0x94 } }

/* memref0 (MEMREF_INPUT) = object id; memref1 (MEMREF_OUTPUT) = data (SHORT_BUFFER + needed size). */
#define TA_SECURE_STORAGE_CMD_READ_RAW 0
/* memref0 (MEMREF_INPUT) = object id; memref1 (MEMREF_INPUT) = data; creates or overwrites. */
#define TA_SECURE_STORAGE_CMD_WRITE_RAW 1
/* memref0 (MEMREF_INPUT) = object id. */
#define TA_SECURE_STORAGE_CMD_DELETE 2

#endif /* TA_SECURE_STORAGE_H */
