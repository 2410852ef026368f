/*
 * libtls main TA: see include/libtls_ta.h. Its module table and the TLS it reads belong to the
 * library TA (lib/libtls_lib.c).
 */
#include <pta_system.h>
#include <string.h>
#include <tee_internal_api.h>
#include <user_ta_header.h>
#include <utee_syscalls.h>
#include <libtls_ta.h>

#define OUT_TYPES TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_OUTPUT, TEE_PARAM_TYPE_NONE, \
				  TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE)
#define ECHO_BYTE 0x5a

TEE_Result TA_CreateEntryPoint(void)
{
	return TEE_SUCCESS;
}

void TA_DestroyEntryPoint(void)
{
}

TEE_Result TA_OpenSessionEntryPoint(uint32_t types, TEE_Param params[4], void **ctx)
{
	(void)types;
	(void)params;
	(void)ctx;
	return TEE_SUCCESS;
}

void TA_CloseSessionEntryPoint(void *ctx)
{
	(void)ctx;
}

/* Opens a second instance of this TA and hands it `buf` as a memref (TA-to-TA). */
static TEE_Result nested_echo(uint8_t *buf)
{
	static const TEE_UUID self = TA_LIBTLS_UUID;
	TEE_TASessionHandle sess = TEE_HANDLE_NULL;
	TEE_Param p[4] = { 0 };
	uint32_t origin = 0;
	TEE_Result res = TEE_OpenTASession(&self, TEE_TIMEOUT_INFINITE, 0, NULL, &sess, &origin);

	if (res != TEE_SUCCESS)
		return res;
	buf[0] = ECHO_BYTE;
	p[0].memref.buffer = buf;
	p[0].memref.size = 16;
	res = TEE_InvokeTACommand(sess, TEE_TIMEOUT_INFINITE, TA_LIBTLS_CMD_ECHO,
				  TEE_PARAM_TYPES(TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_NONE,
						  TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE),
				  p, &origin);
	TEE_CloseTASession(sess);
	return res;
}

/* OP-TEE 4.x libutee's tee_map_zi()/tee_unmap(): ret_orig NULL, value1 INOUT. */
static TEE_Result system_pta_4x(uint32_t *step)
{
	static const TEE_UUID system_uuid = PTA_SYSTEM_UUID;
	struct utee_params up = { 0 };
	uint32_t sess = 0;
	uint8_t *va = NULL;
	TEE_Result res = TEE_SUCCESS;

	*step = 1;
	res = _utee_open_ta_session(&system_uuid, TEE_TIMEOUT_INFINITE, &up, &sess, NULL);
	if (res != TEE_SUCCESS)
		return res;
	*step = 2;
	up.types = TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_VALUE_INOUT,
				   TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_NONE);
	up.vals[0] = 4096;
	up.vals[1] = PTA_SYSTEM_MAP_FLAG_SHAREABLE;
	res = _utee_invoke_ta_command(sess, TEE_TIMEOUT_INFINITE, PTA_SYSTEM_MAP_ZI, &up, NULL);
	if (res != TEE_SUCCESS)
		goto out;
	va = (uint8_t *)(uintptr_t)(((uint64_t)(uint32_t)up.vals[2] << 32) | (uint32_t)up.vals[3]);
	*step = 3;
	res = nested_echo(va);
	if (res != TEE_SUCCESS)
		goto out;
	*step = 4;
	up.types = TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_VALUE_INPUT,
				   TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE);
	up.vals[0] = 4096;
	up.vals[1] = 0;
	up.vals[2] = (uint64_t)(uintptr_t)va >> 32;
	up.vals[3] = (uint32_t)(uintptr_t)va;
	res = _utee_invoke_ta_command(sess, TEE_TIMEOUT_INFINITE, PTA_SYSTEM_UNMAP, &up, NULL);
out:
	_utee_close_ta_session(sess);
	if (res == TEE_SUCCESS)
		*step = 0;
	return res;
}

/* One command to the system PTA in a session of its own, as libdl makes its calls. */
static TEE_Result system_pta(uint32_t cmd, struct utee_params *up)
{
	static const TEE_UUID system_uuid = PTA_SYSTEM_UUID;
	struct utee_params none = { 0 };
	uint32_t sess = 0;
	TEE_Result res = _utee_open_ta_session(&system_uuid, TEE_TIMEOUT_INFINITE, &none, &sess, NULL);

	if (res != TEE_SUCCESS)
		return res;
	res = _utee_invoke_ta_command(sess, TEE_TIMEOUT_INFINITE, cmd, up, NULL);
	_utee_close_ta_session(sess);
	return res;
}

