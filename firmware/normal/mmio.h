/*
 * Device register access. Explicit single ldr/str instructions so the emulator sees one
 * plain access per register, and "memory" clobbers so the compiler never moves ordinary
 * loads/stores (mailbox slots, msg args) across a doorbell access.
 */
#ifndef NORMAL_MMIO_H
#define NORMAL_MMIO_H

#include <stdint.h>

static inline uint32_t mmio_read32(uintptr_t addr)
{
	uint32_t v;

	__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline void mmio_write32(uintptr_t addr, uint32_t v)
{
	/* Results written to shared memory must be visible before the host is told. */
	__asm__ volatile("dsb sy\n\tstr %w0, [%1]" : : "r"(v), "r"(addr) : "memory");
}

static inline void wait_for_interrupt(void)
{
	__asm__ volatile("wfi" : : : "memory");
}

#endif
