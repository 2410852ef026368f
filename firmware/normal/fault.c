/*
 * C half of the exception vectors. A fault is never resumed: the interrupted request is
 * completed as a communication error and the service loop restarts on a clean stack.
 * Before the loop runs (during boot) there is nothing to go back to, so we power off.
 */
#include <stdint.h>

#include "hb_service.h"
#include "layout.h"
#include "power.h"
#include "print.h"

/* Registers as vectors.S stores them. */
struct exc_frame {
	uint64_t x[31];
	uint64_t pad;
};

_Static_assert(sizeof(struct exc_frame) == EXC_FRAME_SIZE, "exc_frame matches vectors.S");

void fault_recover(void) __attribute__((noreturn));
void fault_handler(unsigned kind, const struct exc_frame *frame, uint64_t elr, uint64_t esr,
		   uint64_t far) __attribute__((noreturn));

static const char *const kind_names[4] = { "synchronous", "IRQ", "FIQ", "SError" };

void fault_handler(unsigned kind, const struct exc_frame *frame, uint64_t elr, uint64_t esr,
		   uint64_t far)
{
	kprintf("fault: %s exception at 0x%llx, ESR 0x%llx, FAR 0x%llx\n", kind_names[kind & 3],
		(unsigned long long)elr, (unsigned long long)esr, (unsigned long long)far);
	if (!service_abort_current()) {
		kprintf("fault: not serving requests yet, powering off\n");
		psci_system_off();
	}
	fault_recover();
}
