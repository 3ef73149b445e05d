#include "config.h"

#include <stdio.h>
#include <string.h>

#include "db/job.h"
#include "db/reconcile.h"

static const char sql_insert[] =
    "INSERT INTO reconcile_runs (integration_id, trigger_kind, window_from, "
    "window_to, state) VALUES (?, ?, FROM_UNIXTIME(?), FROM_UNIXTIME(?), ?)";

static enum cb_err
run_insert(struct db *db, int64_t integration_id, const char *trigger,
    int64_t from_s, int64_t to_s, const char *state, int64_t *run_id)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_insert, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, integration_id);
	db_bind_text(st, 1, trigger);
	db_bind_i64(st, 2, from_s);
	db_bind_i64(st, 3, to_s);
	db_bind_text(st, 4, state);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	*run_id = (int64_t)db_insert_id(st);
	return CB_OK;
}

enum cb_err
db_reconcile_queue(struct db *db, int64_t integration_id, const char *trigger,
    int64_t from_s, int64_t to_s, int64_t *run_id)
{
	struct job_new jn;
	char payload[64];
	enum cb_err rc;

	if ((rc = db_begin(db)) != CB_OK)
		return rc;
	if ((rc = run_insert(db, integration_id, trigger, from_s, to_s,
	    "queued", run_id)) == CB_OK) {
		snprintf(payload, sizeof(payload), "{\"run_id\":%lld}",
		    (long long)*run_id);
		memset(&jn, 0, sizeof(jn));
		jn.kind = JOB_RECONCILE;
		jn.payload = payload;
		/* A provider that fails now is asked again by the next
		 * scheduled run, not by retries piling up. */
		jn.max_attempts = 2;
		jn.backoff = 60;
		rc = db_job_add_ex(db, &jn, NULL);
	}
	if (rc == CB_OK)
		return db_commit(db);
	db_rollback(db);
	return rc;
}

enum cb_err
db_reconcile_start(struct db *db, int64_t integration_id, const char *trigger,
    int64_t from_s, int64_t to_s, int64_t *run_id)
{
	return run_insert(db, integration_id, trigger, from_s, to_s, "running",
	    run_id);
}

static const char sql_get[] =
    "SELECT i.slug, FLOOR(UNIX_TIMESTAMP(r.window_from)), "
    "FLOOR(UNIX_TIMESTAMP(r.window_to)) FROM reconcile_runs r "
    "JOIN integrations i ON i.id = r.integration_id WHERE r.id = ?";

enum cb_err
db_reconcile_get(struct db *db, int64_t run_id, char *slug, size_t slugsz,
    int64_t *from_s, int64_t *to_s)
{
	struct db_stmt *st;
	enum cb_err rc;
	const char *s;

	if ((rc = db_stmt(db, sql_get, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, run_id);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	if ((rc = db_fetch(st)) == CB_OK) {
		s = db_col(st, 0, NULL);
		snprintf(slug, slugsz, "%s", s ? s : "");
		*from_s = db_col_i64(st, 1);
		*to_s = db_col_i64(st, 2);
	}
	db_stmt_done(st);
	return rc;
}

static const char sql_running[] =
    "UPDATE reconcile_runs SET state = 'running' WHERE id = ?";

enum cb_err
db_reconcile_running(struct db *db, int64_t run_id)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_running, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, run_id);
	return db_exec(st);
}

static const char sql_finish[] =
    "UPDATE reconcile_runs SET state = ?, finished_at = UTC_TIMESTAMP(3), "
    "records = ?, recovered = ?, completed = ?, unchanged = ?, refused = ?, "
    "error = LEFT(?, 500) WHERE id = ?";

enum cb_err
db_reconcile_finish(struct db *db, int64_t run_id, bool ok,
    const struct reconcile_counts *n, const char *error)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_finish, &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, ok ? "ok" : "failed");
	db_bind_i64(st, 1, n->records);
	db_bind_i64(st, 2, n->recovered);
	db_bind_i64(st, 3, n->completed);
	db_bind_i64(st, 4, n->unchanged);
	db_bind_i64(st, 5, n->refused);
	db_bind_text(st, 6, error);
	db_bind_i64(st, 7, run_id);
	return db_exec(st);
}

