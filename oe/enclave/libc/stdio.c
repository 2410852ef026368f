/*
 * printf family of OE enclaves. Output goes to the host through the generated
 * oe_syscall_write_ocall when the enclave imported the syscall EDL (weak reference), else to the
 * TEE log, one IMSG-style line per line of text.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <tee_internal_api.h>
#include <trace.h>
#include "../oe_private.h"

struct _OE_FILE {
	int fd;
};
static struct _OE_FILE files[3] = { { 0 }, { 1 }, { 2 } };
FILE *const stdin = &files[0];
FILE *const stdout = &files[1];
FILE *const stderr = &files[2];

/* Generated from syscall.edl (oe/edl/openenclave/edl/syscall.edl): oe_result_t
 * oe_syscall_write_ocall(int64_t *_retval, int fd, const void *buf, size_t count). */
extern oe_result_t oe_syscall_write_ocall(int64_t *ret, int fd, const void *buf, size_t count)
	__attribute__((weak));

/* Partial log lines, per fd (1 and 2). */
static char pending[3][256];
static size_t pending_len[3];

static void log_flush(int fd)
{
	if (!pending_len[fd])
		return;
	pending[fd][pending_len[fd]] = '\0';
	trace_printf("", 0, TRACE_INFO, true, "%s", pending[fd]);
	pending_len[fd] = 0;
}

void oe_console_write(int fd, const char *text, size_t len)
{
	if (fd != 1 && fd != 2)
		return;
	if (oe_syscall_write_ocall && oe_rpc_session != TEE_HANDLE_NULL) {
		while (len) {
			int64_t ret = -1;
			size_t chunk = len > 0x10000 ? 0x10000 : len;

			if (oe_syscall_write_ocall(&ret, fd, text, chunk) != OE_OK || ret <= 0)
				break; /* the host is gone or refuses: drop, as a closed console would */
			text += ret;
			len -= (size_t)ret;
		}
		return;
	}
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\n') {
			if (pending_len[fd])
				log_flush(fd);
			else
				trace_printf("", 0, TRACE_INFO, true, "%s", "");
			continue;
		}
		if (pending_len[fd] >= sizeof(pending[fd]) - 1)
			log_flush(fd);
		pending[fd][pending_len[fd]++] = text[i];
	}
}

int vfprintf(FILE *stream, const char *fmt, va_list ap)
{
	char small[256];
	char *buf = small;
	va_list copy;
	int n;

	va_copy(copy, ap);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	if (n >= (int)sizeof(small)) {
		buf = TEE_Malloc((size_t)n + 1, TEE_MALLOC_NO_FILL);
		if (buf)
			vsnprintf(buf, (size_t)n + 1, fmt, copy);
		else
			buf = small, n = sizeof(small) - 1;
	}
	va_end(copy);
	if (n > 0 && stream)
		oe_console_write(stream->fd, buf, (size_t)n);
	if (buf != small)
		TEE_Free(buf);
	return n;
}

int fprintf(FILE *stream, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vfprintf(stream, fmt, ap);
	va_end(ap);
	return n;
}

int vprintf(const char *fmt, va_list ap)
{
	return vfprintf(stdout, fmt, ap);
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vfprintf(stdout, fmt, ap);
	va_end(ap);
	return n;
}

int oe_host_printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vfprintf(stdout, fmt, ap);
	va_end(ap);
	return n;
}

int vsprintf(char *buf, const char *fmt, va_list ap)
{
	return vsnprintf(buf, (size_t)0x7fffffff, fmt, ap);
}

int sprintf(char *buf, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsprintf(buf, fmt, ap);
	va_end(ap);
	return n;
}

int fputs(const char *s, FILE *stream)
{
	if (!stream)
		return EOF;
	oe_console_write(stream->fd, s, strlen(s));
	return 0;
}

int puts(const char *s)
{
	oe_console_write(1, s, strlen(s));
	oe_console_write(1, "\n", 1);
	return 0;
}

int fputc(int c, FILE *stream)
{
	char ch = (char)c;

	if (!stream)
		return EOF;
	oe_console_write(stream->fd, &ch, 1);
	return (unsigned char)c;
}

int putc(int c, FILE *stream)
{
	return fputc(c, stream);
}

int putchar(int c)
{
	return fputc(c, stdout);
}

size_t fwrite(const void *ptr, size_t size, size_t nmemb, FILE *stream)
{
	if (!stream || !size || !nmemb || nmemb > (size_t)-1 / size)
		return 0;
	oe_console_write(stream->fd, ptr, size * nmemb);
	return nmemb;
}

int fflush(FILE *stream)
{
	(void)stream;
	return 0;
}
