/* Calls each ECALL of parity.edl through the generated host proxies; a fake
 * oe_call_enclave_function prints the buffers and runs the generated enclave stub directly. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include "parity_u.h"
#include <openenclave/edger8r/enclave.h>

/* The proxies under their <name>_ names: `hello` itself is the enclave's implementation here. */
extern __typeof(hello) parity_hello;
extern __typeof(arrays) parity_arrays;
extern __typeof(sizes) parity_sizes;
extern __typeof(seal_data) parity_seal_data;
extern __typeof(unseal_data) parity_unseal_data;
extern __typeof(paint) parity_paint;
extern __typeof(wide) parity_wide;
extern __typeof(mix) parity_mix;

static const char *names[] = {"hello", "arrays", "sizes", "seal_data", "unseal_data", "paint", "wide", "mix"};

static void hex(const char *tag, const char *name, const void *p, size_t n)
{
	printf("%s %s ", tag, name);
	for (size_t i = 0; i < n; i++)
		printf("%02x", ((const uint8_t *)p)[i]);
	printf("\n");
}

oe_result_t oe_call_enclave_function(oe_enclave_t *enclave, uint64_t *global_id, const char *name,
				     const void *input_buffer, size_t input_buffer_size, void *output_buffer,
				     size_t output_buffer_size, size_t *output_bytes_written)
{
	(void)enclave;
	for (uint64_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i], name) == 0)
			*global_id = i;
	hex("IN", name, input_buffer, input_buffer_size);
	/* The enclave works on its own copy of the input. */
	void *copy = malloc(input_buffer_size);
	memcpy(copy, input_buffer, input_buffer_size);
	oe_ecalls_table[*global_id](copy, input_buffer_size, output_buffer, output_buffer_size, output_bytes_written);
	free(copy);
	hex("OUT", name, output_buffer, output_buffer_size);
	return OE_OK;
}

oe_result_t oe_create_enclave(const char *path, oe_enclave_type_t type, uint32_t flags, const oe_enclave_setting_t *settings,
			      uint32_t setting_count, const oe_ocall_func_t *ocall_table, uint32_t ocall_count,
			      const oe_ecall_info_t *ecall_name_table, uint32_t ecall_count, oe_enclave_t **enclave)
{
	(void)path; (void)type; (void)flags; (void)settings; (void)setting_count; (void)ocall_table; (void)ocall_count;
	(void)ecall_name_table; (void)ecall_count; (void)enclave;
	return OE_UNSUPPORTED;
}

int main(void)
{
	int r = 0;
	oe_enclave_t *e = NULL;
	int outs[3];
	struct point p = {5, 6};
	printf("RES hello %d", parity_hello(e, &r, "hello", outs, 3, &p));
	printf(" %d %d %d %d %d %d\n", r, outs[0], outs[1], outs[2], p.x, p.y);

	int a[4] = {3, 4, 5, 6}, b[2][3];
	char c[5] = {'a', 'b', 'c', 'd', 'e'};
	oe_result_t ar = parity_arrays(e, a, b, c);
	printf("RES arrays %d %d %d %c\n", ar, b[0][0], b[1][2], c[4]);

	uint8_t buf[10];
	for (int i = 0; i < 10; i++)
		buf[i] = (uint8_t)(i * 3);
	printf("RES sizes %d\n", parity_sizes(e, buf, 10, (void *)0x1234));

	data_t sealed;
	printf("RES seal_data %d", parity_seal_data(e, &r, 2, (const uint8_t *)"secret", 6, &sealed));
	printf(" %d %zu %02x %02x\n", r, sealed.size, sealed.data[0], sealed.data[9]);

	uint8_t abcd[4] = {'a', 'b', 'c', 'd'};
	data_t in = {abcd, 4}, out;
	printf("RES unseal_data %d", parity_unseal_data(e, &r, &in, &out));
	printf(" %d %zu %c\n", r, out.size, out.data[3]);

	int i1[2] = {9, 8}, i2[3] = {30, 31, 32};
	struct arr_t arrs[2] = {{i1, 2, "n1"}, {i2, 3, "n2"}};
	union u_t u;
	u.i = 77;
	struct point pp = {5, 6};
	printf("RES paint %d", parity_paint(e, &r, pp, u, arrs));
	printf(" %d\n", r);

	printf("RES wide %d\n", parity_wide(e, L"w\u00e9"));

	uint64_t m = 0;
	printf("RES mix %d", parity_mix(e, &m, 200, 60000, -5, 2.75, true));
	printf(" %llu\n", (unsigned long long)m);
	return 0;
}
