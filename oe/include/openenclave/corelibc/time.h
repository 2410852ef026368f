/* TrustBox OE enclave libc: time (the REE's clock, through TEE_GetREETime; not trusted time). */
#ifndef OE_CORELIBC_TIME_H
#define OE_CORELIBC_TIME_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef long time_t;
typedef long clock_t;
#define CLOCKS_PER_SEC 1000000L
#define TIME_UTC 1
struct tm {
	int tm_sec, tm_min, tm_hour, tm_mday, tm_mon, tm_year, tm_wday, tm_yday, tm_isdst;
};
struct timespec {
	time_t tv_sec;
	long tv_nsec;
};

/* The enclave has no time zone: local time is UTC. clock() is the TEE's system time
 * (TEE_GetSystemTime, arbitrary origin; processor time is not measurable in an enclave), so only
 * differences of clock() values mean something, as C intends. */
time_t time(time_t *t);
clock_t clock(void);
double difftime(time_t end, time_t start);
int timespec_get(struct timespec *ts, int base);
struct tm *gmtime_r(const time_t *t, struct tm *out);
struct tm *gmtime(const time_t *t);
struct tm *localtime_r(const time_t *t, struct tm *out);
struct tm *localtime(const time_t *t);
time_t timegm(struct tm *tm);
time_t mktime(struct tm *tm);
char *asctime(const struct tm *tm);
char *ctime(const time_t *t);
size_t strftime(char *s, size_t max, const char *fmt, const struct tm *tm);

#ifdef __cplusplus
}
#endif
#endif
