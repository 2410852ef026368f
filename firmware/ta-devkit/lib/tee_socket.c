/*
 * GlobalPlatform TEE Sockets API: the TCP and UDP instances of TEE_iSocket. Each call goes to the
 * TEE's socket pseudo-TA (commands 1 OPEN .. 5 IOCTL, OP-TEE's pta_socket.h layout) through one
 * session that the TA opens on first use and keeps; the pseudo-TA waits (up to the call's
 * timeout) while the normal world's socket cannot go on yet.
 */
#include <string.h>
#include <tee_internal_api.h>
#include <tee_tcpsocket.h>
#include <tee_udpsocket.h>

#define PTA_SOCKET_UUID \
	{ 0x3b996a7d, 0x2c2b, 0x4a49, { 0xa8, 0x96, 0xe1, 0xfb, 0x57, 0x66, 0xd2, 0xf4 } }
#define PTA_SOCKET_OPEN 1
#define PTA_SOCKET_CLOSE 2
#define PTA_SOCKET_SEND 3
#define PTA_SOCKET_RECV 4
#define PTA_SOCKET_IOCTL 5

struct isocket {
	uint32_t handle;
	uint32_t proto_error;
};

static TEE_TASessionHandle socket_pta = TEE_HANDLE_NULL;

static TEE_Result socket_pta_call(uint32_t cmd, uint32_t types, TEE_Param params[4])
{
	static const TEE_UUID uuid = PTA_SOCKET_UUID;
	uint32_t origin = 0;
	TEE_Result res = TEE_SUCCESS;

	if (socket_pta == TEE_HANDLE_NULL) {
		res = TEE_OpenTASession(&uuid, TEE_TIMEOUT_INFINITE, 0, NULL, &socket_pta, &origin);
		if (res != TEE_SUCCESS)
			return res;
	}
	return TEE_InvokeTACommand(socket_pta, TEE_TIMEOUT_INFINITE, cmd, types, params, &origin);
}

static TEE_Result socket_open(uint8_t protocol, TEE_iSocketHandle *ctx, void *setup,
			      uint32_t *protocol_error)
{
	/* The TCP and UDP setups have the same layout. */
	const TEE_tcpSocket_Setup *s = setup;
	struct isocket *sock = NULL;
	TEE_Param p[4];
	TEE_Result res = TEE_SUCCESS;

	if (!ctx || !setup || !protocol_error)
		TEE_Panic(0);
	*ctx = NULL;
	*protocol_error = TEE_SUCCESS;
	if (!s->server_addr || (s->ipVersion != TEE_IP_VERSION_DC && s->ipVersion != TEE_IP_VERSION_4 &&
				s->ipVersion != TEE_IP_VERSION_6))
		return TEE_ERROR_BAD_PARAMETERS;
	sock = TEE_Malloc(sizeof(*sock), TEE_MALLOC_FILL_ZERO);
	if (!sock)
		return TEE_ERROR_OUT_OF_MEMORY;
	memset(p, 0, sizeof(p));
	p[0].value.a = s->ipVersion;
	p[0].value.b = s->server_port;
	p[1].memref.buffer = s->server_addr;
	p[1].memref.size = strlen(s->server_addr) + 1;
	p[2].value.a = protocol;
	res = socket_pta_call(PTA_SOCKET_OPEN,
			      TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_MEMREF_INPUT,
					      TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_VALUE_OUTPUT), p);
	if (res != TEE_SUCCESS) {
		TEE_Free(sock);
		/* A name that does not resolve is a protocol error, the code says which. */
		if (res == TEE_ISOCKET_ERROR_HOSTNAME) {
			*protocol_error = res;
			return TEE_ISOCKET_ERROR_PROTOCOL;
		}
		return res;
	}
	sock->handle = p[3].value.a;
	*ctx = sock;
	return TEE_SUCCESS;
}

static TEE_Result tcp_open(TEE_iSocketHandle *ctx, void *setup, uint32_t *protocol_error)
{
	return socket_open(TEE_ISOCKET_PROTOCOLID_TCP, ctx, setup, protocol_error);
}

static TEE_Result udp_open(TEE_iSocketHandle *ctx, void *setup, uint32_t *protocol_error)
{
	return socket_open(TEE_ISOCKET_PROTOCOLID_UDP, ctx, setup, protocol_error);
}

static TEE_Result socket_close(TEE_iSocketHandle ctx)
{
	struct isocket *sock = ctx;
	TEE_Param p[4];
	TEE_Result res = TEE_SUCCESS;

	if (!sock)
		return TEE_SUCCESS;
	memset(p, 0, sizeof(p));
	p[0].value.a = sock->handle;
	res = socket_pta_call(PTA_SOCKET_CLOSE,
			      TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_NONE,
					      TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE), p);
	TEE_Free(sock);
	return res;
}

