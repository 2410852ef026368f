/*
 * GP property getters and enumerators. Split as in OP-TEE: the TA's own table (ta_props) and two
 * TEE_IMPLEMENTATION values are answered here; everything else asks the core with
 * GET_PROPERTY_NAME_TO_INDEX (4) and GET_PROPERTY (3). Local entries come first when
 * enumerating, then the core's, by index.
 *
 * Value encodings (enum user_ta_prop_type): BOOL 1 byte, U32 4, U64 8, UUID 16, IDENTITY 20,
 * STRING NUL-terminated, BINARY_BLOCK base64 text in ta_props but raw bytes from the core.
 */
#include <stdio.h>
#include <string.h>
#include <tee_internal_api.h>
#include <user_ta_header.h>
#include <utee_syscalls.h>
#include "utee_private.h"

#define PROPSET_TEE_IMPLEMENTATION 0xFFFFFFFDul
#define PROPSET_CURRENT_CLIENT 0xFFFFFFFEul
#define PROPSET_CURRENT_TA 0xFFFFFFFFul
#define BIGINT_MAX_BITS 2048
#define SMALL_VALUE_MAX 128
#define UUID_STRING_LEN 36

struct prop_enum {
	unsigned long set; /* 0 until started */
	uint32_t index;    /* local entries first, then the core's */
};

/* A fetched value: data points either into small[] or a heap block that must be freed. */
struct prop_value {
	uint32_t type;
	uint32_t len;
	bool base64;
	const void *data;
	void *heap;
	uint8_t small[SMALL_VALUE_MAX];
};

static const uint32_t internal_core_version = TEE_CORE_API_VERSION;
static const uint32_t bigint_max_bits = BIGINT_MAX_BITS;

static const struct user_ta_property tee_local_props[] = {
	{ "gpd.tee.internalCore.version", USER_TA_PROP_TYPE_U32, &internal_core_version },
	{ "gpd.tee.arith.maxBigIntSize", USER_TA_PROP_TYPE_U32, &bigint_max_bits },
};

static bool is_propset(unsigned long h)
{
	return h == PROPSET_TEE_IMPLEMENTATION || h == PROPSET_CURRENT_CLIENT ||
	       h == PROPSET_CURRENT_TA;
}

static size_t local_table(unsigned long set, const struct user_ta_property **table)
{
	if (set == PROPSET_CURRENT_TA) {
		*table = ta_props;
		return ta_num_props;
	}
	if (set == PROPSET_TEE_IMPLEMENTATION) {
		*table = tee_local_props;
		return sizeof(tee_local_props) / sizeof(tee_local_props[0]);
	}
	*table = NULL;
	return 0;
}

static size_t local_value_len(const struct user_ta_property *p)
{
	switch (p->type) {
	case USER_TA_PROP_TYPE_BOOL:
		return sizeof(bool);
	case USER_TA_PROP_TYPE_U32:
		return sizeof(uint32_t);
	case USER_TA_PROP_TYPE_U64:
		return sizeof(uint64_t);
	case USER_TA_PROP_TYPE_UUID:
		return sizeof(TEE_UUID);
	case USER_TA_PROP_TYPE_IDENTITY:
		return sizeof(TEE_Identity);
	default: /* STRING and BINARY_BLOCK (base64 text) */
		return strlen(p->value) + 1;
	}
}

static void value_from_local(const struct user_ta_property *p, struct prop_value *v)
{
	v->type = p->type;
	v->len = (uint32_t)local_value_len(p);
	v->data = p->value;
	v->base64 = p->type == USER_TA_PROP_TYPE_BINARY_BLOCK;
}

