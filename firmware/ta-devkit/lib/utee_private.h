/* Internal seams between the library's files; nothing here is API for TAs. */
#ifndef UTEE_PRIVATE_H
#define UTEE_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <tee_api_types.h>
#include <utee_types.h>

/* entry.c */
void __utee_entry(unsigned long func, unsigned long session_id, struct utee_params *up,
		  unsigned long cmd_id) __attribute__((noreturn));

/* params.c: struct utee_params <-> TEE_Param[4] */
void utee_params_to_tee(const struct utee_params *up, TEE_Param params[4]);
void tee_params_to_utee(uint32_t types, const TEE_Param params[4], struct utee_params *up);
void tee_params_copy_back(uint32_t types, const struct utee_params *up, TEE_Param params[4]);

/* malloc.c */
void utee_heap_init(void *base, size_t size);

/* init.c: everything the first OPEN_SESSION of an instance does before TA_CreateEntryPoint */
void utee_instance_init(void);

/* stack_protector.c */
void utee_seed_stack_guard(void);

/* system_pta.c: shareable memory for TA-to-TA memrefs */
TEE_Result utee_map_shareable(size_t size, void **va);
void utee_unmap_shareable(void *va, size_t size);

/* base64.c */
size_t utee_base64_encoded_len(size_t len);
void utee_base64_encode(const void *src, size_t len, char *dst);
bool utee_base64_decode(const char *src, void *dst, size_t *dst_len);

#define UTEE_ROUNDUP(v, a) (((v) + (a) - 1) & ~((size_t)(a) - 1))

#endif /* UTEE_PRIVATE_H */
