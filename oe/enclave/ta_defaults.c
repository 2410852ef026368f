/*
 * Default TA header, properties and heap of an OE enclave (used unless the enclave says
 * OE_SET_ENCLAVE_OPTEE). The UUID is zero here: `oesign` writes the enclave's UUID into
 * `.ta_head` (and `.oeinfo`). Heap 2 MiB, stack 64 KiB, multi-session, not single-instance.
 */
#include <tee_internal_api.h>
#include <user_ta_header.h>

#define OE_DEFAULT_HEAP_SIZE (2u * 1024 * 1024)
#define OE_DEFAULT_STACK_SIZE (64u * 1024)
#define OE_DEFAULT_FLAGS TA_FLAG_MULTI_SESSION

const struct ta_head ta_head __attribute__((section(".ta_head"), used)) = {
	.uuid = { 0, 0, 0, { 0, 0, 0, 0, 0, 0, 0, 0 } },
	.stack_size = OE_DEFAULT_STACK_SIZE + TA_FRAMEWORK_STACK_SIZE,
	.flags = OE_DEFAULT_FLAGS,
	.depr_entry = TA_HEAD_NO_DEPR_ENTRY,
};

uint8_t ta_heap[OE_DEFAULT_HEAP_SIZE] __attribute__((aligned(16)));
const size_t ta_heap_size = sizeof(ta_heap);

static const bool flag_false = false;
static const bool flag_true = true;
static const uint32_t prop_data_size = OE_DEFAULT_HEAP_SIZE;
static const uint32_t prop_stack_size = OE_DEFAULT_STACK_SIZE;
static const uint32_t prop_endian = 0;

const struct user_ta_property ta_props[] = {
	{ TA_PROP_STR_SINGLE_INSTANCE, USER_TA_PROP_TYPE_BOOL, &flag_false },
	{ TA_PROP_STR_MULTI_SESSION, USER_TA_PROP_TYPE_BOOL, &flag_true },
	{ TA_PROP_STR_KEEP_ALIVE, USER_TA_PROP_TYPE_BOOL, &flag_false },
	{ TA_PROP_STR_KEEP_CRASHED, USER_TA_PROP_TYPE_BOOL, &flag_false },
	{ TA_PROP_STR_DATA_SIZE, USER_TA_PROP_TYPE_U32, &prop_data_size },
	{ TA_PROP_STR_STACK_SIZE, USER_TA_PROP_TYPE_U32, &prop_stack_size },
	{ TA_PROP_STR_VERSION, USER_TA_PROP_TYPE_STRING, "1.0.0" },
	{ TA_PROP_STR_DESCRIPTION, USER_TA_PROP_TYPE_STRING, "Open Enclave enclave" },
	{ TA_PROP_STR_ENDIAN, USER_TA_PROP_TYPE_U32, &prop_endian },
};

const size_t ta_num_props = sizeof(ta_props) / sizeof(ta_props[0]);
