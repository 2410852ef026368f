/* Formatting only: TAs have no files. Same conversions as trace_printf (see lib/printf.c). */
#ifndef TRUSTBOX_STDIO_H
#define TRUSTBOX_STDIO_H

#include <stdarg.h>
#include <stddef.h>

int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

#endif /* TRUSTBOX_STDIO_H */