/* Asks the core for entry `index` of `set`, growing into the heap if the value is large. */
static TEE_Result value_from_core(unsigned long set, uint32_t index, struct prop_value *v)
{
	uint32_t len = sizeof(v->small);
	TEE_Result res = _utee_get_property(set, index, NULL, NULL, v->small, &len, &v->type);

	v->data = v->small;
	if (res == TEE_ERROR_SHORT_BUFFER) {
		v->heap = TEE_Malloc(len, TEE_MALLOC_NO_FILL);
		if (!v->heap)
			return TEE_ERROR_OUT_OF_MEMORY;
		res = _utee_get_property(set, index, NULL, NULL, v->heap, &len, &v->type);
		v->data = v->heap;
	}
	v->len = len;
	return res;
}

static TEE_Result value_at(unsigned long set, uint32_t index, struct prop_value *v)
{
	const struct user_ta_property *table;
	size_t n = local_table(set, &table);

	if (index < n) {
		value_from_local(&table[index], v);
		return TEE_SUCCESS;
	}
	return value_from_core(set, index - (uint32_t)n, v);
}

static TEE_Result value_by_name(unsigned long set, const char *name, struct prop_value *v)
{
	const struct user_ta_property *table;
	size_t n = local_table(set, &table);
	uint32_t index = 0;
	TEE_Result res;

	for (size_t i = 0; i < n; i++) {
		if (!strcmp(table[i].name, name)) {
			value_from_local(&table[i], v);
			return TEE_SUCCESS;
		}
	}
	res = _utee_get_property_name_to_index(set, name, strlen(name) + 1, &index);
	if (res != TEE_SUCCESS)
		return res;
	return value_from_core(set, index, v);
}

/* An enumerator handle ignores the name (GP) and reads its current entry. */
static TEE_Result fetch(TEE_PropSetHandle h, const char *name, struct prop_value *v)
{
	unsigned long handle = (unsigned long)(uintptr_t)h;

	memset(v, 0, sizeof(*v) - sizeof(v->small));
	if (is_propset(handle)) {
		if (!name)
			return TEE_ERROR_ITEM_NOT_FOUND;
		return value_by_name(handle, name, v);
	}
	struct prop_enum *e = (struct prop_enum *)h;

	if (!e || !e->set)
		return TEE_ERROR_ITEM_NOT_FOUND;
	return value_at(e->set, e->index, v);
}

static void release(struct prop_value *v)
{
	TEE_Free(v->heap);
	v->heap = NULL;
}

static int format_uuid(char *buf, size_t size, const TEE_UUID *u)
{
	return snprintf(buf, size, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
			u->timeLow, u->timeMid, u->timeHiAndVersion, u->clockSeqAndNode[0],
			u->clockSeqAndNode[1], u->clockSeqAndNode[2], u->clockSeqAndNode[3],
			u->clockSeqAndNode[4], u->clockSeqAndNode[5], u->clockSeqAndNode[6],
			u->clockSeqAndNode[7]);
}

/* Renders any value as text into buf (capacity size); returns the length without the NUL. */
static size_t value_to_string(const struct prop_value *v, char *buf, size_t size)
{
	TEE_UUID uuid;
	TEE_Identity id;
	uint64_t u64 = 0;
	uint32_t u32 = 0;

	switch (v->type) {
	case USER_TA_PROP_TYPE_BOOL:
		return (size_t)snprintf(buf, size, "%s", *(const uint8_t *)v->data ? "true" : "false");
	case USER_TA_PROP_TYPE_U32:
		memcpy(&u32, v->data, sizeof(u32));
		return (size_t)snprintf(buf, size, "%u", u32);
	case USER_TA_PROP_TYPE_U64:
		memcpy(&u64, v->data, sizeof(u64));
		return (size_t)snprintf(buf, size, "%llu", (unsigned long long)u64);
	case USER_TA_PROP_TYPE_UUID:
		memcpy(&uuid, v->data, sizeof(uuid));
		return (size_t)format_uuid(buf, size, &uuid);
	case USER_TA_PROP_TYPE_IDENTITY: {
		int n;

		memcpy(&id, v->data, sizeof(id));
		n = snprintf(buf, size, "%x:", id.login);
		return (size_t)n + (size_t)format_uuid((size_t)n < size ? buf + n : NULL,
						       (size_t)n < size ? size - n : 0, &id.uuid);
	}
	case USER_TA_PROP_TYPE_BINARY_BLOCK:
		if (!v->base64) {
			size_t need = utee_base64_encoded_len(v->len);

			if (need < size)
				utee_base64_encode(v->data, v->len, buf);
			return need;
		}
		__attribute__((fallthrough)); /* already base64 text */
	default:
		return (size_t)snprintf(buf, size, "%s", (const char *)v->data);
	}
}

