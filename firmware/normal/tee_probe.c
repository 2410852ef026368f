#include <stddef.h>
#include <stdint.h>

#include "optee_msg.h"
#include "optee_smc.h"
#include "print.h"
#include "smc.h"
#include "tee_probe.h"

struct probe {
	int verbose;
	uint32_t *smc_calls;
	struct smc_regs r;
};

/* One fast call; non-zero when the secure world does not know the function. */
static int probe_call(struct probe *p, uint32_t fid, uint64_t a1)
{
	smc_fast(&p->r, fid, a1);
	if (p->smc_calls)
		(*p->smc_calls)++;
	return smc_w(&p->r, 0) == OPTEE_SMC_RETURN_UNKNOWN_FUNCTION;
}

/* a0..a3 as four 32-bit words, printed in canonical UUID form. */
static void print_uuid_words(const struct smc_regs *r)
{
	uint32_t w1 = smc_w(r, 1), w2 = smc_w(r, 2);

	kprintf("%08x-%04x-%04x-%04x-%04x%08x", smc_w(r, 0), w1 >> 16, w1 & 0xffff,
		w2 >> 16, w2 & 0xffff, smc_w(r, 3));
}

static int is_optee_api_uid(const struct smc_regs *r)
{
	return smc_w(r, 0) == OPTEE_MSG_UID_0 && smc_w(r, 1) == OPTEE_MSG_UID_1 &&
	       smc_w(r, 2) == OPTEE_MSG_UID_2 && smc_w(r, 3) == OPTEE_MSG_UID_3;
}

/* API identity and revision: the two facts that decide whether we can talk at all. */
static const char *probe_api(struct probe *p)
{
	if (probe_call(p, OPTEE_SMC_CALLS_UID, 0))
		return "API UID call not supported";
	if (!is_optee_api_uid(&p->r))
		return "API UID is not OP-TEE's";
	struct smc_regs uid = p->r;

	if (probe_call(p, OPTEE_SMC_CALLS_REVISION, 0))
		return "API revision call not supported";
	uint32_t major = smc_w(&p->r, 0), minor = smc_w(&p->r, 1);

	if (p->verbose) {
		kprintf("tee: API UID ");
		print_uuid_words(&uid);
		kprintf(", revision %u.%u\n", major, minor);
	}
	if (major != OPTEE_MSG_REVISION_MAJOR)
		return "unsupported API revision";
	return NULL;
}

/* OS identity is informative only; an unknown function still means no OP-TEE. */
static const char *probe_os(struct probe *p)
{
	if (probe_call(p, OPTEE_SMC_CALL_GET_OS_UUID, 0))
		return "OS UUID call not supported";
	if (p->verbose) {
		kprintf("tee: OP-TEE OS UUID ");
		print_uuid_words(&p->r);
		kprintf("\n");
	}
	if (probe_call(p, OPTEE_SMC_CALL_GET_OS_REVISION, 0))
		return "OS revision call not supported";
	if (p->verbose)
		kprintf("tee: OP-TEE OS revision %u.%u\n", smc_w(&p->r, 0), smc_w(&p->r, 1));
	return NULL;
}

/* We run on one CPU; the secure world's capabilities are reported, not required. */
static const char *probe_capabilities(struct probe *p)
{
	if (probe_call(p, OPTEE_SMC_EXCHANGE_CAPABILITIES, OPTEE_SMC_NSEC_CAP_UNIPROCESSOR))
		return "capability exchange not supported";
	if (smc_w(&p->r, 0) != OPTEE_SMC_RETURN_OK)
		return "capability exchange failed";
	if (p->verbose)
		kprintf("tee: secure-world capabilities 0x%08x\n", smc_w(&p->r, 1));
	return NULL;
}

/* How many calls the secure world serves at once; more wait for a thread (ETHREAD_LIMIT). */
static void probe_threads(struct probe *p)
{
	if (probe_call(p, OPTEE_SMC_GET_THREAD_COUNT, 0) || smc_w(&p->r, 0) != OPTEE_SMC_RETURN_OK)
		return;
	if (p->verbose)
		kprintf("tee: secure threads: %u\n", smc_w(&p->r, 1));
}

const char *tee_probe(int verbose, uint32_t *smc_calls)
{
	struct probe p = { .verbose = verbose, .smc_calls = smc_calls };
	const char *why = probe_api(&p);

	if (!why)
		why = probe_os(&p);
	if (!why)
		why = probe_capabilities(&p);
	if (!why)
		probe_threads(&p);
	return why;
}
