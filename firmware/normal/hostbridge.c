/*
 * Host-bridge device: a mailbox of request slots and a request queue in NS shared memory,
 * plus a few registers. The host posts a slot into the queue; we take and serve slots and
 * complete each when its call ends. A call whose secure thread gave the CPU back stays in
 * progress: each pass of the service loop takes what was posted or, when nothing was, gives one
 * call in progress (the next in turn) one turn, at most a time slice of the secure world. When nothing
 * is left to do, or after a pass that left calls in progress, we tell the host how many are in
 * progress (the queue's `parked` word) and wait in wfi, where the emulator ends the run: the
 * host then collects answers, posts what came meanwhile and resumes us when there is work or
 * when a parked call wants the CPU. So a new request waits at most one slice. Taking and
 * completing touch no register.
 */
#include <stdint.h>

#include "board.h"
#include "hb_service.h"
#include "hostbridge.h"
#include "mmio.h"
#include "power.h"
#include "print.h"
#include "requests.h"
#include "shm_pool.h"

#define HB_PROBE_OK         1u
#define HB_PROBE_FAILED     2u

static struct {
	uint64_t mailbox;
	volatile struct hb_queue *queue;
	uint32_t slots;
	int running;                /* ready was announced; faults resume the loop */
} hb;

static uint32_t hb_read(uint32_t reg)
{
	return mmio_read32(BOARD_HOSTBRIDGE_BASE + reg);
}

static void hb_write(uint32_t reg, uint32_t v)
{
	mmio_write32(BOARD_HOSTBRIDGE_BASE + reg, v);
}

/* Does [base, base + size) lie inside NS shared memory? */
static int in_ns_shm(uint64_t base, uint64_t size)
{
	return base >= BOARD_NS_SHM_BASE && size <= BOARD_NS_SHM_SIZE &&
	       base - BOARD_NS_SHM_BASE <= BOARD_NS_SHM_SIZE - size;
}

static void __attribute__((noreturn)) hb_give_up(const char *why)
{
	kprintf("hostbridge: %s\n", why);
	psci_system_off();
}

void hostbridge_init(int tee_ok)
{
	if (hb_read(HB_REG_MAGIC) != HB_MAGIC)
		hb_give_up("not found");
	if (hb_read(HB_REG_VERSION) != HB_VERSION)
		hb_give_up("unsupported version");

	hb.mailbox = ((uint64_t)hb_read(HB_REG_MBOX_HI) << 32) | hb_read(HB_REG_MBOX_LO);
	hb.slots = hb_read(HB_REG_SLOT_COUNT);
	/* The registers come from the host: a mailbox outside NS shared memory would let it
	 * point our writes anywhere. */
	if (!hb.slots || !in_ns_shm(hb.mailbox, (uint64_t)hb.slots * HB_SLOT_SIZE))
		hb_give_up("mailbox outside shared memory");

	uint64_t queue = hb_read(HB_REG_QUEUE_LO);

	if (!in_ns_shm(queue, sizeof(struct hb_queue)) || (queue & 3))
		hb_give_up("request queue outside shared memory");
	hb.queue = (volatile struct hb_queue *)(uintptr_t)queue;

	uint64_t pool = hb_read(HB_REG_POOL_LO);
	uint64_t pool_size = hb_read(HB_REG_POOL_SIZE);

	if (!in_ns_shm(pool, pool_size))
		hb_give_up("SHM pool outside shared memory");
	shm_pool_init(pool, pool_size);

	hb_write(HB_REG_PROBE, tee_ok ? HB_PROBE_OK : HB_PROBE_FAILED);
	requests_init(tee_ok);
	kprintf("hostbridge: mailbox at 0x%llx, %u slots\n", (unsigned long long)hb.mailbox,
		hb.slots);
}

static volatile struct hb_request *slot_at(uint32_t index)
{
	return (volatile struct hb_request *)(uintptr_t)(hb.mailbox +
							 (uint64_t)index * HB_SLOT_SIZE);
}

static void complete(uint32_t index)
{
	/* The results must be visible before done is. */
	__asm__ volatile("dmb sy" ::: "memory");
	slot_at(index)->done = HB_DONE_VALUE;
}

/* The next posted slot index, or HB_NONE when the queue is empty. */
static uint32_t take(void)
{
	volatile struct hb_queue *q = hb.queue;
	uint32_t tail = q->tail;
	uint32_t head = q->head;

	if (head == tail)
		return HB_NONE;
	if (head - tail > HB_QUEUE_ENTRIES) {
		/* The host owns head: more posted than the ring holds is a broken queue. */
		kprintf("hostbridge: request queue overrun (head %u, tail %u); dropped\n", head, tail);
		q->tail = head;
		return HB_NONE;
	}
	__asm__ volatile("dmb sy" ::: "memory");
	uint32_t index = q->ring[tail % HB_QUEUE_ENTRIES];

	q->tail = tail + 1;
	return index;
}

/* Begins serving a slot; completes it at once unless its call stays in progress. */
static void serve_one(uint32_t index)
{
	if (index >= hb.slots) {
		/* Nothing to write results into; say so and move on. */
		kprintf("hostbridge: ignoring bad slot index %u\n", index);
		return;
	}
	if (request_begin(slot_at(index), index))
		complete(index);
}

void service_loop(void)
{
	if (!hb.running) {
		kprintf("ready: waiting for requests\n");
		hb.running = 1;
		hb_write(HB_REG_READY, HB_READY_VALUE);
	}
	for (;;) {
		int took = 0;

		while (requests_can_begin()) {
			uint32_t index = take();

			if (index == HB_NONE)
				break;
			serve_one(index);
			took = 1;
		}

		/* After taking new requests the host gets their answers first; a parked call's turn
		 * (up to a time slice) comes with the next pass. */
		unsigned parked = took ? requests_in_progress() : requests_resume(complete);

		hb.queue->parked = parked;
		if (parked || !took)
			wait_for_interrupt();
	}
}

int service_abort_current(void)
{
	uint32_t index;

	if (request_abort_current(&index))
		complete(index);
	return hb.running;
}
