/* Small enclave services: randomness, abort/assert, atexit, the enclave handle. */
#include <tee_internal_api.h>
#include <trace.h>
#include <openenclave/enclave.h>
#include "oe_private.h"

oe_result_t oe_random(void *data, size_t size)
{
	if (!data && size)
		return OE_INVALID_PARAMETER;
	if (size)
		TEE_GenerateRandom(data, size);
	return OE_OK;
}

/* The TA panics: the host sees TEE_ERROR_TARGET_DEAD, which it reports as OE_ENCLAVE_ABORTED. */
void oe_abort(void)
{
	TEE_Panic(0x0E0AB047);
	__builtin_unreachable();
}

void __oe_assert_fail(const char *expr, const char *file, int line, const char *func)
{
	EMSG("Assertion failed: %s (%s: %s: %d)", expr, file, func, line);
	oe_abort();
}

oe_enclave_t *oe_get_enclave(void)
{
	return NULL;
}

/* ---- atexit / __cxa_atexit: run at TA_DestroyEntryPoint, last registered first ------------ */

struct atexit_entry {
	struct atexit_entry *next;
	void (*fn)(void *);
	void *arg;
};
static struct atexit_entry *atexit_list;

int __cxa_atexit(void (*fn)(void *), void *arg, void *dso)
{
	struct atexit_entry *e = TEE_Malloc(sizeof(*e), TEE_MALLOC_FILL_ZERO);

	(void)dso;
	if (!e)
		return -1;
	e->fn = fn;
	e->arg = arg;
	e->next = atexit_list;
	atexit_list = e;
	return 0;
}

static void call_plain(void *fn)
{
	((void (*)(void))fn)();
}

int atexit(void (*fn)(void))
{
	return __cxa_atexit(call_plain, (void *)fn, NULL);
}

void oe_run_atexit(void)
{
	while (atexit_list) {
		struct atexit_entry *e = atexit_list;

		atexit_list = e->next;
		e->fn(e->arg);
		TEE_Free(e);
	}
}

void *__dso_handle = &__dso_handle;
