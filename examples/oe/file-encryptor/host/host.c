/*
 * The file-encryptor host: streams a file through the enclave in blocks.
 *
 *   host ENCLAVE.ta encrypt IN OUT PASSWORD
 *   host ENCLAVE.ta decrypt IN OUT PASSWORD
 *   host ENCLAVE.ta demo IN DIR
 *       encrypts IN to DIR/<name>.encrypted, decrypts that to DIR/<name>.decrypted, compares
 *       the two plaintexts, then shows that a wrong password and an altered file are refused.
 *
 * A decryption that fails leaves no output file behind. The device is TRUSTBOX_STATE's.
 */
#include <openenclave/host.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cipherfile_u.h"

#define BLOCK_SIZE 4096 /* a multiple of 16, as every block but the last must be */
#define DEMO_PASSWORD "correct horse battery staple"

static oe_enclave_t *enclave;

/* An ecall's transport result, or else the enclave's (its int return value): CALL(f, args...)
 * calls f(enclave, &inner, args...). Two statements, so that `inner` is read after the call. */
#define CALL(r, f, ...)                                      \
	do {                                                 \
		int inner_ = OE_FAILURE;                     \
		(r) = f(enclave, &inner_, __VA_ARGS__);      \
		if ((r) == OE_OK)                            \
			(r) = (oe_result_t)inner_;           \
	} while (0)

static oe_result_t encrypt_file(const char *in_path, const char *out_path, const char *password)
{
	static uint8_t in[BLOCK_SIZE], out[BLOCK_SIZE];
	struct cipher_header header;
	uint8_t tag[CIPHERFILE_TAG_SIZE] = { 0 };
	oe_result_t r = OE_FAILURE;
	size_t n, blocks = 0;
	FILE *src = fopen(in_path, "rb"), *dst = src ? fopen(out_path, "wb") : NULL;

	if (!src || !dst) {
		perror(src ? out_path : in_path);
		goto out;
	}
	memset(&header, 0, sizeof(header));
	CALL(r, cipher_begin, CIPHERFILE_ENCRYPT, password, &header);
	if (r != OE_OK || fwrite(&header, sizeof(header), 1, dst) != 1)
		goto out;
	while ((n = fread(in, 1, sizeof(in), src)) > 0) {
		CALL(r, cipher_update, in, out, n);
		if (r != OE_OK)
			goto out;
		if (fwrite(out, 1, n, dst) != n) {
			r = OE_FAILURE;
			goto out;
		}
		blocks++;
	}
	CALL(r, cipher_end, tag);
	if (r == OE_OK && fwrite(tag, sizeof(tag), 1, dst) != 1)
		r = OE_FAILURE;
	if (r == OE_OK)
		printf("host: encrypted %s to %s in %zu block(s)\n", in_path, out_path, blocks);
out:
	if (src)
		fclose(src);
	if (dst && fclose(dst) != 0)
		r = OE_FAILURE;
	return r;
}

static oe_result_t decrypt_file(const char *in_path, const char *out_path, const char *password)
{
	static uint8_t in[BLOCK_SIZE], out[BLOCK_SIZE];
	struct cipher_header header;
	uint8_t tag[CIPHERFILE_TAG_SIZE];
	oe_result_t r = OE_FAILURE;
	long size, left;
	FILE *src = fopen(in_path, "rb"), *dst = NULL;

	if (!src) {
		perror(in_path);
		return OE_FAILURE;
	}
	/* header || ciphertext || tag: the ciphertext is what lies between */
	if (fseek(src, 0, SEEK_END) != 0 || (size = ftell(src)) < (long)(sizeof(header) + sizeof(tag)) ||
	    fseek(src, size - (long)sizeof(tag), SEEK_SET) != 0 || fread(tag, sizeof(tag), 1, src) != 1 ||
	    fseek(src, 0, SEEK_SET) != 0 || fread(&header, sizeof(header), 1, src) != 1) {
		fprintf(stderr, "host: %s is too short to be an encrypted file\n", in_path);
		goto out;
	}
	CALL(r, cipher_begin, CIPHERFILE_DECRYPT, password, &header);
	if (r != OE_OK)
		goto out;
	dst = fopen(out_path, "wb");
	if (!dst) {
		perror(out_path);
		r = OE_FAILURE;
		goto out;
	}
	for (left = size - (long)(sizeof(header) + sizeof(tag)); left > 0;) {
		size_t n = left < BLOCK_SIZE ? (size_t)left : BLOCK_SIZE;

		if (fread(in, 1, n, src) != n) {
			r = OE_FAILURE;
			goto out;
		}
		CALL(r, cipher_update, in, out, n);
		if (r != OE_OK || fwrite(out, 1, n, dst) != n)
			goto out;
		left -= (long)n;
	}
	CALL(r, cipher_end, tag);
	if (r == OE_OK)
		printf("host: decrypted %s to %s\n", in_path, out_path);
out:
	fclose(src);
	if (dst && fclose(dst) != 0 && r == OE_OK)
		r = OE_FAILURE;
	if (dst && r != OE_OK)
		remove(out_path); /* never leave plaintext that did not verify */
	return r;
}

