/*
 * The file-encryptor enclave: AES-256-GCM with mbedtls (OE_CRYPTO_LIB=mbedtls), the key derived
 * from the password with PBKDF2-HMAC-SHA256. The host sees the ciphertext (or the plaintext it
 * asked for) block by block, never the key.
 */
#include <openenclave/enclave.h>
#include <mbedtls/gcm.h>
#include <mbedtls/md.h>
#include <mbedtls/pkcs5.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/sha256.h>
#include <stdio.h>
#include <string.h>

#include "cipherfile_t.h"

/*
 * PBKDF2 cost. Low for a sample on an emulated CPU (a real deployment would use 100000 or more:
 * the count travels in the header, so files made with more iterations decrypt too). See README.md
 * "Limits" for why one ecall should stay short on the emulator today.
 */
#define PBKDF2_ITERATIONS 1000
#define MAX_ITERATIONS 1000000

static struct {
	int mode; /* 0: no file open */
	mbedtls_gcm_context gcm;
	uint64_t bytes;
} file;

static void close_file(void)
{
	if (file.mode)
		mbedtls_gcm_free(&file.gcm);
	memset(&file, 0, sizeof(file));
}

static int derive_key(const char *password, const struct cipher_header *h, uint8_t key[32], uint8_t check[16])
{
	mbedtls_md_context_t md;
	uint8_t digest[32];
	int rc;

	mbedtls_md_init(&md);
	rc = mbedtls_md_setup(&md, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), 1);
	if (!rc)
		rc = mbedtls_pkcs5_pbkdf2_hmac(&md, (const unsigned char *)password, strlen(password), h->salt,
					       sizeof(h->salt), h->iterations, 32, key);
	mbedtls_md_free(&md);
	if (rc)
		return rc;
	{
		mbedtls_sha256_context sha;

		mbedtls_sha256_init(&sha);
		rc = mbedtls_sha256_starts_ret(&sha, 0);
		if (!rc)
			rc = mbedtls_sha256_update_ret(&sha, (const unsigned char *)"key check", 9);
		if (!rc)
			rc = mbedtls_sha256_update_ret(&sha, key, 32);
		if (!rc)
			rc = mbedtls_sha256_finish_ret(&sha, digest);
		mbedtls_sha256_free(&sha);
	}
	memcpy(check, digest, 16);
	return rc;
}

int cipher_begin(int mode, const char *password, struct cipher_header *h)
{
	uint8_t key[32], check[16];
	int rc;

	close_file();
	if (mode != CIPHERFILE_ENCRYPT && mode != CIPHERFILE_DECRYPT)
		return OE_INVALID_PARAMETER;
	if (mode == CIPHERFILE_ENCRYPT) {
		memset(h, 0, sizeof(*h));
		memcpy(h->magic, CIPHERFILE_MAGIC, sizeof(h->magic));
		h->iterations = PBKDF2_ITERATIONS;
		if (oe_random(h->salt, sizeof(h->salt)) != OE_OK || oe_random(h->nonce, sizeof(h->nonce)) != OE_OK)
			return OE_FAILURE;
	} else if (memcmp(h->magic, CIPHERFILE_MAGIC, sizeof(h->magic)) || !h->iterations ||
		   h->iterations > MAX_ITERATIONS || h->reserved || h->reserved2) {
		printf("enclave: this is not a file this sample encrypted\n");
		return OE_INVALID_PARAMETER;
	}
	if (derive_key(password, h, key, check))
		return OE_CRYPTO_ERROR;
	if (mode == CIPHERFILE_ENCRYPT) {
		memcpy(h->key_check, check, sizeof(check));
	} else if (memcmp(h->key_check, check, sizeof(check))) {
		mbedtls_platform_zeroize(key, sizeof(key));
		printf("enclave: wrong password\n");
		return OE_VERIFY_FAILED;
	}
	mbedtls_gcm_init(&file.gcm);
	file.mode = mode;
	rc = mbedtls_gcm_setkey(&file.gcm, MBEDTLS_CIPHER_ID_AES, key, 256);
	mbedtls_platform_zeroize(key, sizeof(key));
	/* the header (key_check included) is the additional data: it cannot be changed unnoticed */
	if (!rc)
		rc = mbedtls_gcm_starts(&file.gcm, mode == CIPHERFILE_ENCRYPT ? MBEDTLS_GCM_ENCRYPT : MBEDTLS_GCM_DECRYPT,
					h->nonce, sizeof(h->nonce), (const unsigned char *)h, sizeof(*h));
	if (rc) {
		close_file();
		return OE_CRYPTO_ERROR;
	}
	printf("enclave: key derived (PBKDF2-HMAC-SHA256, %u iterations), %s\n", (unsigned)h->iterations,
	       mode == CIPHERFILE_ENCRYPT ? "encrypting" : "decrypting");
	return OE_OK;
}

int cipher_update(const uint8_t *input, uint8_t *output, size_t size)
{
	if (!file.mode)
		return OE_UNEXPECTED; /* cipher_begin first */
	if (mbedtls_gcm_update(&file.gcm, size, input, output)) {
		close_file();
		return OE_CRYPTO_ERROR;
	}
	file.bytes += size;
	return OE_OK;
}

int cipher_end(uint8_t tag[16])
{
	uint8_t computed[CIPHERFILE_TAG_SIZE];
	unsigned char diff = 0;
	int mode = file.mode;
	uint64_t bytes = file.bytes;

	if (!mode)
		return OE_UNEXPECTED;
	if (mbedtls_gcm_finish(&file.gcm, computed, sizeof(computed))) {
		close_file();
		return OE_CRYPTO_ERROR;
	}
	close_file();
	if (mode == CIPHERFILE_ENCRYPT) {
		memcpy(tag, computed, sizeof(computed));
		printf("enclave: encrypted %llu bytes\n", (unsigned long long)bytes);
		return OE_OK;
	}
	for (size_t i = 0; i < sizeof(computed); i++) /* in constant time */
		diff |= (unsigned char)(computed[i] ^ tag[i]);
	if (diff) {
		printf("enclave: the file was altered: its tag does not match\n");
		return OE_VERIFY_FAILED;
	}
	printf("enclave: decrypted %llu bytes, tag verified\n", (unsigned long long)bytes);
	return OE_OK;
}
