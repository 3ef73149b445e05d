#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/query.h"
#include "core/buf.h"
#include "core/log.h"
#include "db/call.h"

/* Statement texts are templates of static fragments with three marks:
 *   @L  the call's local start (c.started_at + the offset in force), or
 *       the summary row's local hour (c.hour + it)
 *   @W  the span and the filters (a WHERE condition)
 *   @F  the range's first instant (UTC), bound
 * expanded left to right so that the bound values follow the text. The
 * summaries (migration 0028) are read with the alias c too, so the filters
 * are the same text on both. */

/* Every range scan reads ix_calls_analytics (0022), which holds all the
 * columns these queries need: the optimizer otherwise took
 * ix_calls_direction_started as a "ref" on direction alone and walked
 * every incoming call ever (EXPLAIN at 1M calls). */
#define FROM_CALLS "FROM calls c FORCE INDEX (ix_calls_analytics)"

static const char sql_daily[] =
    "SELECT TO_DAYS(@L) - 719528 AS d, c.direction, "
    "SUM(c.result = 'answered'), SUM(c.result IN (" CALL_RESULTS_MISSED ")), "
    "SUM(c.result NOT IN ('answered', " CALL_RESULTS_MISSED ")) "
    FROM_CALLS " WHERE @W GROUP BY d, c.direction";
static const char sql_heatmap[] =
    "SELECT WEEKDAY(@L) AS wd, HOUR(@L) AS h, COUNT(*), "
    "SUM(c.result IN (" CALL_RESULTS_MISSED ")) " FROM_CALLS " "
    "WHERE @W AND c.direction = 'in' GROUP BY wd, h";
static const char sql_managers[] =
    "SELECT c.manager_id, u.name, "
    "SUM(c.direction = 'in' AND c.result = 'answered'), "
    "SUM(IF(c.direction = 'in' AND c.result = 'answered', "
    "c.talk_seconds, 0)), "
    "MAX(IF(c.direction = 'in' AND c.result = 'answered', "
    "c.talk_seconds, 0)), "
    "SUM(c.direction = 'in' AND c.result IN (" CALL_RESULTS_MISSED ")) "
    FROM_CALLS " LEFT JOIN users u ON u.id = c.manager_id WHERE @W "
    "GROUP BY c.manager_id, u.name ORDER BY u.name IS NULL, u.name, "
    "c.manager_id";
static const char sql_wait[] =
    "SELECT LEAST(c.wait_seconds, 3600) AS w, COUNT(*) " FROM_CALLS " "
    "WHERE @W AND c.direction = 'in' AND c.result = 'answered' GROUP BY w";
/* The missed-calls list's rule (lib/db/tasklist.c): a missed call is
 * handled by any later answered call with the number, whichever way it
 * went. A dependent subquery per missed call walked every older answered
 * call of the number (MariaDB takes the outer time as a filter, not a
 * range: 46 s for a month at 1M calls), so the page reads two sorted
 * lists and merges them (cgi/analytics.c): the missed calls, and the
 * answered calls of their numbers since the range began
 * (ix_calls_followup). Times as epoch milliseconds (the session is UTC). */
static const char sql_missed[] =
    "SELECT c.id, c.client_number, c.started_at, c.client_digits_rev, "
    "FLOOR(UNIX_TIMESTAMP(c.started_at) * 1000) " FROM_CALLS " "
    "WHERE @W AND c.direction = 'in' AND c.result IN ("
    CALL_RESULTS_MISSED ") AND c.client_digits_rev <> '' "
    "ORDER BY c.client_digits_rev, c.started_at, c.id";
static const char sql_answered_after[] =
    "SELECT a.client_digits_rev, FLOOR(UNIX_TIMESTAMP(a.started_at) * 1000), "
    "a.direction, a.manager_id, a.id FROM calls a "
    "WHERE a.result = 'answered' AND a.started_at >= @F AND "
    "a.client_digits_rev IN (SELECT c.client_digits_rev " FROM_CALLS " "
    "WHERE @W AND c.direction = 'in' AND c.result IN ("
    CALL_RESULTS_MISSED ") AND c.client_digits_rev <> '') "
    "ORDER BY a.client_digits_rev, a.started_at, a.id";
