/* The host runtime's enclave object and the calls between its files. */
#ifndef OE_HOST_PRIVATE_H
#define OE_HOST_PRIVATE_H

#include <pthread.h>
#include <stdint.h>

#include <tee_client_api.h>
#include <trustbox_teec.h>

#include <openenclave/host.h>
#include <openenclave/edger8r/host.h>

#define OE_ENCLAVE_MAGIC 0x7442784fu /* "OxBt": a live enclave */

/* The OE function numbers of calls and RPCs (OE's internal/calls.h numbering). */
enum {
	OE_ECALL_CALL_ENCLAVE_FUNCTION = 2,
	OE_OCALL_CALL_HOST_FUNCTION = 0x8000,
	OE_OCALL_THREAD_WAKE = 0x8001,
	OE_OCALL_THREAD_WAIT = 0x8002,
	OE_OCALL_MALLOC = 0x8003,
	OE_OCALL_FREE = 0x8004,
	OE_OCALL_GET_TIME = 0x8005,
};

/* oe_call_enclave_function_args_t / oe_call_host_function_args_t on the wire: 56 bytes. */
#define OE_CALL_ARGS_SIZE 56
#define OE_ARGS_FUNCTION_ID 0
#define OE_ARGS_INPUT_BUFFER 8
#define OE_ARGS_INPUT_SIZE 16
#define OE_ARGS_OUTPUT_BUFFER 24
#define OE_ARGS_OUTPUT_SIZE 32
#define OE_ARGS_WRITTEN 40
#define OE_ARGS_RESULT 48

struct _oe_enclave {
	uint32_t magic;
	TEEC_Context ctx;
	TEEC_Session session;
	char uuid[37];
	const oe_ocall_func_t *ocalls;
	uint32_t ocall_count;
	const oe_ecall_info_t *ecalls;
	uint32_t ecall_count;
	pthread_mutex_t lock;           /* one entry at a time, as OE on OP-TEE */
};

/* Serves the TA's RPCs for one enclave (trustbox_rpc_handler). */
TEEC_Result oe_host_serve_rpc(void *arg, TEEC_Session *session, uint32_t func, uint8_t *args, size_t args_size,
			      const uint8_t *input, size_t input_size, uint8_t *output, size_t output_capacity,
			      size_t *output_size);

uint64_t oe_host_get_u64(const uint8_t *p);
void oe_host_put_u64(uint8_t *p, uint64_t v);

#endif
