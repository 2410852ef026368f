/*
 * The C++ runtime an enclave built with -fno-exceptions -fno-rtti needs, written in C under
 * the Itanium-ABI names: operator new/delete (abort on exhaustion, as new cannot throw here),
 * std::nothrow, pure/deleted virtual calls, function-local static guards (one thread), and the
 * out-of-line pieces the cross compiler's libstdc++ headers call where they would throw
 * (std::__throw_length_error and the rest of bits/functexcept.h). No libstdc++ binary is
 * linked: its templates are instantiated in the enclave (corelibc/libstdc++/bits/c++config.h).
 * Where the library would throw, the enclave logs the reason and panics, which the host sees as
 * OE_ENCLAVE_ABORTING/the TA's panic; there is no unwinding.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <tee_internal_api.h>
#include <trace.h>
#include <openenclave/enclave.h>

static void cxx_fatal(const char *what, const char *detail) __attribute__((noreturn));

static void cxx_fatal(const char *what, const char *detail)
{
	EMSG("C++: %s%s%s (exceptions are off in enclaves: aborting)", what, detail ? ": " : "",
	     detail ? detail : "");
	oe_abort();
	__builtin_unreachable();
}

static void *must_alloc(size_t size)
{
	void *p = TEE_Malloc(size ? size : 1, TEE_MALLOC_NO_FILL);

	if (!p)
		cxx_fatal("std::bad_alloc", "out of enclave heap");
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

void __cxa_pure_virtual(void) { cxx_fatal("pure virtual function called", NULL); }
void __cxa_deleted_virtual(void) { cxx_fatal("deleted virtual function called", NULL); }
void _ZSt9terminatev(void) { cxx_fatal("std::terminate", NULL); }     /* std::terminate() */

/* Guard byte 0 = initialised. */
int __cxa_guard_acquire(uint64_t *guard) { return !*(volatile uint8_t *)guard; }
void __cxa_guard_release(uint64_t *guard) { *(volatile uint8_t *)guard = 1; }
void __cxa_guard_abort(uint64_t *guard) { (void)guard; }

/* bits/functexcept.h: std::__throw_<what>(...), each noreturn. */
void _ZSt21__throw_bad_exceptionv(void) { cxx_fatal("std::bad_exception", NULL); }
void _ZSt17__throw_bad_allocv(void) { cxx_fatal("std::bad_alloc", NULL); }
void _ZSt28__throw_bad_array_new_lengthv(void) { cxx_fatal("std::bad_array_new_length", NULL); }
void _ZSt16__throw_bad_castv(void) { cxx_fatal("std::bad_cast", NULL); }
void _ZSt18__throw_bad_typeidv(void) { cxx_fatal("std::bad_typeid", NULL); }
void _ZSt19__throw_logic_errorPKc(const char *m) { cxx_fatal("std::logic_error", m); }
void _ZSt20__throw_domain_errorPKc(const char *m) { cxx_fatal("std::domain_error", m); }
void _ZSt24__throw_invalid_argumentPKc(const char *m) { cxx_fatal("std::invalid_argument", m); }
void _ZSt20__throw_length_errorPKc(const char *m) { cxx_fatal("std::length_error", m); }
void _ZSt20__throw_out_of_rangePKc(const char *m) { cxx_fatal("std::out_of_range", m); }
void _ZSt21__throw_runtime_errorPKc(const char *m) { cxx_fatal("std::runtime_error", m); }
void _ZSt19__throw_range_errorPKc(const char *m) { cxx_fatal("std::range_error", m); }
void _ZSt22__throw_overflow_errorPKc(const char *m) { cxx_fatal("std::overflow_error", m); }
void _ZSt23__throw_underflow_errorPKc(const char *m) { cxx_fatal("std::underflow_error", m); }
void _ZSt19__throw_ios_failurePKc(const char *m) { cxx_fatal("std::ios_base::failure", m); }
void _ZSt19__throw_ios_failurePKci(const char *m, int e) { (void)e; cxx_fatal("std::ios_base::failure", m); }
void _ZSt20__throw_system_errori(int e) { (void)e; cxx_fatal("std::system_error", NULL); }
void _ZSt20__throw_future_errori(int e) { (void)e; cxx_fatal("std::future_error", NULL); }
void _ZSt25__throw_bad_function_callv(void) { cxx_fatal("std::bad_function_call", NULL); }

/* std::__throw_out_of_range_fmt(fmt, ...): libstdc++'s formats use %s and %zu (its own
 * printf subset), which vsnprintf formats the same way. */
void _ZSt24__throw_out_of_range_fmtPKcz(const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cxx_fatal("std::out_of_range", msg);
}
