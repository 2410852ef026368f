#ifndef TA_PROPS_H
#define TA_PROPS_H

#define TA_PROPS_UUID \
	{ 0xac47fbe1, 0xc825, 0x4a9f, { 0xbd, 0x44, 0x23, 0x80, 0xbd, 0x2c, 0xaf, 0x07 } }

/*
 * memref0 (MEMREF_OUTPUT): TEE_GetPropertyAsString result, NUL included; memref0.size is the
 * needed size on TEE_ERROR_SHORT_BUFFER. memref1 (MEMREF_INPUT): property name (NUL optional,
 * at most TA_PROPS_NAME_MAX bytes). value2 (VALUE_INPUT) a: property set, 0xFFFFFFFD
 * TEE_IMPLEMENTATION, 0xFFFFFFFE CURRENT_CLIENT, 0xFFFFFFFF CURRENT_TA.
 */
#define TA_PROPS_CMD_GET_STRING 0
/* value0 (VALUE_OUTPUT) a = TEE_GetPropertyAsU32(CURRENT_TA, "gpd.ta.dataSize"). */
#define TA_PROPS_CMD_DATA_SIZE 1

#define TA_PROPS_NAME_MAX 128

#endif /* TA_PROPS_H */
