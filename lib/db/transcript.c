#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/utf8.h"
#include "db/job.h"
#include "db/transcript.h"

/* ------------------------------------------------------------ queueing -- */

static const char sql_state_lock[] =
    "SELECT status FROM transcripts WHERE call_id = ? FOR UPDATE";
static const char sql_queue[] =
    "INSERT INTO transcripts (call_id, status, requested_by) "
    "VALUES (?, 'queued', ?) ON DUPLICATE KEY UPDATE status = 'queued', "
    "failure = NULL, requested_by = VALUES(requested_by)";

enum cb_err
db_transcript_request_in(struct db *db, int64_t call_id, int64_t requested_by,
    bool *queued)
{
	struct db_stmt *st;
	struct job_new jn;
	char payload[64];
	enum cb_err rc;

	*queued = false;
	if ((rc = db_stmt(db, sql_state_lock, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, call_id);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	rc = db_fetch(st);
	if (rc == CB_OK) {
		const char *s = db_col(st, 0, NULL);
		bool busy = s && (strcmp(s, "queued") == 0 ||
		    strcmp(s, "running") == 0);
		db_stmt_done(st);
		if (busy)
			return CB_OK;
	} else {
		db_stmt_done(st);
		if (rc != CB_ENOTFOUND)
			return rc;
	}
	if ((rc = db_stmt(db, sql_queue, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, call_id);
	if (requested_by > 0)
		db_bind_i64(st, 1, requested_by);
	else
		db_bind_null(st, 1);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	snprintf(payload, sizeof(payload), "{\"call_id\":%lld}",
	    (long long)call_id);
	memset(&jn, 0, sizeof(jn));
	jn.kind = JOB_TRANSCRIPT;
	jn.payload = payload;
	jn.call_id = call_id;
	jn.max_attempts = TRANSCRIPT_JOB_ATTEMPTS;
	jn.backoff = TRANSCRIPT_JOB_BACKOFF;
	if ((rc = db_job_add_ex(db, &jn, NULL)) != CB_OK)
		return rc;
	*queued = true;
	return CB_OK;
}

enum cb_err
db_transcript_request(struct db *db, int64_t call_id, int64_t requested_by,
    bool *queued)
{
	enum cb_err rc;

	*queued = false;
	if ((rc = db_begin(db)) != CB_OK)
		return rc;
	if ((rc = db_transcript_request_in(db, call_id, requested_by,
	    queued)) != CB_OK || (rc = db_commit(db)) != CB_OK) {
		db_rollback(db);
		*queued = false;
	}
	return rc;
}

/* -------------------------------------------------------------- states -- */

/* An upsert: the demo makes transcripts without a queued row. */
static const char sql_running[] =
    "INSERT INTO transcripts (call_id, status) VALUES (?, 'running') "
    "ON DUPLICATE KEY UPDATE status = 'running', failure = NULL";

enum cb_err
db_transcript_running(struct db *db, int64_t call_id)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_running, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, call_id);
	return db_exec(st);
}

static const char sql_failed[] =
    "UPDATE transcripts SET status = IF(?, 'failed', 'queued'), "
    "failure = ? WHERE call_id = ?";

enum cb_err
db_transcript_failed(struct db *db, int64_t call_id, const char *why,
    bool final)
{
	struct db_stmt *st;
	size_t n = why ? strlen(why) : 0;
	enum cb_err rc;

	/* Cut at a character boundary: the column refuses half a letter. */
	if (n > TRANSCRIPT_FAILURE_MAX) {
		n = TRANSCRIPT_FAILURE_MAX;
		while (n > 0 && ((unsigned char)why[n] & 0xc0) == 0x80)
			n--;
	}
	if ((rc = db_stmt(db, sql_failed, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, final ? 1 : 0);
	db_bind_str(st, 1, why ? why : "", n);
	db_bind_i64(st, 2, call_id);
	return db_exec(st);
}

/* ------------------------------------------------------------- storing -- */

/* The current text into transcript_versions, as it was (a row without a
 * text yet, version 0, keeps nothing). */
static const char sql_keep_version[] =
    "INSERT INTO transcript_versions (call_id, version, utterances, "
    "summary, made_by, made_at, replaced_by) "
    "SELECT call_id, version, utterances, summary, edited_by, "
    "COALESCE(edited_at, updated_at), ? FROM transcripts "
    "WHERE call_id = ? AND version > 0";

static enum cb_err
keep_version(struct db *db, int64_t call_id, int64_t by)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_keep_version, &st)) != CB_OK)
		return rc;
	if (by > 0)
		db_bind_i64(st, 0, by);
	else
		db_bind_null(st, 0);
	db_bind_i64(st, 1, call_id);
	return db_exec(st);
}