/*
 * SEND, RECV and IOCTL: value0 = (handle, `arg`), memref1 = buf and *length, of `memref_type`; for
 * SEND value2 (out) says how much went. *length becomes what the PTA answers; the result is
 * the socket's last error.
 */
static TEE_Result handle_call(struct isocket *sock, uint32_t cmd, uint32_t memref_type, uint32_t arg,
			      void *buf, uint32_t *length)
{
	bool send = cmd == PTA_SOCKET_SEND;
	TEE_Param p[4];
	TEE_Result res = TEE_SUCCESS;

	memset(p, 0, sizeof(p));
	p[0].value.a = sock->handle;
	p[0].value.b = arg;
	p[1].memref.buffer = buf;
	p[1].memref.size = *length;
	res = socket_pta_call(cmd, TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, memref_type,
						   send ? TEE_PARAM_TYPE_VALUE_OUTPUT : TEE_PARAM_TYPE_NONE,
						   TEE_PARAM_TYPE_NONE), p);
	*length = send ? p[2].value.a : p[1].memref.size;
	sock->proto_error = res;
	return res;
}

static TEE_Result socket_send(TEE_iSocketHandle ctx, const void *buf, uint32_t *length,
			      uint32_t timeout)
{
	if (!ctx || !buf || !length)
		TEE_Panic(0);
	return handle_call(ctx, PTA_SOCKET_SEND, TEE_PARAM_TYPE_MEMREF_INPUT, timeout, (void *)buf, length);
}

static TEE_Result socket_recv(TEE_iSocketHandle ctx, void *buf, uint32_t *length,
			      uint32_t timeout)
{
	if (!ctx || !length || (!buf && *length))
		TEE_Panic(0);
	return handle_call(ctx, PTA_SOCKET_RECV, TEE_PARAM_TYPE_MEMREF_OUTPUT, timeout, buf, length);
}

static uint32_t socket_error(TEE_iSocketHandle ctx)
{
	struct isocket *sock = ctx;

	if (!sock)
		TEE_Panic(0);
	return sock->proto_error;
}

/*
 * A command's top byte names its protocol: 0 (none) has no effect; another protocol's, or a
 * command this one does not know, panics the TA as GP says.
 */
static TEE_Result socket_ioctl(uint8_t protocol, TEE_iSocketHandle ctx, uint32_t command,
			       void *buf, uint32_t *length)
{
	if (!ctx || !length || (!buf && *length))
		TEE_Panic(0);
	if ((command >> 24) == 0)
		return TEE_SUCCESS;
	if ((command >> 24) != protocol)
		TEE_Panic(0);
	if (protocol == TEE_ISOCKET_PROTOCOLID_TCP && command != TEE_TCP_SET_RECVBUF &&
	    command != TEE_TCP_SET_SENDBUF)
		TEE_Panic(0);
	if (protocol == TEE_ISOCKET_PROTOCOLID_UDP && command != TEE_UDP_CHANGEADDR &&
	    command != TEE_UDP_CHANGEPORT)
		TEE_Panic(0);
	return handle_call(ctx, PTA_SOCKET_IOCTL, TEE_PARAM_TYPE_MEMREF_INOUT, command, buf, length);
}

static TEE_Result tcp_ioctl(TEE_iSocketHandle ctx, uint32_t command, void *buf, uint32_t *length)
{
	return socket_ioctl(TEE_ISOCKET_PROTOCOLID_TCP, ctx, command, buf, length);
}

static TEE_Result udp_ioctl(TEE_iSocketHandle ctx, uint32_t command, void *buf, uint32_t *length)
{
	return socket_ioctl(TEE_ISOCKET_PROTOCOLID_UDP, ctx, command, buf, length);
}

static TEE_iSocket tcp_socket = {
	.TEE_iSocketVersion = TEE_ISOCKET_VERSION,
	.protocolID = TEE_ISOCKET_PROTOCOLID_TCP,
	.open = tcp_open,
	.close = socket_close,
	.send = socket_send,
	.recv = socket_recv,
	.error = socket_error,
	.ioctl = tcp_ioctl,
};

static TEE_iSocket udp_socket = {
	.TEE_iSocketVersion = TEE_ISOCKET_VERSION,
	.protocolID = TEE_ISOCKET_PROTOCOLID_UDP,
	.open = udp_open,
	.close = socket_close,
	.send = socket_send,
	.recv = socket_recv,
	.error = socket_error,
	.ioctl = udp_ioctl,
};

TEE_iSocket *const TEE_tcpSocket = &tcp_socket;
TEE_iSocket *const TEE_udpSocket = &udp_socket;
