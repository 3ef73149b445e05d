#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/job.h"

/* A duplicate dedupe_key leaves the queued job as it is (ON DUPLICATE KEY
 * rather than INSERT IGNORE, which would also hide other errors). */
static const char sql_add_ex[] =
    "INSERT INTO jobs (kind, payload, call_id, run_at, dedupe_key, "
    "max_attempts, backoff_seconds) VALUES (?, ?, ?, "
    "UTC_TIMESTAMP(3) + INTERVAL ? SECOND, ?, ?, ?) "
    "ON DUPLICATE KEY UPDATE id = id";
/* A batch: the due jobs, oldest first, locked by this transaction and
 * skipped by every other worker until it ends. */
static const char sql_pick_batch[] =
    "SELECT id, kind, payload, attempts, max_attempts, "
    "COALESCE(backoff_seconds, 0) FROM jobs "
    "WHERE state = 'queued' AND run_at <= UTC_TIMESTAMP(3) "
    "ORDER BY run_at LIMIT ? FOR UPDATE SKIP LOCKED";
/* The same without one kind: the batches a worker runs while it waits for
 * a transcription (never a second transcription inside the first). */
static const char sql_pick_batch_except[] =
    "SELECT id, kind, payload, attempts, max_attempts, "
    "COALESCE(backoff_seconds, 0) FROM jobs "
    "WHERE state = 'queued' AND run_at <= UTC_TIMESTAMP(3) AND kind <> ? "
    "ORDER BY run_at LIMIT ? FOR UPDATE SKIP LOCKED";
/* Batch updates name JOB_BATCH_MAX ids; unused places repeat the first
 * (one statement text, prepared once). */
#define IDS16 "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"
_Static_assert(JOB_BATCH_MAX == 16, "IDS16 names JOB_BATCH_MAX ids");
static const char sql_done_many[] =
    "UPDATE jobs SET state = 'done', finished_at = UTC_TIMESTAMP(3), "
    "attempts = attempts + 1, locked_at = NULL, last_error = NULL "
    "WHERE id IN (" IDS16 ")";
static const char sql_lock_many[] =
    "UPDATE jobs SET state = 'running', locked_at = UTC_TIMESTAMP(3), "
    "locked_by = ?, attempts = attempts + 1 WHERE id IN (" IDS16 ")";
static const char sql_unlock_many[] =
    "UPDATE jobs SET state = 'queued', locked_at = NULL, locked_by = NULL, "
    "attempts = attempts - 1 "
    "WHERE state = 'running' AND locked_by = ? AND id IN (" IDS16 ")";
static const char sql_done[] =
    "UPDATE jobs SET state = 'done', finished_at = UTC_TIMESTAMP(3), "
    "locked_at = NULL, last_error = NULL WHERE id = ?";
static const char sql_retry[] =
    "UPDATE jobs SET state = 'queued', locked_at = NULL, last_error = ?, "
    "run_at = UTC_TIMESTAMP(3) + INTERVAL ? SECOND WHERE id = ?";
static const char sql_failed[] =
    "UPDATE jobs SET state = 'failed', locked_at = NULL, last_error = ?, "
    "finished_at = UTC_TIMESTAMP(3) WHERE id = ?";
/* A long job's heartbeat: locked_at is when its worker last said it is
 * alive, which the stale rule reads. */
static const char sql_heartbeat[] =
    "UPDATE jobs SET locked_at = UTC_TIMESTAMP(3) "
    "WHERE id = ? AND state = 'running'";
static const char sql_stale[] =
    "UPDATE jobs SET state = 'queued', locked_at = NULL, "
    "last_error = 'worker stopped during the job; retrying' "
    "WHERE state = 'running' AND locked_at < UTC_TIMESTAMP(3) - "
    "INTERVAL ? SECOND";

static const char sql_running_here[] =
    "SELECT id, locked_by FROM jobs WHERE state = 'running' "
    "AND locked_by LIKE CONCAT(?, ':%') LIMIT 64";
static const char sql_requeue_one[] =
    "UPDATE jobs SET state = 'queued', locked_at = NULL, locked_by = NULL, "
    "last_error = 'worker stopped during the job; retrying' "
    "WHERE id = ? AND state = 'running' AND locked_by = ?";

