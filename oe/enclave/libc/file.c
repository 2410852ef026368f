/*
 * The rest of stdio for OE enclaves. An enclave's only streams are stdin, stdout and stderr
 * (stdio.c writes the latter two to the host): it has no file system, so fopen, freopen,
 * tmpfile, remove and rename fail with ENOSYS; stdin has no input (end of file, after any
 * character given back with ungetc); the console streams cannot seek (ESPIPE). These exist so
 * that C and C++ code written for a hosted C library (libstdc++'s <cstdio>) builds and fails
 * where a file would be needed, as an enclave with no file system mounted does under OE.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

struct stream_state {
	int eof, error;
	int pushed; /* ungetc's character, or EOF */
};
static struct stream_state state[3] = { { 0, 0, EOF }, { 0, 0, EOF }, { 0, 0, EOF } };

static struct stream_state *state_of(FILE *f)
{
	if (f == stdin)
		return &state[0];
	if (f == stdout)
		return &state[1];
	if (f == stderr)
		return &state[2];
	return NULL;
}

static int no_files(void)
{
	errno = ENOSYS;
	return -1;
}

FILE *fopen(const char *path, const char *mode) { (void)path; (void)mode; no_files(); return NULL; }
FILE *tmpfile(void) { no_files(); return NULL; }
char *tmpnam(char *s) { (void)s; return NULL; }
int remove(const char *path) { (void)path; return no_files(); }
int rename(const char *from, const char *to) { (void)from; (void)to; return no_files(); }

FILE *freopen(const char *path, const char *mode, FILE *stream)
{
	(void)path;
	(void)mode;
	(void)stream;
	no_files();
	return NULL;
}

/* The console streams stay open: closing one only flushes it. */
int fclose(FILE *stream)
{
	if (!state_of(stream)) {
		errno = EBADF;
		return EOF;
	}
	return fflush(stream);
}

int fgetc(FILE *stream)
{
	struct stream_state *st = state_of(stream);
	int c;

	if (!st || stream != stdin) {
		if (st)
			st->error = 1;
		errno = EBADF;
		return EOF;
	}
	if (st->pushed != EOF) {
		c = st->pushed;
		st->pushed = EOF;
		return c;
	}
	st->eof = 1;
	return EOF;
}

int getc(FILE *stream) { return fgetc(stream); }
int getchar(void) { return fgetc(stdin); }

int ungetc(int c, FILE *stream)
{
	struct stream_state *st = state_of(stream);

	if (!st || c == EOF || st->pushed != EOF)
		return EOF;
	st->pushed = (unsigned char)c;
	st->eof = 0;
	return st->pushed;
}

size_t fread(void *ptr, size_t size, size_t nmemb, FILE *stream)
{
	unsigned char *p = ptr;
	size_t total, i;

	if (!size || !nmemb || nmemb > (size_t)-1 / size)
		return 0;
	total = size * nmemb;
	for (i = 0; i < total; i++) {
		int c = fgetc(stream);

		if (c == EOF)
			break;
		p[i] = (unsigned char)c;
	}
	return i / size;
}

char *fgets(char *s, int size, FILE *stream)
{
	int i = 0;

	if (size <= 0)
		return NULL;
	while (i < size - 1) {
		int c = fgetc(stream);

		if (c == EOF)
			break;
		s[i++] = (char)c;
		if (c == '\n')
			break;
	}
	if (!i)
		return NULL;
	s[i] = '\0';
	return s;
}

int fseek(FILE *stream, long offset, int whence)
{
	(void)stream;
	(void)offset;
	(void)whence;
	errno = ESPIPE;
	return -1;
}

long ftell(FILE *stream)
{
	(void)stream;
	errno = ESPIPE;
	return -1;
}

void rewind(FILE *stream)
{
	struct stream_state *st = state_of(stream);

	if (st)
		st->error = 0;
}

int fgetpos(FILE *stream, fpos_t *pos)
{
	(void)pos;
	return (int)ftell(stream);
}

int fsetpos(FILE *stream, const fpos_t *pos)
{
	return fseek(stream, (long)*pos, SEEK_SET);
}

int feof(FILE *stream)
{
	struct stream_state *st = state_of(stream);

	return st ? st->eof : 0;
}

int ferror(FILE *stream)
{
	struct stream_state *st = state_of(stream);

	return st ? st->error : 0;
}

void clearerr(FILE *stream)
{
	struct stream_state *st = state_of(stream);

	if (st)
		st->eof = st->error = 0;
}

/* Output is unbuffered on the way to the host already; buffering requests change nothing. */
void setbuf(FILE *stream, char *buf) { (void)stream; (void)buf; }

int setvbuf(FILE *stream, char *buf, int mode, size_t size)
{
	(void)buf;
	(void)size;
	if (!state_of(stream) || mode < _IOFBF || mode > _IONBF)
		return -1;
	return 0;
}

void perror(const char *s)
{
	if (s && *s)
		fprintf(stderr, "%s: %s\n", s, strerror(errno));
	else
		fprintf(stderr, "%s\n", strerror(errno));
}
