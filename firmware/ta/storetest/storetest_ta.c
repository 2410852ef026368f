/*
 * storetest (test only): the GP trusted-storage API one call per command, with object handles
 * kept in instance-wide slots so that a test can hold several handles on one object, plus raw
 * syscalls with hostile arguments (which libutee itself would refuse or panic on).
 */
#include <string.h>
#include <tee_internal_api.h>
#include <utee_syscalls.h>
#include <utee_types.h>
#include <storetest_ta.h>

#define PT(a, b, c, d) TEE_PARAM_TYPES(TEE_PARAM_TYPE_##a, TEE_PARAM_TYPE_##b, \
				       TEE_PARAM_TYPE_##c, TEE_PARAM_TYPE_##d)

static TEE_ObjectHandle slots[STORETEST_SLOTS];
static const char rodata_id[] = "read-only";

TEE_Result TA_CreateEntryPoint(void)
{
	return TEE_SUCCESS;
}

void TA_DestroyEntryPoint(void)
{
}

TEE_Result TA_OpenSessionEntryPoint(uint32_t param_types, TEE_Param params[4], void **sess_ctx)
{
	*sess_ctx = NULL;
	return TEE_SUCCESS;
}

void TA_CloseSessionEntryPoint(void *sess_ctx)
{
}

static TEE_ObjectHandle *slot(uint32_t n)
{
	return n < STORETEST_SLOTS ? &slots[n] : NULL;
}

/* Copies an id memref into TA memory (GP takes ids from TA memory); false when longer than buf. */
static bool copy_id(TEE_Param *p, char *buf, size_t cap, size_t *len)
{
	if (p->memref.size > cap)
		return false;
	*len = p->memref.size;
	memcpy(buf, p->memref.buffer, *len);
	return true;
}

static TEE_Result cmd_open(uint32_t pt, TEE_Param p[4], bool create)
{
	char id[TEE_OBJECT_ID_MAX_LEN + 8];
	size_t len;
	TEE_ObjectHandle *s;

	if (create ? pt != PT(MEMREF_INPUT, VALUE_INPUT, MEMREF_INPUT, VALUE_INPUT)
		   : pt != PT(MEMREF_INPUT, VALUE_INPUT, VALUE_INPUT, NONE))
		return TEE_ERROR_BAD_PARAMETERS;
	s = slot(p[1].value.b);
	if (!s || !copy_id(&p[0], id, sizeof(id), &len))
		return TEE_ERROR_BAD_PARAMETERS;
	if (create)
		return TEE_CreatePersistentObject(p[3].value.a, id, len, p[1].value.a, TEE_HANDLE_NULL,
						  p[2].memref.buffer, p[2].memref.size, s);
	return TEE_OpenPersistentObject(p[2].value.a, id, len, p[1].value.a, s);
}

static TEE_Result cmd_create_key(uint32_t pt, TEE_Param p[4])
{
	char id[TEE_OBJECT_ID_MAX_LEN];
	size_t len;
	TEE_ObjectHandle *s, key = TEE_HANDLE_NULL;
	TEE_Attribute attr;
	TEE_Result res;

	if (pt != PT(MEMREF_INPUT, VALUE_INPUT, MEMREF_INPUT, MEMREF_INPUT))
		return TEE_ERROR_BAD_PARAMETERS;
	s = slot(p[1].value.b);
	if (!s || !copy_id(&p[0], id, sizeof(id), &len))
		return TEE_ERROR_BAD_PARAMETERS;
	res = TEE_AllocateTransientObject(TEE_TYPE_AES, p[2].memref.size * 8, &key);
	if (res != TEE_SUCCESS)
		return res;
	TEE_InitRefAttribute(&attr, TEE_ATTR_SECRET_VALUE, p[2].memref.buffer, p[2].memref.size);
	res = TEE_PopulateTransientObject(key, &attr, 1);
	if (res == TEE_SUCCESS)
		res = TEE_CreatePersistentObject(TEE_STORAGE_PRIVATE, id, len, p[1].value.a, key,
						 p[3].memref.buffer, p[3].memref.size, s);
	TEE_FreeTransientObject(key);
	return res;
}

static TEE_Result cmd_get_key(uint32_t pt, TEE_Param p[4])
{
	TEE_ObjectHandle *s;
	TEE_ObjectInfo info;
	size_t size;
	TEE_Result res;

	if (pt != PT(VALUE_INPUT, MEMREF_OUTPUT, VALUE_OUTPUT, NONE))
		return TEE_ERROR_BAD_PARAMETERS;
	s = slot(p[0].value.a);
	if (!s)
		return TEE_ERROR_BAD_PARAMETERS;
	res = TEE_GetObjectInfo1(*s, &info);
	if (res != TEE_SUCCESS)
		return res;
	p[2].value.a = info.objectType;
	p[2].value.b = info.objectSize;
	size = p[1].memref.size;
	res = TEE_GetObjectBufferAttribute(*s, TEE_ATTR_SECRET_VALUE, p[1].memref.buffer, &size);
	p[1].memref.size = size;
	return res;
}