/* The same pairs, folded (0032): the missed call's own columns carry the
 * filters (every row is incoming: run_on's no_direction). */
static const char sum_followups[] =
    "SELECT c.call_id, c.client_number, c.started_at, "
    "FLOOR(UNIX_TIMESTAMP(c.started_at) * 1000), c.delay_seconds, "
    "c.handled_id, c.handled_manager_id, c.handled_out "
    "FROM analytics_followups c WHERE @W "
    "ORDER BY c.started_at DESC, c.call_id DESC";
static const char sql_lines[] =
    "SELECT c.our_number, c.store_id, s.name, COUNT(*), "
    "SUM(c.result = 'answered'), SUM(c.result IN (" CALL_RESULTS_MISSED "))"
    " " FROM_CALLS " LEFT JOIN stores s ON s.id = c.store_id WHERE @W "
    "GROUP BY c.our_number, c.store_id, s.name "
    "ORDER BY COUNT(*) DESC, c.our_number LIMIT 200";

/* The same figures from the hourly summaries (0028: analytics_hours,
 * analytics_waits; 0 = no store / no manager), same columns and order. */
#define FROM_HOURS "FROM analytics_hours c"
static const char sum_daily[] =
    "SELECT TO_DAYS(@L) - 719528 AS d, c.direction, SUM(c.answered), "
    "SUM(c.missed), SUM(c.other) " FROM_HOURS " WHERE @W "
    "GROUP BY d, c.direction";
static const char sum_heatmap[] =
    "SELECT WEEKDAY(@L) AS wd, HOUR(@L) AS h, "
    "SUM(c.answered + c.missed + c.other), SUM(c.missed) " FROM_HOURS " "
    "WHERE @W AND c.direction = 'in' GROUP BY wd, h";
static const char sum_managers[] =
    "SELECT NULLIF(c.manager_id, 0), u.name, "
    "SUM(IF(c.direction = 'in', c.answered, 0)), "
    "SUM(IF(c.direction = 'in', c.talk_sum, 0)), "
    "MAX(IF(c.direction = 'in', c.talk_max, 0)), "
    "SUM(IF(c.direction = 'in', c.missed, 0)) "
    FROM_HOURS " LEFT JOIN users u ON u.id = c.manager_id WHERE @W "
    "GROUP BY c.manager_id, u.name ORDER BY u.name IS NULL, u.name, "
    "c.manager_id";
static const char sum_wait[] =
    "SELECT c.wait_seconds, SUM(c.calls) FROM analytics_waits c WHERE @W "
    "GROUP BY c.wait_seconds";
static const char sum_lines[] =
    "SELECT c.our_number, NULLIF(c.store_id, 0), s.name, "
    "SUM(c.answered + c.missed + c.other) AS n, SUM(c.answered), "
    "SUM(c.missed) " FROM_HOURS " LEFT JOIN stores s ON s.id = c.store_id "
    "WHERE @W GROUP BY c.our_number, c.store_id, s.name "
    "ORDER BY n DESC, c.our_number LIMIT 200";
/* Without any filter: the per-figure tables (a few rows an hour). The
 * managers' table holds incoming calls only. */
static const char one_daily[] =
    "SELECT TO_DAYS(@L) - 719528 AS d, c.direction, SUM(c.answered), "
    "SUM(c.missed), SUM(c.other) FROM analytics_hour_totals c WHERE @W "
    "GROUP BY d, c.direction";
static const char one_heatmap[] =
    "SELECT WEEKDAY(@L) AS wd, HOUR(@L) AS h, "
    "SUM(c.answered + c.missed + c.other), SUM(c.missed) "
    "FROM analytics_hour_totals c WHERE @W AND c.direction = 'in' "
    "GROUP BY wd, h";
