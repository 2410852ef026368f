/*
 * Enclave memory: what oe_is_within_enclave calls "the enclave" (the TA's loaded segments,
 * which hold its heap, and its stack) and the "host" heap of oe_host_malloc.
 *
 * Host heap design: TrustBox gives an enclave no memory that its host process can read, so
 * oe_host_malloc serves blocks from separate shareable mappings (64 KiB or more each, obtained
 * from the system pseudo-TA when needed, outside the TA's segments, heap and stack). Those blocks are
 * "outside the enclave" for oe_is_outside_enclave, as OE's host memory is; nothing else about
 * them is special (docs/open-enclave.md).
 */
#include <string.h>
#include <tee_internal_api.h>
#include <user_ta_header.h>
#include <openenclave/enclave.h>
#include "oe_private.h"

TEE_Result utee_map_shareable(size_t size, void **va);

#define PT_LOAD 1
struct oe_phdr {
	uint32_t p_type, p_flags;
	uint64_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
};

extern uint8_t ta_heap[];
extern const size_t ta_heap_size;

static uintptr_t stack_top;

void oe_memory_note_stack(const void *frame)
{
	/* The kernel sets SP just below struct utee_params, inside the stack's top page. */
	uintptr_t top = ((uintptr_t)frame + 4096) & ~(uintptr_t)4095;

	if (top > stack_top)
		stack_top = top;
}

static bool in_range(uintptr_t p, size_t n, uintptr_t lo, uintptr_t hi)
{
	return p >= lo && p <= hi && n <= hi - p;
}

static bool overlaps(uintptr_t p, size_t n, uintptr_t lo, uintptr_t hi)
{
	return p < hi && p + n > lo;
}

/* Calls fn on each enclave range until it returns true. */
static bool each_range(bool (*fn)(uintptr_t, size_t, uintptr_t, uintptr_t), uintptr_t p, size_t n)
{
	uintptr_t stack_size = ta_head.stack_size;

	if (__elf_phdr_info.count && __elf_phdr_info.dlpi) {
		const struct dl_phdr_info *m = &__elf_phdr_info.dlpi[0];
		const struct oe_phdr *ph = m->dlpi_phdr;

		for (unsigned int i = 0; ph && i < m->dlpi_phnum; i++) {
			uintptr_t lo, hi;

			if (ph[i].p_type != PT_LOAD)
				continue;
			lo = (m->dlpi_addr + ph[i].p_vaddr) & ~(uintptr_t)4095;
			hi = (m->dlpi_addr + ph[i].p_vaddr + ph[i].p_memsz + 4095) & ~(uintptr_t)4095;
			if (fn(p, n, lo, hi))
				return true;
		}
	} else if (fn(p, n, (uintptr_t)ta_heap, (uintptr_t)ta_heap + ta_heap_size)) {
		return true;
	}
	return stack_top && fn(p, n, stack_top - stack_size - 4096, stack_top);
}

bool oe_is_within_enclave(const void *ptr, size_t size)
{
	uintptr_t p = (uintptr_t)ptr;

	if (!ptr || p + size < p)
		return false;
	return each_range(in_range, p, size);
}

bool oe_is_outside_enclave(const void *ptr, size_t size)
{
	uintptr_t p = (uintptr_t)ptr;

	if (!ptr || p + size < p)
		return false;
	return !each_range(overlaps, p, size ? size : 1);
}

/* ---- enclave heap ---------------------------------------------------------------------- */

void *oe_malloc(size_t size) { return TEE_Malloc(size, TEE_MALLOC_NO_FILL); }
void oe_free(void *ptr) { TEE_Free(ptr); }
void *oe_realloc(void *ptr, size_t size) { return TEE_Realloc(ptr, size); }
void *oe_calloc(size_t nmemb, size_t size)
{
	if (size && nmemb > (size_t)-1 / size)
		return NULL;
	return TEE_Malloc(nmemb * size, TEE_MALLOC_FILL_ZERO);
}

/* ---- host heap: first-fit over mappings of 64 KiB or more, made on demand ------------------- */

/*
 * Mappings count against the TA's memory limit (image + stack + heap size), as TA-to-TA bounce
 * buffers do, so they are made when needed rather than reserved up front.
 */
