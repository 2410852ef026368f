/*
 * GP trusted storage (Internal Core API 1.3 sections 5.7-5.9) on syscalls 41-53. The kernel
 * answers with codes; what GP lists as a programming error (a code outside the function's
 * documented set) becomes TEE_Panic here, as in OP-TEE's libutee.
 */
#include <string.h>
#include <tee_internal_api.h>
#include <utee_syscalls.h>
#include <utee_types.h>

#define OBJ(h) ((unsigned long)(uintptr_t)(h))

static bool is_storage_error(TEE_Result res)
{
	return res == TEE_ERROR_CORRUPT_OBJECT || res == TEE_ERROR_STORAGE_NOT_AVAILABLE;
}

/* Panics unless `res` is success, a storage error or one of the listed codes. */
static TEE_Result allow(TEE_Result res, TEE_Result a, TEE_Result b, TEE_Result c)
{
	if (res == TEE_SUCCESS || is_storage_error(res) || (a && res == a) || (b && res == b) ||
	    (c && res == c))
		return res;
	TEE_Panic(res);
	return res;
}

TEE_Result TEE_OpenPersistentObject(uint32_t storageID, const void *objectID, size_t objectIDLen,
				    uint32_t flags, TEE_ObjectHandle *object)
{
	uint32_t h = 0;
	TEE_Result res;

	if (!object)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	*object = TEE_HANDLE_NULL;
	if (!objectID && objectIDLen)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	if (objectIDLen > TEE_OBJECT_ID_MAX_LEN)
		return TEE_ERROR_BAD_PARAMETERS;
	res = _utee_storage_obj_open(storageID, objectID, objectIDLen, flags, &h);
	if (res == TEE_SUCCESS)
		*object = (TEE_ObjectHandle)(uintptr_t)h;
	return allow(res, TEE_ERROR_ITEM_NOT_FOUND, TEE_ERROR_ACCESS_CONFLICT, TEE_ERROR_OUT_OF_MEMORY);
}

TEE_Result TEE_CreatePersistentObject(uint32_t storageID, const void *objectID, size_t objectIDLen,
				      uint32_t flags, TEE_ObjectHandle attributes,
				      const void *initialData, size_t initialDataLen,
				      TEE_ObjectHandle *object)
{
	uint32_t h = 0;
	TEE_Result res;

	if (object)
		*object = TEE_HANDLE_NULL;
	if (!objectID && objectIDLen)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	if (objectIDLen > TEE_OBJECT_ID_MAX_LEN)
		return TEE_ERROR_BAD_PARAMETERS;
	if (!initialData && initialDataLen)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	/* Without an output handle the kernel keeps nothing open, or (GP 1.3.1) turns a transient
	 * attributes object into the persistent object itself, under its own handle. */
	res = _utee_storage_obj_create(storageID, objectID, objectIDLen, flags, OBJ(attributes),
				       initialData, initialDataLen, object ? &h : NULL);
	if (res == TEE_SUCCESS && object)
		*object = (TEE_ObjectHandle)(uintptr_t)h;
	if (res == TEE_ERROR_STORAGE_NO_SPACE)
		return res;
	return allow(res, TEE_ERROR_ITEM_NOT_FOUND, TEE_ERROR_ACCESS_CONFLICT, TEE_ERROR_OUT_OF_MEMORY);
}

TEE_Result TEE_CloseAndDeletePersistentObject1(TEE_ObjectHandle object)
{
	TEE_Result res;

	if (object == TEE_HANDLE_NULL)
		return TEE_SUCCESS;
	res = _utee_storage_obj_del(OBJ(object));
	if (res != TEE_SUCCESS && res != TEE_ERROR_STORAGE_NOT_AVAILABLE)
		TEE_Panic(res);
	return res;
}

void TEE_CloseAndDeletePersistentObject(TEE_ObjectHandle object)
{
	TEE_Result res = TEE_CloseAndDeletePersistentObject1(object);

	if (res != TEE_SUCCESS)
		TEE_Panic(res);
}

TEE_Result TEE_RenamePersistentObject(TEE_ObjectHandle object, const void *newObjectID,
				      size_t newObjectIDLen)
{
	if (object == TEE_HANDLE_NULL || (!newObjectID && newObjectIDLen))
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	if (newObjectIDLen > TEE_OBJECT_ID_MAX_LEN)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	return allow(_utee_storage_obj_rename(OBJ(object), newObjectID, newObjectIDLen),
		     TEE_ERROR_ACCESS_CONFLICT, 0, 0);
}

