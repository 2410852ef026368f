#ifndef TA_MARKER_H
#define TA_MARKER_H

#define TA_MARKER_UUID \
	{ 0xc1962dd9, 0x169c, 0x4b1e, { 0xa5, 0x62, 0x25, 0xb1, 0xbd, 0xe2, 0xf5, 0x92 } }

/* value0 (VALUE_INOUT) a = an index: answers the marker's byte at that index (modulo its length)
 * in a and the marker's length in b, so a test can tell the TA ran without the marker ever
 * crossing to the normal world whole. */
#define TA_MARKER_CMD_BYTE_AT 0

#endif /* TA_MARKER_H */
