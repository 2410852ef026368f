/*
 * Entry point. The host starts us at NS-EL1 (EL1h), MMU and caches off, DAIF masked, with
 * nothing set up except x0 = board id. We only need a stack, vectors and a zeroed .bss
 * before C can run.
 */
#include "layout.h"

	.section .text.boot, "ax"
	.global _start
	.type _start, %function
_start:
	mov	x19, x0				/* board id survives the .bss clear */

	adrp	x1, boot_stack_top
	add	x1, x1, :lo12:boot_stack_top
	mov	sp, x1

	/* Install vectors first so any fault from here on is reported, not lost. */
	adrp	x1, vector_table
	add	x1, x1, :lo12:vector_table
	msr	vbar_el1, x1
	isb

	adrp	x1, __bss_start
	add	x1, x1, :lo12:__bss_start
	adrp	x2, __bss_end
	add	x2, x2, :lo12:__bss_end
1:	cmp	x1, x2
	b.hs	2f
	stp	xzr, xzr, [x1], #16		/* also clears the (still unused) stack */
	b	1b

2:	mov	x0, x19
	bl	main
	/* main must not return; if it does, leave the machine off instead of running on. */
	bl	psci_system_off
3:	wfi
	b	3b
	.size _start, . - _start

/*
 * fault_recover(): abandon whatever was running, restart the service loop on an empty
 * stack. Called from the fault handler once the interrupted request has been completed.
 */
	.text
	.global fault_recover
	.type fault_recover, %function
fault_recover:
	adrp	x1, boot_stack_top
	add	x1, x1, :lo12:boot_stack_top
	mov	sp, x1
	mov	x29, xzr
	mov	x30, xzr
	b	service_loop
	.size fault_recover, . - fault_recover

	.section .bss.boot_stack, "aw", %nobits
	.balign	16
boot_stack:
	.space	BOOT_STACK_SIZE
	.global boot_stack_top
boot_stack_top:
