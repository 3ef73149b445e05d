/* The worker's transcript.make job (issue 22; tools/worker.c): one call's
 * stored recording through the configured engine (engine.h), then its
 * summary (summary.h), stored in transcripts (db/transcript.h). */
#ifndef CB_TRANSCRIBE_JOB_H
#define CB_TRANSCRIBE_JOB_H

#include <stdbool.h>
#include <stddef.h>

#include "core/conf.h"
#include "core/err.h"
#include "db/db.h"
#include "db/job.h"

/* Runs job j ({"call_id": N}), calling between(between_ctx) (NULL: none)
 * about every second while the transcription runs: the worker's other
 * jobs (child.h). CB_OK when stored; otherwise err says why
 * (the card shows it: "transcript failed: <err>") and the worker retries
 * with backoff, except for CB_EINVAL / CB_ENOTFOUND (transcription off,
 * no recording, an engine that refuses the file or the key), which fail
 * at once. While retries remain the transcript stays "queued" with the
 * last reason; after the last one it is "failed". */
enum cb_err transcript_job_run(struct db *db, const struct cb_config *cfg,
    const struct job *j, void (*between)(void *), void *between_ctx,
    char *err, size_t errsz);

/* Whether a failure with rc is final (no retry can fix it: the same rule
 * as the worker's no_retry_for). A transcription child that crashed, was
 * killed or timed out gives CB_EIO (lib/transcribe/child.h): retried. */
bool transcript_error_final(enum cb_err rc);

struct transcribe_engine;
struct transcribe_watch;

/* Transcribes and stores call_id now, with eng (NULL: the configured one)
 * in a child process watched by w (child.h; NULL = no heartbeat): the
 * job's body, and `callboard demo`. */
enum cb_err transcript_make(struct db *db, const struct cb_config *cfg,
    const struct transcribe_engine *eng, int64_t call_id,
    struct transcribe_watch *w, char *err, size_t errsz);

/* The demo's speech recordings (`callboard demo`, issue 22): every stored
 * recording under recordings_dir/DEMO_SPEECH_PREFIX without a transcript
 * (at most DEMO_SPEECH_MAX) transcribed now with the configured engine,
 * else the local one when it is built in. *done and *failed count them;
 * CB_ENOTFOUND when there is no engine at all (nothing was tried). */
#define DEMO_SPEECH_PREFIX "demo/speech"
#define DEMO_SPEECH_MAX 20
enum cb_err transcript_demo(struct db *db, const struct cb_config *cfg,
    unsigned *done, unsigned *failed);

#endif
