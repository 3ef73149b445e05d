#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/log.h"
#include "db/access.h"
#include "db/transcript.h"
#include "calls/recfetch.h"
#include "storage/s3.h"
#include "transcribe/child.h"
#include "transcribe/codec.h"
#include "transcribe/engine.h"
#include "transcribe/job.h"
#include "transcribe/summary.h"

/* Stores what the engine made: the lines, the words, the summary and its
 * first sentence. A summary that cannot be made leaves the transcript
 * without one (said in summary_note), never unstored. */
static enum cb_err
store(struct db *db, const struct cb_config *cfg, int64_t call_id,
    const struct transcribe_engine *eng, const struct transcript *t,
    char *err, size_t errsz)
{
	struct transcript_text tt;
	struct buf json, words, sum;
	char head[TRANSCRIPT_HEAD_MAX * 4 + 1], serr[256] = "";
	const char *note = NULL;
	enum cb_err rc;

	buf_init(&json, TRANSCRIPT_JSON_MAX);
	buf_init(&words, TRANSCRIPT_JSON_MAX);
	buf_init(&sum, 64 * 1024);
	if ((rc = transcript_to_json(t, &json)) != CB_OK ||
	    (rc = transcript_words(t, &words)) != CB_OK) {
		snprintf(err, errsz, "the transcript is too large to store");
		goto out;
	}
	if (t->n > 0 && transcript_summarize(cfg, t, &sum, &note, serr,
	    sizeof(serr)) != CB_OK) {
		log_warn("call %lld: no summary: %s", (long long)call_id, serr);
		buf_reset(&sum);
		note = "no summary could be made";
	}
	transcript_summary_head(sum.len ? buf_cstr(&sum) : NULL,
	    TRANSCRIPT_HEAD_MAX, head, sizeof(head));
	tt.utterances = buf_cstr(&json);
	tt.words = buf_cstr(&words);
	tt.summary = sum.len ? buf_cstr(&sum) : NULL;
	tt.summary_head = head[0] ? head : NULL;
	if ((rc = db_transcript_store(db, call_id, t->engine ? t->engine :
	    eng->name, t->language, t->draft, &tt, note)) != CB_OK)
		snprintf(err, errsz, "database: %s", db_error(db));
out:
	buf_free(&json);
	buf_free(&words);
	buf_free(&sum);
	return rc;
}

/* A recording in S3 (recording_path "s3:<key>") is copied into a private
 * directory under spool_dir (0700, the file 0600) so that the engines read
 * a local file as always; the copy keeps the key's base name, whose
 * extension gives the audio type and which the http engine sends as the
 * file name. s3_fetched_drop() removes both on every path. */
struct s3_fetched {
	char dir[1100];
	char file[2048];
};

static void
s3_fetched_drop(struct s3_fetched *f)
{
	if (f->file[0] != '\0')
		unlink(f->file);
	if (f->dir[0] != '\0')
		rmdir(f->dir);
	f->file[0] = f->dir[0] = '\0';
}

