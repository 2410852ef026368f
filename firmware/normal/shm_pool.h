/*
 * The firmware's own shared-memory pool in NS shared memory: message arguments for our
 * calls and the buffers the secure world asks for through RPC. Physical addresses are used
 * directly as pointers (MMU off, identity). A buffer's PA doubles as its cookie.
 */
#ifndef NORMAL_SHM_POOL_H
#define NORMAL_SHM_POOL_H

#include <stdint.h>

#define SHM_POOL_GRANULE    64u

void shm_pool_init(uint64_t base, uint64_t size);
/* First fit; align must be 0 or a power of two (at least SHM_POOL_GRANULE is used).
 * Returns the PA, or 0 when nothing fits. */
uint64_t shm_pool_alloc(uint64_t size, uint64_t align);
/* Returns 0, or -1 when pa is not the start of a live allocation. */
int shm_pool_free(uint64_t pa);
/* Bytes from pa to the end of the live allocation holding it; 0 if none does. */
uint64_t shm_pool_span(uint64_t pa);
/* Whether [pa, pa + size) overlaps the pool's address range at all. */
int shm_pool_overlaps(uint64_t pa, uint64_t size);

#endif
