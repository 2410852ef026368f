/* time of OE enclaves: time() from the REE clock (TEE_GetREETime), what the enclave may know of
 * wall time; no time zone (local time is UTC); conversions, strftime for the "C" locale. */
#include <stdio.h>
#include <time.h>
#include <tee_internal_api.h>

time_t time(time_t *t)
{
	TEE_Time now;
	time_t v;

	TEE_GetREETime(&now);
	v = (time_t)now.seconds;
	if (t)
		*t = v;
	return v;
}

/* Days-from-civil, inverted (proleptic Gregorian, UTC). */
struct tm *gmtime_r(const time_t *t, struct tm *out)
{
	long days = (long)(*t / 86400), secs = (long)(*t % 86400);
	long z, era, doe, yoe, doy, mp, y;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	out->tm_hour = (int)(secs / 3600);
	out->tm_min = (int)(secs / 60 % 60);
	out->tm_sec = (int)(secs % 60);
	out->tm_wday = (int)((days % 7 + 11) % 7); /* 1970-01-01 was a Thursday */
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	out->tm_mday = (int)(doy - (153 * mp + 2) / 5 + 1);
	out->tm_mon = (int)(mp < 10 ? mp + 2 : mp - 10);
	y += out->tm_mon <= 1;
	out->tm_year = (int)(y - 1900);
	{
		static const short cum[12] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };
		int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

		out->tm_yday = cum[out->tm_mon] + out->tm_mday - 1 + (leap && out->tm_mon > 1);
	}
	out->tm_isdst = 0;
	return out;
}

struct tm *gmtime(const time_t *t)
{
	static struct tm tm;

	return gmtime_r(t, &tm);
}

struct tm *localtime_r(const time_t *t, struct tm *out) { return gmtime_r(t, out); }

struct tm *localtime(const time_t *t) { return gmtime(t); }

clock_t clock(void)
{
	TEE_Time now;

	TEE_GetSystemTime(&now);
	return (clock_t)now.seconds * CLOCKS_PER_SEC + (clock_t)now.millis * (CLOCKS_PER_SEC / 1000);
}

double difftime(time_t end, time_t start) { return (double)(end - start); }

int timespec_get(struct timespec *ts, int base)
{
	TEE_Time now;

	if (base != TIME_UTC)
		return 0;
	TEE_GetREETime(&now);
	ts->tv_sec = (time_t)now.seconds;
	ts->tv_nsec = (long)now.millis * 1000000L;
	return base;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; m 1..12). */
