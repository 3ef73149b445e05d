/* The transcripts table (issue 22, sql/migrations/0029_transcripts.sql):
 * one row per call, its life (queued → running → done | failed), the
 * engine's text, corrections with every earlier version kept, and the
 * words-said search. One named function per statement (STYLE §2.13). The
 * utterances travel as the JSON text of lib/transcribe/codec.h. */
#ifndef CB_DB_TRANSCRIPT_H
#define CB_DB_TRANSCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/db.h"

/* The worker's job kind (tools/worker.c): payload {"call_id": N}. */
#define JOB_TRANSCRIPT "transcript.make"
/* Attempts and first backoff: an engine that is down gets 30 s, 1 min,
 * 2, 4 min... about an hour in all before "transcript failed". */
#define TRANSCRIPT_JOB_ATTEMPTS 6
#define TRANSCRIPT_JOB_BACKOFF 30
#define TRANSCRIPT_FAILURE_MAX 500   /* bytes of the reason kept */
#define TRANSCRIPT_HEAD_MAX 255      /* characters of summary_head */

/* Queues a transcript of call_id (by requested_by, 0 = automatic) in one
 * transaction of its own: the row becomes "queued" and a transcript.make
 * job is added. Nothing happens while one is queued or running already
 * (*queued false). A done or failed one is made again. Must not run
 * inside another transaction. */
enum cb_err db_transcript_request(struct db *db, int64_t call_id,
    int64_t requested_by, bool *queued);
/* The same inside the caller's transaction (the recording download's:
 * recording stored and transcript queued together). */
enum cb_err db_transcript_request_in(struct db *db, int64_t call_id,
    int64_t requested_by, bool *queued);

/* status = running (the worker began; the row is made if missing). */
enum cb_err db_transcript_running(struct db *db, int64_t call_id);
/* An attempt failed because of why (cut to TRANSCRIPT_FAILURE_MAX bytes at
 * a character boundary): status failed when final, else queued again
 * (the job retries) with why kept as the last reason. */
enum cb_err db_transcript_failed(struct db *db, int64_t call_id,
    const char *why, bool final);

/* What the engine made (or a correction): the text to store. */
struct transcript_text {
	const char *utterances;    /* JSON (codec.h), never NULL */
	const char *words;         /* every line's text joined by '\n' */
	const char *summary;       /* NULL = none */
	const char *summary_head;  /* its first sentence, <= HEAD_MAX chars */
};

/* The engine's transcript: status done, version +1; an earlier text (a
 * transcript made again) is kept in transcript_versions first. */
enum cb_err db_transcript_store(struct db *db, int64_t call_id,
    const char *engine, const char *language, bool draft,
    const struct transcript_text *t, const char *summary_note);

/* A correction by user_id of version expected (the one the editor saw):
 * the current version is kept in transcript_versions, then replaced.
 * CB_DUPLICATE when the transcript changed meanwhile (someone else saved,
 * or it was made again): nothing is written. CB_ENOTFOUND when there is
 * no finished transcript. Its own transaction. */
enum cb_err db_transcript_edit(struct db *db, int64_t call_id,
    int64_t user_id, uint32_t expected, const struct transcript_text *t);

/* One transcript row, fetched: read with db_col() by enum transcript_col,
 * end with db_stmt_done(). CB_ENOTFOUND when the call has none. */
enum transcript_col {
	TR_STATUS, TR_FAILURE, TR_ENGINE, TR_LANGUAGE, TR_DRAFT,
	TR_UTTERANCES, TR_SUMMARY, TR_SUMMARY_HEAD, TR_SUMMARY_NOTE,
	TR_VERSION, TR_EDITED_BY_NAME, TR_EDITED_AT, TR_UPDATED_AT,
	TR_COL__MAX
};
enum cb_err db_transcript_get(struct db *db, int64_t call_id,
    struct db_stmt **out);

/* The demo's speech calls (`callboard demo`): stored recordings whose path
 * begins with prefix and that have no transcript, at most max ids. */
enum cb_err db_transcript_untranscribed(struct db *db, const char *prefix,
    int64_t *ids, unsigned max, unsigned *n);

/* How many earlier versions are kept. */
enum cb_err db_transcript_versions_count(struct db *db, int64_t call_id,
    int64_t *n);

/* ---- the history's "said" search (lib/db/call.c uses these) ---- */

/* InnoDB's FULLTEXT leaves out words shorter than this
 * (innodb_ft_min_token_size, default 3) and its default stopwords. */
#define TRANSCRIPT_WORD_MIN 3
#define TRANSCRIPT_SAID_MAX 256      /* bytes of the search text */
#define TRANSCRIPT_SAID_WORDS 16

/* Turns what a user typed into a BOOLEAN MODE query that requires every
 * usable word ("+word"; a trailing '*' kept as a prefix search), with
 * every operator character of the input dropped, so no input is a syntax
 * error. out gets the query ("" when no word is usable); short and skipped
 * (may be NULL) get the words left out as too short / as stopwords,
 * separated by ", ". */
void transcript_said_query(const char *typed, char *out, size_t outsz,
    char *short_words, size_t shortsz, char *stop_words, size_t stopsz);

#endif
