/*
 * Thin GP wrappers over the time, wait, cancellation and random syscalls. GP says results other
 * than the documented ones are programming errors, hence the panics.
 */
#include <tee_internal_api.h>
#include <utee_syscalls.h>

#define UTEE_TIME_CAT_SYSTEM 0
#define UTEE_TIME_CAT_TA_PERSISTENT 1
#define UTEE_TIME_CAT_REE 2

static void get_time_or_panic(unsigned long cat, TEE_Time *time)
{
	TEE_Result res = _utee_get_time(cat, time);

	if (res != TEE_SUCCESS)
		TEE_Panic(res);
}

void TEE_GetSystemTime(TEE_Time *time)
{
	get_time_or_panic(UTEE_TIME_CAT_SYSTEM, time);
}

void TEE_GetREETime(TEE_Time *time)
{
	get_time_or_panic(UTEE_TIME_CAT_REE, time);
}

TEE_Result TEE_GetTAPersistentTime(TEE_Time *time)
{
	TEE_Result res = _utee_get_time(UTEE_TIME_CAT_TA_PERSISTENT, time);

	switch (res) {
	case TEE_SUCCESS:
	case TEE_ERROR_OVERFLOW: /* time is still written, wrapped */
		return res;
	case TEE_ERROR_TIME_NOT_SET:
	case TEE_ERROR_TIME_NEEDS_RESET:
		time->seconds = 0;
		time->millis = 0;
		return res;
	default:
		TEE_Panic(res);
	}
}

TEE_Result TEE_SetTAPersistentTime(const TEE_Time *time)
{
	TEE_Result res = _utee_set_ta_time(time);

	if (res != TEE_SUCCESS && res != TEE_ERROR_OUT_OF_MEMORY &&
	    res != TEE_ERROR_STORAGE_NO_SPACE)
		TEE_Panic(res);
	return res;
}

TEE_Result TEE_Wait(uint32_t timeout)
{
	TEE_Result res = _utee_wait(timeout);

	if (res != TEE_SUCCESS && res != TEE_ERROR_CANCEL)
		TEE_Panic(res);
	return res;
}

bool TEE_GetCancellationFlag(void)
{
	uint32_t flag = 0;

	if (_utee_get_cancellation_flag(&flag) != TEE_SUCCESS)
		flag = 0;
	return flag != 0;
}

bool TEE_UnmaskCancellation(void)
{
	uint32_t old_mask = 0;

	if (_utee_unmask_cancellation(&old_mask) != TEE_SUCCESS)
		TEE_Panic(TEE_ERROR_GENERIC);
	return old_mask != 0;
}

bool TEE_MaskCancellation(void)
{
	uint32_t old_mask = 0;

	if (_utee_mask_cancellation(&old_mask) != TEE_SUCCESS)
		TEE_Panic(TEE_ERROR_GENERIC);
	return old_mask != 0;
}

void TEE_GenerateRandom(void *randomBuffer, size_t randomBufferLen)
{
	TEE_Result res = _utee_cryp_random_number_generate(randomBuffer, randomBufferLen);

	if (res != TEE_SUCCESS)
		TEE_Panic(res);
}
