/*
 * Host bridge: the paravirtual device through which the emulator's host side (the API
 * server and the supplicant) talks to the normal-world firmware. It plays the part that
 * the Linux OP-TEE driver's ioctl interface and tee-supplicant's /dev/teepriv0 play on a
 * real device.
 *
 * Registers (32-bit, at BOARD_HOSTBRIDGE_BASE):
 */
#ifndef TRUSTBOX_HOSTBRIDGE_H
#define TRUSTBOX_HOSTBRIDGE_H

#define HB_REG_MAGIC        0x000  /* RO: HB_MAGIC */
#define HB_REG_VERSION      0x004  /* RO: HB_VERSION */
#define HB_REG_MBOX_LO      0x008  /* RO: physical address of the mailbox (low 32 bits) */
#define HB_REG_MBOX_HI      0x00c  /* RO: physical address of the mailbox (high 32 bits) */
#define HB_REG_SLOT_COUNT   0x010  /* RO: number of request slots in the mailbox */
#define HB_REG_POOL_LO      0x014  /* RO: start of the firmware's own SHM pool (low 32 bits) */
#define HB_REG_POOL_SIZE    0x018  /* RO: size of that pool in bytes */
#define HB_REG_QUEUE_LO     0x01c  /* RO: physical address of the request queue (low 32 bits) */
#define HB_REG_SUPP_CALL    0x028  /* WO: slot index whose hb_rpc asks the host supplicant to serve
                                      an RPC; served before the write instruction completes */
#define HB_REG_READY        0x02c  /* WO: firmware writes HB_READY_VALUE when it waits for requests */
#define HB_REG_PROBE        0x030  /* WO: firmware writes 1 once the TEE probe succeeded, 2 if it failed */

#define HB_MAGIC            0x42485442u   /* "BTHB" in memory order */
#define HB_VERSION          4u
#define HB_NONE             0xffffffffu
#define HB_READY_VALUE      1u

/* Each request slot is HB_SLOT_SIZE bytes inside the mailbox. */
#define HB_SLOT_SIZE        512u

/*
 * The request queue: one page of NS shared memory (HB_REG_QUEUE_LO), as a virtqueue's avail
 * ring, so that posting and taking a request costs no register access. The host writes a slot
 * index into ring[head % HB_QUEUE_ENTRIES], then increments head; the firmware takes entries
 * while tail != head, incrementing tail, and waits in wfi when the queue is empty (the host
 * resumes it after posting). Completion is the slot's own `done` word (below); requests may
 * complete in any order, since a call in progress can be parked while later ones are served
 * (`parked` says how many were parked when the firmware last waited).
 */
#define HB_QUEUE_ENTRIES    64u

struct hb_queue {
	unsigned int head;          /* written by the host: slots posted so far */
	unsigned int tail;          /* written by the firmware: slots taken so far */
	unsigned int ring[HB_QUEUE_ENTRIES];
	unsigned int parked;        /* written by the firmware before each wfi: calls in progress
	                               whose secure threads gave the CPU back (0: all idle); calls
	                               waiting for the host to answer an RPC (rpc_wait) are not
	                               counted: only the host's answer makes them runnable */
};

#define HB_QUEUE_OFF_HEAD       0
#define HB_QUEUE_OFF_TAIL       4
#define HB_QUEUE_OFF_RING       8
#define HB_QUEUE_OFF_PARKED     264

/* Operations the host posts in hb_request.op. */
#define HB_OP_OPEN_SESSION      1u
#define HB_OP_INVOKE_COMMAND    2u
#define HB_OP_CLOSE_SESSION     3u
#define HB_OP_CANCEL            4u
#define HB_OP_REGISTER_SHM      5u
#define HB_OP_UNREGISTER_SHM    6u
#define HB_OP_PROBE             7u   /* run the TEE probe again (fast calls), complete with status 0 */
#define HB_OP_READ_ADDRESS      8u   /* diagnostic: load 32 bits from params[0].a into params[0].b */
#define HB_OP_POWER_OFF         9u   /* print a line, then PSCI SYSTEM_OFF */
#define HB_OP_RESET             10u  /* print a line, then PSCI SYSTEM_RESET */

