/*
 * Helpers shared by the code `trustbox oe edger8r` generates for both sides: buffer sizes are
 * computed piece by piece, each piece rounded up to OE_EDGER8R_BUFFER_ALIGNMENT, with every
 * addition and multiplication checked (an overflow is OE_INTEGER_OVERFLOW, never a short buffer).
 */
#ifndef OE_EDGER8R_COMMON_H
#define OE_EDGER8R_COMMON_H

#include "../bits/defs.h"
#include "../bits/result.h"
#include "../bits/types.h"

OE_EXTERNC_BEGIN

/* Every piece of a marshalling buffer starts at a multiple of this (2 * sizeof(void*)). */
#define OE_EDGER8R_BUFFER_ALIGNMENT (2 * sizeof(void *))

/* n rounded up to the buffer alignment, for sizes already checked by oe_edger8r_add_piece. */
#define OE_EDGER8R_ROUND(N) (((N) + OE_EDGER8R_BUFFER_ALIGNMENT - 1) & ~(OE_EDGER8R_BUFFER_ALIGNMENT - 1))

/*
 * Room the caller reserves at the end of an output buffer for the data of `out` struct fields
 * with size=/count= (deep copy). The callee writes the pieces there and reports the bytes used in
 * deepcopy_out_buffer_size; more than this fails the call with OE_BUFFER_TOO_SMALL.
 */
#ifndef OE_EDGER8R_DEEPCOPY_RESERVE
#define OE_EDGER8R_DEEPCOPY_RESERVE ((size_t)65536)
#endif

/* The name of an ECALL, in the table the host passes to oe_create_enclave. */
#ifndef OE_ECALL_INFO_T_DEFINED
#define OE_ECALL_INFO_T_DEFINED
typedef struct _oe_ecall_info_t {
	const char *name;
} oe_ecall_info_t;
#endif

/* *out = n rounded up to the buffer alignment; OE_INTEGER_OVERFLOW if that does not fit. */
static __inline__ oe_result_t oe_edger8r_round_up(size_t n, size_t *out)
{
	size_t a = OE_EDGER8R_BUFFER_ALIGNMENT;
	if (n > (size_t)-1 - (a - 1))
		return OE_INTEGER_OVERFLOW;
	*out = (n + a - 1) & ~(a - 1);
	return OE_OK;
}

/* *total += round_up(n), checked. */
static __inline__ oe_result_t oe_edger8r_add_piece(size_t *total, size_t n)
{
	size_t r;
	if (oe_edger8r_round_up(n, &r) != OE_OK || *total > (size_t)-1 - r)
		return OE_INTEGER_OVERFLOW;
	*total += r;
	return OE_OK;
}

/* *out = a * b, checked. */
static __inline__ oe_result_t oe_edger8r_mul(size_t a, size_t b, size_t *out)
{
	if (a != 0 && b > (size_t)-1 / a)
		return OE_INTEGER_OVERFLOW;
	*out = a * b;
	return OE_OK;
}

/* Length of a NUL-terminated string of `width`-byte characters, without the terminator. */
static __inline__ size_t oe_edger8r_strlen(const void *s, size_t width)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;
	for (;;) {
		size_t k, zero = 1;
		for (k = 0; k < width; k++)
			if (p[n * width + k] != 0)
				zero = 0;
		if (zero)
			return n;
		n++;
	}
}

/* True when the string of `len` characters (terminator included) ends with a NUL and has no earlier one. */
static __inline__ int oe_edger8r_string_ok(const void *s, size_t len, size_t width)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t k;
	if (len == 0)
		return 0;
	for (k = 0; k < width; k++)
		if (p[(len - 1) * width + k] != 0)
			return 0;
	return oe_edger8r_strlen(s, width) == len - 1;
}

OE_EXTERNC_END

#endif /* OE_EDGER8R_COMMON_H */
