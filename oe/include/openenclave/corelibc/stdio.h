/* TrustBox OE enclave libc: stdio. stdout/stderr reach the host through the syscall EDL's
 * oe_syscall_write_ocall when the enclave imports it, otherwise the TEE log. No files. */
#ifndef OE_CORELIBC_STDIO_H
#define OE_CORELIBC_STDIO_H

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct _OE_FILE FILE;
extern FILE *const stdin;
extern FILE *const stdout;
extern FILE *const stderr;
#define stdin stdin
#define stdout stdout
#define stderr stderr
#define EOF (-1)
#define BUFSIZ 1024

#define __OE_PF(a, b) __attribute__((format(printf, a, b)))
int printf(const char *fmt, ...) __OE_PF(1, 2);
int vprintf(const char *fmt, va_list ap) __OE_PF(1, 0);
int fprintf(FILE *stream, const char *fmt, ...) __OE_PF(2, 3);
int vfprintf(FILE *stream, const char *fmt, va_list ap) __OE_PF(2, 0);
int snprintf(char *buf, size_t size, const char *fmt, ...) __OE_PF(3, 4);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap) __OE_PF(3, 0);
int sprintf(char *buf, const char *fmt, ...) __OE_PF(2, 3);
int vsprintf(char *buf, const char *fmt, va_list ap) __OE_PF(2, 0);
int puts(const char *s);
int putchar(int c);
int fputs(const char *s, FILE *stream);
int fputc(int c, FILE *stream);
int putc(int c, FILE *stream);
size_t fwrite(const void *ptr, size_t size, size_t nmemb, FILE *stream);
int fflush(FILE *stream);
#undef __OE_PF

#ifdef __cplusplus
}
#endif
#endif
