/* The system pseudo-TA: the commands the dev kit uses (shareable memory, supplicant plugins). */
#ifndef PTA_SYSTEM_H
#define PTA_SYSTEM_H

#define PTA_SYSTEM_UUID \
	{ 0x3a2f8978, 0x5dc0, 0x11e8, { 0x9c, 0x2d, 0xfa, 0x7a, 0xe0, 0x1b, 0xbe, 0xbc } }

/*
 * DERIVE_TA_UNIQUE_KEY: memref0 (in) = extra data (at most 1024 bytes), memref1 (out) = the key,
 * 16 to 32 bytes, which must lie in TA memory (TEE_ERROR_SECURITY otherwise).
 */
#define PTA_SYSTEM_DERIVE_TA_UNIQUE_KEY 1
/*
 * MAP_ZI: value0.a = bytes, value0.b = PTA_SYSTEM_MAP_FLAG_*, value1 (out) = address
 * (a = high 32 bits, b = low 32 bits), value2 = pad before / after (0 here).
 */
#define PTA_SYSTEM_MAP_ZI 2
/* UNMAP: value0.a = bytes, value1 = address (a = high, b = low). */
#define PTA_SYSTEM_UNMAP 3

#define PTA_SYSTEM_MAP_FLAG_SHAREABLE 1

/*
 * SUPP_PLUGIN_INVOKE: memref0 (in) = the plugin's TEE_UUID, value1 (in) = cmd, sub_cmd,
 * memref2 (inout) = data, value3 (out) a = the length the plugin answers.
 */
#define PTA_SYSTEM_SUPP_PLUGIN_INVOKE 13

#endif /* PTA_SYSTEM_H */
