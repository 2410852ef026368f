#include <stdint.h>

#include "mmio.h"
#include "power.h"
#include "print.h"
#include "psci.h"
#include "smc.h"

void psci_report_version(void)
{
	struct smc_regs r;

	smc_fast(&r, PSCI_VERSION, 0);
	uint32_t v = smc_w(&r, 0);

	if (v == PSCI_E_NOT_SUPPORTED)
		kprintf("psci: not available\n");
	else
		kprintf("psci: version %u.%u\n", v >> 16, v & 0xffff);
}

/* The monitor does not return from these; if it ever does, park the CPU. */
static void __attribute__((noreturn)) psci_final(uint32_t fid)
{
	struct smc_regs r;

	smc_fast(&r, fid, 0);
	for (;;)
		wait_for_interrupt();
}

void psci_system_off(void)
{
	psci_final(PSCI_SYSTEM_OFF);
}

void psci_system_reset(void)
{
	psci_final(PSCI_SYSTEM_RESET);
}