static const char sql_store[] =
    "UPDATE transcripts SET status = 'done', failure = NULL, engine = ?, "
    "language = ?, draft = ?, utterances = ?, words = ?, summary = ?, "
    "summary_head = ?, summary_note = ?, version = version + 1, "
    "edited_by = NULL, edited_at = NULL WHERE call_id = ?";

enum cb_err
db_transcript_store(struct db *db, int64_t call_id, const char *engine,
    const char *language, bool draft, const struct transcript_text *t,
    const char *summary_note)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_begin(db)) != CB_OK)
		return rc;
	if ((rc = keep_version(db, call_id, 0)) != CB_OK)
		goto fail;
	if ((rc = db_stmt(db, sql_store, &st)) != CB_OK)
		goto fail;
	db_bind_text(st, 0, engine ? engine : "");
	db_bind_text(st, 1, language && *language ? language : NULL);
	db_bind_i64(st, 2, draft ? 1 : 0);
	db_bind_text(st, 3, t->utterances);
	db_bind_text(st, 4, t->words);
	db_bind_text(st, 5, t->summary);
	db_bind_text(st, 6, t->summary_head);
	db_bind_text(st, 7, summary_note);
	db_bind_i64(st, 8, call_id);
	if ((rc = db_exec(st)) != CB_OK)
		goto fail;
	return db_commit(db);
fail:
	db_rollback(db);
	return rc;
}

static const char sql_version_lock[] =
    "SELECT version FROM transcripts WHERE call_id = ? AND status = 'done' "
    "FOR UPDATE";
static const char sql_edit[] =
    "UPDATE transcripts SET utterances = ?, words = ?, summary = ?, "
    "summary_head = ?, version = version + 1, edited_by = ?, "
    "edited_at = CURRENT_TIMESTAMP(3) WHERE call_id = ?";

enum cb_err
db_transcript_edit(struct db *db, int64_t call_id, int64_t user_id,
    uint32_t expected, const struct transcript_text *t)
{
	struct db_stmt *st;
	int64_t have;
	enum cb_err rc;

	if ((rc = db_begin(db)) != CB_OK)
		return rc;
	if ((rc = db_stmt(db, sql_version_lock, &st)) != CB_OK)
		goto fail;
	db_bind_i64(st, 0, call_id);
	if ((rc = db_exec(st)) != CB_OK)
		goto fail;
	if ((rc = db_fetch(st)) != CB_OK) {
		db_stmt_done(st);
		goto fail;
	}
	have = db_col_i64(st, 0);
	db_stmt_done(st);
	if (have != (int64_t)expected) {
		rc = CB_DUPLICATE;
		goto fail;
	}
	if ((rc = keep_version(db, call_id, user_id)) != CB_OK)
		goto fail;
	if ((rc = db_stmt(db, sql_edit, &st)) != CB_OK)
		goto fail;
	db_bind_text(st, 0, t->utterances);
	db_bind_text(st, 1, t->words);
	db_bind_text(st, 2, t->summary);
	db_bind_text(st, 3, t->summary_head);
	db_bind_i64(st, 4, user_id);
	db_bind_i64(st, 5, call_id);
	if ((rc = db_exec(st)) != CB_OK)
		goto fail;
	return db_commit(db);
fail:
	db_rollback(db);
	return rc;
}

/* ------------------------------------------------------------- reading -- */

static const char sql_get[] =
    "SELECT t.status, t.failure, t.engine, t.language, t.draft, "
    "t.utterances, t.summary, t.summary_head, t.summary_note, t.version, "
    "u.name, t.edited_at, t.updated_at FROM transcripts t "
    "LEFT JOIN users u ON u.id = t.edited_by WHERE t.call_id = ?";

enum cb_err
db_transcript_get(struct db *db, int64_t call_id, struct db_stmt **out)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_get, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, call_id);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	if ((rc = db_fetch(st)) != CB_OK) {
		db_stmt_done(st);
		return rc;
	}
	*out = st;
	return CB_OK;
}

