/*
 * EL1 exception vectors: 16 entries of 128 bytes in a 2 KiB aligned table. We never return
 * from an exception (no ERET): every entry saves the interrupted registers, and the C
 * handler reports the fault, completes the request being served and restarts the service
 * loop on a fresh stack (fault_recover). That is what keeps the device serving after the
 * emulator injects an abort for a normal-world access to secure memory.
 */
#include "layout.h"

#define KIND_SYNC	0
#define KIND_IRQ	1
#define KIND_FIQ	2
#define KIND_SERROR	3

/* Each entry has room for 32 instructions; save two registers, tag the kind, move on. */
.macro vector_entry kind
	.balign	0x80
	sub	sp, sp, #EXC_FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x0, #\kind
	b	exc_common
.endm

	.section .text.vectors, "ax"
	.balign	0x800
	.global vector_table
vector_table:
	/* current EL, SP_EL0 */
	vector_entry KIND_SYNC
	vector_entry KIND_IRQ
	vector_entry KIND_FIQ
	vector_entry KIND_SERROR
	/* current EL, SP_ELx (where we normally run) */
	vector_entry KIND_SYNC
	vector_entry KIND_IRQ
	vector_entry KIND_FIQ
	vector_entry KIND_SERROR
	/* lower EL, AArch64 (nothing runs at EL0, listed for completeness) */
	vector_entry KIND_SYNC
	vector_entry KIND_IRQ
	vector_entry KIND_FIQ
	vector_entry KIND_SERROR
	/* lower EL, AArch32 */
	vector_entry KIND_SYNC
	vector_entry KIND_IRQ
	vector_entry KIND_FIQ
	vector_entry KIND_SERROR

/* x0 = kind, frame at sp with x0/x1 already saved. */
exc_common:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	str	x30, [sp, #240]
	mov	x1, sp
	mrs	x2, elr_el1
	mrs	x3, esr_el1
	mrs	x4, far_el1
	bl	fault_handler			/* does not return */
1:	wfi
	b	1b
