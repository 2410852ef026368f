/* TrustBox OE enclave libc: assert (a failed assertion aborts the enclave). */
#ifndef OE_CORELIBC_ASSERT_H
#define OE_CORELIBC_ASSERT_H
#ifdef __cplusplus
extern "C" {
#endif
void __oe_assert_fail(const char *expr, const char *file, int line, const char *func)
	__attribute__((noreturn));
#ifdef __cplusplus
}
#endif
#endif
#undef assert
#ifdef NDEBUG
#define assert(e) ((void)0)
#else
#define assert(e) ((e) ? (void)0 : __oe_assert_fail(#e, __FILE__, __LINE__, __func__))
#endif
#if !defined(__cplusplus) && !defined(static_assert)
#define static_assert _Static_assert
#endif
