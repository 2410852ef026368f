/*
 * OP-TEE SMC interface between the normal-world driver and the secure world, as seen by
 * our REE firmware. Names are spelled as OP-TEE's optee_smc.h spells them; values are the
 * fully formed SMCCC function ids (fast bit 31, SMC32, owner in bits 29:24).
 *
 * Register use (SMC32, w0..w7 on AArch64):
 *   in:  a0 = function id, a1..a7 = arguments
 *   out: a0 = OPTEE_SMC_RETURN_* code, a1..a7 = results
 *
 * Plain "#define NAME value" lines without suffixes on purpose: the TypeScript tests parse
 * them, and assembly may include this file.
 */
#ifndef TRUSTBOX_OPTEE_SMC_H
#define TRUSTBOX_OPTEE_SMC_H

/* Generic calls answered by the Trusted OS API owner (fast, SMC32, owner 63). */
#define OPTEE_SMC_CALLS_COUNT               0xBF00FF00
/* Out: a0..a3 = OPTEE_MSG_UID_0..3. */
#define OPTEE_SMC_CALLS_UID                 0xBF00FF01
/* Out: a0 = OPTEE_MSG_REVISION_MAJOR, a1 = OPTEE_MSG_REVISION_MINOR. */
#define OPTEE_SMC_CALLS_REVISION            0xBF00FF03

/* Trusted OS calls (owner 50). */
/* Out: a0..a3 = OPTEE_MSG_OS_OPTEE_UUID_0..3. */
#define OPTEE_SMC_CALL_GET_OS_UUID          0xB2000000
/* Out: a0 = major, a1 = minor, a2 = optional build id. */
#define OPTEE_SMC_CALL_GET_OS_REVISION      0xB2000001
/* Yielding: resume after an RPC. In: a1..a2 RPC-specific, a3..a7 exactly as returned. */
#define OPTEE_SMC_CALL_RETURN_FROM_RPC      0x32000003
/* Yielding: In: a1:a2 = PA (hi:lo) of struct optee_msg_arg, a3 = cache attributes. */
#define OPTEE_SMC_CALL_WITH_ARG             0x32000004
/* Out: a1 = PA, a2 = size, a3 = cache settings of the reserved shared memory. */
#define OPTEE_SMC_GET_SHM_CONFIG            0xB2000007
#define OPTEE_SMC_L2CC_MUTEX                0xB2000008
/* In: a1 = OPTEE_SMC_NSEC_CAP_*. Out: a1 = OPTEE_SMC_SEC_CAP_*, a2 = max notif value,
 * a3[7:0] = number of parameters in an RPC argument. */
#define OPTEE_SMC_EXCHANGE_CAPABILITIES     0xB2000009
#define OPTEE_SMC_DISABLE_SHM_CACHE         0xB200000A
#define OPTEE_SMC_ENABLE_SHM_CACHE          0xB200000B
#define OPTEE_SMC_BOOT_SECONDARY            0xB200000C
#define OPTEE_SMC_VM_CREATED                0xB200000D
#define OPTEE_SMC_VM_DESTROYED              0xB200000E
#define OPTEE_SMC_GET_THREAD_COUNT          0xB200000F
#define OPTEE_SMC_ENABLE_ASYNC_NOTIF        0xB2000010
#define OPTEE_SMC_GET_ASYNC_NOTIF_VALUE     0xB2000011
#define OPTEE_SMC_CALL_WITH_RPC_ARG         0x32000012
#define OPTEE_SMC_CALL_WITH_REGD_ARG        0x32000013

/* Normal-world capabilities passed in a1 of EXCHANGE_CAPABILITIES. */
#define OPTEE_SMC_NSEC_CAP_UNIPROCESSOR     0x1

/* Secure-world capabilities returned in a1 of EXCHANGE_CAPABILITIES. */
#define OPTEE_SMC_SEC_CAP_HAVE_RESERVED_SHM 0x1
#define OPTEE_SMC_SEC_CAP_UNREGISTERED_SHM  0x2
#define OPTEE_SMC_SEC_CAP_DYNAMIC_SHM       0x4
#define OPTEE_SMC_SEC_CAP_VIRTUALIZATION    0x8
#define OPTEE_SMC_SEC_CAP_MEMREF_NULL       0x10
#define OPTEE_SMC_SEC_CAP_ASYNC_NOTIF       0x20
#define OPTEE_SMC_SEC_CAP_RPC_ARG           0x40
#define OPTEE_SMC_SEC_CAP_RPMB_PROBE        0x80
#define OPTEE_SMC_SEC_CAP_PROTMEM           0x100
#define OPTEE_SMC_SEC_CAP_DYNAMIC_PROTMEM   0x200

/* Return codes in a0. */
#define OPTEE_SMC_RETURN_OK                 0x0
#define OPTEE_SMC_RETURN_ETHREAD_LIMIT      0x1
#define OPTEE_SMC_RETURN_EBUSY              0x2
#define OPTEE_SMC_RETURN_ERESUME            0x3
#define OPTEE_SMC_RETURN_EBADADDR           0x4
#define OPTEE_SMC_RETURN_EBADCMD            0x5
#define OPTEE_SMC_RETURN_ENOMEM             0x6
#define OPTEE_SMC_RETURN_ENOTAVAIL          0x7
#define OPTEE_SMC_RETURN_UNKNOWN_FUNCTION   0xFFFFFFFF

/* An a0 with these top 16 bits asks the normal world to serve an RPC. */
#define OPTEE_SMC_RETURN_RPC_PREFIX_MASK    0xFFFF0000
#define OPTEE_SMC_RETURN_RPC_PREFIX         0xFFFF0000
/* a1 = size. Answer: a1:a2 = PA (hi:lo), a4:a5 = cookie (hi:lo); PA 0 on failure. */
#define OPTEE_SMC_RETURN_RPC_ALLOC          0xFFFF0000
/* a1:a2 = cookie of the buffer to free. */
#define OPTEE_SMC_RETURN_RPC_FREE           0xFFFF0002
/* A normal-world interrupt is pending; just return from the RPC. */
#define OPTEE_SMC_RETURN_RPC_FOREIGN_INTR   0xFFFF0004
/* a1:a2 = cookie of an optee_msg_arg holding an OPTEE_RPC_CMD_* request. */
#define OPTEE_SMC_RETURN_RPC_CMD            0xFFFF0005

#endif
