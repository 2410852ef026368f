/*
 * libtrustbox-sockets.so: the host side of the GP socket API (OPTEE_RPC_CMD_SOCKET), as the
 * device's supplicant serves it (emulator/ree/sockets.ts). Every call is non-blocking: the
 * device runs on one thread, so a call that would wait answers TEE_ISOCKET_ERROR_TIMEOUT at once
 * and the socket pseudo-TA in the secure world parks its thread and asks again until its own
 * timeout. Results are GP/TEEC codes; `in_progress` marks a connect still under way.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>

#define API __attribute__((visibility("default")))

#define TEE_SUCCESS 0x00000000u
#define TEE_ERROR_GENERIC 0xffff0000u
#define TEE_ERROR_BAD_PARAMETERS 0xffff0006u
#define TEE_ERROR_OUT_OF_MEMORY 0xffff000cu
#define TEE_ERROR_COMMUNICATION 0xffff000eu
#define TEE_ISOCKET_ERROR_REMOTE_CLOSED 0xf1007002u
#define TEE_ISOCKET_ERROR_TIMEOUT 0xf1007003u
#define TEE_ISOCKET_ERROR_OUT_OF_RESOURCES 0xf1007004u
#define TEE_ISOCKET_ERROR_LARGE_BUFFER 0xf1007005u
#define TEE_ISOCKET_ERROR_HOSTNAME 0xf1007007u

#define TEE_IP_VERSION_DC 0
#define TEE_IP_VERSION_4 1
#define TEE_IP_VERSION_6 2
#define PROTOCOL_TCP 0x65
#define PROTOCOL_UDP 0x66
/* How much a zero-length receive looks ahead to say what is queued. */
#define PEEK_MAX 4096

static int family_of(uint32_t ip_version)
{
	switch (ip_version) {
	case TEE_IP_VERSION_DC:
		return AF_UNSPEC;
	case TEE_IP_VERSION_4:
		return AF_INET;
	case TEE_IP_VERSION_6:
		return AF_INET6;
	default:
		return -1;
	}
}

static uint32_t connect_error(int e)
{
	return e == ETIMEDOUT ? TEE_ISOCKET_ERROR_TIMEOUT : TEE_ERROR_COMMUNICATION;
}

/*
 * Starts a connection to the `first`-th address `host` resolves to (or the next one that does
 * not fail at once). *fd is the socket, *index the address it connects to, *in_progress 1 while
 * the connection is under way (ask tb_sock_connected). No address left: the last error.
 */
API uint32_t tb_sock_connect(uint32_t ip_version, uint32_t protocol, const char *host, uint32_t port,
			     uint32_t first, int32_t *fd, uint32_t *index, uint32_t *in_progress)
{
	struct addrinfo hints = { 0 };
	struct addrinfo *list = NULL;
	char service[8];
	uint32_t res = TEE_ISOCKET_ERROR_HOSTNAME;
	uint32_t n = 0;

	*fd = -1;
	*in_progress = 0;
	hints.ai_family = family_of(ip_version);
	if (hints.ai_family < 0 || port > 0xffff)
		return TEE_ERROR_BAD_PARAMETERS;
	if (protocol == PROTOCOL_TCP)
		hints.ai_socktype = SOCK_STREAM;
	else if (protocol == PROTOCOL_UDP)
		hints.ai_socktype = SOCK_DGRAM;
	else
		return TEE_ERROR_BAD_PARAMETERS;
	snprintf(service, sizeof(service), "%u", port);
	if (getaddrinfo(host, service, &hints, &list))
		return TEE_ISOCKET_ERROR_HOSTNAME;
	for (struct addrinfo *a = list; a; a = a->ai_next, n++) {
		if (n < first)
			continue;
		int s = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);

		if (s < 0) {
			res = errno == ENOMEM || errno == ENOBUFS || errno == EMFILE || errno == ENFILE ?
			      TEE_ISOCKET_ERROR_OUT_OF_RESOURCES : TEE_ERROR_GENERIC;
			continue;
		}
		if (connect(s, a->ai_addr, a->ai_addrlen) == 0 || errno == EINPROGRESS) {
			*in_progress = errno == EINPROGRESS;
			*fd = s;
			*index = n;
			res = TEE_SUCCESS;
			break;
		}
		res = connect_error(errno);
		close(s);
	}
	freeaddrinfo(list);
	return res;
}

/* A connection under way: TIMEOUT while it still is, SUCCESS once made, else why it failed. */
API uint32_t tb_sock_connected(int32_t fd)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	int err = 0;
	socklen_t len = sizeof(err);

	if (poll(&p, 1, 0) == 0)
		return TEE_ISOCKET_ERROR_TIMEOUT;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		return TEE_ERROR_BAD_PARAMETERS;
	return err ? connect_error(err) : TEE_SUCCESS;
}

