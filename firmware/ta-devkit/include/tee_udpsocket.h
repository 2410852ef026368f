/* GlobalPlatform TEE Sockets API: UDP (protocol 0x66) and its setup and ioctl commands. */
#ifndef TEE_UDPSOCKET_H
#define TEE_UDPSOCKET_H

#include <tee_isocket.h>

#define TEE_ISOCKET_PROTOCOLID_UDP			0x66
#define TEE_ISOCKET_UDP_WARNING_UNKNOWN_OUT_OF_BAND	0xF1020002
/* The peer moves: a NUL-terminated host name, or a 2-byte port. */
#define TEE_UDP_CHANGEADDR				0x66000001
#define TEE_UDP_CHANGEPORT				0x66000002

typedef struct TEE_udpSocket_Setup_s {
	TEE_ipSocket_ipVersion ipVersion;
	char *server_addr;
	uint16_t server_port;
} TEE_udpSocket_Setup;

extern TEE_iSocket *const TEE_udpSocket;

#endif /* TEE_UDPSOCKET_H */
