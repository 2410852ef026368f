/* The system pseudo-TA: the only commands the dev kit uses are the shareable-memory ones. */
#ifndef PTA_SYSTEM_H
#define PTA_SYSTEM_H

#define PTA_SYSTEM_UUID \
	{ 0x3a2f8978, 0x5dc0, 0x11e8, { 0x9c, 0x2d, 0xfa, 0x7a, 0xe0, 0x1b, 0xbe, 0xbc } }

/*
 * MAP_ZI: value0.a = bytes, value0.b = PTA_SYSTEM_MAP_FLAG_*, value1 (out) = address
 * (a = high 32 bits, b = low 32 bits), value2 = pad before / after (0 here).
 */
#define PTA_SYSTEM_MAP_ZI 2
/* UNMAP: value0.a = bytes, value1 = address (a = high, b = low). */
#define PTA_SYSTEM_UNMAP 3

#define PTA_SYSTEM_MAP_FLAG_SHAREABLE 1

#endif /* PTA_SYSTEM_H */
