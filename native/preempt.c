/*
 * The engine's preemption hook: a UC_HOOK_BLOCK callback that stops the engine at the start
 * of a translation block when another thread has asked for it.
 *
 * Why not call uc_emu_stop from the other thread: libunicorn 2.0.1 checks for an exit request
 * after every guest load and store, not only at block starts, and when it leaves a block there
 * it sets the PC back to the block's first instruction, although the instructions before the
 * load or store have run. Resuming there runs them twice (a `ldr x0, [x0]` or a post-indexed
 * store then goes wrong). The block hook is called before the block's own exit check and
 * before any of its instructions, so a stop requested here leaves the PC exact and nothing
 * half done.
 *
 * user_data points at a cell: a 32-bit request flag that the watchdog thread sets and the
 * engine's owner clears before each run; a flag this hook sets when it stopped the engine, with
 * the address of the block it stopped at (the PC to resume at: with code hooks in the engine,
 * 2.0.1 does not put the PC back to the block's start when it leaves the block); and the address
 * of the loaded library's uc_emu_stop (the library the emulator loads is a private copy, so this
 * file does not link against it).
 */
#include <stdint.h>

struct trustbox_preempt_cell {
	int32_t request;
	int32_t stopped;
	int (*stop)(void *uc);
	uint64_t stopped_at;
	uint64_t reserved;
};

__attribute__((visibility("default")))
void trustbox_preempt_block(void *uc, uint64_t address, uint32_t size, void *user_data)
{
	struct trustbox_preempt_cell *cell = user_data;

	(void)size;
	if (!__atomic_load_n(&cell->request, __ATOMIC_ACQUIRE) || cell->stopped)
		return;
	cell->stopped_at = address;
	cell->stopped = 1;
	cell->stop(uc);
}