TEE_Result TEE_GetPropertyAsString(TEE_PropSetHandle propsetOrEnumerator, const char *name,
				   char *valueBuffer, size_t *valueBufferLen)
{
	struct prop_value v;
	TEE_Result res = fetch(propsetOrEnumerator, name, &v);
	size_t need;

	if (res == TEE_SUCCESS) {
		need = value_to_string(&v, valueBuffer, valueBuffer ? *valueBufferLen : 0) + 1;
		if (need > *valueBufferLen)
			res = TEE_ERROR_SHORT_BUFFER;
		*valueBufferLen = need;
	}
	release(&v);
	return res;
}

/* Fetches and checks the type, copying exactly len bytes of a fixed-size value. */
static TEE_Result get_fixed(TEE_PropSetHandle h, const char *name, uint32_t type, void *out,
			    size_t len)
{
	struct prop_value v;
	TEE_Result res = fetch(h, name, &v);

	if (res == TEE_SUCCESS && (v.type != type || v.len < len))
		res = TEE_ERROR_BAD_FORMAT;
	if (res == TEE_SUCCESS)
		memcpy(out, v.data, len);
	release(&v);
	return res;
}

TEE_Result TEE_GetPropertyAsBool(TEE_PropSetHandle propsetOrEnumerator, const char *name,
				 bool *value)
{
	uint8_t b = 0;
	TEE_Result res = get_fixed(propsetOrEnumerator, name, USER_TA_PROP_TYPE_BOOL, &b, 1);

	if (res == TEE_SUCCESS)
		*value = b != 0;
	return res;
}

TEE_Result TEE_GetPropertyAsU32(TEE_PropSetHandle propsetOrEnumerator, const char *name,
				uint32_t *value)
{
	return get_fixed(propsetOrEnumerator, name, USER_TA_PROP_TYPE_U32, value, sizeof(*value));
}

/* A U32 property also reads fine as U64. */
TEE_Result TEE_GetPropertyAsU64(TEE_PropSetHandle propsetOrEnumerator, const char *name,
				uint64_t *value)
{
	uint32_t u32 = 0;
	TEE_Result res = get_fixed(propsetOrEnumerator, name, USER_TA_PROP_TYPE_U64, value,
				   sizeof(*value));

	if (res != TEE_ERROR_BAD_FORMAT)
		return res;
	res = get_fixed(propsetOrEnumerator, name, USER_TA_PROP_TYPE_U32, &u32, sizeof(u32));
	if (res == TEE_SUCCESS)
		*value = u32;
	return res;
}

TEE_Result TEE_GetPropertyAsUUID(TEE_PropSetHandle propsetOrEnumerator, const char *name,
				 TEE_UUID *value)
{
	return get_fixed(propsetOrEnumerator, name, USER_TA_PROP_TYPE_UUID, value,
			 sizeof(*value));
}

TEE_Result TEE_GetPropertyAsIdentity(TEE_PropSetHandle propsetOrEnumerator, const char *name,
				     TEE_Identity *value)
{
	return get_fixed(propsetOrEnumerator, name, USER_TA_PROP_TYPE_IDENTITY, value,
			 sizeof(*value));
}

static TEE_Result copy_block(const struct prop_value *v, void *buf, size_t *len)
{
	size_t need = v->len;

	if (v->base64) {
		need = *len; /* capacity in, decoded size out */
		if (!utee_base64_decode(v->data, buf, &need))
			return TEE_ERROR_BAD_FORMAT;
	} else if (buf && need <= *len) {
		memcpy(buf, v->data, need);
	}
	if (!buf || need > *len) {
		*len = need;
		return TEE_ERROR_SHORT_BUFFER;
	}
	*len = need;
	return TEE_SUCCESS;
}

