/* The analytics page's date range (issue 21): from=YYYY-MM-DD&to=YYYY-MM-DD
 * in the viewer's time zone, both days whole. Each local day is
 * [its 00:00, the next day's 00:00) in that zone, so a day of a DST change
 * has 23 or 25 hours. The database stores UTC; the queries turn a call's
 * UTC start into local time with the zone's offsets over the range
 * (segments: the offset from each change on), which this file works out
 * with the C library's zone data (time_utc_to_local/time_local_to_utc,
 * the same conversions as the history page's filters). Pure: no
 * database. Unit tests: tests/unit/test_analytics.c. */
#ifndef CB_ANALYTICS_RANGE_H
#define CB_ANALYTICS_RANGE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

#define AN_DAYS_MAX 731     /* "over 2 years" is refused: 2 × 365 + a leap day */
#define AN_DAYS_DEFAULT 30  /* no range given: the last 30 days to today */
#define AN_SEGS_MAX 32      /* offset changes over the range and the one before */

/* From utc (epoch seconds) on, local time = UTC + offset seconds. */
struct an_seg {
	int64_t utc;
	int offset;
};

struct an_range {
	char from[11], to[11];           /* local days, inclusive */
	char prev_from[11], prev_to[11]; /* the period of as many days before */
	int days;                        /* to - from + 1 */
	int64_t day0;                    /* from, in days since 1970-01-01 */
	int64_t from_ts, to_ts;          /* [from 00:00, to + 1 00:00) local, UTC */
	int64_t prev_ts;                 /* prev_from 00:00 local, UTC */
	struct an_seg segs[AN_SEGS_MAX]; /* segs[0].utc = prev_ts */
	unsigned nsegs;
};

/* Parses from and to (NULL or "" each: the default range ending today,
 * "YYYY-MM-DD" local). CB_EINVAL with *why (static English text, marked
 * for translation: the caller shows _(why)) when a date is
 * malformed, to is before from, or the range is longer than AN_DAYS_MAX
 * days. */
enum cb_err an_range_parse(const char *from, const char *to,
    const char *today, const char *tz, struct an_range *r, const char **why);

/* Days since 1970-01-01 of "YYYY-MM-DD", or INT64_MIN when not a date. */
int64_t an_day_parse(const char *s);
/* "YYYY-MM-DD" of day n into out (11 bytes). */
void an_day_format(int64_t n, char out[11]);
/* Epoch seconds → "YYYY-MM-DD HH:MM:SS" (UTC) into out (20 bytes). */
void an_utc_format(int64_t t, char out[20]);
/* The offset in force at t (UTC): local = t + offset. */
int an_range_offset(const struct an_range *r, int64_t t);
/* true when every local day and hour of the range is a run of whole UTC
 * hours: its bounds, offsets and offset changes all fall on the hour. Then
 * the hourly summaries give the same figures as the calls
 * (lib/analytics/query.h); zones with 30/45-minute offsets (India, Nepal,
 * Newfoundland, Lord Howe's half-hour DST...) read the calls. */
bool an_range_hourly(const struct an_range *r);

#endif
