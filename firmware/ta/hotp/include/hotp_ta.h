#ifndef TA_HOTP_H
#define TA_HOTP_H

#define TA_HOTP_UUID \
	{ 0x484d4143, 0x2d53, 0x4841, { 0x31, 0x20, 0x4a, 0x6f, 0x63, 0x6b, 0x65, 0x42 } }

#define TA_HOTP_CMD_REGISTER_SHARED_KEY 0	/* memref0 (input): shared key, up to 64 bytes */
#define TA_HOTP_CMD_GET_HOTP 1			/* value0 (output).a: next 6-digit HOTP value */

#endif /* TA_HOTP_H */
