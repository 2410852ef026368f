/*
 * Compiled into every TA (not into the library): turns the TA's user_ta_header_defines.h into
 * the data the loader and the library read: .ta_head, the property table, the heap, the trace
 * settings and __elf_phdr_info. Also holds the ELF entry point, __ta_entry.
 */
#include <tee_internal_api.h>
#include <user_ta_header.h>
#include <user_ta_header_defines.h>
#include <utee_types.h>

#ifndef TA_UUID
#error "user_ta_header_defines.h must define TA_UUID"
#endif
#ifndef TA_FLAGS
#define TA_FLAGS 0
#endif
#ifndef TA_STACK_SIZE
#error "user_ta_header_defines.h must define TA_STACK_SIZE"
#endif
#ifndef TA_DATA_SIZE
#error "user_ta_header_defines.h must define TA_DATA_SIZE"
#endif
#ifndef TA_VERSION
#define TA_VERSION "Undefined version"
#endif
#ifndef TA_DESCRIPTION
#define TA_DESCRIPTION "Undefined description"
#endif

_Static_assert(((TA_FLAGS) & ~TA_FLAGS_MASK) == 0, "TA_FLAGS has bits the loader rejects");

void __utee_entry(unsigned long func, unsigned long session_id, struct utee_params *up,
		  unsigned long cmd_id) __attribute__((noreturn));
void __ta_entry(unsigned long func, unsigned long session_id, struct utee_params *up,
		unsigned long cmd_id) __attribute__((noreturn));

/* The kernel sets SP just below *up; the guard is not seeded yet, hence no protector here. */
__attribute__((no_stack_protector)) void __ta_entry(unsigned long func, unsigned long session_id,
						     struct utee_params *up,
						     unsigned long cmd_id)
{
	__utee_entry(func, session_id, up, cmd_id);
}

const struct ta_head ta_head __attribute__((section(".ta_head"), used)) = {
	.uuid = TA_UUID,
	.stack_size = (TA_STACK_SIZE) + TA_FRAMEWORK_STACK_SIZE,
	.flags = TA_FLAGS,
	.depr_entry = TA_HEAD_NO_DEPR_ENTRY,
};

/* The heap is plain .bss, 16-byte aligned for the allocator. */
uint8_t ta_heap[TA_DATA_SIZE] __attribute__((aligned(16)));
const size_t ta_heap_size = sizeof(ta_heap);

int trace_level = CFG_TEE_TA_LOG_LEVEL;
const char trace_ext_prefix[] = "TA";

struct __elf_phdr_info __elf_phdr_info;

static const bool flag_single_instance = (TA_FLAGS & TA_FLAG_SINGLE_INSTANCE) != 0;
static const bool flag_multi_session = (TA_FLAGS & TA_FLAG_MULTI_SESSION) != 0;
static const bool flag_keep_alive = (TA_FLAGS & TA_FLAG_INSTANCE_KEEP_ALIVE) != 0;
static const bool flag_keep_crashed = (TA_FLAGS & TA_FLAG_INSTANCE_KEEP_CRASHED) != 0;
static const bool flag_no_close_on_corrupt =
	(TA_FLAGS & TA_FLAG_DONT_CLOSE_HANDLE_ON_CORRUPT_OBJECT) != 0;
static const uint32_t prop_data_size = TA_DATA_SIZE;
static const uint32_t prop_stack_size = TA_STACK_SIZE; /* without the framework's +2048 */
static const uint32_t prop_endian = 0;                 /* little endian */

/* Standard entries in the order OP-TEE's dev kit emits them, then the TA's own. */
const struct user_ta_property ta_props[] = {
	{ TA_PROP_STR_SINGLE_INSTANCE, USER_TA_PROP_TYPE_BOOL, &flag_single_instance },
	{ TA_PROP_STR_MULTI_SESSION, USER_TA_PROP_TYPE_BOOL, &flag_multi_session },
	{ TA_PROP_STR_KEEP_ALIVE, USER_TA_PROP_TYPE_BOOL, &flag_keep_alive },
	{ TA_PROP_STR_KEEP_CRASHED, USER_TA_PROP_TYPE_BOOL, &flag_keep_crashed },
	{ TA_PROP_STR_DATA_SIZE, USER_TA_PROP_TYPE_U32, &prop_data_size },
	{ TA_PROP_STR_STACK_SIZE, USER_TA_PROP_TYPE_U32, &prop_stack_size },
	{ TA_PROP_STR_VERSION, USER_TA_PROP_TYPE_STRING, TA_VERSION },
	{ TA_PROP_STR_DESCRIPTION, USER_TA_PROP_TYPE_STRING, TA_DESCRIPTION },
	{ TA_PROP_STR_ENDIAN, USER_TA_PROP_TYPE_U32, &prop_endian },
	{ TA_PROP_STR_DOES_NOT_CLOSE_HANDLE_ON_CORRUPT_OBJECT, USER_TA_PROP_TYPE_BOOL,
	  &flag_no_close_on_corrupt },
#ifdef TA_CURRENT_TA_EXT_PROPERTIES
	TA_CURRENT_TA_EXT_PROPERTIES
#endif
};

const size_t ta_num_props = sizeof(ta_props) / sizeof(ta_props[0]);
