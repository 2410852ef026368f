/*
 * The two enclaves' ecalls: evidence with custom claims, verification of the peer's evidence,
 * and messages for the verified peer. Everything here uses OE's attestation API as OE
 * documents it; the evidence format is the one TrustBox supports, OE_FORMAT_UUID_TRUSTBOX_PSA.
 */
#include <openenclave/enclave.h>
#include <openenclave/attestation/attester.h>
#include <openenclave/attestation/custom_claims.h>
#include <openenclave/attestation/verifier.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peer.h"
#include "peer_t.h"

static const oe_uuid_t format = { OE_FORMAT_UUID_TRUSTBOX_PSA };
#define CLAIM_NAME "peer_name"
#define CLAIM_KEY "public_key"

static const oe_claim_t *find(const oe_claim_t *claims, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(claims[i].name, name))
			return &claims[i];
	return NULL;
}

/* Evidence about this enclave with the custom claims {peer_name, public_key}. */
static oe_result_t own_evidence(uint8_t **evidence, size_t *size)
{
	uint8_t public_key[PEER_PUBLIC_KEY_SIZE];
	oe_claim_t custom[2];
	uint8_t *buffer = NULL;
	size_t buffer_size = 0;
	oe_result_t r;

	if (keys_public(public_key) != 0)
		return OE_CRYPTO_ERROR;
	custom[0].name = (char *)CLAIM_NAME;
	custom[0].value = (uint8_t *)peer_self_name;
	custom[0].value_size = strlen(peer_self_name) + 1;
	custom[1].name = (char *)CLAIM_KEY;
	custom[1].value = public_key;
	custom[1].value_size = sizeof(public_key);
	r = oe_serialize_custom_claims(custom, 2, &buffer, &buffer_size);
	if (r != OE_OK)
		return r;
	r = oe_attester_initialize();
	if (r == OE_OK)
		r = oe_get_evidence(&format, 0, buffer, buffer_size, NULL, 0, evidence, size, NULL, NULL);
	oe_free_serialized_custom_claims(buffer);
	return r;
}

int peer_get_evidence(uint8_t *evidence, size_t capacity, size_t *evidence_size)
{
	uint8_t *ev = NULL;
	size_t size = 0;
	oe_result_t r = own_evidence(&ev, &size);

	*evidence_size = 0;
	if (r != OE_OK)
		return r;
	if (size > capacity) {
		oe_free_evidence(ev);
		return OE_BUFFER_TOO_SMALL;
	}
	memcpy(evidence, ev, size);
	*evidence_size = size;
	oe_free_evidence(ev);
	printf("%s: made %zu bytes of evidence with its public key in the custom claims\n", peer_self_name, size);
	return OE_OK;
}

/* This enclave's own signer id: verify evidence about ourselves and read it from the claims. */
static oe_result_t own_signer(uint8_t signer[32])
{
	uint8_t *ev = NULL;
	size_t size = 0, n = 0;
	oe_claim_t *claims = NULL;
	const oe_claim_t *c;
	oe_result_t r = own_evidence(&ev, &size);

	if (r == OE_OK)
		r = oe_verify_evidence(&format, ev, size, NULL, 0, NULL, 0, &claims, &n);
	if (r == OE_OK) {
		c = find(claims, n, OE_CLAIM_SIGNER_ID);
		if (c && c->value_size == 32)
			memcpy(signer, c->value, 32);
		else
			r = OE_NOT_FOUND;
	}
	oe_free_claims(claims, n);
	oe_free_evidence(ev);
	return r;
}

