#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "analytics/range.h"
#include "analytics/stats.h"

/* lib/analytics: the range of the analytics page (local days, DST) and
 * its statistics. Expected values are written out, not computed. */

static int64_t
utc(const char *s)   /* "YYYY-MM-DD HH:MM" as epoch seconds */
{
	struct an_range r;
	const char *why;
	char day[11];
	int h = atoi(s + 11), m = atoi(s + 14);

	memcpy(day, s, 10);
	day[10] = '\0';
	ck_assert_int_eq(an_range_parse(day, day, day, "UTC", &r, &why), CB_OK);
	return r.from_ts + h * 3600 + m * 60;
}

START_TEST(test_range_kyiv_spring_forward)
{
	struct an_range r;
	const char *why = NULL;

	ck_assert_int_eq(an_range_parse("2026-03-28", "2026-03-30",
	    "2026-12-01", "Europe/Kyiv", &r, &why), CB_OK);
	ck_assert_int_eq(r.days, 3);
	ck_assert_str_eq(r.prev_from, "2026-03-25");
	ck_assert_str_eq(r.prev_to, "2026-03-27");
	/* 00:00 EET = 22:00 UTC the day before; 31 Mar 00:00 EEST = 21:00. */
	ck_assert_int_eq(r.from_ts, utc("2026-03-27 22:00"));
	ck_assert_int_eq(r.to_ts, utc("2026-03-30 21:00"));
	/* One change: 03:00 EET (01:00 UTC) on the 29th. */
	ck_assert_uint_eq(r.nsegs, 2);
	ck_assert_int_eq(r.segs[0].offset, 7200);
	ck_assert_int_eq(r.segs[1].utc, utc("2026-03-29 01:00"));
	ck_assert_int_eq(r.segs[1].offset, 10800);
	ck_assert_int_eq(an_range_offset(&r, utc("2026-03-29 00:59")), 7200);
	ck_assert_int_eq(an_range_offset(&r, utc("2026-03-29 01:00")), 10800);
}
END_TEST

START_TEST(test_range_new_york_fall_back)
{
	struct an_range r;
	const char *why = NULL;

	ck_assert_int_eq(an_range_parse("2026-11-01", "2026-11-01",
	    "2026-12-01", "America/New_York", &r, &why), CB_OK);
	/* A 25-hour day: 04:00 UTC (EDT) to 05:00 UTC the next day (EST). */
	ck_assert_int_eq(r.to_ts - r.from_ts, 25 * 3600);
	ck_assert_uint_eq(r.nsegs, 2);
	ck_assert_int_eq(r.segs[1].utc, utc("2026-11-01 06:00"));
	ck_assert_int_eq(r.segs[1].offset, -5 * 3600);
}
END_TEST

START_TEST(test_range_half_hour_zone_no_change)
{
	struct an_range r;
	const char *why = NULL;

	ck_assert_int_eq(an_range_parse("2026-01-01", "2026-12-31",
	    "2026-12-01", "Asia/Kolkata", &r, &why), CB_OK);
	ck_assert_uint_eq(r.nsegs, 1);
	ck_assert_int_eq(r.segs[0].offset, 19800);
	ck_assert_int_eq(r.days, 365);
}
END_TEST

/* Which zones may read the hourly summaries: whole-hour offsets and
 * changes on the hour (Kyiv's DST, New York's) yes; India's +05:30,
 * Newfoundland's -03:30 and Lord Howe's half-hour DST change no. */
START_TEST(test_range_hourly)
{
	struct an_range r;
	const char *why;
	static const struct {
		const char *tz, *from, *to;
		bool hourly;
	} cases[] = {
		{ "UTC", "2026-01-01", "2026-12-31", true },
		{ "Europe/Kyiv", "2026-03-28", "2026-03-30", true },
		{ "America/New_York", "2026-10-01", "2026-11-30", true },
		{ "Asia/Kolkata", "2026-01-01", "2026-01-31", false },
		{ "America/St_Johns", "2026-06-01", "2026-06-30", false },
		{ "Australia/Lord_Howe", "2026-03-01", "2026-04-30", false },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(an_range_parse(cases[i].from, cases[i].to,
		    cases[i].to, cases[i].tz, &r, &why), CB_OK);
		ck_assert_msg(an_range_hourly(&r) == cases[i].hourly, "%s",
		    cases[i].tz);
	}
}
END_TEST