enum cb_err
db_job_add_ex(struct db *db, const struct job_new *jn, int64_t *id)
{
	struct db_stmt *st;
	enum cb_err rc;

	if (id)
		*id = 0;
	if ((rc = db_stmt(db, sql_add_ex, &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, jn->kind);
	db_bind_text(st, 1, jn->payload ? jn->payload : "{}");
	if (jn->call_id)
		db_bind_i64(st, 2, jn->call_id);
	else
		db_bind_null(st, 2);
	db_bind_i64(st, 3, jn->delay_seconds);
	db_bind_text(st, 4, jn->dedupe_key);
	db_bind_i64(st, 5, jn->max_attempts ? jn->max_attempts : 8);
	if (jn->backoff)
		db_bind_i64(st, 6, jn->backoff);
	else
		db_bind_null(st, 6);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	/* 1 row = inserted; 0 = the dedupe key existed (id = id). */
	if (id && db_affected(st) == 1)
		*id = (int64_t)db_insert_id(st);
	return CB_OK;
}

enum cb_err
db_job_pick(struct db *db, struct job *jobs, unsigned max, unsigned *n)
{
	return db_job_pick_except(db, NULL, jobs, max, n);
}

enum cb_err
db_job_pick_except(struct db *db, const char *except_kind, struct job *jobs,
    unsigned max, unsigned *n)
{
	struct db_stmt *st;
	enum cb_err rc;
	const char *v;
	size_t len;
	int i = 0;

	*n = 0;
	if (max > JOB_BATCH_MAX)
		max = JOB_BATCH_MAX;
	if ((rc = db_stmt(db, except_kind != NULL ? sql_pick_batch_except :
	    sql_pick_batch, &st)) != CB_OK)
		return rc;
	if (except_kind != NULL)
		db_bind_text(st, i++, except_kind);
	db_bind_i64(st, i, max);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	while (*n < max && (rc = db_fetch(st)) == CB_OK) {
		struct job *j = &jobs[(*n)++];

		memset(j, 0, sizeof(*j));
		j->id = db_col_i64(st, 0);
		snprintf(j->kind, sizeof(j->kind), "%s", db_col(st, 1, NULL));
		v = db_col(st, 2, &len);
		if ((j->payload = strndup(v ? v : "{}", v ? len : 2)) == NULL)
			abort();
		j->attempts = (unsigned)db_col_i64(st, 3) + 1;
		j->max_attempts = (unsigned)db_col_i64(st, 4);
		j->backoff = (unsigned)db_col_i64(st, 5);
	}
	db_stmt_done(st);
	if (rc != CB_OK && rc != CB_ENOTFOUND) {
		job_free_all(jobs, *n);
		*n = 0;
		return rc;
	}
	return *n ? CB_OK : CB_ENOTFOUND;
}

void
job_free_all(struct job *jobs, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		free(jobs[i].payload);
		jobs[i].payload = NULL;
	}
}

static enum cb_err
exec_ids(struct db *db, const char *sql, const char *worker,
    const int64_t *ids, unsigned n)
{
	struct db_stmt *st;
	enum cb_err rc;
	unsigned i = 0, k;

	if (n == 0)
		return CB_OK;
	if (n > JOB_BATCH_MAX)
		return CB_EINVAL;
	if ((rc = db_stmt(db, sql, &st)) != CB_OK)
		return rc;
	if (worker != NULL)
		db_bind_text(st, i++, worker);
	for (k = 0; k < JOB_BATCH_MAX; k++)
		db_bind_i64(st, i++, ids[k < n ? k : 0]);
	return db_exec(st);
}

enum cb_err
db_job_done_many(struct db *db, const int64_t *ids, unsigned n)
{
	return exec_ids(db, sql_done_many, NULL, ids, n);
}

enum cb_err
db_job_lock_many(struct db *db, const char *worker, const int64_t *ids,
    unsigned n)
{
	return exec_ids(db, sql_lock_many, worker, ids, n);
}

enum cb_err
db_job_unlock_many(struct db *db, const char *worker, const int64_t *ids,
    unsigned n)
{
	return exec_ids(db, sql_unlock_many, worker, ids, n);
}

enum cb_err
db_job_done(struct db *db, int64_t id)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_done, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, id);
	return db_exec(st);
}

