/* TrustBox OE enclave libc: <features.h>. This C library is not glibc: __GLIBC_PREREQ is false
 * for every version, so headers that test it (libstdc++'s bits/os_defines.h) take their
 * portable paths. No feature-test macro changes what the other headers declare. */
#ifndef OE_CORELIBC_FEATURES_H
#define OE_CORELIBC_FEATURES_H
#define __GLIBC_PREREQ(maj, min) 0
#endif
