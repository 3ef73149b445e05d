/* The call card's transcript (issue 22): see cgi/transcript.h. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/strparse.h"
#include "core/utf8.h"
#include "i18n/i18n.h"
#include "db/access.h"
#include "db/transcript.h"
#include "transcribe/codec.h"
#include "transcribe/engine.h"
#include "http/call_labels.h"
#include "transcript.h"

#define SUMMARY_EDIT_MAX 4000     /* characters of a corrected summary */

static const char *
side_label(enum speaker s)
{
	switch (s) {
	case SPEAKER_MANAGER:
		return _("Manager");
	case SPEAKER_CUSTOMER:
		return _("Customer");
	case SPEAKER_UNKNOWN:
	default:
		return NULL;
	}
}

/* "m:ss" (or "h:mm:ss") of a millisecond offset, for the line's label. */
static const char *
clock_of(struct ctx *ctx, uint32_t ms)
{
	unsigned s = ms / 1000;

	if (s >= 3600)
		return arena_printf(ctx->arena, "%u:%02u:%02u", s / 3600,
		    s / 60 % 60, s % 60);
	return arena_printf(ctx->arena, "%u:%02u", s / 60, s % 60);
}


static void
add_lines(struct ctx *ctx, struct json_object *o, const char *json)
{
	struct json_object *lines = json_object_new_array();
	struct transcript t;
	size_t i;

	json_object_object_add(o, "lines", lines);
	if (json == NULL || transcript_from_json(json, strlen(json),
	    ctx->arena, &t) != CB_OK) {
		if (json != NULL)
			log_warn("a stored transcript could not be read");
		return;
	}
	for (i = 0; i < t.n; i++) {
		struct json_object *l = json_object_new_object();
		const struct utterance *u = &t.u[i];

		app_add_int(l, "index", (int64_t)i);
		app_add_int(l, "start_ms", u->start_ms);
		app_add_int(l, "end_ms", u->end_ms);
		/* Seconds for the player's currentTime (static/transcript.js). */
		app_add_str(l, "start_s", arena_printf(ctx->arena, "%u.%03u",
		    u->start_ms / 1000, u->start_ms % 1000));
		app_add_str(l, "at", clock_of(ctx, u->start_ms));
		app_add_str(l, "side", speaker_name(u->side));
		app_add_str(l, "side_label", side_label(u->side));
		app_add_str(l, "text", u->text);
		json_object_array_add(lines, l);
	}
}

enum cb_err
transcript_card_model(struct ctx *ctx, int64_t call_id,
    const struct access_call *who, const char *recording_state,
    struct json_object *m)
{
	struct json_object *o;
	struct db_stmt *st;
	const char *status, *v;
	bool stored = recording_state && strcmp(recording_state, "stored") == 0,
	    can_edit, busy, done;
	enum cb_err rc;

	json_object_object_add(m, "transcript", NULL);
	if (!access_transcript(ctx->user, VIA_HISTORY, 0, who, TRANSCRIPT_READ))
		return CB_OK;
	can_edit = access_transcript(ctx->user, VIA_HISTORY, 0, who,
	    TRANSCRIPT_EDIT);
	rc = db_transcript_get(ctx->db, call_id, &st);
	if (rc == CB_ENOTFOUND) {
		/* None yet: only the button, where it can work. */
		if (!stored || transcribe_engine_of(ctx->cfg) == NULL)
			return CB_OK;
		o = json_object_new_object();
		app_add_str(o, "status", "none");
		app_add_str(o, "status_label", _("No transcript yet"));
		app_add_str(o, "request_url", arena_printf(ctx->arena,
		    "/calls/%lld/transcript", (long long)call_id));
		app_add_str(o, "request_label", _("Transcribe"));
		json_object_object_add(m, "transcript", o);
		return CB_OK;
	}
	if (rc != CB_OK)
		return rc;
	o = json_object_new_object();
	status = arena_strdup(ctx->arena, db_col(st, TR_STATUS, NULL));
	busy = strcmp(status, "queued") == 0 || strcmp(status, "running") == 0;
	done = strcmp(status, "done") == 0;
	app_add_str(o, "status", status);
	app_add_str(o, "status_label", call_transcript_label(status));
	app_add_bool(o, "busy", busy);
	if ((v = db_col(st, TR_FAILURE, NULL)) != NULL && *v) {
		if (strcmp(status, "failed") == 0)
			app_add_str(o, "failure", app_fill(ctx,
			    _("transcript failed: {why}"), "{why}", v,
			    (const char *)NULL));
		else if (busy)
			app_add_str(o, "retrying", app_fill(ctx,
			    _("the last attempt failed ({why}); trying again"),
			    "{why}", v, (const char *)NULL));
	}
	app_add_str(o, "engine", db_col(st, TR_ENGINE, NULL));
	app_add_str(o, "language", db_col(st, TR_LANGUAGE, NULL));
	app_add_bool(o, "draft", db_col_i64(st, TR_DRAFT) != 0);
	app_add_int(o, "version", db_col_i64(st, TR_VERSION));
	if (done) {
		add_lines(ctx, o, db_col(st, TR_UTTERANCES, NULL));
		app_add_bool(o, "empty", json_object_array_length(
		    json_object_object_get(o, "lines")) == 0);
		app_add_str(o, "summary", db_col(st, TR_SUMMARY, NULL));
		app_add_str(o, "summary_note", db_col(st, TR_SUMMARY_NOTE,
		    NULL));
		if (!db_col_null(st, TR_EDITED_AT)) {
			struct json_object *e = json_object_new_object();
			v = db_col(st, TR_EDITED_BY_NAME, NULL);
			app_add_str(e, "by", v ? v : "A former user");
			app_add_time(ctx, e, "at", db_col(st, TR_EDITED_AT, NULL));
			json_object_object_add(o, "edited", e);
		}
	}
	db_stmt_done(st);
	if (done && can_edit)
		app_add_str(o, "edit_url", arena_printf(ctx->arena,
		    "/calls/%lld/transcript/edit", (long long)call_id));
	if (!busy && stored && transcribe_engine_of(ctx->cfg) != NULL) {
		app_add_str(o, "request_url", arena_printf(ctx->arena,
		    "/calls/%lld/transcript", (long long)call_id));
		app_add_str(o, "request_label", done ? _("Transcribe again") :
		    _("Try again"));
	}
	json_object_object_add(m, "transcript", o);
	/* What was said is as private as the audio: reading it is logged
	 * like a play (issue 22; listening log). */
	if (done && (rc = db_listen_log(ctx->db, ctx->user->id, call_id,
	    "transcript", "card", ctx->req->remote_addr,
	    http_header(ctx->req, "User-Agent"))) != CB_OK) {
		json_object_object_add(m, "transcript", NULL);
		return rc;
	}
	return CB_OK;
}

