#ifndef TA_TA2TA_H
#define TA_TA2TA_H

#define TA_TA2TA_UUID \
	{ 0x49f9d96d, 0x8694, 0x4b40, { 0xa5, 0xc6, 0xdf, 0x87, 0x51, 0xf6, 0xfd, 0x3f } }

/* value0 (VALUE_INOUT): hello_world's INC_VALUE applied to value0.a through a TA-to-TA call. */
#define TA_TA2TA_CMD_HELLO_INC 0
/*
 * memref0 (MEMREF_OUTPUT, 1..TA_TA2TA_RANDOM_MAX bytes): random's GENERATE into a buffer on
 * this TA's stack (private memory, so the dev kit bounces it), then copied to memref0.
 */
#define TA_TA2TA_CMD_RANDOM_VIA_STACK 1

/*
 * value0 (VALUE_INPUT) a = milliseconds: TEE_Wait that long, then call the loop test TA's
 * WAIT_FOREVER, which waits in short slices forever (a chain that tries to outlast the watchdog).
 */
#define TA_TA2TA_CMD_WAIT_THEN_LOOP 2

/*
 * A call to the loop test TA with a timeout (TEE_OpenTASession/TEE_InvokeTACommand's
 * cancel_req_to). value0 (VALUE_INPUT) a = ms the callee's cancellable TEE_Wait lasts,
 * b = the timeout in ms (0xffffffff: TEE_TIMEOUT_INFINITE); value2 (VALUE_INPUT) a = 0: invoke
 * WAIT_CANCELLABLE, 1: open with OPEN_UNTIL_CANCEL instead. value1 (VALUE_OUTPUT) a = the
 * call's result, b = its origin.
 */
#define TA_TA2TA_CMD_CALL_WITH_TIMEOUT 3

#define TA_TA2TA_RANDOM_MAX 256

#endif /* TA_TA2TA_H */