unsigned
job_backoff_seconds(unsigned attempt, unsigned base)
{
	/* 30 s, 1 min, 2 min ... capped at 1 h. */
	unsigned s = base ? base : 30;

	while (attempt-- > 1 && s < 3600)
		s *= 2;
	return s > 3600 ? 3600 : s;
}

enum cb_err
db_job_fail(struct db *db, const struct job *j, const char *error)
{
	struct db_stmt *st;
	enum cb_err rc;
	bool final = j->attempts >= j->max_attempts;

	if ((rc = db_stmt(db, final ? sql_failed : sql_retry, &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, error);
	if (final)
		db_bind_i64(st, 1, j->id);
	else {
		db_bind_i64(st, 1, job_backoff_seconds(j->attempts, j->backoff));
		db_bind_i64(st, 2, j->id);
	}
	return db_exec(st);
}

enum cb_err
db_job_heartbeat(struct db *db, int64_t id)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_heartbeat, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, id);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	/* 0 rows: no longer running (requeued as stale by another worker,
	 * whose copy runs now). MariaDB counts a row whose value did not
	 * change as not affected, but UTC_TIMESTAMP(3) always moves. */
	return db_affected(st) == 1 ? CB_OK : CB_ENOTFOUND;
}

unsigned
job_heartbeat_seconds(unsigned stale_seconds)
{
	unsigned s = stale_seconds / 4;

	return s < 1 ? 1 : s > 30 ? 30 : s;
}

enum cb_err
db_job_requeue_stale(struct db *db, unsigned older_than, uint64_t *count)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_stale, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, older_than);
	if ((rc = db_exec(st)) == CB_OK)
		*count = db_affected(st);
	return rc;
}

/* A process that has exited but is not yet reaped (its parent, often
 * PID 1 for a daemon, has not waited for it): it holds nothing. Linux's
 * /proc tells; elsewhere such a holder waits for the stale timeout. */
static bool
process_is_zombie(long pid)
{
	char path[64], line[256], *paren;
	FILE *f;
	bool z = false;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return false;
	/* "pid (comm) S ...": the state follows the last ')' (comm may hold
	 * one). */
	if (fgets(line, sizeof(line), f) != NULL &&
	    (paren = strrchr(line, ')')) != NULL)
		z = paren[1] == ' ' && paren[2] == 'Z';
	fclose(f);
	return z;
}

/* A pid from "<host>:<pid>" that no process has any more. */
static bool
holder_is_gone(const char *locked_by)
{
	const char *colon = strrchr(locked_by, ':');
	char *end;
	long pid;

	if (colon == NULL)
		return false;
	errno = 0;
	pid = strtol(colon + 1, &end, 10);
	if (errno || *end || pid <= 1 || pid == (long)getpid())
		return false;
	if (kill((pid_t)pid, 0) == -1 && errno == ESRCH)
		return true;
	return process_is_zombie(pid);
}

