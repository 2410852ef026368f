/*
 * Enclave properties in source for TrustBox (OP-TEE) enclaves. An enclave may use one of these
 * macros once; without them liboeenclave's defaults apply (heap 2 MiB, stack 64 KiB, UUID set
 * by oesign). They define the TA header, properties and heap, and the `.oeinfo` record.
 */
#ifndef OE_BITS_OPTEE_OPTEEPROPERTIES_H
#define OE_BITS_OPTEE_OPTEEPROPERTIES_H

#include "../defs.h"
#include "oeinfo.h"

#ifndef __cplusplus
#include <stdbool.h>
#endif
#include <stddef.h>
#include <stdint.h>

OE_EXTERNC_BEGIN

/* Layouts the TA loader reads (same as the TA dev kit's user_ta_header.h). */
struct oe_ta_uuid { uint32_t time_low; uint16_t time_mid; uint16_t time_hi; uint8_t clock_seq[8]; };
struct oe_ta_head {
	struct oe_ta_uuid uuid;
	uint32_t stack_size;
	uint32_t flags;
	uint64_t depr_entry;
};
struct oe_ta_property { const char *name; uint32_t type; const void *value; };

#define OE_TA_FLAG_SINGLE_INSTANCE (1u << 2)
#define OE_TA_FLAG_MULTI_SESSION (1u << 3)
#define OE_TA_FLAG_INSTANCE_KEEP_ALIVE (1u << 4)
#define OE_TA_FRAMEWORK_STACK_SIZE 2048
#define OE_TA_PROP_TYPE_BOOL 0
#define OE_TA_PROP_TYPE_U32 1
#define OE_TA_PROP_TYPE_STRING 4

/* Split a 36-char UUID literal into the TA header's fields is not possible in C; the macro takes
 * the struct initialiser form: {0x12345678, 0x1234, 0x1234, {0x12,0x34,...}}. */
#define OE_SET_ENCLAVE_OPTEE(UUID, HEAP_SIZE, STACK_SIZE, FLAGS, VERSION, DESCRIPTION)               \
	OE_EXTERNC __attribute__((section(".ta_head"), used)) const struct oe_ta_head ta_head = {    \
		UUID, (STACK_SIZE) + OE_TA_FRAMEWORK_STACK_SIZE, (FLAGS), UINT64_MAX };               \
	OE_EXTERNC uint8_t ta_heap[(HEAP_SIZE)] __attribute__((aligned(16)));                          \
	OE_EXTERNC const size_t ta_heap_size = (HEAP_SIZE);                                           \
	static const bool __oe_ta_single = ((FLAGS) & OE_TA_FLAG_SINGLE_INSTANCE) != 0;               \
	static const bool __oe_ta_multi = ((FLAGS) & OE_TA_FLAG_MULTI_SESSION) != 0;                  \
	static const bool __oe_ta_keep = ((FLAGS) & OE_TA_FLAG_INSTANCE_KEEP_ALIVE) != 0;             \
	static const uint32_t __oe_ta_data = (HEAP_SIZE);                                             \
	static const uint32_t __oe_ta_stack = (STACK_SIZE);                                           \
	OE_EXTERNC const struct oe_ta_property ta_props[] = {                                          \
		{ "gpd.ta.singleInstance", OE_TA_PROP_TYPE_BOOL, &__oe_ta_single },                    \
		{ "gpd.ta.multiSession", OE_TA_PROP_TYPE_BOOL, &__oe_ta_multi },                       \
		{ "gpd.ta.instanceKeepAlive", OE_TA_PROP_TYPE_BOOL, &__oe_ta_keep },                   \
		{ "gpd.ta.dataSize", OE_TA_PROP_TYPE_U32, &__oe_ta_data },                             \
		{ "gpd.ta.stackSize", OE_TA_PROP_TYPE_U32, &__oe_ta_stack },                           \
		{ "gpd.ta.version", OE_TA_PROP_TYPE_STRING, VERSION },                                 \
		{ "gpd.ta.description", OE_TA_PROP_TYPE_STRING, DESCRIPTION },                         \
	};                                                                                             \
	OE_EXTERNC const size_t ta_num_props = sizeof(ta_props) / sizeof(ta_props[0]);

/* SGX-style properties: recorded in `.oeinfo` (oesign may override them from the .conf). */
#define OE_SET_ENCLAVE_SGX(PRODUCT_ID, SECURITY_VERSION, ALLOW_DEBUG, HEAP_PAGE_COUNT,               \
			   STACK_PAGE_COUNT, TCS_COUNT)                                                \
	OE_EXTERNC __attribute__((section(".oeinfo"), used))                                           \
	const struct oe_optee_enclave_info oe_optee_enclave_info = {                                   \
		{ 'O', 'E', 'O', 'P', 'T', 'E', 'E', '1' }, { 0 }, (PRODUCT_ID), (SECURITY_VERSION),  \
		(ALLOW_DEBUG) ? 1u : 0u, (HEAP_PAGE_COUNT), (STACK_PAGE_COUNT), (TCS_COUNT), { 0 } };
#define OE_SET_ENCLAVE_SGX2(PRODUCT_ID, SECURITY_VERSION, EXTENDED_PRODUCT_ID, FAMILY_ID,            \
			    ALLOW_DEBUG, CAPTURE_PF_GP_EXCEPTIONS, REQUIRE_KSS, CREATE_ZERO_BASE,      \
			    START_ADDRESS, HEAP_PAGE_COUNT, STACK_PAGE_COUNT, TCS_COUNT)               \
	OE_SET_ENCLAVE_SGX(PRODUCT_ID, SECURITY_VERSION, ALLOW_DEBUG, HEAP_PAGE_COUNT,                 \
			   STACK_PAGE_COUNT, TCS_COUNT)

OE_EXTERNC_END

#endif /* OE_BITS_OPTEE_OPTEEPROPERTIES_H */
