/* stdlib of OE enclaves: the TA heap, number parsing, sorting, exit. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <tee_internal_api.h>
#include <openenclave/enclave.h>

int errno;

void *malloc(size_t size) { return TEE_Malloc(size, TEE_MALLOC_NO_FILL); }
void free(void *ptr) { TEE_Free(ptr); }
void *realloc(void *ptr, size_t size) { return TEE_Realloc(ptr, size); }

void *calloc(size_t nmemb, size_t size)
{
	if (size && nmemb > (size_t)-1 / size)
		return NULL;
	return TEE_Malloc(nmemb * size, TEE_MALLOC_FILL_ZERO);
}

/* Over-allocates and keeps the real block's address just below the aligned pointer is not
 * possible with free(); the TA heap is 16-byte aligned, which covers every alignment ≤ 16. */
void *memalign(size_t alignment, size_t size)
{
	if (alignment > 16 || (alignment & (alignment - 1)))
		return NULL;
	return malloc(size);
}

int posix_memalign(void **memptr, size_t alignment, size_t size)
{
	void *p = memalign(alignment, size);

	if (!p)
		return alignment > 16 ? EINVAL : ENOMEM;
	*memptr = p;
	return 0;
}

void *aligned_alloc(size_t alignment, size_t size) { return memalign(alignment, size); }

void abort(void) { oe_abort(); }
void exit(int status) { (void)status; oe_abort(); }
/* An enclave cannot end its host process: every way out of the program aborts the enclave. */
void _Exit(int status) { (void)status; oe_abort(); }
void quick_exit(int status) { (void)status; oe_abort(); }
int at_quick_exit(void (*fn)(void)) { (void)fn; return 0; } /* quick_exit runs nothing */

/* No command processor in an enclave: system(NULL) says so, a command fails. */
int system(const char *command)
{
	if (!command)
		return 0;
	errno = ENOSYS;
	return -1;
}

int abs(int v) { return v < 0 ? -v : v; }
long labs(long v) { return v < 0 ? -v : v; }
long long llabs(long long v) { return v < 0 ? -v : v; }
div_t div(int num, int den) { return (div_t){ num / den, num % den }; }
ldiv_t ldiv(long num, long den) { return (ldiv_t){ num / den, num % den }; }
lldiv_t lldiv(long long num, long long den) { return (lldiv_t){ num / den, num % den }; }

static int digit_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

static unsigned long long parse_unsigned(const char *s, char **end, int base, int *neg, int *overflow)
{
	const char *p = s;
	unsigned long long v = 0;
	int any = 0;

	*neg = 0;
	*overflow = 0;
	while (*p == ' ' || (*p >= '\t' && *p <= '\r'))
		p++;
	if (*p == '+' || *p == '-')
		*neg = *p++ == '-';
	if ((base == 0 || base == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
	    digit_value(p[2]) < 16) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = p[0] == '0' ? 8 : 10;
	}
	for (; digit_value(*p) < base; p++, any = 1) {
		unsigned long long next = v * (unsigned)base + (unsigned)digit_value(*p);

		if (next / (unsigned)base != v && !*overflow)
			*overflow = 1;
		v = next;
	}
	if (end)
		*end = (char *)(any ? p : s);
	return v;
}

unsigned long long strtoull(const char *s, char **end, int base)
{
	int neg, of;
	unsigned long long v = parse_unsigned(s, end, base, &neg, &of);

	if (of) {
		errno = ERANGE;
		return ~0ULL;
	}
	return neg ? -v : v;
}

long long strtoll(const char *s, char **end, int base)
{
	int neg, of;
	unsigned long long v = parse_unsigned(s, end, base, &neg, &of);
	unsigned long long lim = neg ? (1ULL << 63) : (1ULL << 63) - 1;

	if (of || v > lim) {
		errno = ERANGE;
		return neg ? (long long)(1ULL << 63) : (long long)((1ULL << 63) - 1);
	}
	return neg ? (long long)-v : (long long)v;
}

long strtol(const char *s, char **end, int base) { return (long)strtoll(s, end, base); }
unsigned long strtoul(const char *s, char **end, int base) { return (unsigned long)strtoull(s, end, base); }
int atoi(const char *s) { return (int)strtol(s, NULL, 10); }
long atol(const char *s) { return strtol(s, NULL, 10); }
long long atoll(const char *s) { return strtoll(s, NULL, 10); }
intmax_t strtoimax(const char *s, char **end, int base) { return strtoll(s, end, base); }
uintmax_t strtoumax(const char *s, char **end, int base) { return strtoull(s, end, base); }
intmax_t imaxabs(intmax_t v) { return v < 0 ? -v : v; }
imaxdiv_t imaxdiv(intmax_t num, intmax_t den) { return (imaxdiv_t){ num / den, num % den }; }

static void swap_bytes(char *a, char *b, size_t n)
{
	while (n--) {
		char t = *a;

		*a++ = *b;
		*b++ = t;
	}
}

/* Insertion sort for short ranges, else a median-less quicksort; enclave data sets are small. */
void qsort(void *base, size_t nmemb, size_t size, int (*cmp)(const void *, const void *))
{
	char *b = base;

	while (nmemb > 1) {
		size_t lo = 0;
		char *pivot = b + (nmemb - 1) * size;

		swap_bytes(b + (nmemb / 2) * size, pivot, size);
		for (size_t i = 0; i + 1 < nmemb; i++)
			if (cmp(b + i * size, pivot) < 0)
				swap_bytes(b + i * size, b + lo++ * size, size);
		swap_bytes(b + lo * size, pivot, size);
		/* Recurse into the smaller part, loop over the larger one. */
		if (lo < nmemb - lo - 1) {
			qsort(b, lo, size, cmp);
			b += (lo + 1) * size;
			nmemb -= lo + 1;
		} else {
			qsort(b + (lo + 1) * size, nmemb - lo - 1, size, cmp);
			nmemb = lo;
		}
	}
}

void *bsearch(const void *key, const void *base, size_t nmemb, size_t size,
	      int (*cmp)(const void *, const void *))
{
	const char *b = base;

	while (nmemb) {
		const char *mid = b + (nmemb / 2) * size;
		int c = cmp(key, mid);

		if (!c)
			return (void *)mid;
		if (c > 0) {
			b = mid + size;
			nmemb -= nmemb / 2 + 1;
		} else {
			nmemb /= 2;
		}
	}
	return NULL;
}

static unsigned long long rand_state = 0x2545F4914F6CDD1DULL;
int rand(void)
{
	rand_state = rand_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (int)((rand_state >> 33) & RAND_MAX);
}
void srand(unsigned int seed) { rand_state = seed; }

char *getenv(const char *name) { (void)name; return NULL; }