START_TEST(test_range_bad)
{
	struct an_range r;
	const char *why = NULL;

	ck_assert_int_eq(an_range_parse("2026-03-30", "2026-03-28",
	    "2026-12-01", "UTC", &r, &why), CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "inverted"));
	ck_assert_int_eq(an_range_parse("2024-03-27", "2026-03-28",
	    "2026-12-01", "UTC", &r, &why), CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "2 years"));
	ck_assert_int_eq(an_range_parse("2024-03-29", "2026-03-28",
	    "2026-12-01", "UTC", &r, &why), CB_OK);
	ck_assert_int_eq(r.days, 730);
	ck_assert_int_eq(an_range_parse("2026-02-29", "2026-03-28",
	    "2026-12-01", "UTC", &r, &why), CB_EINVAL);
	ck_assert_int_eq(an_range_parse("2026-3-1", NULL, "2026-12-01", "UTC",
	    &r, &why), CB_EINVAL);
	ck_assert_int_eq(an_range_parse("", "2026-13-01", "2026-12-01", "UTC",
	    &r, &why), CB_EINVAL);
	/* Nothing given: the last 30 days to today. */
	ck_assert_int_eq(an_range_parse(NULL, NULL, "2026-12-01", "UTC", &r,
	    &why), CB_OK);
	ck_assert_str_eq(r.from, "2026-11-02");
	ck_assert_str_eq(r.to, "2026-12-01");
}
END_TEST

START_TEST(test_percentiles)
{
	int64_t v[] = { 40, 5, 20, 10, 3 }, one[] = { 7 };
	int64_t hist[61] = { 0 };

	ck_assert_int_eq(an_percentile(v, 5, 50), 10);
	ck_assert_int_eq(an_percentile(v, 5, 90), 40);
	ck_assert_int_eq(an_percentile(one, 1, 90), 7);
	ck_assert_int_eq(an_percentile(NULL, 0, 50), -1);
	hist[3] = hist[5] = hist[10] = hist[20] = hist[40] = 1;
	ck_assert_int_eq(an_hist_percentile(hist, 61, 50), 10);
	ck_assert_int_eq(an_hist_percentile(hist, 61, 90), 40);
	memset(hist, 0, sizeof(hist));
	ck_assert_int_eq(an_hist_percentile(hist, 61, 50), -1);
	/* Four values: the median is the 2nd (nearest rank). */
	hist[1] = hist[2] = hist[3] = hist[4] = 1;
	ck_assert_int_eq(an_hist_percentile(hist, 61, 50), 2);
}
END_TEST

START_TEST(test_follow_class)
{
	ck_assert_int_eq(an_follow_class(-1, 900), FOLLOW_NEVER);
	ck_assert_int_eq(an_follow_class(0, 900), FOLLOW_WITHIN);
	ck_assert_int_eq(an_follow_class(900, 900), FOLLOW_WITHIN);
	ck_assert_int_eq(an_follow_class(901, 900), FOLLOW_LATE);
	ck_assert_int_eq(an_permille(1, 3), 333);
	ck_assert_int_eq(an_permille(2, 3), 667);
	ck_assert_int_eq(an_permille(5, 0), 0);
}
END_TEST

static Suite *
analytics_suite(void)
{
	Suite *s = suite_create("analytics");
	TCase *tc = tcase_create("range and stats");

	tcase_add_test(tc, test_range_kyiv_spring_forward);
	tcase_add_test(tc, test_range_new_york_fall_back);
	tcase_add_test(tc, test_range_half_hour_zone_no_change);
	tcase_add_test(tc, test_range_hourly);
	tcase_add_test(tc, test_range_bad);
	tcase_add_test(tc, test_percentiles);
	tcase_add_test(tc, test_follow_class);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(analytics_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
