/* The rpcprobe TA: one RPC (an Open Enclave ocall's transport) per command, for the tests. */
#include <pta_system.h>
#include <tee_internal_api.h>
#include <tee_internal_api_extensions.h>
#include <tee_tcpsocket.h>
#include <tee_udpsocket.h>
#include <string.h>

#include <rpcprobe_ta.h>

static const TEE_UUID rpc_pta = { 0xad0fd0ae, 0x09e1, 0x464b,
	{ 0x98, 0xed, 0x06, 0x07, 0xec, 0x9e, 0xbd, 0x8b } };

static TEE_TASessionHandle rpc_session = TEE_HANDLE_NULL;

TEE_Result TA_CreateEntryPoint(void)
{
	uint32_t origin = 0;

	return TEE_OpenTASession(&rpc_pta, TEE_TIMEOUT_INFINITE, 0, NULL, &rpc_session, &origin);
}

void TA_DestroyEntryPoint(void)
{
	if (rpc_session != TEE_HANDLE_NULL)
		TEE_CloseTASession(rpc_session);
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

/* Copies the client's buffers into TA memory, makes the RPC, copies args and output back. */
static TEE_Result one_rpc(TEE_Param params[4])
{
	static uint8_t args[256], in[4096], out[4096];
	uint32_t origin = 0;
	size_t args_n = params[1].memref.size;
	size_t in_n = params[2].memref.size;
	size_t out_n = params[3].memref.size;

	if (args_n > sizeof(args) || in_n > sizeof(in) || out_n > sizeof(out))
		return TEE_ERROR_BAD_PARAMETERS;
	memcpy(args, params[1].memref.buffer, args_n);
	memcpy(in, params[2].memref.buffer, in_n);

	TEE_Param p[4] = { 0 };
	p[0].value.a = params[0].value.a;
	p[1].memref.buffer = args;
	p[1].memref.size = args_n;
	p[2].memref.buffer = in;
	p[2].memref.size = in_n;
	p[3].memref.buffer = out;
	p[3].memref.size = out_n;
	uint32_t types = TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_MEMREF_INOUT,
					 TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_MEMREF_OUTPUT);
	TEE_Result res = TEE_InvokeTACommand(rpc_session, TEE_TIMEOUT_INFINITE, 0, types, p, &origin);

	if (res != TEE_SUCCESS)
		return res;
	memcpy(params[1].memref.buffer, args, args_n);
	if (p[3].memref.size > out_n)
		return TEE_ERROR_GENERIC;
	memcpy(params[3].memref.buffer, out, p[3].memref.size);
	params[3].memref.size = p[3].memref.size;
	return TEE_SUCCESS;
}

/* tee_invoke_supp_plugin() with the client's UUID, cmd, sub_cmd and data (copied into the TA). */
static TEE_Result supp_plugin(uint32_t types, TEE_Param params[4])
{
	static uint8_t data[4096];
	TEE_UUID uuid = { 0 };
	size_t n = params[2].memref.size;
	size_t outlen = 0;

	if (types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_VALUE_INPUT,
				     TEE_PARAM_TYPE_MEMREF_INOUT, TEE_PARAM_TYPE_VALUE_OUTPUT) ||
	    params[0].memref.size != sizeof(uuid) || n > sizeof(data))
		return TEE_ERROR_BAD_PARAMETERS;
	memcpy(&uuid, params[0].memref.buffer, sizeof(uuid));
	memcpy(data, params[2].memref.buffer, n);
	params[3].value.b = tee_invoke_supp_plugin(&uuid, params[1].value.a, params[1].value.b,
						   n ? data : NULL, n, &outlen);
	params[3].value.a = outlen;
	memcpy(params[2].memref.buffer, data, n);
	return TEE_SUCCESS;
}

/* The socket PTA (OP-TEE's pta_socket.h), one session per instance, opened on first use. */
static const TEE_UUID socket_pta = { 0x3b996a7d, 0x2c2b, 0x4a49,
	{ 0xa8, 0x96, 0xe1, 0xfb, 0x57, 0x66, 0xd2, 0xf4 } };
static TEE_TASessionHandle socket_session = TEE_HANDLE_NULL;

static bool is_memref(uint32_t t)
{
	return t == TEE_PARAM_TYPE_MEMREF_INPUT || t == TEE_PARAM_TYPE_MEMREF_OUTPUT ||
	       t == TEE_PARAM_TYPE_MEMREF_INOUT;
}

/* The client's parameters, memrefs copied into TA memory, to socket PTA command `cmd` and back. */
static TEE_Result socket_forward(uint32_t cmd, uint32_t types, TEE_Param params[4])
{
	static uint8_t bufs[4][4096];
	TEE_Param p[4];
	uint32_t origin = 0;
	TEE_Result res = TEE_SUCCESS;

	if (socket_session == TEE_HANDLE_NULL) {
		res = TEE_OpenTASession(&socket_pta, TEE_TIMEOUT_INFINITE, 0, NULL, &socket_session,
					&origin);
		if (res != TEE_SUCCESS)
			return res;
	}
	memcpy(p, params, sizeof(p));
	for (int i = 0; i < 4; i++) {
		uint32_t t = TEE_PARAM_TYPE_GET(types, i);

		if (!is_memref(t))
			continue;
		if (params[i].memref.size > sizeof(bufs[i]))
			return TEE_ERROR_BAD_PARAMETERS;
		if (t != TEE_PARAM_TYPE_MEMREF_OUTPUT)
			memcpy(bufs[i], params[i].memref.buffer, params[i].memref.size);
		p[i].memref.buffer = bufs[i];
	}
	res = TEE_InvokeTACommand(socket_session, TEE_TIMEOUT_INFINITE, cmd, types, p, &origin);
	for (int i = 0; i < 4; i++) {
		uint32_t t = TEE_PARAM_TYPE_GET(types, i);

		if (t == TEE_PARAM_TYPE_VALUE_OUTPUT || t == TEE_PARAM_TYPE_VALUE_INOUT)
			params[i].value = p[i].value;
		if (t != TEE_PARAM_TYPE_MEMREF_OUTPUT && t != TEE_PARAM_TYPE_MEMREF_INOUT)
			continue;
		memcpy(params[i].memref.buffer, bufs[i],
		       p[i].memref.size < params[i].memref.size ? p[i].memref.size : params[i].memref.size);
		params[i].memref.size = p[i].memref.size;
	}
	return res;
}

/* One exchange through GP's socket API (TEE_tcpSocket or TEE_udpSocket of the dev kit). */
static TEE_Result gp_echo(uint32_t types, TEE_Param params[4])
{
	static char host[256];
	static uint8_t data[4096];
	TEE_tcpSocket_Setup setup = { 0 }; /* the UDP setup has the same layout */
	TEE_iSocket *api = TEE_tcpSocket;
	TEE_iSocketHandle h = NULL;
	uint32_t proto = 0;
	uint32_t n = params[2].memref.size;
	uint32_t len = n;
	TEE_Result res = TEE_SUCCESS;

	if (types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_MEMREF_INPUT,
				     TEE_PARAM_TYPE_MEMREF_INOUT, TEE_PARAM_TYPE_VALUE_OUTPUT) ||
	    n > sizeof(data) || params[1].memref.size >= sizeof(host))
		return TEE_ERROR_BAD_PARAMETERS;
	memset(host, 0, sizeof(host));
	memcpy(host, params[1].memref.buffer, params[1].memref.size);
	if (params[0].value.b == TEE_ISOCKET_PROTOCOLID_UDP)
		api = TEE_udpSocket;
	setup.ipVersion = TEE_IP_VERSION_DC;
	setup.server_addr = host;
	setup.server_port = params[0].value.a;
	res = api->open(&h, &setup, &proto);
	if (res != TEE_SUCCESS) {
		params[3].value.a = res;
		params[3].value.b = proto;
		return TEE_SUCCESS;
	}
	memcpy(data, params[2].memref.buffer, n);
	res = api->send(h, data, &len, 2000);
	if (res == TEE_SUCCESS) {
		len = sizeof(data);
		res = api->recv(h, data, &len, 2000);
	}
	if (res == TEE_SUCCESS) {
		memcpy(params[2].memref.buffer, data, len < n ? len : n);
		params[2].memref.size = len;
	}
	params[3].value.a = res;
	params[3].value.b = api->error(h);
	api->close(h);
	return TEE_SUCCESS;
}

