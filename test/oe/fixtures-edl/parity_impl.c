/* The ECALL implementations of parity.edl, compiled for the host with the generated parity_t.c. */
#include <stdlib.h>
#include <string.h>
#include "parity_t.h"

bool oe_is_within_enclave(const void *p, size_t n) { (void)p; (void)n; return true; }
bool oe_is_outside_enclave(const void *p, size_t n) { (void)p; (void)n; return true; }

int hello(const char *s, int *outs, size_t n, struct point *p)
{
	for (size_t i = 0; i < n; i++)
		outs[i] = (int)(10 * i + 7);
	p->x += 100;
	p->y = (int)strlen(s);
	return 42;
}

void arrays(int a[4], int b[2][3], char c[5])
{
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 3; j++)
			b[i][j] = a[(i * 3 + j) % 4] * (j + 2);
	for (int k = 0; k < 5; k++)
		c[k] = (char)(c[k] + 3);
}

void sizes(const void *buf, size_t len, void *uc) { (void)buf; (void)len; (void)uc; }

int seal_data(int policy, const uint8_t *msg, size_t len, data_t *sealed)
{
	sealed->size = len + 4;
	sealed->data = malloc(sealed->size);
	for (size_t i = 0; i < sealed->size; i++)
		sealed->data[i] = (uint8_t)(msg[i % len] ^ policy);
	return 7;
}

int unseal_data(const data_t *sealed, data_t *out)
{
	out->size = sealed->size;
	out->data = malloc(out->size);
	for (size_t i = 0; i < out->size; i++)
		out->data[i] = (uint8_t)(sealed->data[i] + 1);
	return 9;
}

int paint(struct point p, union u_t u, struct arr_t *arrs)
{
	return p.x + p.y + u.i + (int)arrs[0].n + arrs[1].items[0] + arrs[0].name[1];
}

void wide(const wchar_t *w) { (void)w; }

uint64_t mix(uint8_t a, uint16_t b, int64_t c, double d, bool e)
{
	return (uint64_t)a + b + (uint64_t)c + (uint64_t)d + (e ? 1000 : 0);
}
