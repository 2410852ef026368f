#ifndef TA_LOOP_H
#define TA_LOOP_H

#define TA_LOOP_UUID \
	{ 0xc93e419b, 0x2768, 0x4785, { 0x98, 0xaf, 0x50, 0x3b, 0x36, 0xa3, 0x0e, 0x41 } }

#define TA_LOOP_CMD_SPIN 0        /* no params; loops forever without a syscall */
#define TA_LOOP_CMD_UNTIL_CANCEL 1 /* no params; polls the cancellation flag, TEE_ERROR_CANCEL */
#define TA_LOOP_CMD_WAIT 2        /* value0 (VALUE_INPUT) a = milliseconds for TEE_Wait */
#define TA_LOOP_CMD_WAIT_FOREVER 3 /* no params; TEE_Wait(50) in a loop: each wait is short */
#define TA_LOOP_CMD_REE_TIME_SPIN 4 /* no params; TEE_GetREETime in a loop: an RPC each time */
#define TA_LOOP_CMD_WAIT_CANCELLABLE 5 /* value0 (VALUE_INPUT) a = ms: TEE_Wait with cancellation unmasked */
/* value0 (VALUE_INPUT) a = ms to wait first; memref1 (INOUT or OUTPUT); value2 (VALUE_OUTPUT) = the
 * memref's first 8 bytes after the wait; then the memref is filled with 0xa5 */
#define TA_LOOP_CMD_WAIT_THEN_TOUCH 6
/* Open with value0 (VALUE_INPUT) a = this: the open polls the cancellation flag, TEE_ERROR_CANCEL */
#define TA_LOOP_OPEN_UNTIL_CANCEL 1

#endif /* TA_LOOP_H */
