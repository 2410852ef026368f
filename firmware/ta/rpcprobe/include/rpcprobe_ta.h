#ifndef RPCPROBE_TA_H
#define RPCPROBE_TA_H

#define TA_RPCPROBE_UUID \
	{ 0x0c1d2e3f, 0x4a5b, 0x4c6d, { 0x8e, 0x7f, 0x90, 0xa1, 0xb2, 0xc3, 0xd4, 0xe5 } }

/*
 * RPC: [0] value in (a = function), [1] memref inout (arguments), [2] memref in (input),
 * [3] memref out (output). The buffers are copied into the TA, sent through the RPC pseudo-TA
 * and copied back; the pseudo-TA's result is the command's.
 */
#define TA_RPCPROBE_CMD_RPC     0
/* RPC_TWICE: as RPC, two RPCs in a row (the second's answer is what comes back). */
#define TA_RPCPROBE_CMD_RPC_TWICE 1
/* PANIC_AFTER: one RPC, then the TA panics. */
#define TA_RPCPROBE_CMD_PANIC_AFTER 2
/*
 * SUPP_PLUGIN: tee_invoke_supp_plugin(). [0] memref in = the plugin's TEE_UUID (16 bytes as the
 * struct), [1] value in (a = cmd, b = sub_cmd), [2] memref inout = data (at most 4096 bytes,
 * copied into the TA and back), [3] value out (a = outlen, b = the call's result).
 */
#define TA_RPCPROBE_CMD_SUPP_PLUGIN 3
/*
 * SOCKET + n: the client's parameters to the socket PTA's command n (1 OPEN ... 5 IOCTL, as
 * OP-TEE's pta_socket.h lays them out), memrefs copied into TA memory (at most 4096 bytes) and
 * back; the PTA's result is the command's. One PTA session per instance, opened on first use.
 */
#define TA_RPCPROBE_CMD_SOCKET 0x100
/*
 * GP_ECHO: one exchange through GP's socket API (the dev kit's TEE_tcpSocket/TEE_udpSocket):
 * [0] value in (a = port, b = protocol 0x65 TCP or 0x66 UDP), [1] memref in = host name,
 * [2] memref inout = what is sent, replaced by what comes back (2 s timeouts), [3] value out
 * (a = the first failing call's result or 0, b = the socket's error(), or open's protocol error).
 */
#define TA_RPCPROBE_CMD_GP_ECHO 0x200
/*
 * DERIVE_KEY: the system PTA's DERIVE_TA_UNIQUE_KEY. [0] memref in = extra data, [1] memref out
 * = the key (16-32 bytes), [2] value in a = 1: let the PTA write into the client's shared memory
 * itself (it must refuse: SECURITY), 0: into TA memory, then copied out.
 */
#define TA_RPCPROBE_CMD_DERIVE_KEY 0x300
/* SOCKET_END: closes the session with the socket PTA (which closes the instance's sockets). */
#define TA_RPCPROBE_CMD_SOCKET_END 0x1ff

#endif
