/* The worker's transcript.make job (issue 22; tools/worker.c): one call's
 * stored recording through the configured engine (engine.h), then its
 * summary (summary.h), stored in transcripts (db/transcript.h). */
#ifndef CB_TRANSCRIBE_JOB_H
#define CB_TRANSCRIBE_JOB_H

#include <stddef.h>

#include "core/conf.h"
#include "core/err.h"
#include "db/db.h"
#include "db/job.h"

/* Runs job j ({"call_id": N}). CB_OK when stored; otherwise err says why
 * (the card shows it: "transcript failed: <err>") and the worker retries
 * with backoff, except for CB_EINVAL / CB_ENOTFOUND (transcription off,
 * no recording, an engine that refuses the file or the key), which fail
 * at once. While retries remain the transcript stays "queued" with the
 * last reason; after the last one it is "failed". */
enum cb_err transcript_job_run(struct db *db, const struct cb_config *cfg,
    const struct job *j, char *err, size_t errsz);

/* Transcribes and stores call_id now, in this process (`callboard demo`
 * for its speech calls; the job's body). */
enum cb_err transcript_make(struct db *db, const struct cb_config *cfg,
    int64_t call_id, char *err, size_t errsz);

#endif
