/*
 * memset/memcpy for the compiler: even with -fno-builtin, GCC may emit calls to them for
 * structure assignment and initialisation. With the MMU off every access is Device memory,
 * where unaligned accesses fault, so wide accesses are used only when the addresses are
 * 8-byte aligned; the rest goes byte by byte. Wide stores matter in the emulator too: every
 * guest store is costly there, so 8 bytes a store is 8 times cheaper.
 */
#include <stddef.h>
#include <stdint.h>

#include "string.h"

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	uint64_t v = (unsigned char)c;

	v |= v << 8;
	v |= v << 16;
	v |= v << 32;
	while (n > 0 && ((uintptr_t)d & 7)) {
		*d++ = (unsigned char)c;
		n--;
	}
	for (; n >= 8; n -= 8, d += 8)
		*(volatile uint64_t *)d = v;
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if ((((uintptr_t)d | (uintptr_t)s) & 7) == 0) {
		for (; n >= 8; n -= 8, d += 8, s += 8)
			*(volatile uint64_t *)d = *(const volatile uint64_t *)s;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}
