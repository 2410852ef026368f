/*
 * GP internal client API: a TA opening sessions to and invoking other TAs (syscalls 5, 6, 7).
 * Rule for memrefs, as OP-TEE's libutee: a buffer entirely in the TA's private memory is copied
 * through one shareable bounce area (see system_pta.c), so the callee never sees the caller's
 * memory; any other buffer (the client's shared memory, memory already shareable) is passed as
 * it is, so a callee knows it is not the TA's own (the system PTA refuses to derive a key into
 * such memory).
 */
#include <string.h>
#include <tee_internal_api.h>
#include <utee_syscalls.h>
#include "utee_private.h"

#define BOUNCE_ALIGN 16

struct bounce {
	uint8_t *area;     /* NULL when no memref needed bouncing */
	size_t size;
	size_t offset[TEE_NUM_PARAMS];
	bool used[TEE_NUM_PARAMS];
};

static bool memref_type(uint32_t t)
{
	return t == TEE_PARAM_TYPE_MEMREF_INPUT || t == TEE_PARAM_TYPE_MEMREF_OUTPUT ||
	       t == TEE_PARAM_TYPE_MEMREF_INOUT;
}

static TEE_Result plan_bounce(uint32_t types, const TEE_Param *params, struct bounce *b)
{
	for (unsigned int n = 0; n < TEE_NUM_PARAMS; n++) {
		uint32_t t = TEE_PARAM_TYPE_GET(types, n);

		if (!memref_type(t) || !params[n].memref.buffer || !params[n].memref.size)
			continue;
		/* Without ANY_OWNER the check passes only for the TA's private memory. */
		if (TEE_CheckMemoryAccessRights(TEE_MEMORY_ACCESS_READ, params[n].memref.buffer,
						params[n].memref.size) != TEE_SUCCESS)
			continue;
		if (params[n].memref.size > SIZE_MAX - b->size - BOUNCE_ALIGN)
			return TEE_ERROR_OUT_OF_MEMORY;
		b->used[n] = true;
		b->offset[n] = b->size;
		b->size += UTEE_ROUNDUP(params[n].memref.size, BOUNCE_ALIGN);
	}
	return TEE_SUCCESS;
}

/* Builds utee_params for the call, mapping and filling the bounce area if one is needed. */
static TEE_Result bounce_in(uint32_t types, const TEE_Param *params, struct utee_params *up,
			    struct bounce *b)
{
	TEE_Result res = plan_bounce(types, params, b);

	tee_params_to_utee(types, params, up);
	if (res != TEE_SUCCESS || !b->size)
		return res;
	res = utee_map_shareable(b->size, (void **)&b->area);
	if (res != TEE_SUCCESS)
		return res;
	for (unsigned int n = 0; n < TEE_NUM_PARAMS; n++) {
		uint32_t t = TEE_PARAM_TYPE_GET(types, n);

		if (!b->used[n])
			continue;
		if (t != TEE_PARAM_TYPE_MEMREF_OUTPUT)
			memcpy(b->area + b->offset[n], params[n].memref.buffer,
			       params[n].memref.size);
		up->vals[2 * n] = (uintptr_t)(b->area + b->offset[n]);
	}
	return TEE_SUCCESS;
}

/* Copies outputs back (never more than the caller's buffer holds) and drops the bounce area. */
static void bounce_out(uint32_t types, TEE_Param *params, const struct utee_params *up,
		       struct bounce *b)
{
	for (unsigned int n = 0; n < TEE_NUM_PARAMS; n++) {
		uint32_t t = TEE_PARAM_TYPE_GET(types, n);
		size_t produced = up->vals[2 * n + 1];

		if (!b->used[n] || t == TEE_PARAM_TYPE_MEMREF_INPUT)
			continue;
		memcpy(params[n].memref.buffer, b->area + b->offset[n],
		       produced < params[n].memref.size ? produced : params[n].memref.size);
	}
	tee_params_copy_back(types, up, params);
	if (b->area)
		utee_unmap_shareable(b->area, b->size);
}

/* GP lets a TA pass params == NULL when every type is NONE. */
static TEE_Param *params_or_empty(TEE_Param *params, TEE_Param *empty)
{
	if (params)
		return params;
	memset(empty, 0, sizeof(TEE_Param) * TEE_NUM_PARAMS);
	return empty;
}

TEE_Result TEE_OpenTASession(const TEE_UUID *destination, uint32_t cancellationRequestTimeout,
			     uint32_t paramTypes, TEE_Param params[TEE_NUM_PARAMS],
			     TEE_TASessionHandle *session, uint32_t *returnOrigin)
{
	TEE_Param empty[TEE_NUM_PARAMS];
	TEE_Param *p = params_or_empty(params, empty);
	struct utee_params up;
	struct bounce b = { 0 };
	uint32_t origin = TEE_ORIGIN_TEE;
	uint32_t sess = 0;
	TEE_Result res = bounce_in(paramTypes, p, &up, &b);

	if (res == TEE_SUCCESS) {
		res = _utee_open_ta_session(destination, cancellationRequestTimeout, &up, &sess,
					    &origin);
		bounce_out(paramTypes, p, &up, &b);
	}
	*session = res == TEE_SUCCESS ? (TEE_TASessionHandle)(uintptr_t)sess : TEE_HANDLE_NULL;
	if (returnOrigin)
		*returnOrigin = origin;
	return res;
}

void TEE_CloseTASession(TEE_TASessionHandle session)
{
	if (session == TEE_HANDLE_NULL)
		return;
	if (_utee_close_ta_session((uintptr_t)session) != TEE_SUCCESS)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS); /* GP: an invalid handle is a programming error */
}

TEE_Result TEE_InvokeTACommand(TEE_TASessionHandle session, uint32_t cancellationRequestTimeout,
			       uint32_t commandID, uint32_t paramTypes,
			       TEE_Param params[TEE_NUM_PARAMS], uint32_t *returnOrigin)
{
	TEE_Param empty[TEE_NUM_PARAMS];
	TEE_Param *p = params_or_empty(params, empty);
	struct utee_params up;
	struct bounce b = { 0 };
	uint32_t origin = TEE_ORIGIN_TEE;
	TEE_Result res = bounce_in(paramTypes, p, &up, &b);

	if (res == TEE_SUCCESS) {
		res = _utee_invoke_ta_command((uintptr_t)session, cancellationRequestTimeout,
					      commandID, &up, &origin);
		bounce_out(paramTypes, p, &up, &b);
	}
	if (returnOrigin)
		*returnOrigin = origin;
	return res;
}