/*
 * The system PTA's DERIVE_TA_UNIQUE_KEY with the client's extra data, the key written into TA
 * memory and copied out, or (value2.a = 1) straight into the client's shared memory, which the
 * PTA refuses (SECURITY) as OP-TEE's does.
 */
static TEE_Result derive_key(uint32_t types, TEE_Param params[4])
{
	static const TEE_UUID system_uuid = PTA_SYSTEM_UUID;
	static uint8_t key[32];
	TEE_TASessionHandle sess = TEE_HANDLE_NULL;
	TEE_Param p[4];
	uint32_t origin = 0;
	TEE_Result res = TEE_SUCCESS;
	bool direct = params[2].value.a == 1;

	if (types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_MEMREF_OUTPUT,
				     TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_NONE) ||
	    params[1].memref.size > sizeof(key))
		return TEE_ERROR_BAD_PARAMETERS;
	res = TEE_OpenTASession(&system_uuid, TEE_TIMEOUT_INFINITE, 0, NULL, &sess, &origin);
	if (res != TEE_SUCCESS)
		return res;
	memset(p, 0, sizeof(p));
	p[0].memref = params[0].memref;
	p[1].memref.buffer = direct ? params[1].memref.buffer : key;
	p[1].memref.size = params[1].memref.size;
	res = TEE_InvokeTACommand(sess, TEE_TIMEOUT_INFINITE, PTA_SYSTEM_DERIVE_TA_UNIQUE_KEY,
				  TEE_PARAM_TYPES(TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_MEMREF_OUTPUT,
						  TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE), p, &origin);
	TEE_CloseTASession(sess);
	if (res == TEE_SUCCESS && !direct)
		memcpy(params[1].memref.buffer, key, params[1].memref.size);
	return res;
}

TEE_Result TA_InvokeCommandEntryPoint(void *ctx, uint32_t cmd, uint32_t types, TEE_Param params[4])
{
	(void)ctx;
	if (cmd == TA_RPCPROBE_CMD_DERIVE_KEY)
		return derive_key(types, params);
	if (cmd == TA_RPCPROBE_CMD_GP_ECHO)
		return gp_echo(types, params);
	if (cmd >= TA_RPCPROBE_CMD_SOCKET && cmd <= TA_RPCPROBE_CMD_SOCKET + 5)
		return socket_forward(cmd - TA_RPCPROBE_CMD_SOCKET, types, params);
	if (cmd == TA_RPCPROBE_CMD_SOCKET_END) {
		if (socket_session != TEE_HANDLE_NULL)
			TEE_CloseTASession(socket_session);
		socket_session = TEE_HANDLE_NULL;
		return TEE_SUCCESS;
	}
	if (cmd == TA_RPCPROBE_CMD_SUPP_PLUGIN)
		return supp_plugin(types, params);
	if (types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_MEMREF_INOUT,
				     TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_MEMREF_OUTPUT))
		return TEE_ERROR_BAD_PARAMETERS;
	switch (cmd) {
	case TA_RPCPROBE_CMD_RPC:
		return one_rpc(params);
	case TA_RPCPROBE_CMD_RPC_TWICE: {
		TEE_Result res = one_rpc(params);

		return res != TEE_SUCCESS ? res : one_rpc(params);
	}
	case TA_RPCPROBE_CMD_PANIC_AFTER:
		one_rpc(params);
		TEE_Panic(0x0ca11);
		return TEE_ERROR_GENERIC;
	default:
		return TEE_ERROR_NOT_SUPPORTED;
	}
}
