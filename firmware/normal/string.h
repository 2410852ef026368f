/* The two memory helpers the firmware (and the compiler) use. */
#ifndef NORMAL_STRING_H
#define NORMAL_STRING_H

#include <stddef.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);

#endif
