/*
 * OP-TEE message protocol carried by OPTEE_SMC_CALL_WITH_ARG: the optee_msg_arg layout,
 * parameter attributes, commands, the API/OS identity words, and the RPC commands the
 * secure world sends back (OP-TEE keeps those in optee_rpc_cmd.h; we keep the whole
 * message vocabulary in one place). Names as OP-TEE spells them.
 *
 * Plain "#define NAME value" lines without suffixes: the TypeScript tests parse them and
 * assembly may include this file (the structures are hidden from the assembler).
 */
#ifndef TRUSTBOX_OPTEE_MSG_H
#define TRUSTBOX_OPTEE_MSG_H

/* Identity of the OP-TEE message API (OPTEE_SMC_CALLS_UID, a0..a3). */
#define OPTEE_MSG_UID_0                     0x384fb3e0
#define OPTEE_MSG_UID_1                     0xe7f811e3
#define OPTEE_MSG_UID_2                     0xaf630002
#define OPTEE_MSG_UID_3                     0xa5d5c51b
/* Revision of the API (OPTEE_SMC_CALLS_REVISION, a0.a1). */
#define OPTEE_MSG_REVISION_MAJOR            2
#define OPTEE_MSG_REVISION_MINOR            0
/* Identity of OP-TEE as a Trusted OS (OPTEE_SMC_CALL_GET_OS_UUID, a0..a3). */
#define OPTEE_MSG_OS_OPTEE_UUID_0           0x486178e0
#define OPTEE_MSG_OS_OPTEE_UUID_1           0xe7f811e3
#define OPTEE_MSG_OS_OPTEE_UUID_2           0xbc5e0002
#define OPTEE_MSG_OS_OPTEE_UUID_3           0xa5d5c51b

/* optee_msg_param.attr: type in bits 7:0, flags above. */
#define OPTEE_MSG_ATTR_TYPE_NONE            0x0
#define OPTEE_MSG_ATTR_TYPE_VALUE_INPUT     0x1
#define OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT    0x2
#define OPTEE_MSG_ATTR_TYPE_VALUE_INOUT     0x3
#define OPTEE_MSG_ATTR_TYPE_RMEM_INPUT      0x5
#define OPTEE_MSG_ATTR_TYPE_RMEM_OUTPUT     0x6
#define OPTEE_MSG_ATTR_TYPE_RMEM_INOUT      0x7
#define OPTEE_MSG_ATTR_TYPE_TMEM_INPUT      0x9
#define OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT     0xA
#define OPTEE_MSG_ATTR_TYPE_TMEM_INOUT      0xB
#define OPTEE_MSG_ATTR_TYPE_MASK            0xFF
/* Parameter used by the protocol itself (OPEN_SESSION's UUID/login), not by the TA. */
#define OPTEE_MSG_ATTR_META                 0x100
/* tmem.buf_ptr points at a page list instead of the buffer (not used by this firmware). */
#define OPTEE_MSG_ATTR_NONCONTIG            0x200
#define OPTEE_MSG_ATTR_CACHE_SHIFT          16
#define OPTEE_MSG_ATTR_CACHE_MASK           0x7
#define OPTEE_MSG_ATTR_CACHE_PREDEFINED     0x0

/* optee_msg_arg.cmd */
#define OPTEE_MSG_CMD_OPEN_SESSION          0
#define OPTEE_MSG_CMD_INVOKE_COMMAND        1
#define OPTEE_MSG_CMD_CLOSE_SESSION         2
#define OPTEE_MSG_CMD_CANCEL                3
#define OPTEE_MSG_CMD_REGISTER_SHM          4
#define OPTEE_MSG_CMD_UNREGISTER_SHM        5
#define OPTEE_MSG_CMD_DO_BOTTOM_HALF        6
#define OPTEE_MSG_CMD_STOP_ASYNC_NOTIF      7

/* Login methods, carried in value.c of OPEN_SESSION's second META parameter. */
#define OPTEE_MSG_LOGIN_PUBLIC              0x00000000
#define OPTEE_MSG_LOGIN_USER                0x00000001
#define OPTEE_MSG_LOGIN_GROUP               0x00000002
#define OPTEE_MSG_LOGIN_APPLICATION         0x00000004
#define OPTEE_MSG_LOGIN_APPLICATION_USER    0x00000005
#define OPTEE_MSG_LOGIN_APPLICATION_GROUP   0x00000006
#define OPTEE_MSG_LOGIN_REE_KERNEL          0x80000000

/* RPC commands in the optee_msg_arg that OPTEE_SMC_RETURN_RPC_CMD points at. */
#define OPTEE_RPC_CMD_LOAD_TA               0
#define OPTEE_RPC_CMD_RPMB                  1
#define OPTEE_RPC_CMD_FS                    2
#define OPTEE_RPC_CMD_GET_TIME              3
#define OPTEE_RPC_CMD_NOTIFICATION          4
#define OPTEE_RPC_CMD_SUSPEND               5
/* value0.a = type, value0.b = size, value0.c = alignment; answer in params[0] as TMEM_OUTPUT. */
#define OPTEE_RPC_CMD_SHM_ALLOC             6
/* value0.a = type, value0.b = cookie. */
#define OPTEE_RPC_CMD_SHM_FREE              7
#define OPTEE_RPC_CMD_GPROF                 9
#define OPTEE_RPC_CMD_SOCKET                10
#define OPTEE_RPC_CMD_FTRACE                11
#define OPTEE_RPC_CMD_SUPP_PLUGIN           12

/* value0.a of SHM_ALLOC / SHM_FREE. */
#define OPTEE_RPC_SHM_TYPE_APPL             0
#define OPTEE_RPC_SHM_TYPE_KERNEL           1
#define OPTEE_RPC_SHM_TYPE_GLOBAL           2

#ifndef __ASSEMBLER__
#include <stdint.h>

/* Temporary memory: a physically contiguous buffer given by address. */
struct optee_msg_param_tmem {
	uint64_t buf_ptr;
	uint64_t size;
	uint64_t shm_ref;
};

/* Registered memory: a window into a buffer registered earlier, named by its cookie. */
struct optee_msg_param_rmem {
	uint64_t offs;
	uint64_t size;
	uint64_t shm_ref;
};

struct optee_msg_param_value {
	uint64_t a;
	uint64_t b;
	uint64_t c;
};

/* 32 bytes: attr then a 24-byte union chosen by attr's type. */
struct optee_msg_param {
	uint64_t attr;
	union {
		struct optee_msg_param_tmem tmem;
		struct optee_msg_param_rmem rmem;
		struct optee_msg_param_value value;
		uint8_t octets[24];
	} u;
};

/* 32-byte header followed by num_params parameters; lives in non-secure shared memory. */
struct optee_msg_arg {
	uint32_t cmd;
	uint32_t func;
	uint32_t session;
	uint32_t cancel_id;
	uint32_t pad;
	uint32_t ret;
	uint32_t ret_origin;
	uint32_t num_params;
	struct optee_msg_param params[];
};

_Static_assert(sizeof(struct optee_msg_param) == 32, "optee_msg_param is 32 bytes");
_Static_assert(sizeof(struct optee_msg_arg) == 32, "optee_msg_arg header is 32 bytes");

#endif /* __ASSEMBLER__ */
#endif
