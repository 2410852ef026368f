#ifndef TA_PANIC_H
#define TA_PANIC_H

#define TA_PANIC_UUID \
	{ 0xb13d3d9e, 0x1916, 0x4782, { 0xb3, 0x08, 0xc3, 0x2b, 0x7b, 0x78, 0x80, 0x34 } }

/* None of these return: each ends the instance in a different way. No parameters. */
#define TA_PANIC_CMD_PANIC 0          /* TEE_Panic(TA_PANIC_CODE) */
#define TA_PANIC_CMD_NULL_STORE 1     /* store to address 0: data abort */
#define TA_PANIC_CMD_JUMP_UNMAPPED 2  /* branch to TA_PANIC_UNMAPPED_VA: prefetch abort */
#define TA_PANIC_CMD_STACK_OVERFLOW 3 /* unbounded recursion runs off the stack */

#define TA_PANIC_CODE 0xdead
/* Far above any TA mapping (OP-TEE's user VA window is 1 GiB). */
#define TA_PANIC_UNMAPPED_VA 0x000000dead000000ull

#endif /* TA_PANIC_H */