static const char one_managers[] =
    "SELECT NULLIF(c.manager_id, 0), u.name, SUM(c.answered), "
    "SUM(c.talk_sum), MAX(c.talk_max), SUM(c.missed) "
    "FROM analytics_hour_managers c LEFT JOIN users u ON u.id = c.manager_id "
    "WHERE @W GROUP BY c.manager_id, u.name ORDER BY u.name IS NULL, u.name, "
    "c.manager_id";
static const char one_wait[] =
    "SELECT c.wait_seconds, SUM(c.calls) FROM analytics_hour_waits c "
    "WHERE @W GROUP BY c.wait_seconds";
static const char one_lines[] =
    "SELECT c.our_number, NULLIF(c.store_id, 0), s.name, SUM(c.calls) AS n, "
    "SUM(c.answered), SUM(c.missed) FROM analytics_hour_lines c "
    "LEFT JOIN stores s ON s.id = c.store_id WHERE @W "
    "GROUP BY c.our_number, c.store_id, s.name "
    "ORDER BY n DESC, c.our_number LIMIT 200";
/* Summaries are read only for a range none of whose hours waits to be
 * folded (an_q_source). */
static const char sql_fold[] = "CALL cb_analytics_fold(?, ?)";
static const char sql_any_dirty[] =
    "SELECT EXISTS (SELECT 1 FROM analytics_dirty), "
    "EXISTS (SELECT 1 FROM analytics_numbers_dirty)";
static const char sql_dirty_in[] =
    "SELECT EXISTS (SELECT 1 FROM analytics_dirty WHERE hour >= ? AND "
    "hour < ?), EXISTS (SELECT 1 FROM analytics_numbers_dirty)";
/* A number is new when it has no call before the range. NOT EXISTS stops
 * at the number's first index entry when it has an older call (most
 * numbers of a busy line); MIN(started_at) read every call of the number
 * (thousands for a regular customer). */
static const char sql_callers[] =
    "SELECT COUNT(*), COALESCE(SUM(f.fresh), 0) FROM ("
    "SELECT c.client_digits_rev, NOT EXISTS (SELECT 1 FROM calls a "
    "FORCE INDEX (ix_calls_client_digits_rev) "
    "WHERE a.client_digits_rev = c.client_digits_rev AND a.started_at < @F)"
    " AS fresh " FROM_CALLS " WHERE @W AND c.direction = 'in' AND "
    "c.client_digits_rev <> '' GROUP BY c.client_digits_rev) f";
/* The same from each number's first call (0032): the distinct numbers
 * are still the range's calls (ix_calls_analytics holds the digits), but
 * no number's older calls are read. */
static const char sum_callers[] =
    "SELECT COUNT(*), COALESCE(SUM(COALESCE(fc.first_at >= @F, 1)), 0) "
    "FROM (SELECT DISTINCT c.client_digits_rev " FROM_CALLS " WHERE @W "
    "AND c.direction = 'in' AND c.client_digits_rev <> '') f "
    "LEFT JOIN analytics_first_calls fc "
    "ON fc.client_digits_rev = f.client_digits_rev";
/* The same from analytics_callers (0034): a number is counted once, by
 * its first incoming call of the range, the one whose previous incoming
 * call (with the same filter value) is before the range or absent; it is
 * new when its first call of any direction is not before the range. A
 * count over a range of the table: no DISTINCT, no temporary table. */
#define SUM_CALLERS(prev) \
    "SELECT COUNT(*), COALESCE(SUM(c.first_at >= @F), 0) " \
    "FROM analytics_callers c " \
    "WHERE @W AND COALESCE(c." prev " < @F, 1)"
static const char sum_callers_all[] = SUM_CALLERS("prev_at");
static const char sum_callers_manager[] = SUM_CALLERS("prev_manager_at");
static const char sum_callers_line[] = SUM_CALLERS("prev_line_at");
static const char sum_callers_integration[] =
    SUM_CALLERS("prev_integration_at");
static const char sum_callers_store[] = SUM_CALLERS("prev_store_at");
static const char sql_stores[] =
    "SELECT id, name FROM stores ORDER BY name, id LIMIT 1000";
