/*
 * The data-sealing host.
 *
 *   host demo ENCLAVE_A_V1.ta ENCLAVE_A_V2.ta ENCLAVE_B.ta
 *       seals a secret in each enclave with each policy and tries to open every blob in every
 *       enclave: one line per attempt, OE_OK with the secret or the error OE gave.
 *   host seal unique|product ENCLAVE.ta BLOB_FILE SECRET
 *   host unseal ENCLAVE.ta BLOB_FILE
 *       the same one step at a time, with the blob in a file: seal, power the device off, boot it
 *       again from the same state directory, unseal (it opens); boot another device, unseal (it
 *       does not: its hardware unique key differs).
 *
 * The device is the one of TRUSTBOX_STATE=DIR. Exit status 0 when every step did what it should.
 */
#include <openenclave/host.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vault_u.h"

#define MAX_BLOB 4096
#define MAX_SECRET 1024
#define POLICY_UNIQUE 1  /* OE_SEAL_POLICY_UNIQUE (enclave-side seal.h) */
#define POLICY_PRODUCT 2 /* OE_SEAL_POLICY_PRODUCT */

struct vault {
	const char *name;
	oe_enclave_t *enclave;
};

/* "out/enclave_a_v1.ta" or ".../enclave_a_v1.signed" -> "enclave_a_v1" (it only labels the output) */
static const char *name_of(const char *path)
{
	static char names[4][64];
	static int next;
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char *name = names[next++ % 4];

	snprintf(name, sizeof(names[0]), "%s", base);
	if (strchr(name, '.'))
		*strchr(name, '.') = '\0';
	return name;
}

static int open_vault(const char *path, struct vault *v)
{
	oe_result_t r = oe_create_vault_enclave(path, OE_ENCLAVE_TYPE_AUTO, OE_ENCLAVE_FLAG_DEBUG, NULL, 0, &v->enclave);

	v->name = name_of(path);
	if (r != OE_OK) {
		fprintf(stderr, "host: creating %s failed: %s\n", path, oe_result_str(r));
		return -1;
	}
	return 0;
}

/* One seal; returns the oe_result_t (transport error or the enclave's). */
static oe_result_t seal(struct vault *v, int policy, const char *secret, uint8_t *blob, size_t *size)
{
	int inner = OE_FAILURE;
	oe_result_t r = vault_seal(v->enclave, &inner, policy, secret, blob, MAX_BLOB, size);

	fflush(stdout);
	return r != OE_OK ? r : (oe_result_t)inner;
}

static oe_result_t unseal(struct vault *v, const uint8_t *blob, size_t size, char *secret)
{
	int inner = OE_FAILURE;
	oe_result_t r = vault_unseal(v->enclave, &inner, blob, size, secret, MAX_SECRET);

	return r != OE_OK ? r : (oe_result_t)inner;
}

/* Seals in vaults[from] with `policy`, then opens the blob in every vault; `expect` lists which
 * vaults should open it. Returns the number of surprises. */
static int round_trip(struct vault *vaults, int n, int from, int policy, const char *secret, const int *expect)
{
	uint8_t blob[MAX_BLOB];
	char plain[MAX_SECRET];
	size_t size = 0;
	int surprises = 0;
	const char *pname = policy == POLICY_UNIQUE ? "OE_SEAL_POLICY_UNIQUE" : "OE_SEAL_POLICY_PRODUCT";
	oe_result_t r = seal(&vaults[from], policy, secret, blob, &size);

	if (r != OE_OK) {
		printf("host: %s could not seal: %s\n", vaults[from].name, oe_result_str(r));
		return 1;
	}
	for (int i = 0; i < n; i++) {
		r = unseal(&vaults[i], blob, size, plain);
		if (r == OE_OK)
			printf("host: %s sealed by %s, opened in %s: OE_OK \"%s\"\n", pname, vaults[from].name,
			       vaults[i].name, plain);
		else
			printf("host: %s sealed by %s, opened in %s: %s\n", pname, vaults[from].name,
			       vaults[i].name, oe_result_str(r));
		if ((r == OE_OK) != (expect[i] != 0) || (r == OE_OK && strcmp(plain, secret) != 0))
			surprises++;
	}
	fflush(stdout);
	return surprises;
}

