/* ta2ta: a TA acting as a client of other TAs (GP internal client API). */
#include <string.h>
#include <tee_internal_api.h>
#include <ta2ta_ta.h>

/* Same identifiers as the callee TAs' headers; copied so this TA builds on its own. */
#define HELLO_WORLD_UUID \
	{ 0x8aaaf200, 0x2450, 0x11e4, { 0xab, 0xe2, 0x00, 0x02, 0xa5, 0xd5, 0xc5, 0x1b } }
#define HELLO_WORLD_CMD_INC_VALUE 0
#define RANDOM_UUID \
	{ 0xb6c53aba, 0x9669, 0x4668, { 0xa7, 0xf2, 0x20, 0x56, 0x29, 0xd0, 0x0f, 0x86 } }
#define RANDOM_CMD_GENERATE 0
#define LOOP_UUID \
	{ 0xc93e419b, 0x2768, 0x4785, { 0x98, 0xaf, 0x50, 0x3b, 0x36, 0xa3, 0x0e, 0x41 } }
#define LOOP_CMD_WAIT_FOREVER 3
#define LOOP_CMD_WAIT_CANCELLABLE 5
#define LOOP_OPEN_UNTIL_CANCEL 1

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

/* Open, invoke once, close: the whole life of a TA-to-TA session. */
static TEE_Result call_once(const TEE_UUID *uuid, uint32_t cmd, uint32_t types,
			    TEE_Param params[4])
{
	TEE_TASessionHandle sess = TEE_HANDLE_NULL;
	uint32_t origin = 0;
	TEE_Result res = TEE_OpenTASession(uuid, TEE_TIMEOUT_INFINITE, 0, NULL, &sess, &origin);

	if (res != TEE_SUCCESS) {
		EMSG("open session failed: 0x%x origin %u", res, origin);
		return res;
	}
	res = TEE_InvokeTACommand(sess, TEE_TIMEOUT_INFINITE, cmd, types, params, &origin);
	if (res != TEE_SUCCESS)
		EMSG("invoke %u failed: 0x%x origin %u", cmd, res, origin);
	TEE_CloseTASession(sess);
	return res;
}

static TEE_Result hello_inc(uint32_t param_types, TEE_Param params[4])
{
	const uint32_t types = TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INOUT, TEE_PARAM_TYPE_NONE,
					       TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE);
	const TEE_UUID hello = HELLO_WORLD_UUID;
	TEE_Param p[4] = { 0 };
	TEE_Result res;

	if (param_types != types)
		return TEE_ERROR_BAD_PARAMETERS;
	p[0].value.a = params[0].value.a;
	res = call_once(&hello, HELLO_WORLD_CMD_INC_VALUE, types, p);
	if (res == TEE_SUCCESS)
		params[0].value.a = p[0].value.a;
	return res;
}

static TEE_Result random_via_stack(uint32_t param_types, TEE_Param params[4])
{
	const uint32_t types = TEE_PARAM_TYPES(TEE_PARAM_TYPE_MEMREF_OUTPUT, TEE_PARAM_TYPE_NONE,
					       TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE);
	const TEE_UUID random = RANDOM_UUID;
	uint8_t on_stack[TA_TA2TA_RANDOM_MAX];
	size_t size = params[0].memref.size;
	TEE_Param p[4] = { 0 };
	TEE_Result res;

	if (param_types != types || !size || size > sizeof(on_stack))
		return TEE_ERROR_BAD_PARAMETERS;
	p[0].memref.buffer = on_stack;
	p[0].memref.size = size;
	res = call_once(&random, RANDOM_CMD_GENERATE, types, p);
	if (res != TEE_SUCCESS)
		return res;
	memcpy(params[0].memref.buffer, on_stack, p[0].memref.size);
	params[0].memref.size = p[0].memref.size;
	return TEE_SUCCESS;
}

static TEE_Result wait_then_loop(uint32_t param_types, TEE_Param params[4])
{
	const uint32_t expected = TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_NONE,
						  TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE);
	const TEE_UUID loop = LOOP_UUID;
	TEE_Param none[4];

	memset(none, 0, sizeof(none));
	if (param_types != expected)
		return TEE_ERROR_BAD_PARAMETERS;
	TEE_Wait(params[0].value.a);
	return call_once(&loop, LOOP_CMD_WAIT_FOREVER, TEE_PARAM_TYPES(TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE,
		TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE), none);
}

/* TEE_InvokeTACommand / TEE_OpenTASession of the loop TA with a timeout (cancel_req_to). */
static TEE_Result call_with_timeout(uint32_t param_types, TEE_Param params[4])
{
	const uint32_t expected = TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_VALUE_OUTPUT,
						  TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_NONE);
	const uint32_t value_in = TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_NONE,
						  TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE);
	const TEE_UUID loop = LOOP_UUID;
	TEE_TASessionHandle sess = TEE_HANDLE_NULL;
	uint32_t origin = 0;
	TEE_Param p[4];
	TEE_Result res;

	memset(p, 0, sizeof(p));
	if (param_types != expected)
		return TEE_ERROR_BAD_PARAMETERS;
	if (params[2].value.a == 1) {
		p[0].value.a = LOOP_OPEN_UNTIL_CANCEL;
		res = TEE_OpenTASession(&loop, params[0].value.b, value_in, p, &sess, &origin);
	} else {
		res = TEE_OpenTASession(&loop, TEE_TIMEOUT_INFINITE, 0, NULL, &sess, &origin);
		if (res == TEE_SUCCESS) {
			p[0].value.a = params[0].value.a;
			res = TEE_InvokeTACommand(sess, params[0].value.b, LOOP_CMD_WAIT_CANCELLABLE,
						  value_in, p, &origin);
		}
	}
	if (sess != TEE_HANDLE_NULL)
		TEE_CloseTASession(sess);
	params[1].value.a = res;
	params[1].value.b = origin;
	return TEE_SUCCESS;
}

TEE_Result TA_InvokeCommandEntryPoint(void *sess_ctx, uint32_t cmd_id, uint32_t param_types,
				      TEE_Param params[4])
{
	switch (cmd_id) {
	case TA_TA2TA_CMD_HELLO_INC:
		return hello_inc(param_types, params);
	case TA_TA2TA_CMD_RANDOM_VIA_STACK:
		return random_via_stack(param_types, params);
	case TA_TA2TA_CMD_WAIT_THEN_LOOP:
		return wait_then_loop(param_types, params);
	case TA_TA2TA_CMD_CALL_WITH_TIMEOUT:
		return call_with_timeout(param_types, params);
	default:
		return TEE_ERROR_BAD_PARAMETERS;
	}
}
