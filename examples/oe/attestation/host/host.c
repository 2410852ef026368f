/*
 * The attestation host: carries evidence and messages between enclave_a and enclave_b, which
 * trust nothing it says. Then it plays the attacker: altered evidence, evidence of the wrong
 * enclave and an altered message must all be refused.
 *
 *   TRUSTBOX_STATE=DIR host ENCLAVE_A.ta ENCLAVE_B.ta
 */
#include <openenclave/host.h>
#include <stdio.h>
#include <string.h>

#include "peer_u.h"

#define MAX_EVIDENCE 16384
#define MAX_MESSAGE 1024

/* r = f(enclave, &inner, args...), then the enclave's answer when the call itself went through */
#define CALL(r, f, e, ...)                                   \
	do {                                                 \
		int inner_ = OE_FAILURE;                     \
		(r) = f((e), &inner_, __VA_ARGS__);          \
		if ((r) == OE_OK)                            \
			(r) = (oe_result_t)inner_;           \
	} while (0)

struct side {
	const char *name;
	oe_enclave_t *enclave;
	uint8_t evidence[MAX_EVIDENCE];
	size_t evidence_size;
};

static struct side a = { .name = "enclave_a" }, b = { .name = "enclave_b" };

static int step(const char *what, oe_result_t r, oe_result_t expected)
{
	fflush(stdout);
	printf("host: %s: %s\n", what, oe_result_str(r));
	fflush(stdout);
	return r == expected ? 0 : 1;
}

static int attest(struct side *from, struct side *to)
{
	char what[128];
	oe_result_t r;

	CALL(r, peer_get_evidence, from->enclave, from->evidence, sizeof(from->evidence), &from->evidence_size);
	snprintf(what, sizeof(what), "%s's evidence", from->name);
	if (step(what, r, OE_OK))
		return 1;
	CALL(r, peer_verify, to->enclave, from->evidence, from->evidence_size);
	snprintf(what, sizeof(what), "%s verifies %s", to->name, from->name);
	return step(what, r, OE_OK);
}

static int exchange(struct side *from, struct side *to, const char *text)
{
	uint8_t message[MAX_MESSAGE];
	char plain[MAX_MESSAGE], what[128];
	size_t size = 0;
	oe_result_t r;

	CALL(r, peer_seal_message, from->enclave, text, message, sizeof(message), &size);
	snprintf(what, sizeof(what), "%s encrypts for %s", from->name, to->name);
	if (step(what, r, OE_OK))
		return 1;
	CALL(r, peer_open_message, to->enclave, message, size, plain, sizeof(plain));
	snprintf(what, sizeof(what), "%s decrypts", to->name);
	if (step(what, r, OE_OK) || strcmp(plain, text) != 0)
		return 1;
	/* the host alters one byte of the ciphertext on the way */
	message[size / 2] ^= 0x20;
	CALL(r, peer_open_message, to->enclave, message, size, plain, sizeof(plain));
	snprintf(what, sizeof(what), "%s decrypts an altered message", to->name);
	return step(what, r, OE_VERIFY_FAILED);
}

static int attacks(void)
{
	static uint8_t forged[MAX_EVIDENCE];
	int failures = 0;
	oe_result_t r;

	/* one bit of the PSA token (the tail of the evidence: its signature) flipped */
	memcpy(forged, a.evidence, a.evidence_size);
	forged[a.evidence_size - 5] ^= 0x01;
	CALL(r, peer_verify, b.enclave, forged, a.evidence_size);
	failures += step("enclave_b verifies enclave_a's evidence with its signature altered", r, OE_VERIFY_FAILED);

	/* the custom claims changed (another public key): the token's nonce no longer matches them */
	memcpy(forged, a.evidence, a.evidence_size);
	forged[a.evidence_size / 8] ^= 0x01;
	CALL(r, peer_verify, b.enclave, forged, a.evidence_size);
	failures += step("enclave_b verifies enclave_a's evidence with its custom claims altered", r, OE_VERIFY_FAILED);

	/* genuine evidence, but of enclave_b itself: not the product enclave_b talks to */
	CALL(r, peer_verify, b.enclave, b.evidence, b.evidence_size);
	failures += step("enclave_b verifies its own evidence as if it came from enclave_a", r, OE_VERIFY_FAILED);

	/* not evidence at all */
	memset(forged, 0x5a, 256);
	CALL(r, peer_verify, b.enclave, forged, 256);
	failures += step("enclave_b verifies 256 bytes of junk", r, OE_INVALID_PARAMETER);
	return failures;
}

int main(int argc, char **argv)
{
	int failures = 0;
	oe_result_t r;

	if (argc != 3) {
		fprintf(stderr, "usage: %s ENCLAVE_A.ta ENCLAVE_B.ta\n", argv[0]);
		return 2;
	}
	r = oe_create_peer_enclave(argv[1], OE_ENCLAVE_TYPE_AUTO, OE_ENCLAVE_FLAG_DEBUG, NULL, 0, &a.enclave);
	if (r == OE_OK)
		r = oe_create_peer_enclave(argv[2], OE_ENCLAVE_TYPE_AUTO, OE_ENCLAVE_FLAG_DEBUG, NULL, 0, &b.enclave);
	if (r != OE_OK) {
		fprintf(stderr, "host: creating the enclaves failed: %s\n", oe_result_str(r));
		if (a.enclave)
			oe_terminate_enclave(a.enclave);
		return 1;
	}
	failures += attest(&a, &b);
	failures += attest(&b, &a);
	if (!failures) {
		failures += exchange(&a, &b, "hello enclave_b, this is enclave_a");
		failures += exchange(&b, &a, "hello enclave_a, enclave_b here");
		failures += attacks();
	}
	oe_terminate_enclave(a.enclave);
	oe_terminate_enclave(b.enclave);
	printf(failures ? "host: attestation sample failed\n" : "host: attestation sample succeeded\n");
	return failures ? 1 : 0;
}