/* The call and the user's right to act on its transcript: CB_OK, or an
 * error with ctx->message set. */
static enum cb_err
load(struct ctx *ctx, enum access_transcript_act act, struct call_access *c)
{
	enum cb_err rc;

	if ((rc = db_call_access(ctx->db, ctx->ids[0], c)) != CB_OK) {
		ctx->message = rc == CB_ENOTFOUND ? _("There is no such "
		    "call.") : _("The database is not answering. Try again in "
		    "a minute.");
		return rc;
	}
	if (!access_transcript(ctx->user, VIA_HISTORY, 0, &c->who, act)) {
		ctx->message = act == TRANSCRIPT_EDIT ? _("Your role does not "
		    "allow correcting this call's transcript.") : _("Your role "
		    "does not allow reading this call's transcript.");
		return CB_EDENIED;
	}
	return CB_OK;
}

enum cb_err
transcript_post_request(struct ctx *ctx)
{
	struct call_access c;
	bool queued;
	enum cb_err rc;

	if ((rc = load(ctx, TRANSCRIPT_READ, &c)) != CB_OK)
		return rc;
	if (strcmp(c.recording_state, "stored") != 0) {
		ctx->message = _("This call has no stored recording to "
		    "transcribe.");
		return CB_EINVAL;
	}
	if (transcribe_engine_of(ctx->cfg) == NULL) {
		ctx->message = _("Transcription is off on this server: an "
		    "administrator sets transcribe_engine in the "
		    "configuration.");
		return CB_EINVAL;
	}
	if ((rc = db_transcript_request(ctx->db, c.id, ctx->user->id,
	    &queued)) != CB_OK) {
		ctx->message = _("The transcript could not be queued: the "
		    "database is not answering. Try again in a minute.");
		return rc;
	}
	resp_redirect(ctx->resp, 303, arena_printf(ctx->arena,
	    "/calls/%lld?transcript=%s#transcript", (long long)c.id,
	    queued ? "queued" : "busy"));
	return CB_OK;
}

/* A form value as trimmed text: NULL when absent; *bad set when it has
 * bytes that are not UTF-8 or more than max characters. */
static const char *
text_field(struct ctx *ctx, const char *name, long max, bool *bad)
{
	const struct kv *kv = NULL;
	size_t i, s, e;
	long chars;

	for (i = 0; i < ctx->req->form.n; i++)
		if (strcmp(ctx->req->form.v[i].key, name) == 0)
			kv = &ctx->req->form.v[i];
	if (kv == NULL)
		return NULL;
	for (s = 0; s < kv->val_len && strchr(" \t\r\n", kv->val[s]); s++)
		;
	for (e = kv->val_len; e > s && strchr(" \t\r\n", kv->val[e - 1]); e--)
		;
	chars = utf8_chars(kv->val + s, e - s);
	if (chars < 0 || chars > max) {
		*bad = true;
		return NULL;
	}
	return arena_strndup(ctx->arena, kv->val + s, e - s);
}

