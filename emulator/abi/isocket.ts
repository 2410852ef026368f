/**
 * The GP TEE Sockets API's numbers as OP-TEE uses them: the sub-operations of
 * OPTEE_RPC_CMD_SOCKET (optee_rpc_cmd.h), the iSocket result codes, protocol ids and ioctl
 * commands (tee_isocket.h, tee_tcpsocket.h, tee_udpsocket.h and OP-TEE's extensions).
 */
export const SOCKET_OPEN = 0;
export const SOCKET_CLOSE = 1;
export const SOCKET_CLOSE_ALL = 2;
export const SOCKET_SEND = 3;
export const SOCKET_RECV = 4;
export const SOCKET_IOCTL = 5;
export const TEE_ISOCKET_ERROR_TIMEOUT = 0xf1007003;
export const TEE_ISOCKET_ERROR_OUT_OF_RESOURCES = 0xf1007004;
export const TEE_ISOCKET_ERROR_HOSTNAME = 0xf1007007;
export const TEE_ISOCKET_PROTOCOLID_TCP = 0x65;
export const TEE_ISOCKET_PROTOCOLID_UDP = 0x66;
export const TEE_TCP_SET_RECVBUF = 0x65f00000;
export const TEE_TCP_SET_SENDBUF = 0x65f00001;
export const TEE_UDP_CHANGEADDR = 0x66000001;
export const TEE_UDP_CHANGEPORT = 0x66000002;
/** The most one SEND or RECV moves (the socket PTA and the supplicant bound it the same). */
export const SOCKET_DATA_MAX = 1 << 20;