#define ARENA_MIN (64u * 1024)
struct hblock {
	size_t size; /* payload bytes, multiple of 16 */
	size_t used;
};
struct arena {
	struct arena *next;
	size_t size; /* whole mapping */
};
_Static_assert(sizeof(struct hblock) == 16 && sizeof(struct arena) == 16, "host heap headers");

static struct arena *arenas;

static struct hblock *first_block(struct arena *a) { return (struct hblock *)(a + 1); }

static struct hblock *hnext(struct arena *a, struct hblock *b)
{
	uint8_t *n = (uint8_t *)(b + 1) + b->size;

	return n < (uint8_t *)a + a->size ? (struct hblock *)n : NULL;
}

static struct arena *new_arena(size_t need)
{
	size_t size = need + sizeof(struct arena) + sizeof(struct hblock);
	void *va = NULL;
	struct arena *a;

	size = size < ARENA_MIN ? ARENA_MIN : (size + 4095) & ~(size_t)4095;
	if (utee_map_shareable(size, &va) != TEE_SUCCESS || !va)
		return NULL;
	a = va;
	a->size = size;
	a->next = arenas;
	arenas = a;
	first_block(a)->size = size - sizeof(*a) - sizeof(struct hblock);
	first_block(a)->used = 0;
	return a;
}

static struct hblock *host_block_of(void *ptr, struct arena **owner)
{
	uint8_t *p = ptr;

	for (struct arena *a = arenas; a; a = a->next) {
		if (p < (uint8_t *)first_block(a) + sizeof(struct hblock) || p >= (uint8_t *)a + a->size)
			continue;
		for (struct hblock *b = first_block(a); b; b = hnext(a, b)) {
			if ((uint8_t *)(b + 1) == p) {
				if (owner)
					*owner = a;
				return b;
			}
		}
		return NULL;
	}
	return NULL;
}

static void *take(struct arena *a, size_t need)
{
	for (struct hblock *b = first_block(a); b; b = hnext(a, b)) {
		if (b->used)
			continue;
		/* Merge free neighbours first. */
		for (struct hblock *n = hnext(a, b); n && !n->used; n = hnext(a, b))
			b->size += sizeof(*n) + n->size;
		if (b->size < need)
			continue;
		if (b->size >= need + 2 * sizeof(*b)) {
			struct hblock *rest = (struct hblock *)((uint8_t *)(b + 1) + need);

			rest->size = b->size - need - sizeof(*rest);
			rest->used = 0;
			b->size = need;
		}
		b->used = 1;
		return b + 1;
	}
	return NULL;
}

void *oe_host_malloc(size_t size)
{
	size_t need;
	struct arena *a;
	void *p;

	if (size > (size_t)1 << 30)
		return NULL;
	need = size ? (size + 15) & ~(size_t)15 : 16;
	for (a = arenas; a; a = a->next) {
		p = take(a, need);
		if (p)
			return p;
	}
	a = new_arena(need);
	return a ? take(a, need) : NULL;
}

void oe_host_free(void *ptr)
{
	struct hblock *b;

	if (!ptr)
		return;
	b = host_block_of(ptr, NULL);
	if (!b || !b->used)
		oe_abort(); /* not a live host block: a caller bug, as OE treats a bad free */
	b->used = 0;
}

void *oe_host_calloc(size_t nmemb, size_t size)
{
	void *p;

	if (size && nmemb > (size_t)-1 / size)
		return NULL;
	p = oe_host_malloc(nmemb * size);
	if (p)
		memset(p, 0, nmemb * size);
	return p;
}

void *oe_host_realloc(void *ptr, size_t size)
{
	struct hblock *b;
	void *n;

	if (!ptr)
		return oe_host_malloc(size);
	if (!size) {
		oe_host_free(ptr);
		return NULL;
	}
	b = host_block_of(ptr, NULL);
	if (!b || !b->used)
		oe_abort();
	if (b->size >= size)
		return ptr;
	n = oe_host_malloc(size);
	if (n) {
		memcpy(n, ptr, b->size);
		oe_host_free(ptr);
	}
	return n;
}

char *oe_host_strndup(const char *str, size_t n)
{
	size_t len;
	char *p;

	if (!str)
		return NULL;
	len = strnlen(str, n);
	p = oe_host_malloc(len + 1);
	if (p) {
		memcpy(p, str, len);
		p[len] = '\0';
	}
	return p;
}