static const char sql_untranscribed[] =
    "SELECT c.id FROM calls c LEFT JOIN transcripts t ON t.call_id = c.id "
    "WHERE c.recording_state = 'stored' AND c.recording_path LIKE "
    "CONCAT(?, '%') AND t.call_id IS NULL ORDER BY c.id LIMIT ?";

enum cb_err
db_transcript_untranscribed(struct db *db, const char *prefix, int64_t *ids,
    unsigned max, unsigned *n)
{
	struct db_stmt *st;
	enum cb_err rc;

	*n = 0;
	if ((rc = db_stmt(db, sql_untranscribed, &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, prefix);
	db_bind_i64(st, 1, max);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	while (*n < max && (rc = db_fetch(st)) == CB_OK)
		ids[(*n)++] = db_col_i64(st, 0);
	db_stmt_done(st);
	return rc == CB_OK || rc == CB_ENOTFOUND ? CB_OK : rc;
}

static const char sql_versions_count[] =
    "SELECT COUNT(*) FROM transcript_versions WHERE call_id = ?";

enum cb_err
db_transcript_versions_count(struct db *db, int64_t call_id, int64_t *n)
{
	struct db_stmt *st;
	enum cb_err rc;

	*n = 0;
	if ((rc = db_stmt(db, sql_versions_count, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, call_id);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	if ((rc = db_fetch(st)) == CB_OK)
		*n = db_col_i64(st, 0);
	db_stmt_done(st);
	return rc == CB_OK || rc == CB_ENOTFOUND ? CB_OK : rc;
}

/* ------------------------------------------------------- "said" search -- */

/* InnoDB's built-in stopword list (information_schema.
 * INNODB_FT_DEFAULT_STOPWORD, MariaDB 10.11): a required stopword makes a
 * BOOLEAN MODE search match nothing, so they are left out and said so. */
static const char *const stopwords[] = {
	"a", "about", "an", "are", "as", "at", "be", "by", "com", "de", "en",
	"for", "from", "how", "i", "in", "is", "it", "la", "of", "on", "or",
	"that", "the", "this", "to", "was", "what", "when", "where", "who",
	"will", "with", "und", "www", NULL
};

static bool
is_stopword(const char *w, size_t n)
{
	const char *const *s;

	for (s = stopwords; *s; s++)
		if (strlen(*s) == n && strncasecmp(*s, w, n) == 0)
			return true;
	return false;
}

/* A byte of a word: ASCII letters, digits and '_' (InnoDB's word
 * characters) and every byte of a multi-byte UTF-8 letter. */
static bool
word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}

static void
note_word(char *out, size_t outsz, const char *w, size_t n)
{
	size_t have;

	if (out == NULL || outsz == 0)
		return;
	have = strlen(out);
	snprintf(out + have, outsz - have, "%s%.*s", have ? ", " : "",
	    (int)n, w);
}

void
transcript_said_query(const char *typed, char *out, size_t outsz,
    char *short_words, size_t shortsz, char *stop_words, size_t stopsz)
{
	const unsigned char *p = (const unsigned char *)typed;
	size_t have = 0;
	unsigned nwords = 0;

	if (outsz > 0)
		out[0] = '\0';
	if (short_words && shortsz)
		short_words[0] = '\0';
	if (stop_words && stopsz)
		stop_words[0] = '\0';
	if (typed == NULL || outsz == 0)
		return;
	while (*p) {
		const unsigned char *w;
		size_t n;
		long chars;
		bool prefix;

		while (*p && !word_byte(*p))
			p++;
		if (*p == '\0')
			break;
		for (w = p; *p && word_byte(*p); p++)
			;
		n = (size_t)(p - w);
		prefix = *p == '*';
		chars = utf8_chars((const char *)w, n);
		if (chars < 0)
			continue;   /* not text: never part of a query */
		if (is_stopword((const char *)w, n)) {
			note_word(stop_words, stopsz, (const char *)w, n);
			continue;
		}
		if (chars < TRANSCRIPT_WORD_MIN) {
			note_word(short_words, shortsz, (const char *)w, n);
			continue;
		}
		if (nwords == TRANSCRIPT_SAID_WORDS ||
		    have + n + 3 >= outsz)
			break;
		have += (size_t)snprintf(out + have, outsz - have, "%s+%.*s%s",
		    have ? " " : "", (int)n, (const char *)w,
		    prefix ? "*" : "");
		nwords++;
	}
}
