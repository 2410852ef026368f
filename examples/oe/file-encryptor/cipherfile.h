/*
 * The encrypted file format of the file-encryptor sample, shared by the enclave and the host:
 *
 *   struct cipher_header (64 bytes) || ciphertext (as long as the plaintext) || GCM tag (16 bytes)
 *
 * AES-256-GCM; the key is PBKDF2-HMAC-SHA256(password, salt, iterations); the whole header is
 * authenticated (additional data), so no field of it can be changed unnoticed. key_check lets a
 * wrong password be refused before any block is decrypted.
 */
#ifndef CIPHERFILE_H
#define CIPHERFILE_H

#include <stdint.h>

#define CIPHERFILE_MAGIC "TBXCRYP1"
#define CIPHERFILE_TAG_SIZE 16
#define CIPHERFILE_ENCRYPT 1
#define CIPHERFILE_DECRYPT 2

/* struct cipher_header (64 bytes) is defined in cipherfile.edl, so that both sides' stubs know it. */

#endif
