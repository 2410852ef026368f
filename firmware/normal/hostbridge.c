/*
 * Host-bridge device: a mailbox of request slots and a request queue in NS shared memory,
 * plus a few registers. The host posts a slot into the queue; we take, serve and complete
 * slots until the queue is empty, then wait in wfi (where the emulator ends the run until the
 * host posts again). Taking and completing a request touches no register.
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
	volatile uint32_t current;  /* slot being served, HB_NONE between requests */
} hb = { .current = HB_NONE };

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
	hb.current = HB_NONE;
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

static void serve_one(uint32_t index)
{
	if (index >= hb.slots) {
		/* Nothing to write results into; say so and move on. */
		kprintf("hostbridge: ignoring bad slot index %u\n", index);
		return;
	}
	hb.current = index;
	request_serve(slot_at(index), index);
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
		uint32_t index = take();

		if (index == HB_NONE)
			wait_for_interrupt();
		else
			serve_one(index);
	}
}

int service_abort_current(void)
{
	uint32_t index = hb.current;

	if (index != HB_NONE) {
		request_abort(slot_at(index));
		complete(index);
	}
	return hb.running;
}
