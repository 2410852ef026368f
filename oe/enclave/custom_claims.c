/* Custom claims (de)serialization, OE's layout (reference 7): {u64 version; u64 count} then per
 * claim {u64 name_size with NUL; u64 value_size; name; value}, host byte order, no padding. */
#include <string.h>
#include <stdlib.h>
#include <openenclave/attestation/custom_claims.h>

static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

oe_result_t oe_serialize_custom_claims(const oe_claim_t *claims, size_t count, uint8_t **out, size_t *out_size)
{
	size_t total = 16, off;
	uint8_t *b;

	if (!out || !out_size || (!claims && count))
		return OE_INVALID_PARAMETER;
	for (size_t i = 0; i < count; i++) {
		size_t n;

		if (!claims[i].name || (!claims[i].value && claims[i].value_size))
			return OE_INVALID_PARAMETER;
		n = strlen(claims[i].name) + 1;
		if (claims[i].value_size > (size_t)-1 / 2 || total + 16 + n + claims[i].value_size < total)
			return OE_INTEGER_OVERFLOW;
		total += 16 + n + claims[i].value_size;
	}
	b = malloc(total);
	if (!b)
		return OE_OUT_OF_MEMORY;
	put64(b, OE_CUSTOM_CLAIMS_VERSION);
	put64(b + 8, count);
	off = 16;
	for (size_t i = 0; i < count; i++) {
		size_t n = strlen(claims[i].name) + 1;

		put64(b + off, n);
		put64(b + off + 8, claims[i].value_size);
		memcpy(b + off + 16, claims[i].name, n);
		if (claims[i].value_size)
			memcpy(b + off + 16 + n, claims[i].value, claims[i].value_size);
		off += 16 + n + claims[i].value_size;
	}
	*out = b;
	*out_size = total;
	return OE_OK;
}

oe_result_t oe_free_custom_claims(oe_claim_t *claims, size_t count)
{
	for (size_t i = 0; claims && i < count; i++) {
		free(claims[i].name);
		free(claims[i].value);
	}
	free(claims);
	return OE_OK;
}

oe_result_t oe_deserialize_custom_claims(const uint8_t *buf, size_t size, oe_claim_t **out, size_t *out_count)
{
	uint64_t count;
	size_t off = 16;
	oe_claim_t *claims;

	if (!buf || !out || !out_count || size < 16)
		return OE_INVALID_PARAMETER;
	if (get64(buf) != OE_CUSTOM_CLAIMS_VERSION)
		return OE_CONSTRAINT_FAILED;
	count = get64(buf + 8);
	if (count > (size - 16) / 16)
		return OE_CONSTRAINT_FAILED;
	claims = calloc(count ? count : 1, sizeof(*claims));
	if (!claims)
		return OE_OUT_OF_MEMORY;
	for (uint64_t i = 0; i < count; i++) {
		uint64_t n, v;

		if (size - off < 16)
			goto bad;
		n = get64(buf + off);
		v = get64(buf + off + 8);
		off += 16;
		if (n == 0 || n > size - off || v > size - off - n || buf[off + n - 1] != '\0')
			goto bad;
		claims[i].name = malloc(n);
		claims[i].value = malloc(v ? v : 1);
		if (!claims[i].name || !claims[i].value) {
			oe_free_custom_claims(claims, count);
			return OE_OUT_OF_MEMORY;
		}
		memcpy(claims[i].name, buf + off, n);
		memcpy(claims[i].value, buf + off + n, v);
		claims[i].value_size = v;
		off += n + v;
	}
	if (off != size)
		goto bad;
	*out = claims;
	*out_count = count;
	return OE_OK;
bad:
	oe_free_custom_claims(claims, count);
	return OE_CONSTRAINT_FAILED;
}

oe_result_t oe_free_serialized_custom_claims(uint8_t *buf)
{
	free(buf);
	return OE_OK;
}
