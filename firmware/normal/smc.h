/* Secure monitor calls (SMCCC, conduit smc #0). */
#ifndef NORMAL_SMC_H
#define NORMAL_SMC_H

#include <stdint.h>

/* x0..x7 in and out; a[0] is the function id going in and the status coming back. */
struct smc_regs {
	uint64_t a[8];
};

void smc_call(struct smc_regs *regs);

/* A fast call with one argument; the results are left in *regs. */
static inline void smc_fast(struct smc_regs *regs, uint32_t fid, uint64_t a1)
{
	*regs = (struct smc_regs){ .a = { fid, a1 } };
	smc_call(regs);
}

/* SMC32 results live in the low 32 bits of each register. */
static inline uint32_t smc_w(const struct smc_regs *regs, unsigned i)
{
	return (uint32_t)regs->a[i];
}

/* Join a (hi, lo) register pair as OP-TEE passes 64-bit addresses and cookies. */
static inline uint64_t smc_pair(const struct smc_regs *regs, unsigned hi)
{
	return ((uint64_t)smc_w(regs, hi) << 32) | smc_w(regs, hi + 1);
}

static inline void smc_set_pair(struct smc_regs *regs, unsigned hi, uint64_t v)
{
	regs->a[hi] = v >> 32;
	regs->a[hi + 1] = (uint32_t)v;
}

#endif