static enum cb_err
s3_fetch(const struct cb_config *cfg, const char *key, struct s3_fetched *f,
    char *err, size_t errsz)
{
	struct s3_target t;
	const char *base = strrchr(key, '/');
	enum cb_err rc;
	FILE *out;
	int fd;

	f->dir[0] = f->file[0] = '\0';
	base = base ? base + 1 : key;
	if ((rc = s3_target_of(cfg, &t, err, errsz)) != CB_OK)
		return rc;
	if (*base == '\0' || (size_t)snprintf(f->dir, sizeof(f->dir),
	    "%s/transcribe-XXXXXX", cfg->spool_dir) >= sizeof(f->dir)) {
		f->dir[0] = '\0';
		err_say(err, errsz, "the recording's name or spool_dir is bad");
		return CB_EINVAL;
	}
	if (mkdtemp(f->dir) == NULL) {
		err_say(err, errsz, "cannot make a temporary directory in "
		    "spool_dir: %s", strerror(errno));
		f->dir[0] = '\0';
		return CB_EIO;
	}
	if ((size_t)snprintf(f->file, sizeof(f->file), "%s/%s", f->dir,
	    base) >= sizeof(f->file)) {
		f->file[0] = '\0';
		err_say(err, errsz, "the recording's path is too long");
		return CB_EINVAL;
	}
	if ((fd = open(f->file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) < 0 || (out = fdopen(fd, "wb")) == NULL) {
		err_say(err, errsz, "cannot write a temporary file in "
		    "spool_dir: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return CB_EIO;
	}
	rc = s3_get_file(&t, key, out, RECFETCH_MAX_FILE, err, errsz);
	if (fclose(out) != 0 && rc == CB_OK) {
		err_say(err, errsz, "cannot write a temporary file in "
		    "spool_dir: %s", strerror(errno));
		rc = CB_EIO;
	}
	return rc;
}

enum cb_err
transcript_make(struct db *db, const struct cb_config *cfg,
    const struct transcribe_engine *eng, int64_t call_id,
    struct transcribe_watch *w, char *err, size_t errsz)
{
	struct call_access c;
	struct transcript t;
	struct arena *a;
	struct s3_fetched s3f = { "", "" };
	char path[2048];
	const char *src = path;
	bool in_s3;
	enum cb_err rc;

	if (eng == NULL)
		eng = transcribe_engine_of(cfg);
	if (eng == NULL) {
		snprintf(err, errsz, "transcription is off on this server "
		    "(transcribe_engine in the configuration)");
		return CB_EINVAL;
	}
	if ((rc = db_call_access(db, call_id, &c)) != CB_OK) {
		snprintf(err, errsz, rc == CB_ENOTFOUND ? "no such call" :
		    "database: %s", db_error(db));
		return rc;
	}
	if (strcmp(c.recording_state, "stored") != 0 ||
	    c.recording_path[0] == '\0') {
		snprintf(err, errsz, "the call has no stored recording");
		return CB_EINVAL;
	}
	if (strstr(c.recording_path, "..") != NULL ||
	    c.recording_path[0] == '/') {
		snprintf(err, errsz, "the recording's path is not safe");
		return CB_EINVAL;
	}
	in_s3 = strncmp(c.recording_path, S3_PATH_PREFIX,
	    strlen(S3_PATH_PREFIX)) == 0;
	if (!in_s3 && (size_t)snprintf(path, sizeof(path), "%s/%s",
	    cfg->recordings_dir, c.recording_path) >= sizeof(path)) {
		snprintf(err, errsz, "the recording's path is too long");
		return CB_EINVAL;
	}
	if ((rc = db_transcript_running(db, call_id)) != CB_OK) {
		snprintf(err, errsz, "database: %s", db_error(db));
		return rc;
	}
	if (in_s3) {
		/* Down or erring: CB_EUPSTREAM, retried like an engine's. */
		if ((rc = s3_fetch(cfg, c.recording_path +
		    strlen(S3_PATH_PREFIX), &s3f, err, errsz)) != CB_OK) {
			s3_fetched_drop(&s3f);
			return rc;
		}
		src = s3f.file;
	}
	if ((a = arena_new()) == NULL) {
		s3_fetched_drop(&s3f);
		return CB_ENOMEM;
	}
	/* In an idle-priority child, so that ingest and pages keep their
	 * speed while it runs (child.h). */
	rc = transcribe_run_isolated(eng, cfg, a, src, w, &t, err, errsz);
	s3_fetched_drop(&s3f);
	if (rc == CB_OK)
		rc = store(db, cfg, call_id, eng, &t, err, errsz);
	arena_free(a);
	return rc;
}

bool
transcript_error_final(enum cb_err rc)
{
	return rc == CB_EINVAL || rc == CB_ENOTFOUND || rc == CB_ETOOBIG;
}

static bool
final_failure(enum cb_err rc, const struct job *j)
{
	return transcript_error_final(rc) || j->attempts >= j->max_attempts;
}

/* The job's heartbeat while its transcription runs (db/job.h): without
 * it another worker would take a transcription longer than
 * job_stale_seconds for a dead worker's and start it a second time. */
struct beat {
	struct db *db;
	int64_t job_id;
	bool lost_said;
};

static void
job_heartbeat(void *ctx)
{
	struct beat *b = ctx;
	enum cb_err rc = db_job_heartbeat(b->db, b->job_id);

	if (rc == CB_OK || b->lost_said)
		return;
	b->lost_said = true;
	if (rc == CB_ENOTFOUND)
		log_warn("job %lld: no longer running here (requeued by "
		    "another worker?)", (long long)b->job_id);
	else
		log_warn("job %lld: heartbeat not recorded: %s",
		    (long long)b->job_id, db_error(b->db));
}

enum cb_err
transcript_job_run(struct db *db, const struct cb_config *cfg,
    const struct job *j, void (*between)(void *), void *between_ctx,
    char *err, size_t errsz)
{
	struct json_object *o = json_tokener_parse(j->payload), *v;
	struct beat b = { db, j->id, false };
	struct transcribe_watch w = {
		.heartbeat = job_heartbeat, .ctx = &b,
		.heartbeat_seconds = job_heartbeat_seconds(
		    cfg->job_stale_seconds),
		.between = between, .between_ctx = between_ctx,
	};
	int64_t call_id = 0;
	enum cb_err rc;

	if (o != NULL && json_object_object_get_ex(o, "call_id", &v) &&
	    json_object_is_type(v, json_type_int))
		call_id = json_object_get_int64(v);
	json_object_put(o);
	if (call_id <= 0) {
		snprintf(err, errsz, "payload has no call_id");
		return CB_EINVAL;
	}
	if ((rc = transcript_make(db, cfg, NULL, call_id, &w, err, errsz)) ==
	    CB_OK)
		return CB_OK;
	if (rc != CB_ENOTFOUND && db_transcript_failed(db, call_id, err,
	    final_failure(rc, j)) != CB_OK)
		log_error("call %lld: cannot record the transcript's failure: "
		    "%s", (long long)call_id, db_error(db));
	return rc;
}

enum cb_err
transcript_demo(struct db *db, const struct cb_config *cfg, unsigned *done,
    unsigned *failed)
{
	const struct transcribe_engine *eng = transcribe_engine_of(cfg);
	/* The admin who loads the demo waits for these: never paused. */
	struct cb_config now = *cfg;
	int64_t ids[DEMO_SPEECH_MAX];
	char err[512];
	unsigned n, i;
	enum cb_err rc;

	*done = *failed = 0;
	now.transcribe_pause_busy_percent = 0;
	if (eng == NULL)
		eng = transcribe_engine_by_name("local");
	if (eng == NULL)
		return CB_ENOTFOUND;
	if ((rc = db_transcript_untranscribed(db, DEMO_SPEECH_PREFIX, ids,
	    DEMO_SPEECH_MAX, &n)) != CB_OK)
		return rc;
	for (i = 0; i < n; i++) {
		err[0] = '\0';
		if ((rc = transcript_make(db, &now, eng, ids[i], NULL, err,
		    sizeof(err))) == CB_OK) {
			(*done)++;
			continue;
		}
		(*failed)++;
		log_warn("demo: call %lld not transcribed: %s",
		    (long long)ids[i], err);
		if (db_transcript_failed(db, ids[i], err, true) != CB_OK)
			log_warn("demo: call %lld: %s", (long long)ids[i],
			    db_error(db));
	}
	return CB_OK;
}
