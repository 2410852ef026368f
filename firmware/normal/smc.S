/*
 * void smc_call(struct smc_regs *regs)
 *
 * One SMCCC call: a[0..7] go into x0..x7, and all eight registers come back into a[0..7],
 * because OP-TEE's RPC returns use a1..a7 and RETURN_FROM_RPC must hand a3..a7 back
 * unchanged. SMCCC lets the callee clobber x8..x17, so the struct pointer is kept on the
 * stack across the smc rather than in a register.
 */
	.text
	.global smc_call
	.type smc_call, %function
smc_call:
	str	x0, [sp, #-16]!
	mov	x8, x0
	ldp	x0, x1, [x8, #0]
	ldp	x2, x3, [x8, #16]
	ldp	x4, x5, [x8, #32]
	ldp	x6, x7, [x8, #48]
	smc	#0
	ldr	x8, [sp], #16
	stp	x0, x1, [x8, #0]
	stp	x2, x3, [x8, #16]
	stp	x4, x5, [x8, #32]
	stp	x6, x7, [x8, #48]
	ret
	.size smc_call, . - smc_call
