/*
 * The C++ runtime pieces an enclave built with -fno-exceptions needs, written in C under their
 * Itanium-ABI names: operator new/delete (abort on exhaustion, as new cannot throw here),
 * std::nothrow, pure/deleted virtual calls, and function-local static guards (one thread).
 */
#include <stddef.h>
#include <stdint.h>
#include <tee_internal_api.h>
#include <openenclave/enclave.h>

static void *must_alloc(size_t size)
{
	void *p = TEE_Malloc(size ? size : 1, TEE_MALLOC_NO_FILL);

	if (!p)
		oe_abort();
	return p;
}

void *_Znwm(size_t size) { return must_alloc(size); }                 /* new */
void *_Znam(size_t size) { return must_alloc(size); }                 /* new[] */
void *_ZnwmRKSt9nothrow_t(size_t size, const void *nt) { (void)nt; return TEE_Malloc(size ? size : 1, TEE_MALLOC_NO_FILL); }
void *_ZnamRKSt9nothrow_t(size_t size, const void *nt) { (void)nt; return TEE_Malloc(size ? size : 1, TEE_MALLOC_NO_FILL); }
void _ZdlPv(void *p) { TEE_Free(p); }                                 /* delete */
void _ZdaPv(void *p) { TEE_Free(p); }                                 /* delete[] */
void _ZdlPvm(void *p, size_t n) { (void)n; TEE_Free(p); }             /* sized delete */
void _ZdaPvm(void *p, size_t n) { (void)n; TEE_Free(p); }
void _ZdlPvRKSt9nothrow_t(void *p, const void *nt) { (void)nt; TEE_Free(p); }
void _ZdaPvRKSt9nothrow_t(void *p, const void *nt) { (void)nt; TEE_Free(p); }
const char _ZSt7nothrow = 0;                                           /* std::nothrow */

void __cxa_pure_virtual(void) { oe_abort(); }
void __cxa_deleted_virtual(void) { oe_abort(); }

/* Guard byte 0 = initialised. */
int __cxa_guard_acquire(uint64_t *guard) { return !*(volatile uint8_t *)guard; }
void __cxa_guard_release(uint64_t *guard) { *(volatile uint8_t *)guard = 1; }
void __cxa_guard_abort(uint64_t *guard) { (void)guard; }

/* What -fno-exceptions code may still reference (e.g. through std headers). */
void _ZSt17__throw_bad_allocv(void) { oe_abort(); }
void _ZSt20__throw_length_errorPKc(const char *m) { (void)m; oe_abort(); }
void _ZSt24__throw_out_of_range_fmtPKcz(const char *m, ...) { (void)m; oe_abort(); }
void _ZSt20__throw_out_of_rangePKc(const char *m) { (void)m; oe_abort(); }
void _ZSt19__throw_logic_errorPKc(const char *m) { (void)m; oe_abort(); }
void _ZSt25__throw_bad_function_callv(void) { oe_abort(); }
