/* Helpers shared by the library's crypto files; not API for TAs. */
#ifndef UTEE_CRYPTO_H
#define UTEE_CRYPTO_H

#include <tee_internal_api.h>
#include <utee_types.h>

/* Object handles are the kernel's u32 handles, as in OP-TEE. */
#define UTEE_OBJ(h) ((unsigned long)(uintptr_t)(h))

/* TEE_Attribute[] -> struct utee_attribute[] (heap; NULL only when count is 0). Panics on OOM. */
struct utee_attribute *utee_attrs_from_tee(const TEE_Attribute *attrs, uint32_t count);

#endif /* UTEE_CRYPTO_H */
