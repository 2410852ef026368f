/* time() from the REE clock (TEE_GetREETime): what the enclave may know of wall time. */
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