/* hb_request.status written by the firmware: 0 when the SMC round trip completed (the TEE's
 * own result is in ret/ret_origin); otherwise a TEEC_ERROR_* code, origin COMMS. */

/*
 * One parameter: attr is an OPTEE_MSG_ATTR_TYPE_* value (NONE, VALUE_*, TMEM_*, RMEM_*), and
 * a, b, c are copied into the optee_msg_param union as they are:
 *   value: a, b, c;  tmem: buf_ptr (PA in NS shared memory), size, shm_ref;
 *   rmem: offs, size, shm_ref (cookie of a registered buffer).
 * After the call the firmware copies back attr, a, b, c from the returned optee_msg_arg.
 */
struct hb_param {
	unsigned long long attr;
	unsigned long long a;
	unsigned long long b;
	unsigned long long c;
};

/*
 * A request slot. The host fills op and the inputs (done = 0), then posts the slot; the
 * firmware builds an optee_msg_arg from it (OPEN_SESSION gets its two META parameters from
 * uuid, client_uuid and login), issues OPTEE_SMC_CALL_WITH_ARG, serves RPCs until the call
 * returns, copies the outputs back and then sets done to HB_DONE_VALUE.
 *
 * REGISTER_SHM: params[0] = TMEM_INOUT {buf_ptr = PA, size, shm_ref = cookie}.
 * UNREGISTER_SHM: params[0] = RMEM_INPUT {offs 0, size 0, shm_ref = cookie}.
 * CANCEL: session and cancel_id.
 */
struct hb_request {
	unsigned int op;            /* 0   HB_OP_* */
	unsigned int status;        /* 4   out: 0 or a TEEC_ERROR_* (origin COMMS) */
	unsigned int session;       /* 8   in (invoke, close, cancel) / out (open) */
	unsigned int func;          /* 12  command id for invoke */
	unsigned int cancel_id;     /* 16  */
	unsigned int login;         /* 20  TEEC_LOGIN_* for open */
	unsigned int ret;           /* 24  out: TEE result */
	unsigned int ret_origin;    /* 28  out: origin */
	unsigned char uuid[16];     /* 32  TA UUID, RFC 4122 octets */
	unsigned char client_uuid[16]; /* 48 */
	unsigned int num_params;    /* 64  0..4 */
	unsigned int smc_calls;     /* 68  out: SMCs the firmware made for this request (statistics) */
	struct hb_param params[4];  /* 72  */
	/* 200: RPC forwarding area, used with HB_REG_SUPP_CALL */
	unsigned long long rpc_arg_pa; /* 200 PA of the RPC optee_msg_arg to serve */
	unsigned int done;          /* 208 out: HB_DONE_VALUE once the results are written */
	unsigned int rpc_wait;      /* 212 written by the host: non-zero while the RPC it was asked
	                               to serve (HB_REG_SUPP_CALL) is still being served elsewhere (a
	                               client's ocall); the call stays in progress, not resumed,
	                               until the host writes the answer and clears this word */
};

#define HB_DONE_VALUE       1u

#define HB_REQ_OFF_OP           0
#define HB_REQ_OFF_STATUS       4
#define HB_REQ_OFF_SESSION      8
#define HB_REQ_OFF_FUNC         12
#define HB_REQ_OFF_CANCEL_ID    16
#define HB_REQ_OFF_LOGIN        20
#define HB_REQ_OFF_RET          24
#define HB_REQ_OFF_RET_ORIGIN   28
#define HB_REQ_OFF_UUID         32
#define HB_REQ_OFF_CLIENT_UUID  48
#define HB_REQ_OFF_NUM_PARAMS   64
#define HB_REQ_OFF_SMC_CALLS    68
#define HB_REQ_OFF_PARAMS       72
#define HB_REQ_OFF_RPC_ARG_PA   200
#define HB_REQ_OFF_DONE         208
#define HB_REQ_OFF_RPC_WAIT     212

#endif
