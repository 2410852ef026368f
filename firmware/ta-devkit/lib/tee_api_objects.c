/*
 * GP generic and transient objects (Internal Core API 1.3 sections 5.5, 5.6). The kernel keeps
 * the objects; a TEE_ObjectHandle is the kernel's handle. GP's panic rules are applied here: the
 * kernel answers with codes, and whatever GP calls a programming error becomes TEE_Panic.
 */
#include <string.h>
#include <tee_internal_api.h>
#include <utee_syscalls.h>
#include "utee_crypto.h"

struct utee_attribute *utee_attrs_from_tee(const TEE_Attribute *attrs, uint32_t count)
{
	struct utee_attribute *ua;
	uint32_t n;

	if (!count)
		return NULL;
	if (!attrs || count > 64)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	ua = TEE_Malloc(count * sizeof(*ua), TEE_MALLOC_FILL_ZERO);
	if (!ua)
		TEE_Panic(TEE_ERROR_OUT_OF_MEMORY);
	for (n = 0; n < count; n++) {
		ua[n].attribute_id = attrs[n].attributeID;
		if (attrs[n].attributeID & TEE_ATTR_FLAG_VALUE) {
			ua[n].a = attrs[n].content.value.a;
			ua[n].b = attrs[n].content.value.b;
		} else {
			ua[n].a = (uintptr_t)attrs[n].content.ref.buffer;
			ua[n].b = attrs[n].content.ref.length;
		}
	}
	return ua;
}

static bool storage_error(TEE_Result res)
{
	return res == TEE_ERROR_CORRUPT_OBJECT || res == TEE_ERROR_STORAGE_NOT_AVAILABLE;
}

static TEE_Result raw_info(TEE_ObjectHandle object, struct utee_object_info *info)
{
	if (object == TEE_HANDLE_NULL)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	return _utee_cryp_obj_get_info(UTEE_OBJ(object), info);
}

TEE_Result TEE_GetObjectInfo1(TEE_ObjectHandle object, TEE_ObjectInfo *objectInfo)
{
	struct utee_object_info info;
	TEE_Result res = raw_info(object, &info);

	if (res != TEE_SUCCESS) {
		if (!storage_error(res))
			TEE_Panic(res);
		return res;
	}
	objectInfo->objectType = info.obj_type;
	objectInfo->objectSize = info.obj_size;
	objectInfo->maxObjectSize = info.max_obj_size;
	objectInfo->objectUsage = info.obj_usage;
	objectInfo->dataSize = info.data_size;
	objectInfo->dataPosition = info.data_pos;
	objectInfo->handleFlags = info.handle_flags;
	return TEE_SUCCESS;
}

void TEE_GetObjectInfo(TEE_ObjectHandle object, TEE_ObjectInfo *objectInfo)
{
	TEE_Result res = TEE_GetObjectInfo1(object, objectInfo);

	if (res != TEE_SUCCESS)
		TEE_Panic(res);
}

TEE_Result TEE_RestrictObjectUsage1(TEE_ObjectHandle object, uint32_t objectUsage)
{
	TEE_Result res;

	if (object == TEE_HANDLE_NULL)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	res = _utee_cryp_obj_restrict_usage(UTEE_OBJ(object), objectUsage);
	if (res != TEE_SUCCESS && !storage_error(res))
		TEE_Panic(res);
	return res;
}

void TEE_RestrictObjectUsage(TEE_ObjectHandle object, uint32_t objectUsage)
{
	TEE_Result res = TEE_RestrictObjectUsage1(object, objectUsage);

	if (res != TEE_SUCCESS)
		TEE_Panic(res);
}

TEE_Result TEE_GetObjectBufferAttribute(TEE_ObjectHandle object, uint32_t attributeID, void *buffer,
					size_t *size)
{
	uint64_t len;
	TEE_Result res;

	if (object == TEE_HANDLE_NULL || !size || (attributeID & TEE_ATTR_FLAG_VALUE))
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	len = *size;
	res = _utee_cryp_obj_get_attr(UTEE_OBJ(object), attributeID, buffer, &len);
	if (res == TEE_SUCCESS || res == TEE_ERROR_SHORT_BUFFER)
		*size = len;
	if (res != TEE_SUCCESS && res != TEE_ERROR_ITEM_NOT_FOUND && res != TEE_ERROR_SHORT_BUFFER &&
	    !storage_error(res))
		TEE_Panic(res);
	return res;
}

TEE_Result TEE_GetObjectValueAttribute(TEE_ObjectHandle object, uint32_t attributeID, uint32_t *a,
				       uint32_t *b)
{
	uint32_t buf[2] = { 0, 0 };
	uint64_t len = sizeof(buf);
	TEE_Result res;

	if (object == TEE_HANDLE_NULL || !(attributeID & TEE_ATTR_FLAG_VALUE))
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	res = _utee_cryp_obj_get_attr(UTEE_OBJ(object), attributeID, buf, &len);
	if (res != TEE_SUCCESS && res != TEE_ERROR_ITEM_NOT_FOUND && !storage_error(res))
		TEE_Panic(res);
	if (res == TEE_SUCCESS && len != sizeof(buf))
		TEE_Panic(TEE_ERROR_GENERIC);
	if (res == TEE_SUCCESS) {
		if (a)
			*a = buf[0];
		if (b)
			*b = buf[1];
	}
	return res;
}

