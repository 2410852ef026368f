/*
 * oe_create_enclave / oe_terminate_enclave: an enclave is a session with a TA on the device.
 * The path names the TA by UUID (as OE on OP-TEE takes it) or is a signed .ta file, which is
 * installed on the device first (the admin credential of <state>/admin.json).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_private.h"

#define UUID_LEN 36

/* Parses "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (exactly, nothing after); 0 on success. */
static int parse_uuid(const char *s, size_t n, TEEC_UUID *out)
{
	uint8_t b[16];
	size_t k = 0;

	if (n != UUID_LEN)
		return -1;
	for (size_t i = 0; i < n;) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i++] != '-')
				return -1;
			continue;
		}
		if (!isxdigit((unsigned char)s[i]) || !isxdigit((unsigned char)s[i + 1]))
			return -1;
		char hex[3] = { s[i], s[i + 1], 0 };

		b[k++] = (uint8_t)strtoul(hex, NULL, 16);
		i += 2;
	}
	out->timeLow = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	out->timeMid = (uint16_t)(b[4] << 8 | b[5]);
	out->timeHiAndVersion = (uint16_t)(b[6] << 8 | b[7]);
	memcpy(out->clockSeqAndNode, b + 8, 8);
	return 0;
}

/* The UUID a path names: its last component is UUID or UUID.ta and no such file exists. */
static int uuid_of_name(const char *path, TEEC_UUID *out)
{
	size_t n = strlen(path);

	if (n > 3 && !strcmp(path + n - 3, ".ta"))
		n -= 3;
	return parse_uuid(path, n, out);
}

/* Installs the .ta file at `path`; its UUID goes to `out`. */
static oe_result_t install_file(oe_enclave_t *e, const char *path, TEEC_UUID *out)
{
	FILE *f = fopen(path, "rb");

	if (!f) {
		fprintf(stderr, "oe: %s: %s (the enclave path is a TA UUID or a signed .ta file)\n", path,
			strerror(errno));
		return OE_FAILURE;
	}
	size_t cap = 1 << 20, len = 0;
	uint8_t *buf = malloc(cap);

	while (buf) {
		size_t r = fread(buf + len, 1, cap - len, f);

		len += r;
		if (len < cap)
			break;
		uint8_t *bigger = realloc(buf, cap * 2);

		if (!bigger) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = bigger;
		cap *= 2;
	}
	fclose(f);
	if (!buf)
		return OE_OUT_OF_MEMORY;
	TEEC_Result res = trustbox_install_ta(&e->ctx, buf, len, e->uuid);

	free(buf);
	if (res != TEEC_SUCCESS) {
		fprintf(stderr, "oe: installing %s on the device failed (TEEC 0x%08x)\n", path, res);
		return OE_FAILURE;
	}
	return parse_uuid(e->uuid, UUID_LEN, out) ? OE_FAILURE : OE_OK;
}

static oe_result_t check_args(const char *path, oe_enclave_type_t type, uint32_t flags,
			      const oe_enclave_setting_t *settings, uint32_t setting_count, oe_enclave_t **enclave)
{
	if (!path || !enclave)
		return OE_INVALID_PARAMETER;
	if ((settings == NULL) != (setting_count == 0))
		return OE_INVALID_PARAMETER;
	if (flags & OE_ENCLAVE_FLAG_RESERVED)
		return OE_INVALID_PARAMETER;
	if (type == OE_ENCLAVE_TYPE_SGX) {
		/* what an SGX host means is "a TEE": the device's is TrustZone */
		fprintf(stderr, "oe: warning: OE_ENCLAVE_TYPE_SGX requested; %s runs as a TrustZone enclave "
			"(OE_ENCLAVE_TYPE_OPTEE) on the TrustBox\n", path);
		return OE_OK;
	}
	if (type != OE_ENCLAVE_TYPE_AUTO && type != OE_ENCLAVE_TYPE_OPTEE)
		return OE_INVALID_PARAMETER;
	return OE_OK;
}

oe_result_t oe_create_enclave(const char *enclave_path, oe_enclave_type_t enclave_type, uint32_t flags,
			      const oe_enclave_setting_t *settings, uint32_t setting_count,
			      const oe_ocall_func_t *ocall_table, uint32_t ocall_count,
			      const oe_ecall_info_t *ecall_name_table, uint32_t ecall_count, oe_enclave_t **enclave)
{
	if (enclave)
		*enclave = NULL;
	oe_result_t result = check_args(enclave_path, enclave_type, flags, settings, setting_count, enclave);

	if (result != OE_OK)
		return result;
	oe_enclave_t *e = calloc(1, sizeof(*e));

	if (!e)
		return OE_OUT_OF_MEMORY;
	e->ocalls = ocall_table;
	e->ocall_count = ocall_count;
	e->ecalls = ecall_name_table;
	e->ecall_count = ecall_count;
	if (TEEC_InitializeContext(NULL, &e->ctx) != TEEC_SUCCESS) {
		free(e);
		return OE_FAILURE;
	}
	TEEC_UUID uuid;
	FILE *probe = fopen(enclave_path, "rb");

	if (probe) {
		fclose(probe);
		result = install_file(e, enclave_path, &uuid);
	} else if (uuid_of_name(enclave_path, &uuid) == 0) {
		snprintf(e->uuid, sizeof(e->uuid), "%.36s", enclave_path);
	} else {
		fprintf(stderr, "oe: %s: no such file, and not a TA UUID\n", enclave_path);
		result = OE_FAILURE;
	}
	uint32_t origin = 0;
	TEEC_Result res = TEEC_SUCCESS;

	if (result == OE_OK) {
		res = trustbox_open_session_rpc(&e->ctx, &e->session, &uuid, oe_host_serve_rpc, e, &origin);
		if (res != TEEC_SUCCESS) {
			fprintf(stderr, "oe: opening enclave %s failed (TEEC 0x%08x, origin %u)\n", e->uuid, res, origin);
			result = OE_FAILURE;
		}
	}
	if (result != OE_OK) {
		TEEC_FinalizeContext(&e->ctx);
		free(e);
		return result;
	}
	pthread_mutex_init(&e->lock, NULL);
	e->magic = OE_ENCLAVE_MAGIC;
	*enclave = e;
	return OE_OK;
}

oe_result_t oe_terminate_enclave(oe_enclave_t *enclave)
{
	if (!enclave || enclave->magic != OE_ENCLAVE_MAGIC)
		return OE_INVALID_PARAMETER;
	TEEC_CloseSession(&enclave->session);
	TEEC_FinalizeContext(&enclave->ctx);
	enclave->magic = 0;
	pthread_mutex_destroy(&enclave->lock);
	free(enclave);
	return OE_OK;
}

void oe_free(void *ptr)
{
	free(ptr);
}
