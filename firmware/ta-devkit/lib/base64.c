/* Standard base64 (RFC 4648, '=' padding): binary-block properties are stored this way. */
#include <string.h>
#include "utee_private.h"

static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t utee_base64_encoded_len(size_t len)
{
	return (len + 2) / 3 * 4;
}

void utee_base64_encode(const void *src, size_t len, char *dst)
{
	const uint8_t *s = src;

	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16;

		if (i + 1 < len)
			v |= (uint32_t)s[i + 1] << 8;
		if (i + 2 < len)
			v |= s[i + 2];
		*dst++ = alphabet[(v >> 18) & 63];
		*dst++ = alphabet[(v >> 12) & 63];
		*dst++ = i + 1 < len ? alphabet[(v >> 6) & 63] : '=';
		*dst++ = i + 2 < len ? alphabet[v & 63] : '=';
	}
	*dst = '\0';
}

static int sextet(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Decodes src into dst when *dst_len (capacity in) is large enough; *dst_len (out) is always the
 * decoded size. Returns false only for malformed input. Stops at the first '='.
 */
bool utee_base64_decode(const char *src, void *dst, size_t *dst_len)
{
	uint8_t *d = dst;
	size_t cap = *dst_len;
	size_t n = 0;
	uint32_t acc = 0;
	unsigned int bits = 0;

	for (; *src && *src != '='; src++) {
		int v = sextet(*src);

		if (v < 0)
			return false;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (d && n < cap)
				d[n] = (uint8_t)(acc >> bits);
			n++;
		}
	}
	*dst_len = n;
	return true;
}
