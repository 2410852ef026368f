/*
 * Host twin of the bench TA's SHA256 command: the same C (firmware/ta/bench/sha256.c), the
 * same chained workload, timed natively. Prints the median nanoseconds per run.
 * Usage: sha256_bench <bytes> <rounds> <runs>
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "sha256.h"

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	size_t bytes = argc > 1 ? strtoul(argv[1], NULL, 0) : 1 << 20;
	unsigned rounds = argc > 2 ? strtoul(argv[2], NULL, 0) : 1;
	unsigned runs = argc > 3 ? strtoul(argv[3], NULL, 0) : 9;
	unsigned char *data = malloc(bytes);
	double *t = calloc(runs, sizeof(*t));
	unsigned char digest[32] = { 0 };
	struct sha256 s;

	for (size_t i = 0; i < bytes; i++)
		data[i] = (unsigned char)(i * 7 + 1);
	for (unsigned r = 0; r < runs; r++) {
		double t0 = now_ns();
		for (unsigned n = 0; n < rounds; n++) {
			sha256_init(&s);
			sha256_update(&s, data, bytes);
			sha256_update(&s, digest, n ? sizeof(digest) : 0);
			sha256_final(&s, digest);
		}
		t[r] = now_ns() - t0;
	}
	qsort(t, runs, sizeof(*t), cmp);
	printf("%.0f ", t[runs / 2]);
	for (int i = 0; i < 32; i++)
		printf("%02x", digest[i]);
	printf("\n");
	return 0;
}
