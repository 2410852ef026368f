/* GP memory helpers that are not the allocator, plus TEE_Panic. */
#include <string.h>
#include <tee_internal_api.h>
#include <utee_syscalls.h>

static const void *instance_data;

void TEE_Panic(TEE_Result panicCode)
{
	_utee_panic(panicCode);
}

TEE_Result TEE_CheckMemoryAccessRights(uint32_t accessFlags, void *buffer, size_t size)
{
	/* Zero bytes is always accessible; the kernel need not be asked. */
	if (!size)
		return TEE_SUCCESS;
	return _utee_check_access_rights(accessFlags, buffer, size);
}

void TEE_SetInstanceData(const void *instanceData)
{
	instance_data = instanceData;
}

const void *TEE_GetInstanceData(void)
{
	return instance_data;
}

void *TEE_MemMove(void *dest, const void *src, size_t size)
{
	return memmove(dest, src, size);
}

int32_t TEE_MemCompare(const void *buffer1, const void *buffer2, size_t size)
{
	return memcmp(buffer1, buffer2, size);
}

void TEE_MemFill(void *buffer, uint8_t x, size_t size)
{
	memset(buffer, x, size);
}
