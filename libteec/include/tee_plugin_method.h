/*
 * tee-supplicant plugins, as optee_client defines them: a shared library in a plugin directory
 * (`trustbox boot --plugin-path DIR`) exports one `struct plugin_method plugin_method`. The
 * device calls `init()` (when not NULL) once at boot and `invoke()` for each
 * tee_invoke_supp_plugin() of a TA with the plugin's UUID: `data` holds `in_len` bytes the
 * plugin may rewrite in place, and `*out_len` is the length it answers.
 */
#ifndef TEE_PLUGIN_METHOD_H
#define TEE_PLUGIN_METHOD_H

#include <stddef.h>
#include <tee_client_api.h>

struct plugin_method {
	const char *name;
	TEEC_UUID uuid;
	TEEC_Result (*init)(void);
	TEEC_Result (*invoke)(unsigned int cmd, unsigned int sub_cmd, void *data, size_t in_len,
			      size_t *out_len);
};

#endif /* TEE_PLUGIN_METHOD_H */
