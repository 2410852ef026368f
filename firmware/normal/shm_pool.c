/*
 * First-fit allocator over the pool: a short table of live blocks sorted by address. The
 * pool holds a handful of buffers at a time (one msg arg per request plus what the secure
 * world keeps for RPC), so a linear table is both small and fast enough, and unlike a
 * header-in-buffer design it never trusts memory the secure world may write into.
 */
#include <stdint.h>

#include "shm_pool.h"

#define POOL_MAX_BLOCKS     64u

struct pool_block {
	uint64_t start;     /* offset from the pool base */
	uint64_t len;       /* bytes, a multiple of SHM_POOL_GRANULE */
};

static struct {
	uint64_t base;
	uint64_t size;
	unsigned count;
	struct pool_block blk[POOL_MAX_BLOCKS];
} pool;

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

void shm_pool_init(uint64_t base, uint64_t size)
{
	uint64_t start = align_up(base, SHM_POOL_GRANULE);
	uint64_t end = (base + size) & ~(uint64_t)(SHM_POOL_GRANULE - 1);

	pool.base = start;
	pool.size = end > start ? end - start : 0;
	pool.count = 0;
}

static void insert_block(unsigned at, uint64_t start, uint64_t len)
{
	for (unsigned i = pool.count; i > at; i--)
		pool.blk[i] = pool.blk[i - 1];
	pool.blk[at] = (struct pool_block){ .start = start, .len = len };
	pool.count++;
}

/* Lowest offset at or after cursor whose absolute address meets the alignment. */
static uint64_t aligned_offset(uint64_t cursor, uint64_t align)
{
	return align_up(pool.base + cursor, align) - pool.base;
}

uint64_t shm_pool_alloc(uint64_t size, uint64_t align)
{
	if (align < SHM_POOL_GRANULE)
		align = SHM_POOL_GRANULE;
	if ((align & (align - 1)) || align > pool.size || size > pool.size)
		return 0;
	if (pool.count == POOL_MAX_BLOCKS)
		return 0;

	uint64_t len = align_up(size ? size : 1, SHM_POOL_GRANULE);
	uint64_t cursor = 0;
	unsigned i;

	/* Try the gap before each block, then the space after the last one. */
	for (i = 0; i < pool.count; i++) {
		uint64_t cand = aligned_offset(cursor, align);

		if (cand + len <= pool.blk[i].start)
			break;
		cursor = pool.blk[i].start + pool.blk[i].len;
	}
	uint64_t start = aligned_offset(cursor, align);

	if (i == pool.count && start + len > pool.size)
		return 0;
	insert_block(i, start, len);
	return pool.base + start;
}

static int find_block(uint64_t pa)
{
	for (unsigned i = 0; i < pool.count; i++) {
		uint64_t start = pool.base + pool.blk[i].start;

		if (pa >= start && pa - start < pool.blk[i].len)
			return (int)i;
	}
	return -1;
}

int shm_pool_free(uint64_t pa)
{
	int i = find_block(pa);

	if (i < 0 || pool.base + pool.blk[i].start != pa)
		return -1;
	for (unsigned j = (unsigned)i; j + 1 < pool.count; j++)
		pool.blk[j] = pool.blk[j + 1];
	pool.count--;
	return 0;
}

uint64_t shm_pool_span(uint64_t pa)
{
	int i = find_block(pa);

	if (i < 0)
		return 0;
	return pool.base + pool.blk[i].start + pool.blk[i].len - pa;
}

int shm_pool_overlaps(uint64_t pa, uint64_t size)
{
	if (!pool.size || !size)
		return 0;
	return pa < pool.base + pool.size && pool.base < pa + size;
}
