/*
 * The system pseudo-TA: shareable memory, and tee-supplicant plugins (tee_invoke_supp_plugin).
 * Shareable memory from the system pseudo-TA. The core refuses TA-to-TA memrefs that point into
 * TA-private memory, so such buffers are bounced through memory mapped with
 * PTA_SYSTEM_MAP_FLAG_SHAREABLE. The session to the PTA is opened on first use and kept for the
 * life of the instance.
 */
#include <pta_system.h>
#include <tee_internal_api.h>
#include <tee_internal_api_extensions.h>
#include <utee_syscalls.h>
#include "utee_private.h"

static uint32_t system_session;
static bool system_session_open;

static TEE_Result open_system_pta(void)
{
	const TEE_UUID uuid = PTA_SYSTEM_UUID;
	struct utee_params up = { 0 };
	uint32_t origin = 0;
	TEE_Result res;

	if (system_session_open)
		return TEE_SUCCESS;
	res = _utee_open_ta_session(&uuid, TEE_TIMEOUT_INFINITE, &up, &system_session, &origin);
	if (res == TEE_SUCCESS)
		system_session_open = true;
	return res;
}

TEE_Result utee_map_shareable(size_t size, void **va)
{
	struct utee_params up = { 0 };
	uint32_t origin = 0;
	TEE_Result res = open_system_pta();

	if (res != TEE_SUCCESS)
		return res;
	if (size > UINT32_MAX)
		return TEE_ERROR_OUT_OF_MEMORY;
	up.types = TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_VALUE_OUTPUT,
				   TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_NONE);
	up.vals[0] = size;                          /* value0.a: bytes */
	up.vals[1] = PTA_SYSTEM_MAP_FLAG_SHAREABLE; /* value0.b: flags */
	/* value2 (vals[4], vals[5]): no padding before or after */
	res = _utee_invoke_ta_command(system_session, TEE_TIMEOUT_INFINITE, PTA_SYSTEM_MAP_ZI, &up,
				      &origin);
	if (res == TEE_SUCCESS)
		*va = (void *)(uintptr_t)(((uint64_t)(uint32_t)up.vals[2] << 32) |
					  (uint32_t)up.vals[3]);
	return res;
}

void utee_unmap_shareable(void *va, size_t size)
{
	struct utee_params up = { 0 };
	uint32_t origin = 0;
	uint64_t addr = (uintptr_t)va;

	up.types = TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_VALUE_INPUT,
				   TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE);
	up.vals[0] = size;
	up.vals[2] = addr >> 32;
	up.vals[3] = (uint32_t)addr;
	/* A failed unmap only leaks address space in this instance; nothing to recover. */
	(void)_utee_invoke_ta_command(system_session, TEE_TIMEOUT_INFINITE, PTA_SYSTEM_UNMAP, &up,
				      &origin);
}

TEE_Result tee_invoke_supp_plugin(const TEE_UUID *uuid, uint32_t cmd, uint32_t sub_cmd,
				  void *buf, size_t len, size_t *outlen)
{
	struct utee_params up = { 0 };
	uint32_t origin = 0;
	TEE_Result res = TEE_ERROR_GENERIC;

	if (!uuid || (len && !buf) || (!len && buf) || len > UINT32_MAX)
		return TEE_ERROR_BAD_PARAMETERS;
	res = open_system_pta();
	if (res != TEE_SUCCESS)
		return res;
	up.types = TEE_PARAM_TYPES(TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_VALUE_INPUT,
				   TEE_PARAM_TYPE_MEMREF_INOUT, TEE_PARAM_TYPE_VALUE_OUTPUT);
	up.vals[0] = (uintptr_t)uuid;
	up.vals[1] = sizeof(*uuid);
	up.vals[2] = cmd;
	up.vals[3] = sub_cmd;
	up.vals[4] = (uintptr_t)buf;
	up.vals[5] = len;
	res = _utee_invoke_ta_command(system_session, TEE_TIMEOUT_INFINITE,
				      PTA_SYSTEM_SUPP_PLUGIN_INVOKE, &up, &origin);
	if (outlen)
		*outlen = (uint32_t)up.vals[6];
	return res;
}
