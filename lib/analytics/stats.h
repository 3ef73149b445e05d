/* Small statistics for the analytics page (issue 21): percentiles and the
 * missed-call follow-up classes. Pure; tests/unit/test_analytics.c. */
#ifndef CB_ANALYTICS_STATS_H
#define CB_ANALYTICS_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Nearest-rank percentile p (1..100) of values 0..n-1 where hist[v] is how
 * many times v occurs: the smallest v with at least ceil(p/100 * N) values
 * at or below it (the median of 4 values is the 2nd). -1 when empty. */
int64_t an_hist_percentile(const int64_t *hist, size_t n, int p);
/* The same over v[0..n) (sorted in place). -1 when n is 0. */
int64_t an_percentile(int64_t *v, size_t n, int p);

/* What became of a missed incoming call (issue 21 §3). */
enum an_follow {
	FOLLOW_WITHIN = 0, /* an answered call with the number within target */
	FOLLOW_LATE,       /* later than the target */
	FOLLOW_NEVER,      /* none yet */
	FOLLOW__MAX
};
/* delay: seconds from the missed call's start to the start of the first
 * later answered call with that number (either direction), -1 if none. */
enum an_follow an_follow_class(int64_t delay, int64_t target_seconds);

/* 1000 × part / whole rounded, 0 when whole is 0: a rate in tenths of a
 * per cent (the page prints "87.5%", "87,5 %": i18n_format_percent). */
int64_t an_permille(int64_t part, int64_t whole);
/* permille (>= 0) as machines write the per cent: "87.5", "100.0". */
#define AN_PERMILLE_TEXT 24
void an_permille_text(int64_t permille, char out[AN_PERMILLE_TEXT]);

#endif
