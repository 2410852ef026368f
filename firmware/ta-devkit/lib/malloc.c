/*
 * TEE_Malloc/Realloc/Free over the TA's ta_heap[] (.bss): first-fit on an address-ordered free
 * list, so freeing can merge with both neighbours in one pass. Every block has a 16-byte header,
 * which keeps payloads 16-byte aligned like the AArch64 ABI expects from malloc.
 */
#include <string.h>
#include <tee_internal_api.h>
#include "utee_private.h"

#define ALIGN 16
#define HDR_SIZE 16
#define MIN_BLOCK (HDR_SIZE + ALIGN)
/* Stored in 'next' of a block in use: a cheap check against frees of foreign pointers. */
#define IN_USE_MAGIC ((struct block *)0x7573656462000000ull)

struct block {
	size_t size;        /* whole block, header included, multiple of ALIGN */
	struct block *next; /* next free block by address, or IN_USE_MAGIC */
};
_Static_assert(sizeof(struct block) == HDR_SIZE, "header keeps payloads aligned");

static struct block *free_list;

void utee_heap_init(void *base, size_t size)
{
	uintptr_t start = UTEE_ROUNDUP((uintptr_t)base, ALIGN);
	uintptr_t end = ((uintptr_t)base + size) & ~(uintptr_t)(ALIGN - 1);

	free_list = NULL;
	if (end <= start || end - start < MIN_BLOCK)
		return;
	free_list = (struct block *)start;
	free_list->size = end - start;
	free_list->next = NULL;
}

static struct block *take_first_fit(size_t need)
{
	for (struct block **link = &free_list; *link; link = &(*link)->next) {
		struct block *b = *link;

		if (b->size < need)
			continue;
		if (b->size - need >= MIN_BLOCK) {
			struct block *rest = (struct block *)((uint8_t *)b + need);

			rest->size = b->size - need;
			rest->next = b->next;
			b->size = need;
			*link = rest;
		} else {
			*link = b->next;
		}
		b->next = IN_USE_MAGIC;
		return b;
	}
	return NULL;
}

static void *heap_alloc(size_t size)
{
	struct block *b;

	if (size > SIZE_MAX - HDR_SIZE - ALIGN)
		return NULL;
	/* size 0 still gets a unique, non-NULL pointer, as GP allows. */
	b = take_first_fit(UTEE_ROUNDUP(size ? size : 1, ALIGN) + HDR_SIZE);
	return b ? b + 1 : NULL;
}

static struct block *block_of(void *p)
{
	struct block *b = (struct block *)p - 1;

	if (((uintptr_t)p & (ALIGN - 1)) || b->next != IN_USE_MAGIC)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	return b;
}

static void merge_with_next(struct block *b)
{
	if (b->next && (uint8_t *)b + b->size == (uint8_t *)b->next) {
		b->size += b->next->size;
		b->next = b->next->next;
	}
}

static void heap_free(void *p)
{
	struct block *b = block_of(p);
	struct block *prev = NULL;
	struct block *cur = free_list;

	while (cur && cur < b) {
		prev = cur;
		cur = cur->next;
	}
	b->next = cur;
	if (prev)
		prev->next = b;
	else
		free_list = b;
	merge_with_next(b);
	if (prev)
		merge_with_next(prev);
}

void *TEE_Malloc(size_t size, uint32_t hint)
{
	void *p = heap_alloc(size);

	/* NO_FILL is only a hint; NO_SHARE means nothing here since the heap is never shared. */
	if (p && !(hint & TEE_MALLOC_NO_FILL))
		memset(p, 0, size);
	return p;
}

void TEE_Free(void *buffer)
{
	if (buffer)
		heap_free(buffer);
}

void *TEE_Realloc(void *buffer, size_t newSize)
{
	size_t old_size;
	void *p;

	if (!buffer)
		return heap_alloc(newSize);
	old_size = block_of(buffer)->size - HDR_SIZE;
	if (newSize <= old_size)
		return buffer;
	p = heap_alloc(newSize);
	if (!p)
		return NULL; /* GP: the old buffer stays valid */
	memcpy(p, buffer, old_size);
	heap_free(buffer);
	return p;
}