static const char sql_target[] =
    "SELECT value FROM settings WHERE name = "
    "'analytics.callback_target_minutes'";
static const char sql_time_limit[] =
    "SELECT value FROM settings WHERE name = 'analytics.time_limit_seconds'";
/* Bound in milliseconds (the variable is a DOUBLE of seconds, and takes
 * no string); 0 = no limit. */
static const char sql_statement_limit[] =
    "SET SESSION max_statement_time = ? / 1000";
static const char sql_target_set[] =
    "INSERT INTO settings (name, value) VALUES "
    "('analytics.callback_target_minutes', ?) "
    "ON DUPLICATE KEY UPDATE value = VALUES(value)";

#define PARAMS_MAX (4 * AN_SEGS_MAX + 16)

struct qb {
	struct buf sql;
	const char *tcol;        /* the time column: c.started_at or c.hour */
	bool no_direction;       /* analytics_waits: incoming calls only */
	struct {
		bool is_str;
		int64_t i;
		char s[24];
		const char *p;      /* a borrowed string (filters) */
	} v[PARAMS_MAX];
	unsigned n;
};

static void
p_i64(struct qb *q, int64_t v)
{
	if (q->n < PARAMS_MAX) {
		q->v[q->n].is_str = false;
		q->v[q->n++].i = v;
	}
}

static void
p_time(struct qb *q, int64_t t)
{
	if (q->n < PARAMS_MAX) {
		q->v[q->n].is_str = true;
		q->v[q->n].p = NULL;
		an_utc_format(t, q->v[q->n++].s);
	}
}

static void
p_str(struct qb *q, const char *s)
{
	if (q->n < PARAMS_MAX) {
		q->v[q->n].is_str = true;
		q->v[q->n++].p = s;
	}
}

static void
put_local(struct qb *q, const struct an_range *r)
{
	unsigned i;

	if (r->nsegs <= 1) {
		buf_puts(&q->sql, "(");
		buf_puts(&q->sql, q->tcol);
		buf_puts(&q->sql, " + INTERVAL ? SECOND)");
		p_i64(q, r->nsegs ? r->segs[0].offset : 0);
		return;
	}
	buf_puts(&q->sql, "(");
	buf_puts(&q->sql, q->tcol);
	buf_puts(&q->sql, " + INTERVAL (CASE");
	for (i = 1; i < r->nsegs; i++) {
		buf_puts(&q->sql, " WHEN ");
		buf_puts(&q->sql, q->tcol);
		buf_puts(&q->sql, " < ? THEN ?");
		p_time(q, r->segs[i].utc);
		p_i64(q, r->segs[i - 1].offset);
	}
	buf_puts(&q->sql, " ELSE ? END) SECOND)");
	p_i64(q, r->segs[r->nsegs - 1].offset);
}

static void
put_where(struct qb *q, const struct an_range *r, const struct an_filter *f,
    enum an_span span)
{
	buf_puts(&q->sql, q->tcol);
	buf_puts(&q->sql, " >= ? AND ");
	buf_puts(&q->sql, q->tcol);
	buf_puts(&q->sql, " < ?");
	p_time(q, span == SPAN_WITH_PREV ? r->prev_ts : r->from_ts);
	p_time(q, r->to_ts);
	if (f->scope_manager) {
		buf_puts(&q->sql, " AND c.manager_id = ?");
		p_i64(q, f->scope_manager);
	}
	if (f->manager_id) {
		buf_puts(&q->sql, " AND c.manager_id = ?");
		p_i64(q, f->manager_id);
	}
	if (f->integration_id) {
		buf_puts(&q->sql, " AND c.integration_id = ?");
		p_i64(q, f->integration_id);
	}
	if (f->store_id) {
		buf_puts(&q->sql, " AND c.store_id = ?");
		p_i64(q, f->store_id);
	}
	if (f->line) {
		buf_puts(&q->sql, " AND c.our_number = ?");
		p_str(q, f->line);
	}
	if (f->direction) {
		/* The waits are of incoming calls: another direction has
		 * none, as in the calls' query. */
		buf_puts(&q->sql, q->no_direction ? " AND 'in' = ?" :
		    " AND c.direction = ?");
		p_str(q, f->direction);
	}
}