/* Sends what the socket takes now: *sent bytes; TIMEOUT when it takes nothing. */
API uint32_t tb_sock_send(int32_t fd, const void *buf, uint32_t len, uint32_t *sent)
{
	ssize_t r = send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);

	if (r >= 0) {
		*sent = (uint32_t)r;
		return TEE_SUCCESS;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return TEE_ISOCKET_ERROR_TIMEOUT;
	if (errno == EPIPE || errno == ECONNRESET || errno == ENOTCONN)
		return TEE_ISOCKET_ERROR_REMOTE_CLOSED;
	if (errno == EMSGSIZE)
		return TEE_ISOCKET_ERROR_LARGE_BUFFER;
	if (errno == ECONNREFUSED)
		return TEE_ERROR_COMMUNICATION;
	return TEE_ERROR_BAD_PARAMETERS;
}

/*
 * Receives what is queued, up to `len` bytes: *got is how many (0 on a closed TCP stream; for a
 * datagram longer than `len`, its whole length, the bytes past `len` being lost). With `len` 0
 * nothing is taken: *got says how much is queued (a datagram's length, or up to PEEK_MAX bytes
 * of a stream). TIMEOUT when nothing is queued (and `len` is not 0).
 */
API uint32_t tb_sock_recv(int32_t fd, void *buf, uint32_t len, uint32_t *got)
{
	static char peek[PEEK_MAX];
	int type = 0;
	socklen_t tl = sizeof(type);
	ssize_t r = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl))
		return TEE_ERROR_BAD_PARAMETERS;
	if (len == 0) {
		r = recv(fd, peek, type == SOCK_DGRAM ? 0 : sizeof(peek), MSG_PEEK | MSG_DONTWAIT | MSG_TRUNC);
		*got = r < 0 ? 0 : (uint32_t)r;
		return r >= 0 || errno == EAGAIN || errno == EWOULDBLOCK ? TEE_SUCCESS : TEE_ERROR_BAD_PARAMETERS;
	}
	/* MSG_TRUNC: a datagram's real length, even when longer than the buffer. */
	r = recv(fd, buf, len, MSG_DONTWAIT | (type == SOCK_DGRAM ? MSG_TRUNC : 0));
	if (r >= 0) {
		*got = (uint32_t)r;
		return TEE_SUCCESS;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return TEE_ISOCKET_ERROR_TIMEOUT;
	if (errno == ECONNRESET)
		return TEE_ISOCKET_ERROR_REMOTE_CLOSED;
	if (errno == ECONNREFUSED)
		return TEE_ERROR_COMMUNICATION;
	return TEE_ERROR_BAD_PARAMETERS;
}

/* SO_RCVBUF (which 0) or SO_SNDBUF (1) from the TA's bytes, as setsockopt takes them. */
API uint32_t tb_sock_setbuf(int32_t fd, uint32_t which, const void *val, uint32_t len)
{
	return setsockopt(fd, SOL_SOCKET, which ? SO_SNDBUF : SO_RCVBUF, val, len) ? TEE_ERROR_BAD_PARAMETERS : TEE_SUCCESS;
}

/* 1 for a stream socket, 2 for a datagram socket, 0 when `fd` is neither. */
API uint32_t tb_sock_type(int32_t fd)
{
	int type = 0;
	socklen_t tl = sizeof(type);

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl))
		return 0;
	return type == SOCK_STREAM ? 1 : type == SOCK_DGRAM ? 2 : 0;
}

/* A UDP socket's peer moves to `port` (same address). */
API uint32_t tb_sock_udp_port(int32_t fd, uint32_t port)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len = sizeof(ss);

	if (port > 0xffff || getpeername(fd, (struct sockaddr *)&ss, &len))
		return TEE_ERROR_BAD_PARAMETERS;
	if (ss.ss_family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)port);
	else if (ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)port);
	else
		return TEE_ERROR_BAD_PARAMETERS;
	return connect(fd, (struct sockaddr *)&ss, len) ? TEE_ERROR_GENERIC : TEE_SUCCESS;
}

/* A UDP socket's peer moves to `host` (same port, same address family). */
API uint32_t tb_sock_udp_addr(int32_t fd, const char *host)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len = sizeof(ss);
	struct addrinfo hints = { 0 };
	struct addrinfo *list = NULL;
	char service[8];
	uint32_t res = TEE_ISOCKET_ERROR_HOSTNAME;
	uint16_t port = 0;

	if (getpeername(fd, (struct sockaddr *)&ss, &len))
		return TEE_ERROR_BAD_PARAMETERS;
	if (ss.ss_family == AF_INET)
		port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	else if (ss.ss_family == AF_INET6)
		port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	else
		return TEE_ERROR_BAD_PARAMETERS;
	hints.ai_family = ss.ss_family;
	hints.ai_socktype = SOCK_DGRAM;
	snprintf(service, sizeof(service), "%u", port);
	if (getaddrinfo(host, service, &hints, &list))
		return TEE_ISOCKET_ERROR_HOSTNAME;
	for (struct addrinfo *a = list; a; a = a->ai_next) {
		if (!connect(fd, a->ai_addr, a->ai_addrlen)) {
			res = TEE_SUCCESS;
			break;
		}
		res = connect_error(errno);
	}
	freeaddrinfo(list);
	return res;
}

API void tb_sock_close(int32_t fd)
{
	close(fd);
}
