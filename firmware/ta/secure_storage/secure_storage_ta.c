/*
 * secure_storage: the optee_examples sample's commands on GP trusted storage (TEE_STORAGE_PRIVATE).
 * Object ids and data come from the client; the object id is copied into TA memory first, since
 * GP storage functions take it from the TA.
 */
#include <string.h>
#include <tee_internal_api.h>
#include <secure_storage_ta.h>

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

/* Copies memref0 (the object id) into `id`; false when it is too long. */
static bool take_id(TEE_Param params[4], char id[TEE_OBJECT_ID_MAX_LEN], size_t *len)
{
	if (params[0].memref.size > TEE_OBJECT_ID_MAX_LEN)
		return false;
	*len = params[0].memref.size;
	memcpy(id, params[0].memref.buffer, *len);
	return true;
}

static TEE_Result write_raw(uint32_t pt, TEE_Param params[4])
{
	const uint32_t exp = TEE_PARAM_TYPES(TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_MEMREF_INPUT,
					     TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE);
	const uint32_t flags = TEE_DATA_FLAG_ACCESS_READ | TEE_DATA_FLAG_ACCESS_WRITE |
			       TEE_DATA_FLAG_ACCESS_WRITE_META | TEE_DATA_FLAG_OVERWRITE;
	char id[TEE_OBJECT_ID_MAX_LEN];
	size_t id_len;
	TEE_ObjectHandle obj;
	TEE_Result res;

	if (pt != exp || !take_id(params, id, &id_len))
		return TEE_ERROR_BAD_PARAMETERS;
	res = TEE_CreatePersistentObject(TEE_STORAGE_PRIVATE, id, id_len, flags, TEE_HANDLE_NULL,
					 params[1].memref.buffer, params[1].memref.size, &obj);
	if (res != TEE_SUCCESS) {
		EMSG("TEE_CreatePersistentObject failed 0x%08x", res);
		return res;
	}
	TEE_CloseObject(obj);
	return TEE_SUCCESS;
}

static TEE_Result read_raw(uint32_t pt, TEE_Param params[4])
{
	const uint32_t exp = TEE_PARAM_TYPES(TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_MEMREF_OUTPUT,
					     TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE);
	char id[TEE_OBJECT_ID_MAX_LEN];
	size_t id_len, count = 0;
	TEE_ObjectHandle obj;
	TEE_ObjectInfo info;
	TEE_Result res;

	if (pt != exp || !take_id(params, id, &id_len))
		return TEE_ERROR_BAD_PARAMETERS;
	res = TEE_OpenPersistentObject(TEE_STORAGE_PRIVATE, id, id_len,
				       TEE_DATA_FLAG_ACCESS_READ | TEE_DATA_FLAG_SHARE_READ, &obj);
	if (res != TEE_SUCCESS)
		return res;
	res = TEE_GetObjectInfo1(obj, &info);
	if (res != TEE_SUCCESS)
		goto out;
	if (info.dataSize > params[1].memref.size) {
		params[1].memref.size = info.dataSize;
		res = TEE_ERROR_SHORT_BUFFER;
		goto out;
	}
	res = TEE_ReadObjectData(obj, params[1].memref.buffer, info.dataSize, &count);
	if (res == TEE_SUCCESS)
		params[1].memref.size = count;
out:
	TEE_CloseObject(obj);
	return res;
}

static TEE_Result delete_obj(uint32_t pt, TEE_Param params[4])
{
	const uint32_t exp = TEE_PARAM_TYPES(TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_NONE,
					     TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE);
	char id[TEE_OBJECT_ID_MAX_LEN];
	size_t id_len;
	TEE_ObjectHandle obj;
	TEE_Result res;

	if (pt != exp || !take_id(params, id, &id_len))
		return TEE_ERROR_BAD_PARAMETERS;
	res = TEE_OpenPersistentObject(TEE_STORAGE_PRIVATE, id, id_len,
				       TEE_DATA_FLAG_ACCESS_READ | TEE_DATA_FLAG_ACCESS_WRITE_META, &obj);
	if (res != TEE_SUCCESS)
		return res;
	return TEE_CloseAndDeletePersistentObject1(obj);
}

TEE_Result TA_InvokeCommandEntryPoint(void *sess_ctx, uint32_t cmd_id, uint32_t param_types,
				      TEE_Param params[4])
{
	switch (cmd_id) {
	case TA_SECURE_STORAGE_CMD_READ_RAW:
		return read_raw(param_types, params);
	case TA_SECURE_STORAGE_CMD_WRITE_RAW:
		return write_raw(param_types, params);
	case TA_SECURE_STORAGE_CMD_DELETE:
		return delete_obj(param_types, params);
	default:
		return TEE_ERROR_BAD_PARAMETERS;
	}
}
