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

/* Rows (local day as days since 1970-01-01, direction, outcome 0
 * answered / 1 missed / 2 other, count), over SPAN_WITH_PREV. */
enum cb_err an_q_daily(struct db *db, const struct an_range *r,
    const struct an_filter *f, struct db_stmt **out);
/* Rows (weekday 0 = Monday, hour 0-23, incoming calls, missed of them). */
enum cb_err an_q_heatmap(struct db *db, const struct an_range *r,
    const struct an_filter *f, struct db_stmt **out);
/* Rows (manager id or NULL, name, incoming answered, their talk seconds
 * summed, their longest, incoming missed) ordered by name. */
enum cb_err an_q_managers(struct db *db, const struct an_range *r,
    const struct an_filter *f, struct db_stmt **out);
/* Rows (wait seconds capped at AN_WAIT_CAP, count) of answered incoming
 * calls. */
#define AN_WAIT_CAP 3600
enum cb_err an_q_wait(struct db *db, const struct an_range *r,
    const struct an_filter *f, struct db_stmt **out);
/* The missed-call follow-up, two lists sorted by (number digits, start):
 * the missed incoming calls with a number (id, number, started_at UTC,
 * digits, start in epoch ms), and the answered calls of those numbers since
 * the range began (digits, start in epoch ms, direction, manager id, id). */
enum cb_err an_q_missed(struct db *db, const struct an_range *r,
    const struct an_filter *f, struct db_stmt **out);
enum cb_err an_q_answered_after(struct db *db, const struct an_range *r,
    const struct an_filter *f, struct db_stmt **out);
/* Rows (our_number, store id or NULL, store name, calls, answered,
 * missed), most calls first, at most 200. */
enum cb_err an_q_lines(struct db *db, const struct an_range *r,
    const struct an_filter *f, struct db_stmt **out);
/* One row (distinct incoming numbers, of which first called in the
 * range). */
enum cb_err an_q_callers(struct db *db, const struct an_range *r,
    const struct an_filter *f, struct db_stmt **out);
/* Rows (id, name) of every store by name, at most 1000. */
enum cb_err an_q_stores(struct db *db, struct db_stmt **out);
/* The follow-up target in minutes (settings row
 * analytics.callback_target_minutes; 15 when unset or not a number in
 * 1..1440). */
enum cb_err an_q_target_minutes(struct db *db, int64_t *minutes);

#endif
