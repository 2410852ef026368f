/*
 * memset/memcpy for the compiler: even with -fno-builtin, GCC may emit calls to them for
 * structure assignment and initialisation. Byte loops because -mstrict-align and the
 * MMU-off device memory type forbid unaligned wider accesses.
 */
#include <stddef.h>

#include "string.h"

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}