enum cb_err
db_job_requeue_dead(struct db *db, const char *host, uint64_t *count)
{
	struct {
		int64_t id;
		char by[65];
	} gone[64];
	struct db_stmt *st;
	enum cb_err rc;
	size_t n = 0, i;

	*count = 0;
	if ((rc = db_stmt(db, sql_running_here, &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, host);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	while (n < 64 && (rc = db_fetch(st)) == CB_OK) {
		const char *by = db_col(st, 1, NULL);
		if (by == NULL || !holder_is_gone(by))
			continue;
		gone[n].id = db_col_i64(st, 0);
		snprintf(gone[n].by, sizeof(gone[n].by), "%s", by);
		n++;
	}
	db_stmt_done(st);
	if (rc != CB_OK && rc != CB_ENOTFOUND)
		return rc;
	for (i = 0; i < n; i++) {
		if ((rc = db_stmt(db, sql_requeue_one, &st)) != CB_OK)
			return rc;
		db_bind_i64(st, 0, gone[i].id);
		db_bind_text(st, 1, gone[i].by);
		if ((rc = db_exec(st)) != CB_OK)
			return rc;
		*count += db_affected(st);
	}
	return CB_OK;
}

static const char sql_dead_add[] =
    "INSERT INTO jobs (kind, payload, state, attempts, max_attempts, "
    "last_error, dedupe_key, finished_at) VALUES ('" JOB_DEAD_LETTER "', ?, "
    "'failed', 1, 1, LEFT(?, 2000), ?, UTC_TIMESTAMP(3)) "
    "ON DUPLICATE KEY UPDATE id = id";

enum cb_err
db_job_dead_letter(struct db *db, const char *payload, const char *error,
    const char *dedupe_key, int64_t *id)
{
	struct db_stmt *st;
	enum cb_err rc;

	*id = 0;
	if ((rc = db_stmt(db, sql_dead_add, &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, payload);
	db_bind_text(st, 1, error);
	db_bind_text(st, 2, dedupe_key);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	if (db_affected(st) == 1)
		*id = (int64_t)db_insert_id(st);
	return CB_OK;
}

/* One attempt, at once, with the worker's usual handling after it. */
static const char sql_dead_retry[] =
    "UPDATE jobs SET state = 'queued', attempts = 0, max_attempts = 1, "
    "run_at = UTC_TIMESTAMP(3), finished_at = NULL, locked_at = NULL, "
    "locked_by = NULL WHERE id = ? AND kind = '" JOB_DEAD_LETTER "' "
    "AND state = 'failed'";

enum cb_err
db_job_dead_retry(struct db *db, int64_t id)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_dead_retry, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, id);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	return db_affected(st) == 1 ? CB_OK : CB_ENOTFOUND;
}

/* The columns of a dead letter (DEAD_* in job.h). The body comes decoded
 * and cut to its first DEAD_BODY_MAX bytes (base64: 4 characters per 3
 * bytes), so a page of them stays small whatever was sent. */
#define DEAD_BODY_MAX 6000
#define DEAD_COLS "id, created_at, " \
    "JSON_UNQUOTE(JSON_EXTRACT(payload, '$.slug')), attempts, state, " \
    "last_error, finished_at, " \
    "JSON_UNQUOTE(JSON_EXTRACT(payload, '$.record.method')), " \
    "JSON_UNQUOTE(JSON_EXTRACT(payload, '$.record.query')), " \
    "JSON_UNQUOTE(JSON_EXTRACT(payload, '$.record.content_type')), " \
    "FROM_BASE64(LEFT(JSON_UNQUOTE(JSON_EXTRACT(payload, '$.record.body'))," \
    " 8000)), " \
    "LENGTH(JSON_UNQUOTE(JSON_EXTRACT(payload, '$.record.body'))) > 8000, " \
    "JSON_CONTAINS_PATH(payload, 'one', '$.record_b64') "

/* Not done: by the (state, run_at) index, so the many done jobs are never
 * read; newest first. */
static const char sql_dead_list[] =
    "SELECT " DEAD_COLS "FROM jobs "
    "WHERE state IN ('queued', 'running', 'failed') "
    "AND kind = '" JOB_DEAD_LETTER "' ORDER BY id DESC LIMIT ?";

enum cb_err
db_job_dead_list(struct db *db, unsigned limit, struct db_stmt **out)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_dead_list, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, limit);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	*out = st;
	return CB_OK;
}

static const char sql_dead_get[] =
    "SELECT " DEAD_COLS "FROM jobs WHERE id = ? AND kind = '"
    JOB_DEAD_LETTER "'";

enum cb_err
db_job_dead_get(struct db *db, int64_t id, struct db_stmt **out)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_dead_get, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, id);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	if ((rc = db_fetch(st)) != CB_OK) {
		db_stmt_done(st);
		return rc;
	}
	*out = st;
	return CB_OK;
}

static const char sql_dead_count[] =
    "SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running', "
    "'failed') AND kind = '" JOB_DEAD_LETTER "'";

enum cb_err
db_job_dead_count(struct db *db, int64_t *n)
{
	struct db_stmt *st;
	enum cb_err rc;

	*n = 0;
	if ((rc = db_stmt(db, sql_dead_count, &st)) != CB_OK)
		return rc;
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	if ((rc = db_fetch(st)) == CB_OK)
		*n = db_col_i64(st, 0);
	db_stmt_done(st);
	return rc == CB_OK || rc == CB_ENOTFOUND ? CB_OK : rc;
}
