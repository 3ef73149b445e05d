/* The analytics page's SQL (issue 21): one function per figure, each a
 * GROUP BY over the calls of the range, filtered like the history page so
 * that every count links to the history with the same calls
 * (lib/db/call.c builds the history's query with the same result
 * classes, CALL_RESULTS_MISSED). Statements are assembled from static
 * fragments only; every value is bound. A call's local time is its UTC
 * start plus the zone's offset in force (struct an_range's segments), so
 * days and hours are the viewer's, DST included, without MariaDB's zone
 * tables. The caller fetches rows with db_fetch() and reads the columns
 * named in each function's comment. */
#ifndef CB_ANALYTICS_QUERY_H
#define CB_ANALYTICS_QUERY_H

#include <stdbool.h>
#include <stdint.h>

#include "analytics/range.h"
#include "db/db.h"

/* What the figures count: every value 0/NULL = any. */
struct an_filter {
	int64_t manager_id;
	int64_t integration_id;
	int64_t store_id;
	const char *line;          /* our_number, E.164 */
	const char *direction;     /* "in", "out", "internal" */
	/* Scope "own": the user's id (every query adds manager_id = it);
	 * 0 = all. */
	int64_t scope_manager;
};

/* Which span of the range a query covers. */
enum an_span {
	SPAN_RANGE = 0,      /* [from, to] */
	SPAN_WITH_PREV,      /* [prev_from, to]: the previous period too */
};

/* Where the counting figures come from: the hourly summaries (0028,
 * kept by cb_analytics_fold: the worker, lib/analytics/fold.h) or the
 * calls. Both give the same rows. */
enum an_source {
	AN_FROM_CALLS = 0,
	AN_FROM_SUMMARIES,
};

/* Folds what little waits to be folded (at most AN_FOLD_PAGE_HOURS hours,
 * and dirty numbers with up to 50 calls an hour: 0037; waiting up to
 * AN_FOLD_PAGE_WAIT s for another folder), then chooses where each kind
 * of figure is read: *src, the counting figures: the hourly summaries
 * when the range is in whole UTC hours (an_range_hourly) and none of its
 * hours (the previous period's included) is still dirty; else the calls.
 * *numbers_src, the missed-call follow-up and new versus returning
 * callers: the per-call and per-number summaries (0032) when no number
 * waits to be folded (a number's change can change any earlier missed
 * call of it, so any dirty number counts); else the calls. These are
 * exact to the millisecond, so any time zone reads them. */
#define AN_FOLD_PAGE_HOURS 48
#define AN_FOLD_PAGE_WAIT 2
enum cb_err an_q_source(struct db *db, const struct an_range *r,
    enum an_source *src, enum an_source *numbers_src);
/* CALL cb_analytics_fold(max_hours, wait_seconds): *folded hours and
 * numbers (-1: another folder holds the lease), *pending: dirty hours or
 * numbers are left. Either may be NULL. */
enum cb_err an_fold(struct db *db, unsigned max_hours, int wait_seconds,
    int *folded, bool *pending);

/* Rows (local day as days since 1970-01-01, direction, answered, missed,
 * other), over SPAN_WITH_PREV. */
enum cb_err an_q_daily(struct db *db, enum an_source src,
    const struct an_range *r, const struct an_filter *f,
    struct db_stmt **out);
/* Rows (weekday 0 = Monday, hour 0-23, incoming calls, missed of them). */
enum cb_err an_q_heatmap(struct db *db, enum an_source src,
    const struct an_range *r, const struct an_filter *f,
    struct db_stmt **out);
/* Rows (manager id or NULL, name, incoming answered, their talk seconds
 * summed, their longest, incoming missed) ordered by name. */
enum cb_err an_q_managers(struct db *db, enum an_source src,
    const struct an_range *r, const struct an_filter *f,
    struct db_stmt **out);
/* Rows (wait seconds capped at AN_WAIT_CAP, count) of answered incoming
 * calls. */
#define AN_WAIT_CAP 3600
enum cb_err an_q_wait(struct db *db, enum an_source src,
    const struct an_range *r, const struct an_filter *f,
    struct db_stmt **out);
/* The missed-call follow-up from the calls, two lists sorted by (number
 * digits, start): the missed incoming calls with a number (id, number,
 * started_at UTC, digits, start in epoch ms), and the answered calls of
 * those numbers since the range began (digits, start in epoch ms,
 * direction, manager id, id). cgi/analytics.c merges them. */
enum cb_err an_q_missed(struct db *db, const struct an_range *r,
    const struct an_filter *f, struct db_stmt **out);
enum cb_err an_q_answered_after(struct db *db, const struct an_range *r,
    const struct an_filter *f, struct db_stmt **out);
/* The same follow-up from analytics_followups (0032), already paired,
 * newest first: (id, number, started_at UTC, start in epoch ms, delay
 * seconds or NULL when never handled, the handling call's id, its
 * manager id or NULL, 1 when it was outgoing). */
enum cb_err an_q_followups(struct db *db, const struct an_range *r,
    const struct an_filter *f, struct db_stmt **out);
/* Rows (our_number, store id or NULL, store name, calls, answered,
 * missed), most calls first, at most 200. */
enum cb_err an_q_lines(struct db *db, enum an_source src,
    const struct an_range *r, const struct an_filter *f,
    struct db_stmt **out);
/* One row (distinct incoming numbers, of which first called in the
 * range). From the summaries: a count over analytics_callers (0034), each
 * number counted by its first incoming call of the range; with two
 * filters or more, the range's distinct numbers with their first calls
 * from analytics_first_calls (0032). */
enum cb_err an_q_callers(struct db *db, enum an_source src,
    const struct an_range *r, const struct an_filter *f,
    struct db_stmt **out);
/* Rows (id, name) of every store by name, at most 1000. */
enum cb_err an_q_stores(struct db *db, struct db_stmt **out);
/* The follow-up target in minutes (settings row
 * analytics.callback_target_minutes; AN_TARGET_DEFAULT when unset or not a
 * number in AN_TARGET_MIN..AN_TARGET_MAX). Set on Settings › Analytics. */
#define AN_TARGET_DEFAULT 15
#define AN_TARGET_MIN 1
#define AN_TARGET_MAX 1440
enum cb_err an_q_target_minutes(struct db *db, int64_t *minutes);
/* Stores it; CB_EINVAL outside AN_TARGET_MIN..AN_TARGET_MAX. */
enum cb_err an_q_set_target_minutes(struct db *db, int64_t minutes);

/* How long a report may take, in seconds (settings row
 * analytics.time_limit_seconds, 1..AN_TIME_LIMIT_MAX; AN_TIME_LIMIT_DEFAULT
 * otherwise): below nginx's fastcgi_read_timeout (15 s in
 * etc/nginx/callboard.conf), so the page, not nginx, tells the person,
 * and the database stops working on a report nobody waits for. */
#define AN_TIME_LIMIT_DEFAULT 12
#define AN_TIME_LIMIT_MAX 600
enum cb_err an_q_time_limit(struct db *db, int64_t *seconds);
/* Every later statement of the session stops after ms milliseconds
 * (MariaDB's max_statement_time; db_timed_out() then); 0 = no limit. */
enum cb_err an_q_statement_limit(struct db *db, int64_t ms);

#endif
