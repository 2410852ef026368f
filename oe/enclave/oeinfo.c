/* Default `.oeinfo` record: UUID unset, product 0, SVN 0, debug; oesign overwrites it. */
#include <openenclave/bits/optee/oeinfo.h>

__attribute__((section(".oeinfo"), used)) const struct oe_optee_enclave_info oe_optee_enclave_info = {
	.magic = { 'O', 'E', 'O', 'P', 'T', 'E', 'E', '1' },
	.uuid = { 0 },
	.product_id = 0,
	.security_version = 0,
	.debug = 1,
	.num_heap_pages = 512,
	.num_stack_pages = 16,
	.num_tcs = 1,
	.reserved = { 0 },
};
