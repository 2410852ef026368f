/*
 * The operation handle and the GP state machine helpers, shared by the library's operation
 * files (tee_api_operations.c and one file per operation class); not API for TAs.
 *
 * The handle lives in the TA heap: GP's operation info, the kernel state handle and the kernel
 * key objects the state reads its keys from (filled by TEE_SetOperationKey through
 * CRYP_OBJ_COPY). Each class file checks the GP state (initial / active / extracting, key set,
 * initialized) through the helpers below, so the panics stay the same whichever class runs.
 */
#ifndef UTEE_OPERATION_H
#define UTEE_OPERATION_H

#include <tee_internal_api.h>
#include <utee_syscalls.h>
#include "utee_crypto.h"

struct __TEE_OperationHandle {
	TEE_OperationInfo info;
	uint32_t operation_state;
	uint32_t state;			/* kernel state handle */
	TEE_ObjectHandle key1;		/* kernel key objects owned by the operation */
	TEE_ObjectHandle key2;
	uint8_t extract[64];		/* TEE_DigestExtract: digest being read out */
	uint32_t extract_len;
	uint32_t extract_pos;
	uint8_t cts[32];		/* AES-CTS: the last 1-32 bytes, kept for the final steal */
	uint32_t cts_len;
};

/* tee_api_algorithms.c: what an algorithm id implies, for TEE_AllocateOperation. */
uint32_t utee_alg_class(uint32_t algo);
bool utee_alg_mode_fits(uint32_t cls, uint32_t mode);
uint32_t utee_alg_key_type(uint32_t algo, uint32_t mode);
uint32_t utee_alg_required_usage(uint32_t mode);
uint32_t utee_alg_digest_length(uint32_t algo);

/* tee_api_operations.c: handle checks; each panics as GP requires. */

/* A non-null handle of class cls (0: any class). */
TEE_OperationHandle utee_op_check(TEE_OperationHandle op, uint32_t cls);
/* ... that also has its key set (the init functions). */
TEE_OperationHandle utee_op_keyed(TEE_OperationHandle operation, uint32_t cls);
/* ... that is initialized and active (update and final functions). */
TEE_OperationHandle utee_op_active(TEE_OperationHandle operation, uint32_t cls);
/* Runs an update/final syscall with GP's size_t <-> u64 length and short-buffer rules. */
TEE_Result utee_op_sized(TEE_Result (*fn)(unsigned long, const void *, size_t, void *, uint64_t *),
			 TEE_OperationHandle op, const void *src, size_t srcLen, void *dst,
			 size_t *dstLen);

/* Inline: two stores each, not worth a call from every init and final function. */
static inline void utee_op_started(TEE_OperationHandle op)
{
	op->info.handleState |= TEE_HANDLE_FLAG_INITIALIZED;
	op->operation_state = TEE_OPERATION_STATE_ACTIVE;
}

static inline void utee_op_finished(TEE_OperationHandle op)
{
	op->info.handleState &= ~TEE_HANDLE_FLAG_INITIALIZED;
	op->operation_state = TEE_OPERATION_STATE_INITIAL;
}

#endif /* UTEE_OPERATION_H */