static int demo(char **paths)
{
	struct vault v[3];
	int surprises = 0, opened = 0;
	/* a_v1 and a_v2: one signer, one product; b: another signer and product */
	static const int product_from_v1[] = { 1, 1, 0 }; /* the product's enclaves, any release >= 1 */
	static const int product_from_v2[] = { 0, 1, 0 }; /* a_v1 is older than the sealer */
	static const int unique_from_v1[] = { 1, 0, 0 };  /* only the very same enclave */

	for (; opened < 3; opened++) {
		if (open_vault(paths[opened], &v[opened]) != 0) {
			surprises = -1;
			goto out;
		}
	}
	surprises += round_trip(v, 3, 0, POLICY_PRODUCT, "the product's secret", product_from_v1);
	surprises += round_trip(v, 3, 1, POLICY_PRODUCT, "release 2's secret", product_from_v2);
	surprises += round_trip(v, 3, 0, POLICY_UNIQUE, "a_v1's own secret", unique_from_v1);
	if (surprises)
		printf("host: %d unexpected results\n", surprises);
	else
		printf("host: sealing behaved as the policies say\n");
out:
	while (opened-- > 0)
		oe_terminate_enclave(v[opened].enclave);
	return surprises == 0 ? 0 : 1;
}

static int seal_to_file(const char *policy_text, const char *path, const char *file, const char *secret)
{
	struct vault v;
	uint8_t blob[MAX_BLOB];
	size_t size = 0;
	int policy = !strcmp(policy_text, "unique") ? POLICY_UNIQUE : !strcmp(policy_text, "product") ? POLICY_PRODUCT : 0;
	oe_result_t r;
	FILE *f;

	if (!policy) {
		fprintf(stderr, "host: the policy is unique or product, not %s\n", policy_text);
		return 2;
	}
	if (open_vault(path, &v) != 0)
		return 1;
	r = seal(&v, policy, secret, blob, &size);
	oe_terminate_enclave(v.enclave);
	if (r != OE_OK) {
		printf("host: sealing failed: %s\n", oe_result_str(r));
		return 1;
	}
	f = fopen(file, "wb");
	if (!f || fwrite(blob, 1, size, f) != size || fclose(f) != 0) {
		perror(file);
		return 1;
	}
	printf("host: wrote %zu bytes to %s\n", size, file);
	return 0;
}

static int unseal_from_file(const char *path, const char *file)
{
	struct vault v;
	uint8_t blob[MAX_BLOB];
	char plain[MAX_SECRET];
	size_t size;
	oe_result_t r;
	FILE *f = fopen(file, "rb");

	if (!f) {
		perror(file);
		return 1;
	}
	size = fread(blob, 1, sizeof(blob), f);
	fclose(f);
	if (open_vault(path, &v) != 0)
		return 1;
	r = unseal(&v, blob, size, plain);
	oe_terminate_enclave(v.enclave);
	if (r != OE_OK) {
		printf("host: %s could not open %s: %s\n", v.name, file, oe_result_str(r));
		return 1;
	}
	printf("host: %s opened %s: \"%s\"\n", v.name, file, plain);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "demo"))
		return demo(argv + 2);
	if (argc == 6 && !strcmp(argv[1], "seal"))
		return seal_to_file(argv[2], argv[3], argv[4], argv[5]);
	if (argc == 4 && !strcmp(argv[1], "unseal"))
		return unseal_from_file(argv[2], argv[3]);
	fprintf(stderr, "usage: %s demo A_V1.ta A_V2.ta B.ta\n"
			"       %s seal unique|product ENCLAVE.ta BLOB_FILE SECRET\n"
			"       %s unseal ENCLAVE.ta BLOB_FILE\n",
		argv[0], argv[0], argv[0]);
	return 2;
}
