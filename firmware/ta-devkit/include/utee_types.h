/* Structures exchanged with the TEE core through syscalls and at TA entry (reference 1.5, 3). */
#ifndef UTEE_TYPES_H
#define UTEE_TYPES_H

#include <stdint.h>

enum utee_entry_func {
	UTEE_ENTRY_FUNC_OPEN_SESSION = 0,
	UTEE_ENTRY_FUNC_CLOSE_SESSION = 1,
	UTEE_ENTRY_FUNC_INVOKE_COMMAND = 2,
};

/* For parameter n: vals[2n] = value.a or buffer address, vals[2n + 1] = value.b or size. */
struct utee_params {
	uint64_t types;
	uint64_t vals[8];
};
_Static_assert(sizeof(struct utee_params) == 72, "struct utee_params is 72 bytes");

/* Bit 29 of attribute_id selects value (a, b) rather than reference (pointer, length). */
struct utee_attribute {
	uint64_t a;
	uint64_t b;
	uint32_t attribute_id;
};
_Static_assert(sizeof(struct utee_attribute) == 24, "struct utee_attribute is 24 bytes");

struct utee_object_info {
	uint32_t obj_type;
	uint32_t obj_size;
	uint32_t max_obj_size;
	uint32_t obj_usage;
	uint32_t data_size;
	uint32_t data_pos;
	uint32_t handle_flags;
};
_Static_assert(sizeof(struct utee_object_info) == 28, "struct utee_object_info is 28 bytes");

#endif /* UTEE_TYPES_H */
