/* TrustBox OE enclave libc: time (the REE's clock, through TEE_GetREETime; not trusted time). */
#ifndef OE_CORELIBC_TIME_H
#define OE_CORELIBC_TIME_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef long time_t;
typedef long clock_t;
struct tm {
	int tm_sec, tm_min, tm_hour, tm_mday, tm_mon, tm_year, tm_wday, tm_yday, tm_isdst;
};
struct timespec {
	time_t tv_sec;
	long tv_nsec;
};

time_t time(time_t *t);
struct tm *gmtime_r(const time_t *t, struct tm *out);
struct tm *gmtime(const time_t *t);

#ifdef __cplusplus
}
#endif
#endif