static enum cb_err
run_on(struct db *db, const char *tmpl, const char *tcol, bool no_direction,
    const struct an_range *r, const struct an_filter *f, enum an_span span,
    struct db_stmt **out)
{
	struct qb *q;
	struct db_stmt *st;
	const char *p = tmpl, *at;
	enum cb_err rc;
	unsigned i;

	if ((q = calloc(1, sizeof(*q))) == NULL)
		return CB_ENOMEM;
	buf_init(&q->sql, 65536);
	q->tcol = tcol;
	q->no_direction = no_direction;
	while ((at = strchr(p, '@')) != NULL) {
		buf_append(&q->sql, p, (size_t)(at - p));
		switch (at[1]) {
		case 'L':
			put_local(q, r);
			break;
		case 'W':
			put_where(q, r, f, span);
			break;
		case 'F':
			buf_puts(&q->sql, "?");
			p_time(q, r->from_ts);
			break;
		default:
			abort();   /* a template typo: caught by every test */
		}
		p = at + 2;
	}
	buf_puts(&q->sql, p);
	if ((rc = q->sql.err) != CB_OK || q->n >= PARAMS_MAX ||
	    (rc = db_stmt_text(db, buf_cstr(&q->sql), &st)) != CB_OK)
		goto done;
	for (i = 0; i < q->n; i++) {
		if (!q->v[i].is_str)
			db_bind_i64(st, i, q->v[i].i);
		else if (q->v[i].p)
			db_bind_str(st, i, q->v[i].p, strlen(q->v[i].p));
		else
			db_bind_str(st, i, q->v[i].s, strlen(q->v[i].s));
	}
	if ((rc = db_exec(st)) == CB_OK)
		*out = st;
done:
	if (rc == CB_OK && q->n >= PARAMS_MAX)
		rc = CB_ETOOBIG;
	buf_free(&q->sql);
	free(q);
	return rc;
}

static enum cb_err
run(struct db *db, const char *tmpl, const struct an_range *r,
    const struct an_filter *f, enum an_span span, struct db_stmt **out)
{
	return run_on(db, tmpl, "c.started_at", false, r, f, span, out);
}

static bool
unfiltered(const struct an_filter *f)
{
	return !f->manager_id && !f->integration_id && !f->store_id &&
	    !f->line && !f->direction && !f->scope_manager;
}

/* A counting figure: from the summaries (the per-figure table when
 * nothing is filtered) or from the calls. */
static enum cb_err
run_count(struct db *db, enum an_source src, const char *raw,
    const char *sum, const char *one, const struct an_range *r,
    const struct an_filter *f, enum an_span span, struct db_stmt **out)
{
	if (src == AN_FROM_SUMMARIES && unfiltered(f))
		return run_on(db, one, "c.hour", false, r, f, span, out);
	if (src == AN_FROM_SUMMARIES)
		return run_on(db, sum, "c.hour", sum == sum_wait, r, f, span,
		    out);
	return run(db, raw, r, f, span, out);
}

enum cb_err
an_q_source(struct db *db, const struct an_range *r, enum an_source *src,
    enum an_source *numbers_src)
{
	struct db_stmt *st;
	enum cb_err rc;
	char a[20], b[20];
	bool any = true, dirty = true, numbers_dirty = true;

