/*
 * TrustBox Open Enclave: the enclave-info record in the ELF section `.oeinfo`.
 *
 * liboeenclave provides a weak default (all-zero UUID, product 0, svn 0, debug 1);
 * OE_SET_ENCLAVE_OPTEE / OE_SET_ENCLAVE_SGX(2) in enclave source define a strong one.
 * `oesign` overwrites the record from the .conf file (and patches `.ta_head`'s UUID), and
 * the TEE's oe-keys pseudo-TA reads it from the signed image for sealing and evidence.
 * Layout: 88 bytes, little-endian, no implicit padding.
 */
#ifndef OE_BITS_OPTEE_OEINFO_H
#define OE_BITS_OPTEE_OEINFO_H

#include <stdint.h>

#define OE_OPTEE_INFO_MAGIC "OEOPTEE1"
#define OE_OPTEE_INFO_MAGIC_SIZE 8
#define OE_OPTEE_INFO_SECTION ".oeinfo"

struct oe_optee_enclave_info {
	char magic[OE_OPTEE_INFO_MAGIC_SIZE]; /* "OEOPTEE1", no terminator           @0  */
	uint8_t uuid[16];                     /* TA UUID (RFC 4122 byte order); 0 = unset @8 */
	uint16_t product_id;                  /*                                      @24 */
	uint16_t security_version;            /*                                      @26 */
	uint32_t debug;                       /* 1 = debug enclave                     @28 */
	uint64_t num_heap_pages;              /*                                      @32 */
	uint64_t num_stack_pages;             /*                                      @40 */
	uint64_t num_tcs;                     /*                                      @48 */
	uint8_t reserved[32];                 /*                                      @56 */
};

typedef struct oe_optee_enclave_info oe_optee_enclave_info_t;

#ifdef __cplusplus
static_assert(sizeof(struct oe_optee_enclave_info) == 88, "oeinfo size");
#else
_Static_assert(sizeof(struct oe_optee_enclave_info) == 88, "oeinfo size");
#endif

#endif /* OE_BITS_OPTEE_OEINFO_H */