static TEE_Result cmd_enum(uint32_t pt, TEE_Param p[4])
{
	TEE_ObjectEnumHandle e = TEE_HANDLE_NULL;
	TEE_ObjectInfo info;
	uint8_t id[TEE_OBJECT_ID_MAX_LEN];
	uint8_t *out = p[0].memref.buffer;
	size_t len, used = 0, cap = p[0].memref.size;
	uint32_t count = 0, restart = p[2].value.a;
	TEE_Result res;

	if (pt != PT(MEMREF_OUTPUT, VALUE_INOUT, VALUE_INPUT, NONE))
		return TEE_ERROR_BAD_PARAMETERS;
	res = TEE_AllocatePersistentObjectEnumerator(&e);
	if (res != TEE_SUCCESS)
		return res;
	res = TEE_StartPersistentObjectEnumerator(e, p[1].value.a);
	while (res == TEE_SUCCESS) {
		len = sizeof(id);
		res = TEE_GetNextPersistentObject(e, &info, id, &len);
		if (res != TEE_SUCCESS)
			break;
		if (restart) {
			/* Reset, then start again: the first object must come back first. */
			restart = 0;
			TEE_ResetPersistentObjectEnumerator(e);
			res = TEE_StartPersistentObjectEnumerator(e, p[1].value.a);
			continue;
		}
		if (used + 8 + len > cap) {
			res = TEE_ERROR_SHORT_BUFFER;
			break;
		}
		memcpy(out + used, &(uint32_t){ (uint32_t)len }, 4);
		memcpy(out + used + 4, id, len);
		memcpy(out + used + 4 + len, &(uint32_t){ (uint32_t)info.dataSize }, 4);
		used += 8 + len;
		count++;
	}
	TEE_FreePersistentObjectEnumerator(e);
	p[0].memref.size = used;
	p[1].value.a = count;
	if (res == TEE_ERROR_ITEM_NOT_FOUND && count)
		res = TEE_SUCCESS;
	return res;
}

/* Raw syscalls with arguments libutee would never pass. */
static TEE_Result cmd_raw(uint32_t pt, TEE_Param p[4])
{
	uint32_t h = 0;
	uint64_t count = 0;
	char id[TEE_OBJECT_ID_MAX_LEN + 1];
	TEE_Result res;

	if (pt != PT(VALUE_INPUT, VALUE_OUTPUT, NONE, NONE) && pt != PT(VALUE_INPUT, VALUE_OUTPUT, MEMREF_INPUT, NONE))
		return TEE_ERROR_BAD_PARAMETERS;
	memset(id, 'x', sizeof(id));
	switch (p[0].value.a) {
	case 0: /* 65-byte id */
		res = _utee_storage_obj_create(TEE_STORAGE_PRIVATE, id, 65, TEE_DATA_FLAG_ACCESS_WRITE, 0,
					       NULL, 0, &h);
		break;
	case 1: /* id pointer into unmapped memory */
		res = _utee_storage_obj_open(TEE_STORAGE_PRIVATE, (void *)0xdead000000UL, 8,
					     TEE_DATA_FLAG_ACCESS_READ, &h);
		break;
	case 2: /* read into read-only memory, slot 0 */
		res = _utee_storage_obj_read((unsigned long)(uintptr_t)slots[0], (void *)rodata_id, 4, &count);
		break;
	case 3: /* delete through slot 0 (which the test opened without WRITE_META) */
		res = _utee_storage_obj_del((unsigned long)(uintptr_t)slots[0]);
		break;
	case 4: /* unknown open flags */
		res = _utee_storage_obj_open(TEE_STORAGE_PRIVATE, id, 4, 0x8000, &h);
		break;
	case 5: /* a handle that is not an object */
		res = _utee_storage_obj_write(0x7fff1234, id, 4);
		break;
	case 6: /* RPMB storage is not emulated */
		res = _utee_storage_obj_open(TEE_STORAGE_PRIVATE_RPMB, id, 4, TEE_DATA_FLAG_ACCESS_READ, &h);
		break;
	case 7: /* initial data beyond TEE_DATA_MAX_POSITION */
		res = _utee_storage_obj_create(TEE_STORAGE_PRIVATE, id, 4, TEE_DATA_FLAG_ACCESS_WRITE, 0,
					       id, 0x100000000UL, &h);
		break;
	case 8: /* the id straight from the client's shared memory (p2), not copied into the TA */
		if (TEE_PARAM_TYPE_GET(pt, 2) != TEE_PARAM_TYPE_MEMREF_INPUT)
			return TEE_ERROR_BAD_PARAMETERS;
		res = _utee_storage_obj_open(TEE_STORAGE_PRIVATE, p[2].memref.buffer, p[2].memref.size,
					     TEE_DATA_FLAG_ACCESS_READ, &h);
		break;
	case 9: { /* no handle asked for: a transient key becomes the persistent object itself */
		TEE_ObjectHandle k = TEE_HANDLE_NULL;
		TEE_ObjectInfo info;

		res = TEE_AllocateTransientObject(TEE_TYPE_AES, 128, &k);
		if (!res)
			res = TEE_GenerateKey(k, 128, NULL, 0);
		if (!res)
			res = TEE_CreatePersistentObject(TEE_STORAGE_PRIVATE, "adopted", 7,
							 TEE_DATA_FLAG_ACCESS_READ |
							 TEE_DATA_FLAG_ACCESS_WRITE_META |
							 TEE_DATA_FLAG_OVERWRITE, k, NULL, 0, NULL);
		if (!res) {
			TEE_GetObjectInfo1(k, &info);
			res = (info.handleFlags & TEE_HANDLE_FLAG_PERSISTENT) && info.objectSize == 128 ?
			      TEE_SUCCESS : TEE_ERROR_GENERIC;
		}
		if (k)
			TEE_CloseObject(k);
		break;
	}
	default:
		return TEE_ERROR_BAD_PARAMETERS;
	}
	p[1].value.a = res;
	return TEE_SUCCESS;
}