	*src = *numbers_src = AN_FROM_CALLS;
	/* The worker folds as calls change; what it has not reached yet
	 * (a second's worth, or a backlog after an upgrade) is folded here
	 * when small, so the page shows every committed call. Only when
	 * something is dirty: a fold takes and gives back the lease, two
	 * commits (two log flushes) per page for nothing otherwise. */
	if ((rc = db_stmt(db, sql_any_dirty, &st)) != CB_OK ||
	    (rc = db_exec(st)) != CB_OK)
		return rc;
	if (db_fetch(st) == CB_OK)
		any = db_col_i64(st, 0) != 0 || db_col_i64(st, 1) != 0;
	db_stmt_done(st);
	if (!any) {
		if (an_range_hourly(r))
			*src = AN_FROM_SUMMARIES;
		*numbers_src = AN_FROM_SUMMARIES;
		return CB_OK;
	}
	if (an_fold(db, AN_FOLD_PAGE_HOURS, AN_FOLD_PAGE_WAIT, NULL,
	    NULL) != CB_OK)
		/* e.g. a read-only replica: what is dirty is read from the
		 * calls below. */
		log_warn("analytics: fold failed: %s", db_error(db));
	an_utc_format(r->prev_ts, a);
	an_utc_format(r->to_ts, b);
	if ((rc = db_stmt(db, sql_dirty_in, &st)) != CB_OK)
		return rc;
	db_bind_str(st, 0, a, strlen(a));
	db_bind_str(st, 1, b, strlen(b));
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	if (db_fetch(st) == CB_OK) {
		dirty = db_col_i64(st, 0) != 0;
		numbers_dirty = db_col_i64(st, 1) != 0;
	}
	db_stmt_done(st);
	if (!dirty && an_range_hourly(r))
		*src = AN_FROM_SUMMARIES;
	if (!numbers_dirty)
		*numbers_src = AN_FROM_SUMMARIES;
	return CB_OK;
}

enum cb_err
an_fold(struct db *db, unsigned max_hours, int wait_seconds, int *folded,
    bool *pending)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_fold, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, max_hours);
	db_bind_i64(st, 1, wait_seconds);
	if ((rc = db_exec(st)) != CB_OK) {
		/* A procedure stopped half-way may leave its transaction. */
		db_rollback_any(db);
		return rc;
	}
	if ((rc = db_fetch(st)) == CB_OK) {
		if (folded)
			*folded = (int)db_col_i64(st, 0);
		if (pending)
			*pending = db_col_i64(st, 1) != 0;
	}
	db_stmt_done(st);
	return rc == CB_ENOTFOUND ? CB_EDB : rc;
}

enum cb_err
an_q_daily(struct db *db, enum an_source src, const struct an_range *r,
    const struct an_filter *f, struct db_stmt **out)
{
	return run_count(db, src, sql_daily, sum_daily, one_daily, r, f,
	    SPAN_WITH_PREV, out);
}

enum cb_err
an_q_heatmap(struct db *db, enum an_source src, const struct an_range *r,
    const struct an_filter *f, struct db_stmt **out)
{
	return run_count(db, src, sql_heatmap, sum_heatmap, one_heatmap, r, f,
	    SPAN_RANGE, out);
}

enum cb_err
an_q_managers(struct db *db, enum an_source src, const struct an_range *r,
    const struct an_filter *f, struct db_stmt **out)
{
	return run_count(db, src, sql_managers, sum_managers, one_managers, r,
	    f, SPAN_RANGE, out);
}

enum cb_err
an_q_wait(struct db *db, enum an_source src, const struct an_range *r,
    const struct an_filter *f, struct db_stmt **out)
{
	return run_count(db, src, sql_wait, sum_wait, one_wait, r, f,
	    SPAN_RANGE, out);
}

enum cb_err
an_q_lines(struct db *db, enum an_source src, const struct an_range *r,
    const struct an_filter *f, struct db_stmt **out)
{
	return run_count(db, src, sql_lines, sum_lines, one_lines, r, f,
	    SPAN_RANGE, out);
}

enum cb_err
an_q_missed(struct db *db, const struct an_range *r,
    const struct an_filter *f, struct db_stmt **out)
{
	return run(db, sql_missed, r, f, SPAN_RANGE, out);
}

enum cb_err
an_q_answered_after(struct db *db, const struct an_range *r,
    const struct an_filter *f, struct db_stmt **out)
{
	return run(db, sql_answered_after, r, f, SPAN_RANGE, out);
}

