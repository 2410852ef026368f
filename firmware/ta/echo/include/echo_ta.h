#ifndef TA_ECHO_H
#define TA_ECHO_H

#define TA_ECHO_UUID \
	{ 0x6f1b2e1c, 0x7c4e, 0x4d2b, { 0x9a, 0x57, 0x3e, 0x0c, 0x5d, 0x9a, 0x2b, 0x10 } }

/* memref0 (MEMREF_INPUT) copied to memref1 (MEMREF_OUTPUT); value2 (VALUE_OUTPUT) = {in size, out capacity} */
#define TA_ECHO_CMD_COPY 0
/* memref0 (MEMREF_INOUT) reversed in place */
#define TA_ECHO_CMD_REVERSE 1
/* memref0 (MEMREF_OUTPUT): size set to value1.a (VALUE_INPUT), TEE_ERROR_SHORT_BUFFER if it does not fit, else filled with 0xA5 */
#define TA_ECHO_CMD_NEED 2

#endif /* TA_ECHO_H */
