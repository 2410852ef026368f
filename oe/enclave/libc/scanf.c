/*
 * scanf family of OE enclaves. sscanf/vsscanf read a string: conversions d i u o x X p n c s
 * [set] and the floating ones (f e g a, through strtod), assignment suppression (*), field
 * widths and the length modifiers hh h l ll j z t L. Enclave streams have no input (file.c),
 * so scanf, fscanf and their v-forms report an input failure (EOF) before any conversion.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum length { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_BIG_L };

static enum length length_of(const char **f)
{
	switch (**f) {
	case 'h':
		if ((*f)[1] == 'h') {
			*f += 2;
			return LEN_HH;
		}
		(*f)++;
		return LEN_H;
	case 'l':
		if ((*f)[1] == 'l') {
			*f += 2;
			return LEN_LL;
		}
		(*f)++;
		return LEN_L;
	case 'j': case 'z': case 't':
		(*f)++;
		return LEN_L; /* intmax_t, size_t, ptrdiff_t: 64 bits, as long */
	case 'L':
		(*f)++;
		return LEN_BIG_L;
	default:
		return LEN_NONE;
	}
}

static void store_int(void *dst, enum length len, unsigned long long v)
{
	switch (len) {
	case LEN_HH: *(unsigned char *)dst = (unsigned char)v; break;
	case LEN_H: *(unsigned short *)dst = (unsigned short)v; break;
	case LEN_L: *(unsigned long *)dst = (unsigned long)v; break;
	case LEN_LL: case LEN_BIG_L: *(unsigned long long *)dst = v; break;
	default: *(unsigned int *)dst = (unsigned int)v; break;
	}
}

/* A copy of at most `width` characters of `s` (0 = no limit), for the strto* parsers. */
static const char *field(const char *s, size_t width, char *buf, size_t cap)
{
	size_t n;

	if (!width)
		return s;
	n = width < cap - 1 ? width : cap - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (!s[i]) {
			buf[i] = '\0';
			break;
		}
	return buf;
}

/* Set of a %[...] conversion: fills `in` and returns the character after ']' (NULL if unclosed). */
static const char *scanset(const char *f, unsigned char in[256])
{
	int negate = 0;

	if (*f == '^') {
		negate = 1;
		f++;
	}
	memset(in, negate, 256);
	if (*f == ']')
		in[(unsigned char)*f++] = (unsigned char)!negate;
	for (; *f && *f != ']'; f++) {
		if (f[1] == '-' && f[2] && f[2] != ']') {
			for (int c = (unsigned char)f[0]; c <= (unsigned char)f[2]; c++)
				in[c] = (unsigned char)!negate;
			f += 2;
		} else {
			in[(unsigned char)*f] = (unsigned char)!negate;
		}
	}
	return *f == ']' ? f + 1 : NULL;
}

int vsscanf(const char *str, const char *fmt, va_list ap)
{
	const char *s = str;
	int assigned = 0, converted = 0;

	for (const char *f = fmt; *f; f++) {
		int suppress = 0, conv;
		size_t width = 0;
		enum length len;
		char buf[128];
		char *end;
		void *dst = NULL;

		if (isspace((unsigned char)*f)) {
			while (isspace((unsigned char)*s))
				s++;
			continue;
		}
		if (*f != '%' || f[1] == '%') {
			if (*f == '%')
				f++;
			if (*s != *f)
				break;
			s++;
			continue;
		}
		f++;
		if (*f == '*') {
			suppress = 1;
			f++;
		}
		while (*f >= '0' && *f <= '9')
			width = width * 10 + (size_t)(*f++ - '0');
		len = length_of(&f);
		conv = *f;
		if (!conv)
			break;
		if (!suppress && conv != '%')
			dst = va_arg(ap, void *);
		if (conv == 'n') {
			if (dst)
				store_int(dst, len, (unsigned long long)(s - str));
			continue;
		}
		if (conv != 'c' && conv != '[')
			while (isspace((unsigned char)*s))
				s++;
		if (!*s)
			return converted ? assigned : EOF;
		switch (conv) {
		case 'd': case 'i': case 'u': case 'o': case 'x': case 'X': case 'p': {
			int base = conv == 'd' || conv == 'u' ? 10 : conv == 'i' ? 0 : conv == 'o' ? 8 : 16;
			const char *in = field(s, width, buf, sizeof(buf));
			unsigned long long v = conv == 'd' || conv == 'i'
				? (unsigned long long)strtoll(in, &end, base) : strtoull(in, &end, base);

			if (end == in)
				return assigned;
			s += end - in;
			if (dst)
				store_int(dst, conv == 'p' ? LEN_L : len, v);
			break;
		}
		case 'f': case 'e': case 'g': case 'a': case 'E': case 'G': case 'A': case 'F': {
			const char *in = field(s, width, buf, sizeof(buf));
			long double v = strtold(in, &end);

			if (end == in)
				return assigned;
			s += end - in;
			if (dst) {
				if (len == LEN_BIG_L)
					*(long double *)dst = v;
				else if (len == LEN_L)
					*(double *)dst = (double)v;
				else
					*(float *)dst = (float)v;
			}
			break;
		}
		case 'c': {
			size_t n = width ? width : 1;

			if (strnlen(s, n) < n)
				return assigned;
			if (dst)
				memcpy(dst, s, n);
			s += n;
			break;
		}
		case 's': case '[': {
			unsigned char in[256];
			size_t n = 0;

			if (conv == '[') {
				f = scanset(f + 1, in);
				if (!f)
					return assigned;
				f--; /* the loop steps past ']' */
			} else {
				for (int c = 0; c < 256; c++)
					in[c] = (unsigned char)(c && !isspace(c));
			}
			while (s[n] && in[(unsigned char)s[n]] && (!width || n < width))
				n++;
			if (!n)
				return assigned;
			if (dst) {
				memcpy(dst, s, n);
				((char *)dst)[n] = '\0';
			}
			s += n;
			break;
		}
		default:
			return assigned; /* an unknown conversion ends the scan */
		}
		converted++;
		if (dst)
			assigned++;
	}
	return assigned;
}

int sscanf(const char *str, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsscanf(str, fmt, ap);
	va_end(ap);
	return n;
}

int vfscanf(FILE *stream, const char *fmt, va_list ap)
{
	(void)stream;
	(void)fmt;
	(void)ap;
	return EOF;
}

int fscanf(FILE *stream, const char *fmt, ...)
{
	(void)stream;
	(void)fmt;
	return EOF;
}

int vscanf(const char *fmt, va_list ap) { return vfscanf(stdin, fmt, ap); }

int scanf(const char *fmt, ...)
{
	(void)fmt;
	return EOF;
}
