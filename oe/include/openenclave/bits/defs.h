/*
 * Open Enclave on TrustBox: basic definitions shared by enclave and host code.
 * Compiles for the enclave (aarch64, -nostdinc -ffreestanding) and for the host (any C/C++ compiler).
 */
#ifndef OE_BITS_DEFS_H
#define OE_BITS_DEFS_H

/* Only API version 2 exists here; the version-1 report/seal functions map to their _v2 forms. */
#ifndef OE_API_VERSION
#define OE_API_VERSION 2
#endif
#if OE_API_VERSION != 2
#error "TrustBox Open Enclave supports OE_API_VERSION 2 only"
#endif

#ifdef __cplusplus
#define OE_EXTERNC extern "C"
#define OE_EXTERNC_BEGIN extern "C" {
#define OE_EXTERNC_END }
#else
#define OE_EXTERNC
#define OE_EXTERNC_BEGIN
#define OE_EXTERNC_END
#endif

#define OE_ENUM_MAX 0xffffffff
#define OE_PAGE_SIZE 0x1000

#define OE_WEAK __attribute__((weak))
/* Declares NEW as a weak alias of the already-defined function OLD. */
#define OE_WEAK_ALIAS(OLD, NEW) extern __typeof(OLD) NEW __attribute__((__weak__, __alias__(#OLD)))
#define OE_ALIAS(OLD, NEW) extern __typeof(OLD) NEW __attribute__((__alias__(#OLD)))

#define OE_EXPORT __attribute__((visibility("default")))
#define OE_NO_RETURN __attribute__((__noreturn__))
#define OE_UNUSED(P) (void)(P)
#define OE_USED __attribute__((__used__))
#define OE_ALIGNED(N) __attribute__((aligned(N)))
#define OE_PACK_BEGIN _Pragma("pack(push, 1)")
#define OE_PACK_END _Pragma("pack(pop)")
#define OE_PRINTF_FORMAT(FMT, ARGS) __attribute__((__format__(__printf__, FMT, ARGS)))
#define OE_INLINE static __inline__
#define OE_ALWAYS_INLINE __attribute__((always_inline))
#define OE_NEVER_INLINE __attribute__((noinline))
#define OE_COUNTOF(ARR) (sizeof(ARR) / sizeof((ARR)[0]))
#define OE_ZERO_SIZED_ARRAY /* empty */
#define OE_DEPRECATED(MSG) __attribute__((deprecated(MSG)))

#ifdef __cplusplus
#define OE_STATIC_ASSERT(COND) static_assert(COND, #COND)
#else
#define OE_STATIC_ASSERT(COND) _Static_assert(COND, #COND)
#endif

#define OE_CHECK_SIZE(N, M) OE_STATIC_ASSERT((N) == (M))
#define OE_FIELD_SIZE(TYPE, FIELD) (sizeof(((TYPE *)0)->FIELD))

#endif /* OE_BITS_DEFS_H */
