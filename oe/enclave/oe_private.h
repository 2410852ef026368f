/*
 * Internals of the TrustBox Open Enclave runtime (liboeenclave / liboelibc). Built with the TA
 * dev kit's flags and headers plus oe/include; never installed.
 */
#ifndef OE_ENCLAVE_PRIVATE_H
#define OE_ENCLAVE_PRIVATE_H

#include <tee_internal_api.h>
#include <openenclave/bits/result.h>
#include <openenclave/bits/types.h>
#include <openenclave/bits/optee/oeinfo.h>

/* Function ids of OE's ECALL / OCALL wire (contract, reference 1.2/1.3). */
#define OE_ECALL_DESTRUCTOR 0
#define OE_ECALL_INIT_ENCLAVE 1
#define OE_ECALL_CALL_ENCLAVE_FUNCTION 2
#define OE_ECALL_VIRTUAL_EXCEPTION_HANDLER 3
#define OE_ECALL_CALL_AT_EXIT_FUNCTIONS 4
#define OE_OCALL_CALL_HOST_FUNCTION 0x8000

/* Both args structs are 56 bytes on the wire. */
typedef struct {
	uint64_t function_id;
	uint64_t input_buffer;
	uint64_t input_buffer_size;
	uint64_t output_buffer;
	uint64_t output_buffer_size;
	uint64_t output_bytes_written;
	uint32_t result;
	uint32_t pad;
} oe_wire_ecall_args_t;

typedef struct {
	uint64_t function_id;
	uint64_t input_buffer;
	uint64_t input_buffer_size;
	uint64_t output_buffer;
	uint64_t output_buffer_size;
	uint64_t output_bytes_written;
	uint64_t result;
} oe_wire_ocall_args_t;

_Static_assert(sizeof(oe_wire_ecall_args_t) == 56, "ecall args");
_Static_assert(sizeof(oe_wire_ocall_args_t) == 56, "ocall args");

/* The RPC pseudo-TA (ad0fd0ae-09e1-464b-98ed-0607ec9ebd8b) and its one command. */
#define OE_PTA_RPC_UUID \
	{ 0xad0fd0ae, 0x09e1, 0x464b, { 0x98, 0xed, 0x06, 0x07, 0xec, 0x9e, 0xbd, 0x8b } }
#define OE_PTA_RPC_EXECUTE 0

/*
 * The oe-keys pseudo-TA (emulator/tee/pta/oe-keys.ts), UUID 5c0e7f1a-9d3b-4f62-8a41-6e2b0d9c7f35:
 *   0 SEAL_KEY     [0] value IN a = policy, [1] memref IN key_info (16-byte salt, may be empty),
 *                  [2] memref OUT 32-byte key
 *   1 GET_EVIDENCE [0] memref IN nonce (32 B), [1] memref OUT token
 *   2 VERIFY       [0] memref IN token, [1] memref OUT claims record (see oe-keys.ts)
 *   3 IDENTITY     [0] memref OUT identity record of the caller
 */
#define OE_PTA_KEYS_UUID \
	{ 0x5c0e7f1a, 0x9d3b, 0x4f62, { 0x8a, 0x41, 0x6e, 0x2b, 0x0d, 0x9c, 0x7f, 0x35 } }
#define OE_PTA_KEYS_SEAL_KEY 0
#define OE_PTA_KEYS_GET_EVIDENCE 1
#define OE_PTA_KEYS_VERIFY 2
#define OE_PTA_KEYS_IDENTITY 3

/* gp.c */
extern TEE_TASessionHandle oe_rpc_session;
/* memory.c */
void oe_memory_note_stack(const void *frame);
/* keys.c: one call to the oe-keys PTA (session opened on first use, kept). */
TEE_Result oe_keys_invoke(uint32_t cmd, uint32_t types, TEE_Param params[4]);
/* atexit.c */
void oe_run_atexit(void);
/* stdio.c: writes to the host (fd 1/2) or the TEE log. */
void oe_console_write(int fd, const char *text, size_t len);

#endif