static const char sql_candidates[] =
    "SELECT i.id, i.kind, i.config FROM integrations i WHERE i.enabled = 1 "
    "AND NOT EXISTS (SELECT 1 FROM reconcile_runs r WHERE "
    "r.integration_id = i.id AND r.state IN ('queued', 'running') AND "
    "r.created_at > UTC_TIMESTAMP(3) - INTERVAL 1 HOUR) ORDER BY i.id";

enum cb_err
db_reconcile_candidates(struct db *db, struct db_stmt **out)
{
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_candidates, out)) != CB_OK)
		return rc;
	return db_exec(*out);
}

static const char sql_runs[] =
    "SELECT id, trigger_kind, window_from, window_to, state, created_at, "
    "finished_at, records, recovered, completed, unchanged, refused, error "
    "FROM reconcile_runs WHERE integration_id = ? ORDER BY id DESC LIMIT ?";

enum cb_err
db_reconcile_runs(struct db *db, int64_t integration_id, unsigned limit,
    struct db_stmt **out)
{
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_runs, out)) != CB_OK)
		return rc;
	db_bind_i64(*out, 0, integration_id);
	db_bind_i64(*out, 1, limit);
	return db_exec(*out);
}

static const char sql_last_event[] =
    "SELECT received_at, source, kind FROM call_events "
    "WHERE integration_id = ? ORDER BY received_at DESC LIMIT 1";

enum cb_err
db_integration_last_event(struct db *db, int64_t integration_id,
    struct db_stmt **out)
{
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_last_event, out)) != CB_OK)
		return rc;
	db_bind_i64(*out, 0, integration_id);
	if ((rc = db_exec(*out)) != CB_OK)
		return rc;
	return db_fetch(*out);
}

static const char sql_outcome_add[] =
    "INSERT INTO event_outcomes (integration_id, source, outcome, kind, "
    "external_id, why, preview) VALUES (?, ?, ?, LEFT(?, 40), "
    "LEFT(?, 128), LEFT(?, 255), LEFT(?, 1000))";

enum cb_err
db_event_outcome_add(struct db *db, int64_t integration_id,
    const char *source, const char *outcome, const char *kind,
    const char *external_id, const char *why, const char *preview)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_outcome_add, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, integration_id);
	db_bind_text(st, 1, source);
	db_bind_text(st, 2, outcome);
	db_bind_text(st, 3, kind);
	db_bind_text(st, 4, external_id);
	db_bind_text(st, 5, why);
	db_bind_text(st, 6, preview);
	return db_exec(st);
}

/* Each half walks its own (integration_id, time) index backwards and
 * stops at limit; only 2 × limit rows are sorted. */
static const char sql_inspector[] =
    "(SELECT received_at, source, 'stored' AS outcome, kind, external_id, "
    "NULL AS why, LEFT(payload, 2000) AS payload, 1 AS stored "
    "FROM call_events WHERE integration_id = ? "
    "ORDER BY received_at DESC LIMIT ?) "
    "UNION ALL "
    "(SELECT received_at, source, outcome, kind, external_id, why, preview, "
    "0 FROM event_outcomes WHERE integration_id = ? ORDER BY id DESC "
    "LIMIT ?) ORDER BY received_at DESC LIMIT ?";

enum cb_err
db_event_inspector(struct db *db, int64_t integration_id, unsigned limit,
    struct db_stmt **out)
{
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_inspector, out)) != CB_OK)
		return rc;
	db_bind_i64(*out, 0, integration_id);
	db_bind_i64(*out, 1, limit);
	db_bind_i64(*out, 2, integration_id);
	db_bind_i64(*out, 3, limit);
	db_bind_i64(*out, 4, limit);
	return db_exec(*out);
}

static const char sql_purge[] =
    "DELETE FROM event_outcomes WHERE received_at < UTC_TIMESTAMP(3) - "
    "INTERVAL ? DAY LIMIT 1000";

enum cb_err
db_event_outcomes_purge(struct db *db, unsigned days, uint64_t *n)
{
	struct db_stmt *st;
	enum cb_err rc;

	*n = 0;
	if ((rc = db_stmt(db, sql_purge, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, days);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	*n = db_affected(st);
	return CB_OK;
}
