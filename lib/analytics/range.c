#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "analytics/range.h"
#include "core/timefmt.h"
#include "i18n/i18n.h"

static int
num(const char *s, int n)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* "YYYY-MM-DD[ HH:MM[:SS]]" as if UTC → epoch seconds; INT64_MIN if not. */
static int64_t
parse_utc(const char *s)
{
	struct tm tm;
	size_t len = strlen(s);
	int y, mo, d, h = 0, mi = 0, se = 0;
	time_t t;

	if (len != 10 && len != 16 && len < 19)
		return INT64_MIN;
	y = num(s, 4);
	mo = num(s + 5, 2);
	d = num(s + 8, 2);
	if (s[4] != '-' || s[7] != '-' || y < 1971 || mo < 1 || mo > 12 ||
	    d < 1 || d > 31)
		return INT64_MIN;
	if (len >= 16) {
		h = num(s + 11, 2);
		mi = num(s + 14, 2);
		if (s[10] != ' ' || s[13] != ':' || h < 0 || mi < 0)
			return INT64_MIN;
	}
	if (len >= 19 && (s[16] != ':' || (se = num(s + 17, 2)) < 0))
		return INT64_MIN;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	t = timegm(&tm);
	/* 2026-02-30 normalises to March: not a date. */
	if (tm.tm_mday != d || tm.tm_mon != mo - 1)
		return INT64_MIN;
	return (int64_t)t;
}

int64_t
an_day_parse(const char *s)
{
	int64_t t;

	if (s == NULL || strlen(s) != 10 || (t = parse_utc(s)) == INT64_MIN)
		return INT64_MIN;
	return t / 86400;
}

void
an_day_format(int64_t n, char out[11])
{
	time_t t = (time_t)(n * 86400);
	struct tm tm;

	/* strftime, not snprintf: its bound is the buffer's, and a year of
	 * more than four digits (no range allows one) gives "". */
	gmtime_r(&t, &tm);
	if (strftime(out, 11, "%Y-%m-%d", &tm) == 0)
		out[0] = '\0';
}

void
an_utc_format(int64_t t, char out[20])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	if (strftime(out, 20, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		out[0] = '\0';
}

/* Local 00:00 of day n in tz, as UTC epoch seconds. */
static int64_t
midnight(int64_t n, const char *tz)
{
	char day[11], utc[32];

	an_day_format(n, day);
	if (time_local_to_utc(day, tz, utc, sizeof(utc)) != CB_OK)
		return n * 86400;
	return parse_utc(utc);
}

/* The zone's offset at t (whole minutes: every zone in use since 1972). */
static int
offset_at(int64_t t, const char *tz)
{
	char utc[20], local[32];
	int64_t l;

	an_utc_format(t - t % 60, utc);
	if (time_utc_to_local(utc, tz, local, sizeof(local)) != CB_OK ||
	    (l = parse_utc(local)) == INT64_MIN)
		return 0;
	return (int)(l - (t - t % 60));
}

int
an_range_offset(const struct an_range *r, int64_t t)
{
	unsigned i;
	int off = r->nsegs ? r->segs[0].offset : 0;

	for (i = 1; i < r->nsegs && r->segs[i].utc <= t; i++)
		off = r->segs[i].offset;
	return off;
}

bool
an_range_hourly(const struct an_range *r)
{
	unsigned i;

	if (r->from_ts % 3600 != 0 || r->to_ts % 3600 != 0 ||
	    r->prev_ts % 3600 != 0)
		return false;
	for (i = 0; i < r->nsegs; i++)
		if (r->segs[i].utc % 3600 != 0 || r->segs[i].offset % 3600 != 0)
			return false;
	return true;
}

/* The offset changes between prev_ts and to_ts: a change shows as two
 * local midnights whose offsets differ; the minute it happens is then
 * found by bisection between them. */
static void
find_segments(struct an_range *r, const char *tz, int64_t first,
    int64_t last)
{
	int64_t n, lo, hi, mid_prev = midnight(first, tz), mid;
	int off_prev = (int)(first * 86400 - mid_prev), off;

	r->nsegs = 1;
	r->segs[0].utc = mid_prev;
	r->segs[0].offset = off_prev;
	for (n = first + 1; n <= last + 1; n++) {
		mid = midnight(n, tz);
		off = (int)(n * 86400 - mid);
		if (off != off_prev && r->nsegs < AN_SEGS_MAX) {
			lo = mid_prev;
			hi = mid;
			while (hi - lo > 60) {
				int64_t m = lo + (hi - lo) / 120 * 60;
				if (m <= lo)
					m = lo + 60;
				if (offset_at(m, tz) == off_prev)
					lo = m;
				else
					hi = m;
			}
			r->segs[r->nsegs].utc = hi;
			r->segs[r->nsegs].offset = off;
			r->nsegs++;
		}
		mid_prev = mid;
		off_prev = off;
	}
}

enum cb_err
an_range_parse(const char *from, const char *to, const char *today,
    const char *tz, struct an_range *r, const char **why)
{
	int64_t f, t;

	memset(r, 0, sizeof(*r));
	if (to && *to) {
		if ((t = an_day_parse(to)) == INT64_MIN) {
			*why = N_("The \"to\" date must look like 2026-11-23.");
			return CB_EINVAL;
		}
	} else if ((t = an_day_parse(today)) == INT64_MIN) {
		*why = N_("Today's date is unknown: give both from and to.");
		return CB_EINVAL;
	}
	if (from && *from) {
		if ((f = an_day_parse(from)) == INT64_MIN) {
			*why = N_("The \"from\" date must look like 2026-11-23.");
			return CB_EINVAL;
		}
	} else
		f = t - (AN_DAYS_DEFAULT - 1);
	if (t < f) {
		*why = N_("The range is inverted: \"from\" is after \"to\".");
		return CB_EINVAL;
	}
	if (t - f + 1 > AN_DAYS_MAX) {
		*why = N_("The range is longer than 2 years (731 days): "
		    "choose a shorter one.");
		return CB_EINVAL;
	}
	r->days = (int)(t - f + 1);
	r->day0 = f;
	an_day_format(f, r->from);
	an_day_format(t, r->to);
	an_day_format(f - r->days, r->prev_from);
	an_day_format(f - 1, r->prev_to);
	find_segments(r, tz, f - r->days, t);
	r->prev_ts = r->segs[0].utc;
	r->from_ts = midnight(f, tz);
	r->to_ts = midnight(t + 1, tz);
	return CB_OK;
}