TEE_Result TEE_GetPropertyAsBinaryBlock(TEE_PropSetHandle propsetOrEnumerator, const char *name,
					void *valueBuffer, size_t *valueBufferLen)
{
	struct prop_value v;
	TEE_Result res = fetch(propsetOrEnumerator, name, &v);

	if (res == TEE_SUCCESS && v.type != USER_TA_PROP_TYPE_BINARY_BLOCK)
		res = TEE_ERROR_BAD_FORMAT;
	if (res == TEE_SUCCESS)
		res = copy_block(&v, valueBuffer, valueBufferLen);
	release(&v);
	return res;
}

TEE_Result TEE_AllocatePropertyEnumerator(TEE_PropSetHandle *enumerator)
{
	struct prop_enum *e = TEE_Malloc(sizeof(*e), TEE_MALLOC_FILL_ZERO);

	if (!e)
		return TEE_ERROR_OUT_OF_MEMORY;
	*enumerator = (TEE_PropSetHandle)e;
	return TEE_SUCCESS;
}

void TEE_FreePropertyEnumerator(TEE_PropSetHandle enumerator)
{
	TEE_Free(enumerator);
}

void TEE_StartPropertyEnumerator(TEE_PropSetHandle enumerator, TEE_PropSetHandle propSet)
{
	struct prop_enum *e = (struct prop_enum *)enumerator;
	unsigned long set = (unsigned long)(uintptr_t)propSet;

	if (!e || !is_propset(set))
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	e->set = set;
	e->index = 0;
}

void TEE_ResetPropertyEnumerator(TEE_PropSetHandle enumerator)
{
	struct prop_enum *e = (struct prop_enum *)enumerator;

	e->set = 0;
	e->index = 0;
}

static TEE_Result core_name(const struct prop_enum *e, uint32_t index, void *buf, size_t *len)
{
	uint32_t name_len = *len > UINT32_MAX ? UINT32_MAX : (uint32_t)*len;
	TEE_Result res = _utee_get_property(e->set, index, buf, &name_len, NULL, NULL, NULL);

	if (res == TEE_SUCCESS || res == TEE_ERROR_SHORT_BUFFER)
		*len = name_len;
	return res;
}

TEE_Result TEE_GetPropertyName(TEE_PropSetHandle enumerator, void *nameBuffer,
			       size_t *nameBufferLen)
{
	struct prop_enum *e = (struct prop_enum *)enumerator;
	const struct user_ta_property *table;
	size_t n;
	size_t need;

	if (!e || !e->set)
		return TEE_ERROR_ITEM_NOT_FOUND;
	n = local_table(e->set, &table);
	if (e->index >= n)
		return core_name(e, e->index - (uint32_t)n, nameBuffer, nameBufferLen);
	need = strlen(table[e->index].name) + 1;
	if (!nameBuffer || need > *nameBufferLen) {
		*nameBufferLen = need;
		return TEE_ERROR_SHORT_BUFFER;
	}
	memcpy(nameBuffer, table[e->index].name, need);
	*nameBufferLen = need;
	return TEE_SUCCESS;
}

TEE_Result TEE_GetNextProperty(TEE_PropSetHandle enumerator)
{
	struct prop_enum *e = (struct prop_enum *)enumerator;
	struct prop_value v;
	TEE_Result res;

	if (!e || !e->set)
		return TEE_ERROR_ITEM_NOT_FOUND;
	memset(&v, 0, sizeof(v) - sizeof(v.small));
	res = value_at(e->set, e->index + 1, &v);
	release(&v);
	if (res == TEE_SUCCESS)
		e->index++;
	return res == TEE_SUCCESS ? TEE_SUCCESS : TEE_ERROR_ITEM_NOT_FOUND;
}
