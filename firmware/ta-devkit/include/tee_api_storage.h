/*
 * GP TEE Internal Core API 1.3 trusted storage: persistent objects, their enumerators and data
 * streams (sections 5.7-5.9). Implemented in lib/tee_api_storage.c on syscalls 41-53; the
 * generic object functions (TEE_GetObjectInfo1, TEE_CloseObject, ...) are in tee_api_crypto.h.
 */
#ifndef TEE_API_STORAGE_H
#define TEE_API_STORAGE_H

#include <stddef.h>
#include <stdint.h>
#include <tee_api_defines.h>
#include <tee_api_types.h>

#ifndef TEE_DATA_MAX_POSITION
#define TEE_DATA_MAX_POSITION 0xFFFFFFFF
#endif
#ifndef TEE_OBJECT_ID_MAX_LEN
#define TEE_OBJECT_ID_MAX_LEN 64
#endif

TEE_Result TEE_OpenPersistentObject(uint32_t storageID, const void *objectID, size_t objectIDLen,
				    uint32_t flags, TEE_ObjectHandle *object);
TEE_Result TEE_CreatePersistentObject(uint32_t storageID, const void *objectID, size_t objectIDLen,
				      uint32_t flags, TEE_ObjectHandle attributes,
				      const void *initialData, size_t initialDataLen,
				      TEE_ObjectHandle *object);
TEE_Result TEE_CloseAndDeletePersistentObject1(TEE_ObjectHandle object);
void TEE_CloseAndDeletePersistentObject(TEE_ObjectHandle object);
TEE_Result TEE_RenamePersistentObject(TEE_ObjectHandle object, const void *newObjectID,
				      size_t newObjectIDLen);

TEE_Result TEE_AllocatePersistentObjectEnumerator(TEE_ObjectEnumHandle *objectEnumerator);
void TEE_FreePersistentObjectEnumerator(TEE_ObjectEnumHandle objectEnumerator);
void TEE_ResetPersistentObjectEnumerator(TEE_ObjectEnumHandle objectEnumerator);
TEE_Result TEE_StartPersistentObjectEnumerator(TEE_ObjectEnumHandle objectEnumerator, uint32_t storageID);
TEE_Result TEE_GetNextPersistentObject(TEE_ObjectEnumHandle objectEnumerator, TEE_ObjectInfo *objectInfo,
				       void *objectID, size_t *objectIDLen);

TEE_Result TEE_ReadObjectData(TEE_ObjectHandle object, void *buffer, size_t size, size_t *count);
TEE_Result TEE_WriteObjectData(TEE_ObjectHandle object, const void *buffer, size_t size);
TEE_Result TEE_TruncateObjectData(TEE_ObjectHandle object, size_t size);
TEE_Result TEE_SeekObjectData(TEE_ObjectHandle object, intmax_t offset, TEE_Whence whence);

#endif /* TEE_API_STORAGE_H */