TEE_Result TA_InvokeCommandEntryPoint(void *sess_ctx, uint32_t cmd, uint32_t pt, TEE_Param p[4])
{
	TEE_ObjectHandle *s = NULL;
	TEE_ObjectInfo info;
	size_t count = 0;
	TEE_Result res;

	switch (cmd) {
	case STORETEST_CMD_OPEN:
		return cmd_open(pt, p, false);
	case STORETEST_CMD_CREATE:
		return cmd_open(pt, p, true);
	case STORETEST_CMD_CREATE_KEY:
		return cmd_create_key(pt, p);
	case STORETEST_CMD_GET_KEY:
		return cmd_get_key(pt, p);
	case STORETEST_CMD_ENUM:
		return cmd_enum(pt, p);
	case STORETEST_CMD_RAW:
		return cmd_raw(pt, p);
	default:
		break;
	}
	if (TEE_PARAM_TYPE_GET(pt, 0) != TEE_PARAM_TYPE_VALUE_INPUT || !(s = slot(p[0].value.a)))
		return TEE_ERROR_BAD_PARAMETERS;
	switch (cmd) {
	case STORETEST_CMD_CLOSE:
		TEE_CloseObject(*s);
		*s = TEE_HANDLE_NULL;
		return TEE_SUCCESS;
	case STORETEST_CMD_READ:
		if (pt != PT(VALUE_INPUT, MEMREF_OUTPUT, NONE, NONE))
			return TEE_ERROR_BAD_PARAMETERS;
		res = TEE_ReadObjectData(*s, p[1].memref.buffer, p[1].memref.size, &count);
		p[1].memref.size = count;
		return res;
	case STORETEST_CMD_WRITE:
		if (pt != PT(VALUE_INPUT, MEMREF_INPUT, NONE, NONE))
			return TEE_ERROR_BAD_PARAMETERS;
		return TEE_WriteObjectData(*s, p[1].memref.buffer, p[1].memref.size);
	case STORETEST_CMD_SEEK:
		if (pt != PT(VALUE_INPUT, VALUE_INPUT, NONE, NONE))
			return TEE_ERROR_BAD_PARAMETERS;
		return TEE_SeekObjectData(*s, (int32_t)p[1].value.a, (TEE_Whence)p[0].value.b);
	case STORETEST_CMD_TRUNC:
		return TEE_TruncateObjectData(*s, p[0].value.b);
	case STORETEST_CMD_RENAME: {
		char id[TEE_OBJECT_ID_MAX_LEN];
		size_t len;

		if (pt != PT(VALUE_INPUT, MEMREF_INPUT, NONE, NONE) || !copy_id(&p[1], id, sizeof(id), &len))
			return TEE_ERROR_BAD_PARAMETERS;
		return TEE_RenamePersistentObject(*s, id, len);
	}
	case STORETEST_CMD_DELETE:
		res = TEE_CloseAndDeletePersistentObject1(*s);
		*s = TEE_HANDLE_NULL;
		return res;
	case STORETEST_CMD_RESTRICT:
		if (pt != PT(VALUE_INPUT, VALUE_INPUT, NONE, NONE))
			return TEE_ERROR_BAD_PARAMETERS;
		return TEE_RestrictObjectUsage1(*s, p[1].value.a);
	case STORETEST_CMD_INFO:
		if (pt != PT(VALUE_INPUT, VALUE_OUTPUT, VALUE_OUTPUT, VALUE_OUTPUT))
			return TEE_ERROR_BAD_PARAMETERS;
		res = TEE_GetObjectInfo1(*s, &info);
		p[1].value.a = info.dataSize;
		p[1].value.b = info.dataPosition;
		p[2].value.a = info.handleFlags;
		p[2].value.b = info.objectType;
		p[3].value.a = info.objectSize;
		p[3].value.b = info.objectUsage;
		return res;
	default:
		return TEE_ERROR_BAD_PARAMETERS;
	}
}
