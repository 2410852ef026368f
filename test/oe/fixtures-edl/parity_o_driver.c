/* Calls each OCALL of parity_o.edl through the generated enclave-side proxies (compiled for the
 * host, renamed enc_o_* by -D); a fake oe_call_host_function prints the buffers and runs the
 * generated host-side stub from the table oe_create_parity_o_enclave registers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include "parity_o_t.h"
#include <openenclave/edger8r/host.h>

oe_result_t oe_create_parity_o_enclave(const char *path, oe_enclave_type_t type, uint32_t flags,
				       const oe_enclave_setting_t *settings, uint32_t setting_count, oe_enclave_t **enclave);

static const oe_ocall_func_t *table;
static const char *names[] = {"hello", "arrays", "sizes", "seal_data", "unseal_data", "paint", "wide", "mix"};

oe_result_t oe_create_enclave(const char *path, oe_enclave_type_t type, uint32_t flags, const oe_enclave_setting_t *settings,
			      uint32_t setting_count, const oe_ocall_func_t *ocall_table, uint32_t ocall_count,
			      const oe_ecall_info_t *ecall_name_table, uint32_t ecall_count, oe_enclave_t **enclave)
{
	(void)path; (void)type; (void)flags; (void)settings; (void)setting_count; (void)ocall_count;
	(void)ecall_name_table; (void)ecall_count; (void)enclave;
	table = ocall_table;
	return OE_OK;
}

void *oe_allocate_ocall_buffer(size_t size) { return malloc(size); }
void oe_free_ocall_buffer(void *buffer) { free(buffer); }

static void hex(const char *tag, const char *name, const void *p, size_t n)
{
	printf("%s %s ", tag, name);
	for (size_t i = 0; i < n; i++)
		printf("%02x", ((const uint8_t *)p)[i]);
	printf("\n");
}

oe_result_t oe_call_host_function(size_t function_id, const void *input_buffer, size_t input_buffer_size,
				  void *output_buffer, size_t output_buffer_size, size_t *output_bytes_written)
{
	hex("IN", names[function_id], input_buffer, input_buffer_size);
	void *copy = malloc(input_buffer_size);
	memcpy(copy, input_buffer, input_buffer_size);
	table[function_id](copy, input_buffer_size, output_buffer, output_buffer_size, output_bytes_written);
	free(copy);
	hex("OUT", names[function_id], output_buffer, output_buffer_size);
	return OE_OK;
}

int main(void)
{
	int r = 0;
	oe_create_parity_o_enclave("x", OE_ENCLAVE_TYPE_AUTO, 0, NULL, 0, NULL);
	int outs[3];
	struct point p = {5, 6};
	printf("RES hello %d\n", enc_o_hello(&r, "hello", outs, 3, &p));
	int a[4] = {3, 4, 5, 6}, b[2][3];
	char c[5] = {'a', 'b', 'c', 'd', 'e'};
	printf("RES arrays %d\n", enc_o_arrays(a, b, c));
	uint8_t buf[10];
	for (int i = 0; i < 10; i++)
		buf[i] = (uint8_t)(i * 3);
	printf("RES sizes %d\n", enc_o_sizes(buf, 10, (void *)0x1234));
	data_t sealed;
	printf("RES seal_data %d\n", enc_o_seal_data(&r, 2, (const uint8_t *)"secret", 6, &sealed));
	uint8_t abcd[4] = {'a', 'b', 'c', 'd'};
	data_t in = {abcd, 4}, out;
	printf("RES unseal_data %d\n", enc_o_unseal_data(&r, &in, &out));
	int i1[2] = {9, 8}, i2[3] = {30, 31, 32};
	struct arr_t arrs[2] = {{i1, 2, "n1"}, {i2, 3, "n2"}};
	union u_t u;
	u.i = 77;
	struct point pp = {5, 6};
	printf("RES paint %d\n", enc_o_paint(&r, pp, u, arrs));
	printf("RES wide %d\n", enc_o_wide(L"w\u00e9"));
	uint64_t m = 0;
	printf("RES mix %d\n", enc_o_mix(&m, 200, 60000, -5, 2.75, true));
	return 0;
}
