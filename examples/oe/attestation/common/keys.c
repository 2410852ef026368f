/*
 * The enclave's key pair and the key it shares with its verified peer.
 *
 * ECDH on P-256 and AES-256-GCM through the GlobalPlatform TEE Internal API: on OP-TEE (and on
 * TrustBox) an OE enclave is a trusted application, so the TEE's own crypto is there for it, and
 * its big-number arithmetic runs in the TEE core rather than in the enclave. Shared key =
 * SHA-256("trustbox attestation sample" || ECDH(own private key, peer public key).x).
 */
#include <openenclave/enclave.h>
#include <string.h>
#include <tee_internal_api.h>

#include "peer.h"

static TEE_ObjectHandle key_pair = TEE_HANDLE_NULL;
static uint8_t shared_key[32];
static int have_peer;

static int make_key_pair(void)
{
	TEE_Attribute curve;

	if (key_pair != TEE_HANDLE_NULL)
		return 0;
	if (TEE_AllocateTransientObject(TEE_TYPE_ECDH_KEYPAIR, 256, &key_pair) != TEE_SUCCESS)
		return -1;
	TEE_InitValueAttribute(&curve, TEE_ATTR_ECC_CURVE, TEE_ECC_CURVE_NIST_P256, 0);
	if (TEE_GenerateKey(key_pair, 256, &curve, 1) != TEE_SUCCESS) {
		TEE_FreeTransientObject(key_pair);
		key_pair = TEE_HANDLE_NULL;
		return -1;
	}
	return 0;
}

int keys_public(uint8_t out[PEER_PUBLIC_KEY_SIZE])
{
	size_t x = 32, y = 32;

	if (make_key_pair() != 0)
		return -1;
	out[0] = 0x04;
	if (TEE_GetObjectBufferAttribute(key_pair, TEE_ATTR_ECC_PUBLIC_VALUE_X, out + 1, &x) != TEE_SUCCESS ||
	    TEE_GetObjectBufferAttribute(key_pair, TEE_ATTR_ECC_PUBLIC_VALUE_Y, out + 33, &y) != TEE_SUCCESS ||
	    x != 32 || y != 32)
		return -1;
	return 0;
}

int keys_set_peer(const uint8_t *pub, size_t size)
{
	static const char label[] = "trustbox attestation sample";
	TEE_OperationHandle derive = TEE_HANDLE_NULL, hash = TEE_HANDLE_NULL;
	TEE_ObjectHandle secret = TEE_HANDLE_NULL;
	TEE_Attribute point[2];
	uint8_t z[32];
	size_t z_size = sizeof(z), key_size = sizeof(shared_key);
	int rc = -1;

	if (size != PEER_PUBLIC_KEY_SIZE || pub[0] != 0x04 || make_key_pair() != 0)
		return -1;
	TEE_InitRefAttribute(&point[0], TEE_ATTR_ECC_PUBLIC_VALUE_X, pub + 1, 32);
	TEE_InitRefAttribute(&point[1], TEE_ATTR_ECC_PUBLIC_VALUE_Y, pub + 33, 32);
	if (TEE_AllocateOperation(&derive, TEE_ALG_ECDH_DERIVE_SHARED_SECRET, TEE_MODE_DERIVE, 256) != TEE_SUCCESS ||
	    TEE_SetOperationKey(derive, key_pair) != TEE_SUCCESS ||
	    TEE_AllocateTransientObject(TEE_TYPE_GENERIC_SECRET, 256, &secret) != TEE_SUCCESS)
		goto out;
	TEE_DeriveKey(derive, point, 2, secret); /* an invalid point panics the TA: OE_ENCLAVE_ABORTED */
	if (TEE_GetObjectBufferAttribute(secret, TEE_ATTR_SECRET_VALUE, z, &z_size) != TEE_SUCCESS ||
	    TEE_AllocateOperation(&hash, TEE_ALG_SHA256, TEE_MODE_DIGEST, 0) != TEE_SUCCESS)
		goto out;
	TEE_DigestUpdate(hash, label, sizeof(label) - 1);
	if (TEE_DigestDoFinal(hash, z, z_size, shared_key, &key_size) == TEE_SUCCESS && key_size == 32) {
		have_peer = 1;
		rc = 0;
	}
out:
	memset(z, 0, sizeof(z));
	if (hash != TEE_HANDLE_NULL)
		TEE_FreeOperation(hash);
	if (derive != TEE_HANDLE_NULL)
		TEE_FreeOperation(derive);
	if (secret != TEE_HANDLE_NULL)
		TEE_FreeTransientObject(secret);
	return rc;
}

/* One AES-256-GCM pass under the shared key. */
static int gcm(uint32_t mode, const uint8_t nonce[PEER_NONCE_SIZE], const uint8_t *in, size_t size, uint8_t *out,
	       uint8_t tag[PEER_TAG_SIZE])
{
	TEE_OperationHandle op = TEE_HANDLE_NULL;
	TEE_ObjectHandle key = TEE_HANDLE_NULL;
	TEE_Attribute attr;
	size_t out_size = size, tag_size = PEER_TAG_SIZE;
	TEE_Result res = TEE_ERROR_GENERIC;

	if (!have_peer)
		return -1;
	if (TEE_AllocateOperation(&op, TEE_ALG_AES_GCM, mode, 256) != TEE_SUCCESS ||
	    TEE_AllocateTransientObject(TEE_TYPE_AES, 256, &key) != TEE_SUCCESS)
		goto out;
	TEE_InitRefAttribute(&attr, TEE_ATTR_SECRET_VALUE, shared_key, sizeof(shared_key));
	if (TEE_PopulateTransientObject(key, &attr, 1) != TEE_SUCCESS || TEE_SetOperationKey(op, key) != TEE_SUCCESS ||
	    TEE_AEInit(op, nonce, PEER_NONCE_SIZE, PEER_TAG_SIZE * 8, 0, size) != TEE_SUCCESS)
		goto out;
	if (mode == TEE_MODE_ENCRYPT)
		res = TEE_AEEncryptFinal(op, in, size, out, &out_size, tag, &tag_size);
	else
		res = TEE_AEDecryptFinal(op, in, size, out, &out_size, tag, PEER_TAG_SIZE);
out:
	if (key != TEE_HANDLE_NULL)
		TEE_FreeTransientObject(key);
	if (op != TEE_HANDLE_NULL)
		TEE_FreeOperation(op);
	return res == TEE_SUCCESS && out_size == size ? 0 : -1;
}

int keys_encrypt(const uint8_t *in, size_t size, uint8_t *out)
{
	if (oe_random(out, PEER_NONCE_SIZE) != OE_OK)
		return -1;
	return gcm(TEE_MODE_ENCRYPT, out, in, size, out + PEER_NONCE_SIZE, out + PEER_NONCE_SIZE + size);
}

int keys_decrypt(const uint8_t *in, size_t size, uint8_t *out)
{
	uint8_t tag[PEER_TAG_SIZE];

	if (size < PEER_NONCE_SIZE + PEER_TAG_SIZE)
		return -1;
	size -= PEER_NONCE_SIZE + PEER_TAG_SIZE;
	memcpy(tag, in + PEER_NONCE_SIZE + size, sizeof(tag));
	return gcm(TEE_MODE_DECRYPT, in, in + PEER_NONCE_SIZE, size, out, tag);
}
