/*
 * What the three enclaves of the sample share: sealing a secret and opening a blob with
 * oe_seal / oe_unseal. Which enclaves can open a blob is decided by the seal policy and by
 * each enclave's identity (its signer, ProductID and SecurityVersion from its .conf, its
 * measurement), never by this code: it is the same in all three.
 */
#include <openenclave/enclave.h>
#include <openenclave/seal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vault_t.h"
#include "vault_identity.h"

/* Bound to every blob as additional authenticated data: a blob of another application that
 * happens to use the same keys does not open here. */
static const char app_label[] = "trustbox data-sealing sample";

static const char *policy_name(int policy)
{
	return policy == OE_SEAL_POLICY_UNIQUE ? "OE_SEAL_POLICY_UNIQUE"
	       : policy == OE_SEAL_POLICY_PRODUCT ? "OE_SEAL_POLICY_PRODUCT"
						   : "an unknown policy";
}

int vault_seal(int policy, const char *secret, uint8_t *blob, size_t capacity, size_t *blob_size)
{
	const oe_seal_setting_t settings[] = { OE_SEAL_SET_POLICY(policy) };
	uint8_t *sealed = NULL;
	size_t sealed_size = 0;
	oe_result_t result;

	*blob_size = 0;
	result = oe_seal(NULL, settings, 1, (const uint8_t *)secret, strlen(secret),
			 (const uint8_t *)app_label, sizeof(app_label), &sealed, &sealed_size);
	if (result != OE_OK) {
		printf("%s: oe_seal with %s failed: %s\n", vault_enclave_name, policy_name(policy),
		       oe_result_str(result));
		return result;
	}
	if (sealed_size > capacity) {
		free(sealed);
		return OE_BUFFER_TOO_SMALL;
	}
	memcpy(blob, sealed, sealed_size);
	*blob_size = sealed_size;
	printf("%s: sealed %zu bytes with %s into a %zu-byte blob\n", vault_enclave_name, strlen(secret),
	       policy_name(policy), sealed_size);
	free(sealed);
	return OE_OK;
}

int vault_unseal(const uint8_t *blob, size_t blob_size, char *secret, size_t capacity)
{
	uint8_t *plain = NULL;
	size_t plain_size = 0;
	oe_result_t result;

	result = oe_unseal(blob, blob_size, (const uint8_t *)app_label, sizeof(app_label), &plain, &plain_size);
	if (result != OE_OK)
		return result;
	if (plain_size >= capacity) {
		free(plain);
		return OE_BUFFER_TOO_SMALL;
	}
	memcpy(secret, plain, plain_size);
	secret[plain_size] = '\0';
	/* the plaintext leaves the enclave only because this sample shows it; wipe our copy */
	memset(plain, 0, plain_size);
	free(plain);
	return OE_OK;
}