void TEE_CloseObject(TEE_ObjectHandle object)
{
	TEE_Result res;

	if (object == TEE_HANDLE_NULL)
		return;
	res = _utee_cryp_obj_close(UTEE_OBJ(object));
	if (res != TEE_SUCCESS)
		TEE_Panic(res);
}

TEE_Result TEE_AllocateTransientObject(TEE_ObjectType objectType, uint32_t maxObjectSize,
				       TEE_ObjectHandle *object)
{
	uint32_t h = 0;
	TEE_Result res;

	if (!object)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	res = _utee_cryp_obj_alloc(objectType, maxObjectSize, &h);
	if (res == TEE_SUCCESS)
		*object = (TEE_ObjectHandle)(uintptr_t)h;
	else if (res != TEE_ERROR_OUT_OF_MEMORY && res != TEE_ERROR_NOT_SUPPORTED)
		TEE_Panic(res);
	else
		*object = TEE_HANDLE_NULL;
	return res;
}

/* Panics unless `object` is a transient object (GP: persistent handles are programming errors). */
static uint32_t transient_flags(TEE_ObjectHandle object)
{
	struct utee_object_info info;
	TEE_Result res = raw_info(object, &info);

	if (res != TEE_SUCCESS)
		TEE_Panic(res);
	if (info.handle_flags & TEE_HANDLE_FLAG_PERSISTENT)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	return info.handle_flags;
}

void TEE_FreeTransientObject(TEE_ObjectHandle object)
{
	if (object == TEE_HANDLE_NULL)
		return;
	transient_flags(object);
	TEE_CloseObject(object);
}

void TEE_ResetTransientObject(TEE_ObjectHandle object)
{
	TEE_Result res;

	if (object == TEE_HANDLE_NULL)
		return;
	transient_flags(object);
	res = _utee_cryp_obj_reset(UTEE_OBJ(object));
	if (res != TEE_SUCCESS)
		TEE_Panic(res);
}

TEE_Result TEE_PopulateTransientObject(TEE_ObjectHandle object, const TEE_Attribute *attrs,
				       uint32_t attrCount)
{
	struct utee_attribute *ua;
	TEE_Result res;

	if (transient_flags(object) & TEE_HANDLE_FLAG_INITIALIZED)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	ua = utee_attrs_from_tee(attrs, attrCount);
	res = _utee_cryp_obj_populate(UTEE_OBJ(object), ua, attrCount);
	TEE_Free(ua);
	if (res != TEE_SUCCESS && res != TEE_ERROR_BAD_PARAMETERS)
		TEE_Panic(res);
	return res;
}

void TEE_InitRefAttribute(TEE_Attribute *attr, uint32_t attributeID, const void *buffer,
			  size_t length)
{
	if (!attr || (attributeID & TEE_ATTR_FLAG_VALUE))
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	attr->attributeID = attributeID;
	attr->content.ref.buffer = (void *)buffer;
	attr->content.ref.length = length;
}

void TEE_InitValueAttribute(TEE_Attribute *attr, uint32_t attributeID, uint32_t a, uint32_t b)
{
	if (!attr || !(attributeID & TEE_ATTR_FLAG_VALUE))
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	attr->attributeID = attributeID;
	attr->content.value.a = a;
	attr->content.value.b = b;
}

TEE_Result TEE_CopyObjectAttributes1(TEE_ObjectHandle destObject, TEE_ObjectHandle srcObject)
{
	TEE_Result res;

	if (transient_flags(destObject) & TEE_HANDLE_FLAG_INITIALIZED)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	if (srcObject == TEE_HANDLE_NULL)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	res = _utee_cryp_obj_copy(UTEE_OBJ(destObject), UTEE_OBJ(srcObject));
	if (res != TEE_SUCCESS && !storage_error(res))
		TEE_Panic(res);
	return res;
}

void TEE_CopyObjectAttributes(TEE_ObjectHandle destObject, TEE_ObjectHandle srcObject)
{
	TEE_Result res = TEE_CopyObjectAttributes1(destObject, srcObject);

	if (res != TEE_SUCCESS)
		TEE_Panic(res);
}

TEE_Result TEE_GenerateKey(TEE_ObjectHandle object, uint32_t keySize, const TEE_Attribute *params,
			   uint32_t paramCount)
{
	struct utee_attribute *ua;
	TEE_Result res;

	if (transient_flags(object) & TEE_HANDLE_FLAG_INITIALIZED)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	ua = utee_attrs_from_tee(params, paramCount);
	res = _utee_cryp_obj_generate_key(UTEE_OBJ(object), keySize, ua, paramCount);
	TEE_Free(ua);
	if (res != TEE_SUCCESS && res != TEE_ERROR_BAD_PARAMETERS && res != TEE_ERROR_NOT_SUPPORTED)
		TEE_Panic(res);
	return res;
}
