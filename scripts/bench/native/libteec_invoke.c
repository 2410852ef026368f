/*
 * libteec.invoke.us (scripts/bench/libteec.ts): hello_world's increment command (0, one
 * VALUE_INOUT) through libteec.so.2 against the device named by TRUSTBOX_STATE, as a client
 * program written against the GP TEE Client API does it.
 * usage: libteec_invoke WARMUP SAMPLES; prints "p50_us p99_us" of the timed invokes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <tee_client_api.h>

static const TEEC_UUID hello_world = { 0x8aaaf200, 0x2450, 0x11e4,
				       { 0xab, 0xe2, 0x00, 0x02, 0xa5, 0xd5, 0xc5, 0x1b } };

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
	int warmup = argc > 1 ? atoi(argv[1]) : 3000, n = argc > 2 ? atoi(argv[2]) : 3000;
	double *samples = calloc(n > 0 ? n : 1, sizeof(double));
	TEEC_Context ctx;
	TEEC_Session sess;
	TEEC_Operation op = { 0 };
	uint32_t origin;
	TEEC_Result r;

	if (!samples || n <= 0)
		return 2;
	if ((r = TEEC_InitializeContext(NULL, &ctx)) ||
	    (r = TEEC_OpenSession(&ctx, &sess, &hello_world, TEEC_LOGIN_PUBLIC, NULL, NULL, &origin))) {
		fprintf(stderr, "libteec_invoke: 0x%08x\n", r);
		return 1;
	}
	op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INOUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
	for (int i = 0; i < warmup + n; i++) {
		double t = now_us();

		op.params[0].value.a = (uint32_t)i;
		if ((r = TEEC_InvokeCommand(&sess, 0, &op, &origin)) || op.params[0].value.a != (uint32_t)i + 1) {
			fprintf(stderr, "libteec_invoke: invoke %d: 0x%08x (origin %u), a=%u\n", i, r, origin,
				op.params[0].value.a);
			return 1;
		}
		if (i >= warmup)
			samples[i - warmup] = now_us() - t;
	}
	TEEC_CloseSession(&sess);
	TEEC_FinalizeContext(&ctx);
	qsort(samples, n, sizeof(double), cmp);
	printf("%.1f %.1f\n", samples[n / 2], samples[(int)(n * 0.99) < n ? (int)(n * 0.99) : n - 1]);
	free(samples);
	return 0;
}
