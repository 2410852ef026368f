// TrustBox OE enclaves: the cross compiler's libstdc++ configuration, adjusted for an enclave.
// This directory comes first on an enclave's C++ include path, so this file is found before the
// real bits/c++config.h; it includes that one and then changes what an enclave does not have.
#include_next <bits/c++config.h>

// No libstdc++ binary is linked into an enclave (it needs an OS and exceptions): templates such
// as std::basic_string<char> are instantiated in the enclave from the headers instead of being
// declared `extern template` and expected from libstdc++.so.
#undef _GLIBCXX_EXTERN_TEMPLATE
#define _GLIBCXX_EXTERN_TEMPLATE 0

// One thread per enclave call and no pthreads: the single-threaded model (bits/gthr-default.h
// here), no thread-local storage.
#undef _GLIBCXX_HAS_GTHREADS
#undef _GLIBCXX_HAVE_TLS

// The enclave C library (openenclave/corelibc) has no wide characters and no gets (C11 removed it).
#undef _GLIBCXX_USE_WCHAR_T
#undef _GLIBCXX_HAVE_WCHAR_H
#undef _GLIBCXX_HAVE_WCTYPE_H
#undef _GLIBCXX_HAVE_MBSTATE_T
#undef _GLIBCXX_USE_C99_WCHAR
#undef _GLIBCXX_HAVE_GETS
