/*
 * mbedtls' entropy source inside an enclave (MBEDTLS_ENTROPY_HARDWARE_ALT): the TEE's random
 * numbers through oe_random (TEE_GenerateRandom). Compiled into libmbedcrypto.a by
 * scripts/mbedtls.sh; there is no OS entropy in a TA.
 */
#include <stddef.h>

#include <openenclave/bits/result.h>

oe_result_t oe_random(void *data, size_t size);

int mbedtls_hardware_poll(void *data, unsigned char *output, size_t len, size_t *olen);

int mbedtls_hardware_poll(void *data, unsigned char *output, size_t len, size_t *olen)
{
	(void)data;
	if (oe_random(output, len) != OE_OK) {
		*olen = 0;
		return -1;
	}
	*olen = len;
	return 0;
}