/* 1 when the two files hold the same bytes */
static int same_files(const char *a, const char *b)
{
	FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
	int same = fa && fb;
	int ca, cb;

	while (same) {
		ca = fgetc(fa);
		cb = fgetc(fb);
		if (ca != cb)
			same = 0;
		if (ca == EOF || cb == EOF)
			break;
	}
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return same;
}

/* flips one bit in the middle of the file */
static int alter(const char *path)
{
	FILE *f = fopen(path, "r+b");
	long size;
	int c;

	if (!f || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 1 || fseek(f, size / 2, SEEK_SET) != 0 ||
	    (c = fgetc(f)) == EOF || fseek(f, size / 2, SEEK_SET) != 0 || fputc(c ^ 0x01, f) == EOF) {
		if (f)
			fclose(f);
		return -1;
	}
	return fclose(f);
}

static int demo(const char *in, const char *dir)
{
	char enc[4096], dec[4096], bad[4096];
	const char *base = strrchr(in, '/') ? strrchr(in, '/') + 1 : in;
	oe_result_t r;

	snprintf(enc, sizeof(enc), "%s/%s.encrypted", dir, base);
	snprintf(dec, sizeof(dec), "%s/%s.decrypted", dir, base);
	snprintf(bad, sizeof(bad), "%s/%s.refused", dir, base);
	if ((r = encrypt_file(in, enc, DEMO_PASSWORD)) != OE_OK) {
		printf("host: encryption failed: %s\n", oe_result_str(r));
		return 1;
	}
	if ((r = decrypt_file(enc, dec, DEMO_PASSWORD)) != OE_OK) {
		printf("host: decryption failed: %s\n", oe_result_str(r));
		return 1;
	}
	if (same_files(in, enc) || !same_files(in, dec)) {
		printf("host: the decrypted file differs from %s\n", in);
		return 1;
	}
	printf("host: %s and %s are identical; %s is not\n", in, dec, enc);

	r = decrypt_file(enc, bad, "not the password");
	printf("host: decrypting with a wrong password: %s\n", oe_result_str(r));
	if (r != OE_VERIFY_FAILED)
		return 1;
	if (alter(enc) != 0)
		return 1;
	r = decrypt_file(enc, bad, DEMO_PASSWORD);
	printf("host: decrypting after one bit of %s flipped: %s\n", enc, oe_result_str(r));
	if (r != OE_VERIFY_FAILED)
		return 1;
	printf("host: file-encryptor sample succeeded\n");
	return 0;
}

int main(int argc, char **argv)
{
	oe_result_t r;
	int status;

	if (!((argc == 6 && (!strcmp(argv[2], "encrypt") || !strcmp(argv[2], "decrypt"))) ||
	      (argc == 5 && !strcmp(argv[2], "demo")))) {
		fprintf(stderr, "usage: %s ENCLAVE.ta encrypt|decrypt IN OUT PASSWORD\n"
				"       %s ENCLAVE.ta demo IN DIR\n", argv[0], argv[0]);
		return 2;
	}
	r = oe_create_cipherfile_enclave(argv[1], OE_ENCLAVE_TYPE_AUTO, OE_ENCLAVE_FLAG_DEBUG, NULL, 0, &enclave);
	if (r != OE_OK) {
		fprintf(stderr, "host: creating the enclave from %s failed: %s\n", argv[1], oe_result_str(r));
		return 1;
	}
	if (!strcmp(argv[2], "demo")) {
		status = demo(argv[3], argv[4]);
	} else {
		r = !strcmp(argv[2], "encrypt") ? encrypt_file(argv[3], argv[4], argv[5])
						: decrypt_file(argv[3], argv[4], argv[5]);
		if (r != OE_OK)
			printf("host: %s failed: %s\n", argv[2], oe_result_str(r));
		status = r == OE_OK ? 0 : 1;
	}
	oe_terminate_enclave(enclave);
	return status;
}
