#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/timefmt.h"

static char current_tz[80];

/* Zone names come from our users table; still refuse anything that is
 * not a plain IANA name, so TZ can never point at an arbitrary file. */
static void
use_zone(const char *tz)
{
	size_t i, n;

	if (tz == NULL || *tz == '\0' || (n = strlen(tz)) >= 64 ||
	    tz[0] == '/' || strstr(tz, ".."))
		tz = "UTC";
	for (i = 0; tz[i]; i++) {
		char c = tz[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '/' || c == '_' ||
		    c == '-' || c == '+')) {
			tz = "UTC";
			break;
		}
	}
	if (strcmp(current_tz, tz) == 0)
		return;
	snprintf(current_tz, sizeof(current_tz), "%s", tz);
	setenv("TZ", tz, 1);
	tzset();
}

/* The number in the n digits at s, or -1 when one is not a digit. */
static int
digits(const char *s, int n)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* "YYYY-MM-DD", "YYYY-MM-DD HH:MM" or "YYYY-MM-DD HH:MM:SS[anything]" (the
 * database's DATETIME(3) has ".mmm"), digits at fixed places. By hand, not
 * sscanf: a history page converts 50 times, and sscanf was most of
 * time_utc_to_local's 5 % of callboard-calls' CPU. */
static int
parse_dt(const char *s, struct tm *tm, int need_time)
{
	int y, mo, d, h = 0, mi = 0, sec = 0;
	size_t len = strlen(s);

	memset(tm, 0, sizeof(*tm));
	if (len != 10 && len != 16 && len < 19)
		return -1;
	if (len == 10 && need_time)
		return -1;
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	if (s[4] != '-' || s[7] != '-')
		return -1;
	if (len >= 16) {
		if (s[10] != ' ' || s[13] != ':')
			return -1;
		h = digits(s + 11, 2);
		mi = digits(s + 14, 2);
	}
	if (len >= 19) {
		if (s[16] != ':')
			return -1;
		sec = digits(s + 17, 2);
	}
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 ||
	    h > 23 || mi > 59 || sec > 60 || h < 0 || mi < 0 || sec < 0)
		return -1;
	tm->tm_year = y - 1900;
	tm->tm_mon = mo - 1;
	tm->tm_mday = d;
	tm->tm_hour = h;
	tm->tm_min = mi;
	tm->tm_sec = sec;
	tm->tm_isdst = -1;
	return 0;
}

/* "%Y-%m-%d %H:%M" as strftime() writes it, digits by hand: a history
 * page writes 50 of them, and strftime() was 2 % of callboard-calls'
 * instructions. CB_ETOOBIG when out cannot hold it and its NUL. */
static enum cb_err
local_minute_put(const struct tm *tm, char *out, size_t outsz)
{
	char tmp[48], *p = tmp;

	p = digits_put(p, (uint64_t)(tm->tm_year + 1900), 4);
	*p++ = '-';
	p = digits_put(p, (uint64_t)(tm->tm_mon + 1), 2);
	*p++ = '-';
	p = digits_put(p, (uint64_t)tm->tm_mday, 2);
	*p++ = ' ';
	p = digits_put(p, (uint64_t)tm->tm_hour, 2);
	*p++ = ':';
	p = digits_put(p, (uint64_t)tm->tm_min, 2);
	if ((size_t)(p - tmp) >= outsz)
		return CB_ETOOBIG;
	memcpy(out, tmp, (size_t)(p - tmp));
	out[p - tmp] = '\0';
	return CB_OK;
}

enum cb_err
time_utc_to_local(const char *utc, const char *tz, char *out, size_t outsz)
{
	struct tm tm;
	time_t t;

	if (utc == NULL || parse_dt(utc, &tm, 0) != 0)
		return CB_EINVAL;
	t = timegm(&tm);
	use_zone(tz);
	localtime_r(&t, &tm);
	return local_minute_put(&tm, out, outsz);
}

enum cb_err
time_local_to_utc(const char *local, const char *tz, char *out, size_t outsz)
{
	struct tm tm, chk;
	time_t t;

	if (local == NULL || parse_dt(local, &tm, 0) != 0)
		return CB_EINVAL;
	chk = tm;
	use_zone(tz);
	if ((t = mktime(&tm)) == (time_t)-1)
		return CB_EINVAL;
	/* mktime normalises 2026-02-31 to March: refuse such dates. */
	if (tm.tm_mday != chk.tm_mday && tm.tm_hour == chk.tm_hour)
		return CB_EINVAL;
	gmtime_r(&t, &tm);
	if (strftime(out, outsz, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		return CB_ETOOBIG;
	return CB_OK;
}

void
time_duration(long s, char *out, size_t outsz)
{
	/* "%ld:%02ld:%02ld" or "%ld:%02ld" by hand, cut to outsz as
	 * snprintf() cuts: a history page writes 50 (2.7 % of
	 * callboard-calls' instructions with snprintf). */
	char tmp[48], *p = tmp;
	size_t n;

	if (outsz == 0)
		return;
	if (s < 0)
		s = 0;
	if (s >= 3600) {
		p = digits_put(p, (uint64_t)(s / 3600), 0);
		*p++ = ':';
		p = digits_put(p, (uint64_t)(s / 60 % 60), 2);
	} else
		p = digits_put(p, (uint64_t)(s / 60), 0);
	*p++ = ':';
	p = digits_put(p, (uint64_t)(s % 60), 2);
	n = (size_t)(p - tmp) < outsz ? (size_t)(p - tmp) : outsz - 1;
	memcpy(out, tmp, n);
	out[n] = '\0';
}
