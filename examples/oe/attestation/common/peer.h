/* What each enclave folder defines (its identity.c); the shared code is in common/. */
#ifndef PEER_H
#define PEER_H

#include <stddef.h>
#include <stdint.h>

/* This enclave's name, as it prints it and puts it in its evidence. */
extern const char peer_self_name[];
/* The product id (its .conf ProductID) of the enclave this one accepts as its peer. */
extern const uint16_t peer_expected_product;

/* ECDH on P-256 and AES-256-GCM (common/keys.c). */
#define PEER_PUBLIC_KEY_SIZE 65 /* uncompressed point: 0x04 || X || Y */
#define PEER_NONCE_SIZE 12
#define PEER_TAG_SIZE 16
int keys_public(uint8_t out[PEER_PUBLIC_KEY_SIZE]);
int keys_set_peer(const uint8_t *public_key, size_t size);
int keys_encrypt(const uint8_t *in, size_t size, uint8_t *out); /* out: nonce || ct || tag */
int keys_decrypt(const uint8_t *in, size_t size, uint8_t *out); /* in: nonce || ct || tag */

#endif