/* libdl's dlopen(): PTA_SYSTEM_DLOPEN with the library's TEE_UUID and the only accepted flags. */
static TEE_Result dlopen_dl(void)
{
	static const TEE_UUID dl_uuid = TA_LIBTLS_DL_UUID;
	struct utee_params up = { 0 };

	up.types = TEE_PARAM_TYPES(TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_VALUE_INPUT,
				   TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE);
	up.vals[0] = (uintptr_t)&dl_uuid;
	up.vals[1] = sizeof(dl_uuid);
	up.vals[2] = 2 | 0x100 | 0x1000; /* RTLD_NOW | RTLD_GLOBAL | RTLD_NODELETE */
	return system_pta(10 /* PTA_SYSTEM_DLOPEN */, &up);
}

/*
 * libdl's dlsym(): PTA_SYSTEM_DLSYM with the handle's TEE_UUID (all zero for dlopen(NULL)) and
 * the NUL-terminated name; the address comes back in value2 (a: high word, b: low word).
 */
static TEE_Result dlsym_in(const TEE_UUID *uuid, const char *name, void **addr)
{
	struct utee_params up = { 0 };
	TEE_Result res = TEE_ERROR_GENERIC;

	up.types = TEE_PARAM_TYPES(TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_MEMREF_INPUT,
				   TEE_PARAM_TYPE_VALUE_OUTPUT, TEE_PARAM_TYPE_NONE);
	up.vals[0] = (uintptr_t)uuid;
	up.vals[1] = sizeof(*uuid);
	up.vals[2] = (uintptr_t)name;
	up.vals[3] = strlen(name) + 1;
	res = system_pta(11 /* PTA_SYSTEM_DLSYM */, &up);
	if (res == TEE_SUCCESS)
		*addr = (void *)(uintptr_t)(((uint64_t)up.vals[4] << 32) | (uint32_t)up.vals[5]);
	return res;
}

/* dlopen() of the dl library, then dlsym() through its handle, dlopen(NULL)'s, and a missing name. */
static TEE_Result dlsym_calls(TEE_Param p[4])
{
	static const TEE_UUID dl_uuid = TA_LIBTLS_DL_UUID;
	static const TEE_UUID any = { 0 };
	unsigned int (*fn)(void) = NULL;
	void *addr = NULL;
	TEE_Result res = dlopen_dl();

	if (res != TEE_SUCCESS)
		return res;
	res = dlsym_in(&dl_uuid, "libtls_dl_value", &addr);
	if (res != TEE_SUCCESS)
		return res;
	fn = (unsigned int (*)(void))addr;
	p[0].value.a = fn();
	res = dlsym_in(&any, "libtls_lib_initial", &addr);
	if (res != TEE_SUCCESS)
		return res;
	fn = (unsigned int (*)(void))addr;
	p[0].value.b = fn();
	p[1].value.a = dlsym_in(&dl_uuid, "libtls_no_such_symbol", &addr);
	p[1].value.b = dlsym_in(&any, "libtls_dl_marker", &addr) == TEE_SUCCESS ? *(const unsigned int *)addr : 0;
	return TEE_SUCCESS;
}

TEE_Result TA_InvokeCommandEntryPoint(void *ctx, uint32_t cmd, uint32_t types, TEE_Param p[4])
{
	uint32_t step = 0;

	(void)ctx;
	if (cmd == TA_LIBTLS_CMD_ECHO) {
		if (types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_NONE,
					     TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE) ||
		    p[0].memref.size < 1)
			return TEE_ERROR_BAD_PARAMETERS;
		return ((uint8_t *)p[0].memref.buffer)[0] == ECHO_BYTE ? TEE_SUCCESS
								       : TEE_ERROR_GENERIC;
	}
	if (cmd == TA_LIBTLS_CMD_DLSYM) {
		if (types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_OUTPUT, TEE_PARAM_TYPE_VALUE_OUTPUT,
					     TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE))
			return TEE_ERROR_BAD_PARAMETERS;
		return dlsym_calls(p);
	}
	if (types != OUT_TYPES)
		return TEE_ERROR_BAD_PARAMETERS;
	switch (cmd) {
	case TA_LIBTLS_CMD_MODULES:
		p[0].value.a = __elf_phdr_info.count;
		p[0].value.b = libtls_lib_marker;
		return TEE_SUCCESS;
	case TA_LIBTLS_CMD_LIB_TLS:
		p[0].value.a = libtls_lib_initial();
		p[0].value.b = libtls_lib_next();
		return TEE_SUCCESS;
	case TA_LIBTLS_CMD_DLOPEN:
		p[0].value.b = dlopen_dl();
		p[0].value.a = __elf_phdr_info.count;
		return TEE_SUCCESS;
	case TA_LIBTLS_CMD_SYSTEM_PTA_4X:
		p[0].value.b = system_pta_4x(&step);
		p[0].value.a = step;
		return TEE_SUCCESS;
	default:
		return TEE_ERROR_NOT_SUPPORTED;
	}
}
