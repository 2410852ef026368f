/*
 * trace_printf: one log line per call, "I/TA: msg" for info and "D/TA:  func:line msg" for the
 * other levels (the location matters when debugging, less so for informational messages),
 * handed to the core with the LOG syscall. Lines longer than the buffer are cut, newline kept.
 */
#include <stdarg.h>
#include <stdio.h>
#include <trace.h>
#include <utee_syscalls.h>

#define TRACE_LINE_MAX 256

static char level_letter(int level)
{
	static const char letters[] = "?EIDF";

	return level >= TRACE_ERROR && level <= TRACE_FLOW ? letters[level] : '?';
}

/* Appends `s` to buf at *len, keeping room for the newline and the NUL. */
static void append(char *buf, size_t *len, const char *s)
{
	while (*s && *len < TRACE_LINE_MAX - 2)
		buf[(*len)++] = *s++;
}

static void append_uint(char *buf, size_t *len, unsigned int v)
{
	char digits[10];
	int n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v && n < (int)sizeof(digits));
	while (n > 0 && *len < TRACE_LINE_MAX - 2)
		buf[(*len)++] = digits[--n];
}

static size_t clamp(int n, size_t room)
{
	if (n < 0)
		return 0;
	return (size_t)n < room ? (size_t)n : room - 1;
}

void trace_printf(const char *func, int line, int level, bool level_ok, const char *fmt, ...)
{
	char buf[TRACE_LINE_MAX];
	size_t len;
	va_list ap;

	if (!level_ok || level > trace_level)
		return;
	/* The prefix by hand: one formatting pass per line instead of two. */
	buf[0] = level_letter(level);
	buf[1] = '/';
	len = 2;
	append(buf, &len, trace_ext_prefix);
	if (level == TRACE_INFO || !func) {
		append(buf, &len, ": ");
	} else {
		append(buf, &len, ":  ");
		append(buf, &len, func);
		append(buf, &len, ":");
		append_uint(buf, &len, line > 0 ? (unsigned int)line : 0);
		append(buf, &len, " ");
	}
	va_start(ap, fmt);
	len += clamp(vsnprintf(buf + len, sizeof(buf) - len, fmt, ap), sizeof(buf) - len);
	va_end(ap);
	/* Always end with exactly one newline, even when the message was truncated. */
	if (len == sizeof(buf) - 1)
		len--;
	if (!len || buf[len - 1] != '\n')
		buf[len++] = '\n';
	_utee_log(buf, len);
}
