/*
 * __utee_entry: what runs between the kernel entering the TA and the TA's own entry points.
 * Sessions are kept in a list keyed by the kernel's opaque session id; the list lives in the TA
 * heap so it costs nothing until a session exists.
 */
#include <tee_internal_api.h>
#include <user_ta_header.h>
#include <utee_syscalls.h>
#include "utee_private.h"

struct utee_session {
	struct utee_session *next;
	unsigned long id;
	void *ctx;
};

static struct utee_session *sessions;
static bool instance_ready;  /* heap, TLS and constructors done (once per instance) */
static bool ta_created;      /* TA_CreateEntryPoint succeeded and no Destroy since */

static struct utee_session *find_session(unsigned long id)
{
	for (struct utee_session *s = sessions; s; s = s->next)
		if (s->id == id)
			return s;
	return NULL;
}

static void unlink_session(struct utee_session *victim)
{
	struct utee_session **link = &sessions;

	while (*link && *link != victim)
		link = &(*link)->next;
	if (*link)
		*link = victim->next;
	TEE_Free(victim);
}

/* A single-instance keep-alive TA outlives its last session; every other TA is torn down. */
static void destroy_if_unused(void)
{
	const uint32_t keep = TA_FLAG_SINGLE_INSTANCE | TA_FLAG_INSTANCE_KEEP_ALIVE;

	if (sessions || !ta_created || (ta_head.flags & keep) == keep)
		return;
	TA_DestroyEntryPoint();
	ta_created = false;
}

static TEE_Result ensure_created(void)
{
	TEE_Result res;

	if (!instance_ready) {
		utee_instance_init();
		instance_ready = true;
	}
	if (ta_created)
		return TEE_SUCCESS;
	res = TA_CreateEntryPoint();
	if (res == TEE_SUCCESS)
		ta_created = true;
	return res;
}

static TEE_Result open_session(unsigned long id, uint32_t types, TEE_Param params[4])
{
	struct utee_session *s;
	TEE_Result res = ensure_created();

	if (res != TEE_SUCCESS)
		return res;
	s = TEE_Malloc(sizeof(*s), TEE_MALLOC_FILL_ZERO);
	if (!s) {
		destroy_if_unused();
		return TEE_ERROR_OUT_OF_MEMORY;
	}
	s->id = id;
	res = TA_OpenSessionEntryPoint(types, params, &s->ctx);
	if (res != TEE_SUCCESS) {
		TEE_Free(s);
		destroy_if_unused();
		return res;
	}
	s->next = sessions;
	sessions = s;
	return TEE_SUCCESS;
}

static TEE_Result close_session(unsigned long id)
{
	struct utee_session *s = find_session(id);

	if (!s)
		return TEE_ERROR_BAD_STATE;
	TA_CloseSessionEntryPoint(s->ctx);
	unlink_session(s);
	destroy_if_unused();
	return TEE_SUCCESS;
}

static TEE_Result invoke_command(unsigned long id, unsigned long cmd, uint32_t types,
				 TEE_Param params[4])
{
	struct utee_session *s = find_session(id);

	if (!s)
		return TEE_ERROR_BAD_STATE;
	return TA_InvokeCommandEntryPoint(s->ctx, cmd, types, params);
}

static TEE_Result dispatch(unsigned long func, unsigned long id, unsigned long cmd,
			   uint32_t types, TEE_Param params[4])
{
	switch (func) {
	case UTEE_ENTRY_FUNC_OPEN_SESSION:
		return open_session(id, types, params);
	case UTEE_ENTRY_FUNC_CLOSE_SESSION:
		return close_session(id);
	case UTEE_ENTRY_FUNC_INVOKE_COMMAND:
		return invoke_command(id, cmd, types, params);
	default:
		return TEE_ERROR_NOT_SUPPORTED;
	}
}

void __utee_entry(unsigned long func, unsigned long session_id, struct utee_params *up,
		  unsigned long cmd_id)
{
	static bool guard_seeded;
	TEE_Param params[TEE_NUM_PARAMS];
	uint32_t types = (uint32_t)up->types & 0xFFFF;
	TEE_Result res;

	/* Must precede every call into protected (TA) code: their canaries read the guard. */
	if (!guard_seeded) {
		utee_seed_stack_guard();
		guard_seeded = true;
	}
	utee_params_to_tee(up, params);
	res = dispatch(func, session_id, cmd_id, types, params);
	tee_params_to_utee(types, params, up);
	_utee_return(res);
}
