/*
 * Extensions of the TEE Internal Core API that OP-TEE's libutee offers and the dev kit has too.
 */
#ifndef TEE_INTERNAL_API_EXTENSIONS_H
#define TEE_INTERNAL_API_EXTENSIONS_H

#include <stddef.h>
#include <tee_api_types.h>

/*
 * Calls the tee-supplicant plugin `uuid` in the normal world (`trustbox boot --plugin-path`):
 * `cmd` and `sub_cmd` are the plugin's to interpret; it reads `len` bytes of `buf` and may
 * rewrite them. `*outlen` (when not NULL) receives the length the plugin answers. Returns the
 * plugin's result; TEE_ERROR_ITEM_NOT_FOUND when no plugin has that UUID.
 */
TEE_Result tee_invoke_supp_plugin(const TEE_UUID *uuid, uint32_t cmd, uint32_t sub_cmd,
				  void *buf, size_t len, size_t *outlen);

#endif /* TEE_INTERNAL_API_EXTENSIONS_H */
