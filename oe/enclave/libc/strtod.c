/*
 * strtod, strtof, strtold, atof of OE enclaves: decimal and hexadecimal (C99 "0x1.8p3") numbers,
 * "inf"/"infinity", "nan"/"nan(chars)", any case.
 *
 * A decimal number's first 19 significant digits and its power of ten are combined in long
 * double, which on aarch64 is IEEE binary128 (113-bit significand, libgcc's software floating
 * point), then rounded once to the result type. The result is the correctly rounded double
 * except for inputs within about 2^-100 of a halfway point between two doubles (or whose digits
 * after the 19th would decide such a case); strtold's result is within a few binary128 ulps.
 * Overflow gives ±HUGE_VAL and underflow to zero gives 0, both with errno = ERANGE.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = lower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The n-char-sequence of "nan(...)": digits, letters, underscore. */
static int is_nan_char(int c)
{
	return (c >= '0' && c <= '9') || (lower(c) >= 'a' && lower(c) <= 'z') || c == '_';
}

/* Case-insensitive prefix match: the length of `word` if `p` starts with it, else 0. */
static int starts_with(const char *p, const char *word)
{
	int n = 0;

	for (; word[n]; n++)
		if (lower((unsigned char)p[n]) != word[n])
			return 0;
	return n;
}

/* base^exp for exp >= 0, by squaring. */
static long double power(long double base, long exp)
{
	long double r = 1.0L;

	for (; exp; exp >>= 1, base *= base)
		if (exp & 1)
			r *= base;
	return r;
}

/* value * 10^exp10 (decimal) or value * 2^exp2 (hexadecimal). Exponents beyond what binary128
 * holds saturate to infinity or zero. */
static long double scale(long double value, long exp, int radix)
{
	long limit = radix == 10 ? 5000 : 17000;

	if (value == 0.0L)
		return value;
	if (exp > limit)
		return __builtin_infl();
	if (exp < -limit)
		return 0.0L;
	if (exp >= 0)
		return value * power(radix, exp);
	return value / power(radix, -exp);
}

/* Digits with an optional point: up to `max` significant ones into *mant, the rest counted into
 * *exp (in digits); returns where the digits end, or `p` when there were none. */
static const char *digits(const char *p, int radix, int max, uint64_t *mant, long *exp)
{
	const char *start = p;
	int n = 0, seen_point = 0, any = 0;

	for (;; p++) {
		int d = radix == 16 ? hex_value(*p) : (*p >= '0' && *p <= '9' ? *p - '0' : -1);

		if (*p == '.' && !seen_point) {
			seen_point = 1;
			continue;
		}
		if (d < 0)
			break;
		any = 1;
		if (n < max && (*mant || d)) {
			*mant = *mant * (unsigned)radix + (unsigned)d;
			n++;
			if (seen_point)
				(*exp)--;
		} else if (n >= max && !seen_point) {
			(*exp)++;
		} else if (!*mant && seen_point) {
			(*exp)--; /* leading zeros after the point */
		}
	}
	return any ? p : start;
}

/* An exponent part ("e-12", "p+3"): added to *exp; returns where it ends (or `p`). */
static const char *exponent(const char *p, char letter, long *exp)
{
	const char *q = p + 1;
	long e = 0;
	int neg = 0;

	if (lower((unsigned char)*p) != letter)
		return p;
	if (*q == '+' || *q == '-')
		neg = *q++ == '-';
	if (*q < '0' || *q > '9')
		return p;
	for (; *q >= '0' && *q <= '9'; q++)
		if (e < 100000)
			e = e * 10 + (*q - '0');
	*exp += neg ? -e : e;
	return q;
}

static long double parse(const char *s, char **end)
{
	const char *p = s, *q;
	uint64_t mant = 0;
	long exp = 0;
	int neg = 0, n;
	long double v;

	while (*p == ' ' || (*p >= '\t' && *p <= '\r'))
		p++;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if ((n = starts_with(p, "infinity")) || (n = starts_with(p, "inf"))) {
		if (end)
			*end = (char *)p + n;
		return neg ? -__builtin_infl() : __builtin_infl();
	}
	if ((n = starts_with(p, "nan"))) {
		p += n;
		if (*p == '(') {
			for (q = p + 1; is_nan_char(*q); q++)
				;
			if (*q == ')')
				p = q + 1;
		}
		if (end)
			*end = (char *)p;
		return neg ? -__builtin_nanl("") : __builtin_nanl("");
	}
	if (p[0] == '0' && lower((unsigned char)p[1]) == 'x' &&
	    (hex_value((unsigned char)p[2]) >= 0 || (p[2] == '.' && hex_value((unsigned char)p[3]) >= 0))) {
		q = digits(p + 2, 16, 16, &mant, &exp);
		exp *= 4;
		q = exponent(q, 'p', &exp);
		v = scale((long double)mant, exp, 2);
	} else {
		q = digits(p, 10, 19, &mant, &exp);
		if (q == p) {
			if (end)
				*end = (char *)s;
			return 0.0L;
		}
		q = exponent(q, 'e', &exp);
		v = scale((long double)mant, exp, 10);
	}
	if (end)
		*end = (char *)q;
	return neg ? -v : v;
}

/* ERANGE when a finite nonzero input became infinite or zero in the result type. */
static void check_range(int overflow, int underflow)
{
	if (overflow || underflow)
		errno = ERANGE;
}

double strtod(const char *s, char **end)
{
	char *e;
	long double v = parse(s, &e);
	double d = (double)v;

	check_range(__builtin_isinf(d) && !__builtin_isinf(v), d == 0.0 && v != 0.0L);
	if (end)
		*end = e;
	return d;
}

float strtof(const char *s, char **end)
{
	char *e;
	long double v = parse(s, &e);
	float f = (float)v;

	check_range(__builtin_isinf(f) && !__builtin_isinf(v), f == 0.0f && v != 0.0L);
	if (end)
		*end = e;
	return f;
}

long double strtold(const char *s, char **end)
{
	return parse(s, end);
}

double atof(const char *s) { return strtod(s, NULL); }
