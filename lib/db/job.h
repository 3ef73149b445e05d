/* The jobs table: a transactional outbox (DESIGN §1). Writers insert jobs
 * in the same transaction as the data they concern; the worker claims one
 * at a time with FOR UPDATE SKIP LOCKED, so several workers never take the
 * same job, and retries with exponential backoff until max_attempts. */
#ifndef CB_DB_JOB_H
#define CB_DB_JOB_H

#include <stddef.h>
#include <stdint.h>

#include "db/db.h"

struct job {
	int64_t id;
	char kind[41];
	char *payload;       /* JSON text; caller frees */
	unsigned attempts;   /* including this one */
	unsigned max_attempts;
};

/* Queues a job (inside the caller's transaction, if any). */
enum cb_err db_job_add(struct db *db, const char *kind, const char *payload,
    int64_t call_id, unsigned delay_seconds);
/* CB_ENOTFOUND when nothing is due. */
enum cb_err db_job_claim(struct db *db, const char *worker, struct job *j);
enum cb_err db_job_done(struct db *db, int64_t id);
/* Requeues with backoff, or marks failed when attempts are used up. */
enum cb_err db_job_fail(struct db *db, const struct job *j, const char *error);
/* Jobs left "running" by a worker that died: queued again. */
enum cb_err db_job_requeue_stale(struct db *db, unsigned older_than_seconds,
    uint64_t *count);
/* Jobs left "running" by a worker of this host (locked_by "<host>:<pid>")
 * whose process is gone: queued again at once, not after the stale timeout,
 * so a killed worker's job runs again as soon as a worker starts. */
enum cb_err db_job_requeue_dead(struct db *db, const char *host,
    uint64_t *count);
/* Seconds to wait after the n-th failed attempt (1-based). */
unsigned job_backoff_seconds(unsigned attempt);

#endif