enum cb_err
an_q_followups(struct db *db, const struct an_range *r,
    const struct an_filter *f, struct db_stmt **out)
{
	return run_on(db, sum_followups, "c.started_at", true, r, f,
	    SPAN_RANGE, out);
}

/* analytics_callers' statement for the filters: one previous-call column
 * per filter, so at most one filter (the "own" scope is the manager
 * filter); NULL for more. */
static const char *
callers_by(const struct an_filter *f)
{
	bool manager = f->manager_id || f->scope_manager;
	int n = manager + (f->line != NULL) + (f->integration_id != 0) +
	    (f->store_id != 0);

	if (n == 0)
		return sum_callers_all;
	if (n > 1)
		return NULL;
	if (manager)
		return sum_callers_manager;
	if (f->line)
		return sum_callers_line;
	if (f->integration_id)
		return sum_callers_integration;
	return sum_callers_store;
}

enum cb_err
an_q_callers(struct db *db, enum an_source src, const struct an_range *r,
    const struct an_filter *f, struct db_stmt **out)
{
	const char *by;

	if (src != AN_FROM_SUMMARIES)
		return run(db, sql_callers, r, f, SPAN_RANGE, out);
	/* Every row is incoming (no_direction: another direction has
	 * none). */
	if ((by = callers_by(f)) != NULL)
		return run_on(db, by, "c.started_at", true, r, f, SPAN_RANGE,
		    out);
	return run(db, sum_callers, r, f, SPAN_RANGE, out);
}

enum cb_err
an_q_target_minutes(struct db *db, int64_t *minutes)
{
	struct db_stmt *st;
	enum cb_err rc;
	const char *v;
	char *end;
	long n;

	*minutes = AN_TARGET_DEFAULT;
	if ((rc = db_stmt(db, sql_target, &st)) != CB_OK ||
	    (rc = db_exec(st)) != CB_OK)
		return rc;
	if (db_fetch(st) == CB_OK && (v = db_col(st, 0, NULL)) != NULL) {
		n = strtol(v, &end, 10);
		if (end != v && *end == '\0' && n >= AN_TARGET_MIN &&
		    n <= AN_TARGET_MAX)
			*minutes = n;
	}
	db_stmt_done(st);
	return CB_OK;
}

enum cb_err
an_q_set_target_minutes(struct db *db, int64_t minutes)
{
	struct db_stmt *st;
	enum cb_err rc;
	char v[24];

	if (minutes < AN_TARGET_MIN || minutes > AN_TARGET_MAX)
		return CB_EINVAL;
	snprintf(v, sizeof(v), "%lld", (long long)minutes);
	if ((rc = db_stmt(db, sql_target_set, &st)) != CB_OK)
		return rc;
	db_bind_str(st, 0, v, strlen(v));
	rc = db_exec(st);
	db_stmt_done(st);
	return rc;
}

enum cb_err
an_q_stores(struct db *db, struct db_stmt **out)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_stores, &st)) != CB_OK ||
	    (rc = db_exec(st)) != CB_OK)
		return rc;
	*out = st;
	return CB_OK;
}

enum cb_err
an_q_time_limit(struct db *db, int64_t *seconds)
{
	struct db_stmt *st;
	enum cb_err rc;
	const char *v;
	char *end;
	long n;

	*seconds = AN_TIME_LIMIT_DEFAULT;
	if ((rc = db_stmt(db, sql_time_limit, &st)) != CB_OK ||
	    (rc = db_exec(st)) != CB_OK)
		return rc;
	if (db_fetch(st) == CB_OK && (v = db_col(st, 0, NULL)) != NULL) {
		n = strtol(v, &end, 10);
		if (end != v && *end == '\0' && n >= 1 && n <= AN_TIME_LIMIT_MAX)
			*seconds = n;
	}
	db_stmt_done(st);
	return CB_OK;
}

enum cb_err
an_q_statement_limit(struct db *db, int64_t ms)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_statement_limit, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, ms);
	rc = db_exec(st);
	db_stmt_done(st);
	return rc;
}