enum cb_err
transcript_post_edit(struct ctx *ctx)
{
	const char *v, *text, *summary, *old_json, *old_summary;
	char head[TRANSCRIPT_HEAD_MAX * 4 + 1];
	struct transcript_text tt;
	struct transcript t;
	struct call_access c;
	struct db_stmt *st;
	struct buf json, words;
	int64_t version, line = -1;
	bool bad_text = false, bad_summary = false;
	enum cb_err rc;

	if ((rc = load(ctx, TRANSCRIPT_EDIT, &c)) != CB_OK)
		return rc;
	if ((v = app_param(ctx, "version")) == NULL ||
	    strparse_i64z(v, 1, UINT32_MAX, &version) != CB_OK) {
		ctx->message = _("The form has no transcript version: reload "
		    "the card and correct it again.");
		return CB_EINVAL;
	}
	if ((v = app_param(ctx, "line")) != NULL && *v &&
	    strparse_i64z(v, 0, TRANSCRIPT_LINES_MAX - 1, &line) != CB_OK) {
		ctx->message = _("There is no such line in the "
		    "transcript.");
		return CB_EINVAL;
	}
	text = text_field(ctx, "text", TRANSCRIPT_LINE_MAX, &bad_text);
	summary = text_field(ctx, "summary", SUMMARY_EDIT_MAX, &bad_summary);
	if (bad_text || bad_summary) {
		ctx->message = app_fill(ctx, _("A line is at most {line} "
		    "characters and a summary at most {summary}, as UTF-8 "
		    "text."), "{line}", arena_printf(ctx->arena, "%d",
		    TRANSCRIPT_LINE_MAX), "{summary}", arena_printf(ctx->arena,
		    "%d", SUMMARY_EDIT_MAX), (const char *)NULL);
		return CB_EINVAL;
	}
	if ((line >= 0) != (text != NULL) || (line < 0 && summary == NULL)) {
		ctx->message = _("Send a line number with its corrected text, "
		    "or a corrected summary.");
		return CB_EINVAL;
	}
	if (text != NULL && *text == '\0') {
		ctx->message = _("A transcript line cannot be empty.");
		return CB_EINVAL;
	}
	if ((rc = db_transcript_get(ctx->db, c.id, &st)) != CB_OK) {
		ctx->message = rc == CB_ENOTFOUND ? _("This call has no "
		    "transcript to correct.") : _("The database is not "
		    "answering. Try again in a minute.");
		return rc;
	}
	v = db_col(st, TR_STATUS, NULL);
	old_json = db_col(st, TR_UTTERANCES, NULL);
	old_json = old_json ? arena_strdup(ctx->arena, old_json) : "[]";
	old_summary = db_col(st, TR_SUMMARY, NULL);
	old_summary = old_summary ? arena_strdup(ctx->arena, old_summary) :
	    NULL;
	if (v == NULL || strcmp(v, "done") != 0) {
		db_stmt_done(st);
		ctx->message = _("The transcript is not finished: correct it "
		    "once it is.");
		return CB_EINVAL;
	}
	db_stmt_done(st);
	if (transcript_from_json(old_json, strlen(old_json), ctx->arena, &t) !=
	    CB_OK) {
		ctx->message = _("The stored transcript cannot be read.");
		return CB_EIO;
	}
	if (line >= (int64_t)t.n) {
		ctx->message = _("There is no such line in the "
		    "transcript.");
		return CB_EINVAL;
	}
	if (line >= 0)
		t.u[line].text = text;
	if (summary == NULL)
		summary = old_summary;
	buf_init(&json, TRANSCRIPT_JSON_MAX);
	buf_init(&words, TRANSCRIPT_JSON_MAX);
	if ((rc = transcript_to_json(&t, &json)) == CB_OK)
		rc = transcript_words(&t, &words);
	transcript_summary_head(summary, TRANSCRIPT_HEAD_MAX, head,
	    sizeof(head));
	tt.utterances = buf_cstr(&json);
	tt.words = buf_cstr(&words);
	tt.summary = summary && *summary ? summary : NULL;
	tt.summary_head = head[0] ? head : NULL;
	if (rc == CB_OK)
		rc = db_transcript_edit(ctx->db, c.id, ctx->user->id,
		    (uint32_t)version, &tt);
	buf_free(&json);
	buf_free(&words);
	if (rc == CB_DUPLICATE) {
		app_fail(ctx, CB_EINVAL, 409, _("Someone changed this "
		    "transcript after you opened it. Reload the card and make "
		    "your correction again."));
		return CB_DUPLICATE;
	}
	if (rc != CB_OK) {
		ctx->message = _("The correction could not be saved: the "
		    "database is not answering. Try again in a minute.");
		return rc;
	}
	resp_redirect(ctx->resp, 303, arena_printf(ctx->arena,
	    "/calls/%lld?transcript=saved#transcript", (long long)c.id));
	return CB_OK;
}
