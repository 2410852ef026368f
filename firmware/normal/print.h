/*
 * Minimal formatted console output. Conversions: %s %c %d %u %x %p and the l/ll length
 * modifiers, with an optional '0' flag and width (%08x). Nothing else.
 */
#ifndef NORMAL_PRINT_H
#define NORMAL_PRINT_H

void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
