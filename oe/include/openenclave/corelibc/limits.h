/* TrustBox OE enclave libc: limits. The numeric limits (CHAR_BIT, INT_MAX, LLONG_MAX, ...) are
 * the compiler's: as glibc does, this header defines _LIBC_LIMITS_H_ and includes GCC's
 * limits.h, which then knows a C library's limits.h is in charge and looks for no other. The
 * POSIX limits below are this C library's. */
#ifndef OE_CORELIBC_LIMITS_H
#define OE_CORELIBC_LIMITS_H

#ifndef _LIBC_LIMITS_H_
#define _LIBC_LIMITS_H_
#endif
#include_next <limits.h>

#define SSIZE_MAX LONG_MAX
#define PAGESIZE 4096
#define PAGE_SIZE PAGESIZE
#define PATH_MAX 4096
#define NAME_MAX 255
#define IOV_MAX 1024
#define NL_ARGMAX 9

#endif
