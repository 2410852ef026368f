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
	if (level == TRACE_INFO || !func)
		len = clamp(snprintf(buf, sizeof(buf), "%c/%s: ", level_letter(level),
				     trace_ext_prefix), sizeof(buf));
	else
		len = clamp(snprintf(buf, sizeof(buf), "%c/%s:  %s:%d ", level_letter(level),
				     trace_ext_prefix, func, line), sizeof(buf));
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
