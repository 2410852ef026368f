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
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#define _IOFBF 0
#define _IOLBF 1
#define _IONBF 2
#define FILENAME_MAX 4096
#define FOPEN_MAX 3
#define L_tmpnam 20
#define TMP_MAX 0

typedef long long fpos_t;

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
void perror(const char *s);

/* Formatted input: from a string; stdin has no input in an enclave (EOF). */
int sscanf(const char *str, const char *fmt, ...) __attribute__((format(scanf, 2, 3)));
int vsscanf(const char *str, const char *fmt, va_list ap) __attribute__((format(scanf, 2, 0)));
int scanf(const char *fmt, ...) __attribute__((format(scanf, 1, 2)));
int vscanf(const char *fmt, va_list ap) __attribute__((format(scanf, 1, 0)));
int fscanf(FILE *stream, const char *fmt, ...) __attribute__((format(scanf, 2, 3)));
int vfscanf(FILE *stream, const char *fmt, va_list ap) __attribute__((format(scanf, 2, 0)));

/* Streams: the console ones only. An enclave has no file system, so opening, removing and
 * renaming files fail with ENOSYS and input streams are at end of file. */
FILE *fopen(const char *path, const char *mode);
FILE *freopen(const char *path, const char *mode, FILE *stream);
FILE *tmpfile(void);
char *tmpnam(char *s);
int fclose(FILE *stream);
int remove(const char *path);
int rename(const char *from, const char *to);
size_t fread(void *ptr, size_t size, size_t nmemb, FILE *stream);
int fgetc(FILE *stream);
int getc(FILE *stream);
int getchar(void);
char *fgets(char *s, int size, FILE *stream);
int ungetc(int c, FILE *stream);
int fseek(FILE *stream, long offset, int whence);
long ftell(FILE *stream);
void rewind(FILE *stream);
int fgetpos(FILE *stream, fpos_t *pos);
int fsetpos(FILE *stream, const fpos_t *pos);
int feof(FILE *stream);
int ferror(FILE *stream);
void clearerr(FILE *stream);
void setbuf(FILE *stream, char *buf);
int setvbuf(FILE *stream, char *buf, int mode, size_t size);
#undef __OE_PF

#ifdef __cplusplus
}
#endif
#endif
