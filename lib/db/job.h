/* The jobs table: a transactional outbox (DESIGN §1). Writers insert jobs
 * in the same transaction as the data they concern; the worker claims them
 * in batches with FOR UPDATE SKIP LOCKED, so several workers never take the
 * same job, and retries with exponential backoff until max_attempts. */
#ifndef CB_DB_JOB_H
#define CB_DB_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/db.h"

struct job {
	int64_t id;
	char kind[41];
	char *payload;       /* JSON text; caller frees */
	unsigned attempts;   /* including this one */
	unsigned max_attempts;
	unsigned backoff;    /* first retry delay in seconds; 0 = 30 */
};

/* A job with the optional parts of db_job_add_ex(). */
struct job_new {
	const char *kind;
	const char *payload;      /* JSON text; NULL = {} */
	int64_t call_id;          /* 0 = none */
	unsigned delay_seconds;
	const char *dedupe_key;   /* NULL = none; else queued at most once */
	unsigned max_attempts;    /* 0 = the table default (8) */
	unsigned backoff;         /* 0 = 30 s */
};

/* Queues a job (inside the caller's transaction, if any), with an optional
 * dedupe key, a retry budget and a backoff. A job whose dedupe key exists
 * already is not queued again: CB_OK, *id = 0 (id may be NULL). (The
 * ingest path queues its jobs inside the cb_ingest_call procedure.) */
enum cb_err db_job_add_ex(struct db *db, const struct job_new *jn,
    int64_t *id);
/* The worker's batch (tools/worker.c): inside the caller's transaction,
 * up to max (<= JOB_BATCH_MAX) due jobs, oldest first, locked FOR UPDATE
 * SKIP LOCKED until the transaction ends. CB_ENOTFOUND when none is due.
 * Payloads are the caller's: job_free_all(). */
#define JOB_BATCH_MAX 16
enum cb_err db_job_pick(struct db *db, struct job *jobs, unsigned max,
    unsigned *n);
/* The same, leaving out jobs of except_kind (NULL = none). */
enum cb_err db_job_pick_except(struct db *db, const char *except_kind,
    struct job *jobs, unsigned max, unsigned *n);
void job_free_all(struct job *jobs, unsigned n);
/* Done (attempts counted) for jobs run inside the picking transaction. */
enum cb_err db_job_done_many(struct db *db, const int64_t *ids, unsigned n);
/* Marked running by worker (attempts counted), for jobs run outside any
 * transaction; unlock gives back the ones a worker did not get to. */
enum cb_err db_job_lock_many(struct db *db, const char *worker,
    const int64_t *ids, unsigned n);
enum cb_err db_job_unlock_many(struct db *db, const char *worker,
    const int64_t *ids, unsigned n);
enum cb_err db_job_done(struct db *db, int64_t id);
/* Requeues with backoff, or marks failed when attempts are used up. */
enum cb_err db_job_fail(struct db *db, const struct job *j, const char *error);
/* Jobs left "running" by a worker that died: queued again. A job is
 * stale when its worker has not touched its row (locked_at: the claim,
 * then the heartbeats of a long job) for older_than_seconds
 * (job_stale_seconds in callboard.conf). */
enum cb_err db_job_requeue_stale(struct db *db, unsigned older_than_seconds,
    uint64_t *count);
/* A long job's heartbeat (a transcription may run for hours): the worker
 * running job id says it is alive, every job_heartbeat_seconds(), so the
 * stale rule leaves it alone. CB_ENOTFOUND when the job is no longer
 * running (another worker requeued it). */
enum cb_err db_job_heartbeat(struct db *db, int64_t id);
/* How often a long job beats for a stale threshold: a quarter of it, 1 to
 * 30 s, so that three beats in a row may be late before the job is taken
 * for a dead worker's. */
unsigned job_heartbeat_seconds(unsigned stale_seconds);
/* Jobs left "running" by a worker of this host (locked_by "<host>:<pid>")
 * whose process is gone: queued again at once, not after the stale timeout,
 * so a killed worker's job runs again as soon as a worker starts. */
enum cb_err db_job_requeue_dead(struct db *db, const char *host,
    uint64_t *count);
/* Dead letters (issue 16 §4): provider events we acknowledged that the
 * database refused (a data error, not an outage). Each is a job of kind
 * JOB_DEAD_LETTER in state "failed" with the reason in last_error, so it
 * is never run by itself (no hot loop); an admin lists them and retries
 * one (`callboard dead-letters`), which queues it once for the worker.
 * payload: {"slug", "record": the spool record} (lib/calls/replay.c). */
#define JOB_DEAD_LETTER "event.refused"
/* Stores one; dedupe_key (<= 80 ASCII) makes a provider's retry of the
 * same refused request one dead letter, not two: then *id = 0. */
enum cb_err db_job_dead_letter(struct db *db, const char *payload,
    const char *error, const char *dedupe_key, int64_t *id);
/* Queues a dead letter again (attempts reset, runs once): CB_ENOTFOUND
 * when id is not a failed dead letter. */
enum cb_err db_job_dead_retry(struct db *db, int64_t id);
/* The columns of a dead letter row, for db_col(): */
enum {
	DEAD_ID, DEAD_CREATED_AT, DEAD_SLUG, DEAD_ATTEMPTS, DEAD_STATE,
	DEAD_ERROR,            /* the reason it was refused (last_error) */
	DEAD_FINISHED_AT,      /* the last attempt's end, NULL while queued */
	DEAD_METHOD, DEAD_QUERY, DEAD_CONTENT_TYPE,
	DEAD_BODY,             /* the body's first 6000 bytes, decoded */
	DEAD_BODY_CUT,         /* 1 when the body is longer */
	DEAD_NOT_TEXT,         /* 1 when the record was kept as base64 */
	DEAD_NCOLS
};
/* Dead letters not stored yet (failed, or queued again), newest first, at
 * most limit, for a caller that reads them with db_fetch()/db_col() and
 * ends with db_stmt_done(). */
enum cb_err db_job_dead_list(struct db *db, unsigned limit,
    struct db_stmt **out);
/* One dead letter in any state (done = stored after a retry), fetched
 * already: the caller reads it and ends with db_stmt_done(). CB_ENOTFOUND
 * when id is not a dead letter. */
enum cb_err db_job_dead_get(struct db *db, int64_t id, struct db_stmt **out);
/* How many db_job_dead_list() would list without a limit. */
enum cb_err db_job_dead_count(struct db *db, int64_t *n);
/* Seconds to wait after the n-th failed attempt (1-based): base (0 = 30)
 * doubling, capped at 1 h. */
unsigned job_backoff_seconds(unsigned attempt, unsigned base);

#endif