static long days_from_civil(long y, long m, long d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Normalises *tm (fields may be out of range, as C allows) and returns its time as UTC. */
time_t timegm(struct tm *tm)
{
	long mon = tm->tm_mon, year = tm->tm_year + 1900L;
	time_t t;

	year += mon / 12;
	mon %= 12;
	if (mon < 0) {
		mon += 12;
		year--;
	}
	t = (time_t)days_from_civil(year, mon + 1, 1) * 86400 + (time_t)(tm->tm_mday - 1) * 86400 +
	    (time_t)tm->tm_hour * 3600 + (time_t)tm->tm_min * 60 + tm->tm_sec;
	gmtime_r(&t, tm);
	return t;
}

time_t mktime(struct tm *tm) { return timegm(tm); }

static const char day_names[7][10] = { "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday",
				       "Friday", "Saturday" };
static const char month_names[12][10] = { "January", "February", "March", "April", "May", "June",
					  "July", "August", "September", "October", "November",
					  "December" };

char *asctime(const struct tm *tm)
{
	static char buf[32];

	snprintf(buf, sizeof(buf), "%.3s %.3s%3d %.2d:%.2d:%.2d %d\n",
		 day_names[(tm->tm_wday % 7 + 7) % 7], month_names[(tm->tm_mon % 12 + 12) % 12],
		 tm->tm_mday, tm->tm_hour, tm->tm_min, tm->tm_sec, 1900 + tm->tm_year);
	return buf;
}

char *ctime(const time_t *t) { return asctime(localtime(t)); }

/* One conversion of strftime into `out` (at most `cap` bytes, NUL included); -1 if unknown. */
static int strftime_one(char *out, size_t cap, char c, const struct tm *tm)
{
	int wday = (tm->tm_wday % 7 + 7) % 7, mon = (tm->tm_mon % 12 + 12) % 12;
	int hour12 = tm->tm_hour % 12 ? tm->tm_hour % 12 : 12;
	struct tm copy = *tm;

	switch (c) {
	case 'a': return snprintf(out, cap, "%.3s", day_names[wday]);
	case 'A': return snprintf(out, cap, "%s", day_names[wday]);
	case 'b': case 'h': return snprintf(out, cap, "%.3s", month_names[mon]);
	case 'B': return snprintf(out, cap, "%s", month_names[mon]);
	case 'c': return snprintf(out, cap, "%.24s", asctime(tm));
	case 'C': return snprintf(out, cap, "%02d", (1900 + tm->tm_year) / 100);
	case 'd': return snprintf(out, cap, "%02d", tm->tm_mday);
	case 'D': return snprintf(out, cap, "%02d/%02d/%02d", tm->tm_mon + 1, tm->tm_mday, tm->tm_year % 100);
	case 'e': return snprintf(out, cap, "%2d", tm->tm_mday);
	case 'F': return snprintf(out, cap, "%d-%02d-%02d", 1900 + tm->tm_year, tm->tm_mon + 1, tm->tm_mday);
	case 'H': return snprintf(out, cap, "%02d", tm->tm_hour);
	case 'I': return snprintf(out, cap, "%02d", hour12);
	case 'j': return snprintf(out, cap, "%03d", tm->tm_yday + 1);
	case 'm': return snprintf(out, cap, "%02d", tm->tm_mon + 1);
	case 'M': return snprintf(out, cap, "%02d", tm->tm_min);
	case 'n': return snprintf(out, cap, "\n");
	case 'p': return snprintf(out, cap, "%s", tm->tm_hour < 12 ? "AM" : "PM");
	case 'R': return snprintf(out, cap, "%02d:%02d", tm->tm_hour, tm->tm_min);
	case 's': return snprintf(out, cap, "%ld", (long)timegm(&copy));
	case 'S': return snprintf(out, cap, "%02d", tm->tm_sec);
	case 't': return snprintf(out, cap, "\t");
	case 'T': case 'X': return snprintf(out, cap, "%02d:%02d:%02d", tm->tm_hour, tm->tm_min, tm->tm_sec);
	case 'u': return snprintf(out, cap, "%d", wday ? wday : 7);
	case 'w': return snprintf(out, cap, "%d", wday);
	case 'x': return snprintf(out, cap, "%02d/%02d/%02d", tm->tm_mon + 1, tm->tm_mday, tm->tm_year % 100);
	case 'y': return snprintf(out, cap, "%02d", tm->tm_year % 100);
	case 'Y': return snprintf(out, cap, "%d", 1900 + tm->tm_year);
	case 'z': return snprintf(out, cap, "+0000");
	case 'Z': return snprintf(out, cap, "UTC");
	case '%': return snprintf(out, cap, "%%");
	default: return -1;
	}
}

/* C's strftime for the "C" locale and UTC; %U %W %V %G %g and the E/O modifiers are not
 * supported (strftime returns 0, as when the result does not fit). */
size_t strftime(char *s, size_t max, const char *fmt, const struct tm *tm)
{
	size_t n = 0;

	for (; *fmt; fmt++) {
		int w;

		if (*fmt != '%') {
			if (n + 1 >= max)
				return 0;
			s[n++] = *fmt;
			continue;
		}
		w = strftime_one(s + n, max - n, *++fmt, tm);
		if (w < 0 || (size_t)w >= max - n)
			return 0;
		n += (size_t)w;
	}
	if (n >= max)
		return 0;
	s[n] = '\0';
	return n;
}
