/*
 * GP symmetric cipher functions (Internal Core API 1.3 section 6.4). The kernel keeps the
 * cipher state; the library enforces the GP state machine and the length conventions.
 */
#include <string.h>
#include <tee_internal_api.h>
#include <utee_syscalls.h>
#include "utee_operation.h"

void TEE_CipherInit(TEE_OperationHandle operation, const void *IV, size_t IVLen)
{
	TEE_OperationHandle op = utee_op_keyed(operation, TEE_OPERATION_CIPHER);
	TEE_Result res = _utee_cipher_init(op->state, IV, IVLen);

	op->cts_len = 0;
	if (res != TEE_SUCCESS)
		TEE_Panic(res);
	utee_op_started(op);
}

/* The kernel's CTS and XTS updates take whole blocks (CTS as CBC, XTS with the running tweak);
 * the last two (partial) blocks must reach it at final, where the stealing happens, so the library
 * keeps back 17 to 32 bytes (all of them up to one block), as OP-TEE's libutee does. */
static bool steals(TEE_OperationHandle op)
{
	return op->info.algorithm == TEE_ALG_AES_CTS || op->info.algorithm == TEE_ALG_AES_XTS;
}

static size_t cts_keep(size_t total)
{
	return total > 16 ? ((total - 1) % 16) + 17 : total;
}

static void cts_call(TEE_OperationHandle op, const void *src, size_t len, uint8_t *dst, size_t *done)
{
	uint64_t l = len + 16;
	TEE_Result res;

	if (!len)
		return;
	res = _utee_cipher_update(op->state, src, len, dst + *done, &l);
	if (res != TEE_SUCCESS)
		TEE_Panic(res);
	*done += l;
}

static TEE_Result cts_update(TEE_OperationHandle op, const uint8_t *src, size_t srcLen,
			     uint8_t *dst, size_t *dstLen)
{
	size_t total = op->cts_len + srcLen;
	size_t out = total - cts_keep(total);
	size_t from_buf = out < op->cts_len ? out : op->cts_len;
	size_t done = 0;

	if (*dstLen < out) {
		*dstLen = out;
		return TEE_ERROR_SHORT_BUFFER;
	}
	cts_call(op, op->cts, from_buf, dst, &done);
	cts_call(op, src, out - from_buf, dst, &done);
	if (from_buf == op->cts_len) {
		/* the buffer went out whole: keep the tail of the new data */
		memcpy(op->cts, src + (out - from_buf), total - out);
	} else {
		memmove(op->cts, op->cts + from_buf, op->cts_len - from_buf);
		memcpy(op->cts + op->cts_len - from_buf, src, srcLen);
	}
	op->cts_len = total - out;
	*dstLen = done;
	return TEE_SUCCESS;
}

static TEE_Result cts_final(TEE_OperationHandle op, const uint8_t *src, size_t srcLen,
			    uint8_t *dst, size_t *dstLen)
{
	size_t total = op->cts_len + srcLen;
	uint8_t *all = op->cts;
	uint64_t l = *dstLen;
	TEE_Result res;

	if (srcLen) {
		all = TEE_Malloc(total, TEE_MALLOC_FILL_ZERO);
		if (!all)
			TEE_Panic(TEE_ERROR_OUT_OF_MEMORY);
		memcpy(all, op->cts, op->cts_len);
		memcpy(all + op->cts_len, src, srcLen);
	}
	res = _utee_cipher_final(op->state, all, total, dst, &l);
	if (all != op->cts)
		TEE_Free(all);
	*dstLen = l;
	if (res != TEE_SUCCESS && res != TEE_ERROR_SHORT_BUFFER)
		TEE_Panic(res);
	if (res == TEE_SUCCESS)
		op->cts_len = 0;
	return res;
}

TEE_Result TEE_CipherUpdate(TEE_OperationHandle operation, const void *srcData, size_t srcLen,
			    void *destData, size_t *destLen)
{
	TEE_OperationHandle op = utee_op_active(operation, TEE_OPERATION_CIPHER);

	if (steals(op)) {
		if (!destLen || (srcLen && !srcData))
			TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
		return cts_update(op, srcData, srcLen, destData, destLen);
	}
	return utee_op_sized(_utee_cipher_update, op, srcData, srcLen, destData, destLen);
}

TEE_Result TEE_CipherDoFinal(TEE_OperationHandle operation, const void *srcData, size_t srcLen,
			     void *destData, size_t *destLen)
{
	TEE_OperationHandle op = utee_op_active(operation, TEE_OPERATION_CIPHER);
	TEE_Result res;

	if (steals(op)) {
		if (!destLen || (srcLen && !srcData))
			TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
		res = cts_final(op, srcData, srcLen, destData, destLen);
	} else {
		res = utee_op_sized(_utee_cipher_final, op, srcData, srcLen, destData, destLen);
	}
	if (res == TEE_SUCCESS)
		utee_op_finished(op);
	return res;
}