/* The peer is who we expect: our signer, the expected product, a security version >= 1. */
static oe_result_t check_identity(const oe_claim_t *claims, size_t n)
{
	const oe_claim_t *signer = find(claims, n, OE_CLAIM_SIGNER_ID);
	const oe_claim_t *product = find(claims, n, OE_CLAIM_PRODUCT_ID);
	const oe_claim_t *svn = find(claims, n, OE_CLAIM_SECURITY_VERSION);
	uint8_t mine[32];
	uint32_t version = 0;
	oe_result_t r = own_signer(mine);

	if (r != OE_OK)
		return r;
	if (!signer || signer->value_size != 32 || memcmp(signer->value, mine, 32)) {
		printf("%s: the peer has another signer\n", peer_self_name);
		return OE_VERIFY_FAILED;
	}
	/* product_id is 16 bytes (OE_PRODUCT_ID_SIZE): the ProductID, little-endian, then zeros */
	if (!product || product->value_size < 2 ||
	    (uint16_t)(product->value[0] | (product->value[1] << 8)) != peer_expected_product) {
		printf("%s: the peer is not product %u\n", peer_self_name, (unsigned)peer_expected_product);
		return OE_VERIFY_FAILED;
	}
	if (svn && svn->value_size == 4)
		memcpy(&version, svn->value, 4);
	if (version < 1) {
		printf("%s: the peer's security version is too old\n", peer_self_name);
		return OE_VERIFY_FAILED;
	}
	return OE_OK;
}

int peer_verify(const uint8_t *evidence, size_t size)
{
	oe_claim_t *claims = NULL, *custom = NULL;
	size_t n = 0, n_custom = 0;
	const oe_claim_t *buffer, *name, *key;
	oe_result_t r;

	r = oe_verifier_initialize();
	if (r == OE_OK)
		r = oe_verify_evidence(&format, evidence, size, NULL, 0, NULL, 0, &claims, &n);
	if (r != OE_OK) {
		printf("%s: the peer's evidence does not verify: %s\n", peer_self_name, oe_result_str(r));
		return r;
	}
	r = check_identity(claims, n);
	if (r != OE_OK)
		goto out;
	buffer = find(claims, n, OE_CLAIM_CUSTOM_CLAIMS_BUFFER);
	if (!buffer) {
		r = OE_NOT_FOUND;
		goto out;
	}
	r = oe_deserialize_custom_claims(buffer->value, buffer->value_size, &custom, &n_custom);
	if (r != OE_OK)
		goto out;
	name = find(custom, n_custom, CLAIM_NAME);
	key = find(custom, n_custom, CLAIM_KEY);
	if (!name || !key || !name->value_size || name->value[name->value_size - 1] != '\0' ||
	    keys_set_peer(key->value, key->value_size) != 0) {
		r = OE_VERIFY_FAILED;
		goto out;
	}
	printf("%s: verified %s: same signer, product %u, its public key %02x%02x%02x%02x...\n", peer_self_name,
	       (const char *)name->value, (unsigned)peer_expected_product, key->value[1], key->value[2],
	       key->value[3], key->value[4]);
out:
	oe_free_custom_claims(custom, n_custom);
	oe_free_claims(claims, n);
	return r;
}

int peer_seal_message(const char *text, uint8_t *message, size_t capacity, size_t *message_size)
{
	size_t size = strlen(text), total = PEER_NONCE_SIZE + size + PEER_TAG_SIZE;

	*message_size = 0;
	if (total > capacity)
		return OE_BUFFER_TOO_SMALL;
	if (keys_encrypt((const uint8_t *)text, size, message) != 0)
		return OE_FAILURE; /* no verified peer yet, or the TEE refused */
	*message_size = total;
	printf("%s: encrypted %zu bytes for its peer\n", peer_self_name, size);
	return OE_OK;
}

int peer_open_message(const uint8_t *message, size_t size, char *text, size_t capacity)
{
	if (size < PEER_NONCE_SIZE + PEER_TAG_SIZE || size - PEER_NONCE_SIZE - PEER_TAG_SIZE >= capacity)
		return OE_BUFFER_TOO_SMALL;
	if (keys_decrypt(message, size, (uint8_t *)text) != 0) {
		printf("%s: the message does not decrypt: not from the verified peer, or altered\n", peer_self_name);
		return OE_VERIFY_FAILED;
	}
	text[size - PEER_NONCE_SIZE - PEER_TAG_SIZE] = '\0';
	printf("%s: decrypted a message from its peer: \"%s\"\n", peer_self_name, text);
	return OE_OK;
}
