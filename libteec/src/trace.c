/*
 * The two trace helpers optee_client's libteec.so.2 also exports (its teec_trace.c). They are
 * not GP API, but optee_client's other libraries (libckteec for PKCS#11, libseteec,
 * libteeacl) call them through teec_trace.h's EMSG/DMSG, so those libraries, as built by
 * optee_client, only link and load against a libteec that defines them. Same behaviour as
 * libteec's release build: one formatted line on stdout, buffers not dumped.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))
#define MAX_PRINT_SIZE 256              /* teec_trace.c's line limit */

static const char *const level_names[] = { "", "ERR", "INF", "DBG", "FLW" };

EXPORT void _dprintf(const char *function, int line, int level, const char *prefix, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

EXPORT void _dprintf(const char *function, int line, int level, const char *prefix, const char *fmt, ...)
{
	char msg[MAX_PRINT_SIZE];
	int n = 0;
	va_list ap;

	if (function) {
		const char *name = level >= 0 && level <= 4 ? level_names[level] : "";

		n = snprintf(msg, sizeof(msg), "%s [%d] %s:%s:%d: ", name, (int)syscall(SYS_gettid),
			     prefix ? prefix : "", function, line);
		if (n < 0)
			return;
	}
	if ((size_t)n < sizeof(msg)) {
		va_start(ap, fmt);
		n = vsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
	}
	fprintf(stdout, "%s", msg);
}

EXPORT void dump_buffer(const char *bname, const uint8_t *buffer, size_t blen)
{
	(void)bname;
	(void)buffer;
	(void)blen;
}