TEE_Result TEE_AllocatePersistentObjectEnumerator(TEE_ObjectEnumHandle *objectEnumerator)
{
	uint32_t h = 0;
	TEE_Result res;

	if (!objectEnumerator)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	res = _utee_storage_alloc_enum(&h);
	*objectEnumerator = res == TEE_SUCCESS ? (TEE_ObjectEnumHandle)(uintptr_t)h : TEE_HANDLE_NULL;
	if (res != TEE_SUCCESS && res != TEE_ERROR_OUT_OF_MEMORY)
		TEE_Panic(res);
	return res;
}

void TEE_FreePersistentObjectEnumerator(TEE_ObjectEnumHandle objectEnumerator)
{
	TEE_Result res;

	if (objectEnumerator == TEE_HANDLE_NULL)
		return;
	res = _utee_storage_free_enum(OBJ(objectEnumerator));
	if (res != TEE_SUCCESS)
		TEE_Panic(res);
}

void TEE_ResetPersistentObjectEnumerator(TEE_ObjectEnumHandle objectEnumerator)
{
	TEE_Result res;

	if (objectEnumerator == TEE_HANDLE_NULL)
		return;
	res = _utee_storage_reset_enum(OBJ(objectEnumerator));
	if (res != TEE_SUCCESS)
		TEE_Panic(res);
}

TEE_Result TEE_StartPersistentObjectEnumerator(TEE_ObjectEnumHandle objectEnumerator, uint32_t storageID)
{
	return allow(_utee_storage_start_enum(OBJ(objectEnumerator), storageID),
		     TEE_ERROR_ITEM_NOT_FOUND, 0, 0);
}

TEE_Result TEE_GetNextPersistentObject(TEE_ObjectEnumHandle objectEnumerator, TEE_ObjectInfo *objectInfo,
				       void *objectID, size_t *objectIDLen)
{
	struct utee_object_info info;
	uint64_t len = 0;
	TEE_Result res;

	if (!objectID || !objectIDLen)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	res = _utee_storage_next_enum(OBJ(objectEnumerator), &info, objectID, &len);
	if (res == TEE_SUCCESS) {
		if (objectInfo) {
			objectInfo->objectType = info.obj_type;
			objectInfo->objectSize = info.obj_size;
			objectInfo->maxObjectSize = info.max_obj_size;
			objectInfo->objectUsage = info.obj_usage;
			objectInfo->dataSize = info.data_size;
			objectInfo->dataPosition = info.data_pos;
			objectInfo->handleFlags = info.handle_flags;
		}
		*objectIDLen = len;
	}
	return allow(res, TEE_ERROR_ITEM_NOT_FOUND, 0, 0);
}

TEE_Result TEE_ReadObjectData(TEE_ObjectHandle object, void *buffer, size_t size, size_t *count)
{
	uint64_t n = 0;
	TEE_Result res;

	if (object == TEE_HANDLE_NULL || !count || (!buffer && size))
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	res = _utee_storage_obj_read(OBJ(object), buffer, size, &n);
	*count = res == TEE_SUCCESS ? n : 0;
	return allow(res, 0, 0, 0);
}

TEE_Result TEE_WriteObjectData(TEE_ObjectHandle object, const void *buffer, size_t size)
{
	if (object == TEE_HANDLE_NULL || (!buffer && size))
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	return allow(_utee_storage_obj_write(OBJ(object), buffer, size), TEE_ERROR_STORAGE_NO_SPACE,
		     TEE_ERROR_OVERFLOW, 0);
}

TEE_Result TEE_TruncateObjectData(TEE_ObjectHandle object, size_t size)
{
	if (object == TEE_HANDLE_NULL)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	return allow(_utee_storage_obj_trunc(OBJ(object), size), TEE_ERROR_STORAGE_NO_SPACE,
		     TEE_ERROR_OVERFLOW, 0);
}

TEE_Result TEE_SeekObjectData(TEE_ObjectHandle object, intmax_t offset, TEE_Whence whence)
{
	if (object == TEE_HANDLE_NULL)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	/* The syscall takes an int32_t offset: anything wider cannot be a valid position change. */
	if (offset > INT32_MAX || offset < INT32_MIN)
		return TEE_ERROR_OVERFLOW;
	return allow(_utee_storage_obj_seek(OBJ(object), (int32_t)offset, whence), TEE_ERROR_OVERFLOW, 0, 0);
}
