#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/job.h"

static const char sql_add[] =
    "INSERT INTO jobs (kind, payload, call_id, run_at) VALUES (?, ?, ?, "
    "UTC_TIMESTAMP(3) + INTERVAL ? SECOND)";
static const char sql_pick[] =
    "SELECT id, kind, payload, attempts, max_attempts FROM jobs "
    "WHERE state = 'queued' AND run_at <= UTC_TIMESTAMP(3) "
    "ORDER BY run_at LIMIT 1 FOR UPDATE SKIP LOCKED";
static const char sql_lock[] =
    "UPDATE jobs SET state = 'running', locked_at = UTC_TIMESTAMP(3), "
    "locked_by = ?, attempts = attempts + 1 WHERE id = ?";
static const char sql_done[] =
    "UPDATE jobs SET state = 'done', finished_at = UTC_TIMESTAMP(3), "
    "locked_at = NULL, last_error = NULL WHERE id = ?";
static const char sql_retry[] =
    "UPDATE jobs SET state = 'queued', locked_at = NULL, last_error = ?, "
    "run_at = UTC_TIMESTAMP(3) + INTERVAL ? SECOND WHERE id = ?";
static const char sql_failed[] =
    "UPDATE jobs SET state = 'failed', locked_at = NULL, last_error = ?, "
    "finished_at = UTC_TIMESTAMP(3) WHERE id = ?";
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
db_job_add(struct db *db, const char *kind, const char *payload,
    int64_t call_id, unsigned delay_seconds)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_add, &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, kind);
	db_bind_text(st, 1, payload ? payload : "{}");
	if (call_id)
		db_bind_i64(st, 2, call_id);
	else
		db_bind_null(st, 2);
	db_bind_i64(st, 3, delay_seconds);
	return db_exec(st);
}

enum cb_err
db_job_claim(struct db *db, const char *worker, struct job *j)
{
	struct db_stmt *st;
	enum cb_err rc;
	const char *v;
	size_t len;

	memset(j, 0, sizeof(*j));
	if ((rc = db_begin(db)) != CB_OK)
		return rc;
	if ((rc = db_stmt(db, sql_pick, &st)) != CB_OK ||
	    (rc = db_exec(st)) != CB_OK || (rc = db_fetch(st)) != CB_OK) {
		db_rollback(db);
		return rc;
	}
	j->id = db_col_i64(st, 0);
	snprintf(j->kind, sizeof(j->kind), "%s", db_col(st, 1, NULL));
	v = db_col(st, 2, &len);
	if ((j->payload = strndup(v ? v : "{}", v ? len : 2)) == NULL)
		abort();
	j->attempts = (unsigned)db_col_i64(st, 3) + 1;
	j->max_attempts = (unsigned)db_col_i64(st, 4);
	db_stmt_done(st);
	if ((rc = db_stmt(db, sql_lock, &st)) != CB_OK)
		goto fail;
	db_bind_text(st, 0, worker);
	db_bind_i64(st, 1, j->id);
	if ((rc = db_exec(st)) != CB_OK || (rc = db_commit(db)) != CB_OK)
		goto fail;
	return CB_OK;
fail:
	db_rollback(db);
	free(j->payload);
	j->payload = NULL;
	return rc;
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
job_backoff_seconds(unsigned attempt)
{
	/* 30 s, 1 min, 2 min ... capped at 1 h. */
	unsigned s = 30;

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
		db_bind_i64(st, 1, job_backoff_seconds(j->attempts));
		db_bind_i64(st, 2, j->id);
	}
	return db_exec(st);
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
	return kill((pid_t)pid, 0) == -1 && errno == ESRCH;
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
