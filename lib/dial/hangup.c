#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "dial/hangup.h"
#include "providers/registry.h"

/* The provider, when it has a hang-up member; else NULL. */
static const struct provider *
hanging_provider(const char *kind)
{
	const struct provider *p = kind != NULL ? provider_by_kind(kind) :
	    NULL;

	return p != NULL && p->hangup != NULL ? p : NULL;
}

/* The call's raw events, newest first: a hang-up id is in the latest one
 * that says it (the event inspector keeps them, issue 17 §3). */
static const char sql_hangup_events[] =
    "SELECT payload FROM call_events WHERE call_id = ? "
    "ORDER BY received_at DESC, id DESC LIMIT 50";

enum cb_err
dial_hangup_id(struct db *db, const struct dial_target *t, int64_t call_id,
    const char *external_id, char *out, size_t outsz)
{
	const struct provider *p = hanging_provider(t->kind);
	struct db_stmt *st;
	enum cb_err rc;
	bool said = false;

	out[0] = '\0';
	if (p == NULL || p->hangup_id == NULL) {
		snprintf(out, outsz, "%s", external_id ? external_id : "");
		return CB_OK;
	}
	if (external_id == NULL || *external_id == '\0')
		return CB_OK;
	if ((rc = db_stmt(db, sql_hangup_events, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, call_id);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	while (!said && (rc = db_fetch(st)) == CB_OK) {
		const char *payload = db_col(st, 0, NULL);

		said = payload != NULL && p->hangup_id(payload, external_id,
		    out, outsz);
	}
	db_stmt_done(st);
	if (!said)
		out[0] = '\0';
	return rc == CB_ENOTFOUND || rc == CB_OK ? CB_OK : rc;
}

enum cb_err
dial_hangup_build(const struct dial_target *t, const char *call_id,
    struct dial_request *r, char *err, size_t errsz)
{
	const struct provider *p = hanging_provider(t->kind);
	enum cb_err rc;
	size_t i, n = 0;

	memset(r, 0, sizeof(*r));
	if (p == NULL) {
		err_say(err, errsz, "%s cannot hang up calls from Callboard",
		    dial_provider_name(t));
		return CB_EINVAL;
	}
	if (call_id == NULL || *call_id == '\0') {
		err_say(err, errsz, "%s did not tell Callboard this call's id, "
		    "so it cannot be hung up from here",
		    dial_provider_name(t));
		return CB_EINVAL;
	}
	rc = p->hangup(t, call_id, r, err, errsz);
	for (i = 0; i < 3; i++)
		if (r->headers[i][0] != '\0')
			r->header_ptrs[n++] = r->headers[i];
	r->header_ptrs[n] = NULL;
	return rc;
}

enum cb_err
dial_hangup_check(const struct dial_target *t, const char *call_id,
    char *err, size_t errsz)
{
	struct dial_request r;
	struct dial_target lt = *t;
	enum cb_err rc;

	/* A provider with a login step (Phonet, Yeastar) builds only with its
	 * token, which is asked for when the request is sent, not for every
	 * card drawn: the question here is whether the settings and the id
	 * can work, so any token stands in (the request is discarded). */
	if (lt.token == NULL)
		lt.token = "token-at-send-time";
	rc = dial_hangup_build(&lt, call_id, &r, err, errsz);
	dial_request_wipe(&r);
	return rc;
}

bool
dial_hangup_capable(const struct dial_target *t, const char *call_id)
{
	char err[256];

	return hanging_provider(t->kind) != NULL &&
	    dial_hangup_check(t, call_id, err, sizeof(err)) == CB_OK;
}

enum cb_err
dial_hangup_read_answer(const struct dial_target *t, long status,
    const char *body, size_t len, char *msg, size_t msgsz)
{
	/* Twilio answers 404 for a call it does not know; the generic format
	 * asks a PBX for 404 or 409 when the call is not in progress. */
	if (status == 404 || status == 409 || status == 410) {
		err_say(msg, msgsz, "%s says this call is no longer in "
		    "progress: it has already ended.", dial_provider_name(t));
		return CB_ENOTFOUND;
	}
	return dial_read_answer(t, status, body, len, msg, msgsz);
}

static enum cb_err
build_hangup(const struct dial_target *t, const void *call_id,
    struct dial_request *r, char *err, size_t errsz)
{
	return dial_hangup_build(t, call_id, r, err, errsz);
}

enum cb_err
dial_hangup(const struct dial_target *t, const char *call_id,
    unsigned timeout_s, char *msg, size_t msgsz)
{
	struct buf body;
	long status = 0;
	enum cb_err rc;

	buf_init(&body, DIAL_ANSWER_MAX);
	if ((rc = dial_exchange(t, build_hangup, call_id, timeout_s, "hangup",
	    &status, &body, msg, msgsz)) != CB_OK) {
		buf_free(&body);
		return rc;
	}
	rc = dial_hangup_read_answer(t, status, body.p ? body.p : "",
	    body.len, msg, msgsz);
	if (rc != CB_OK)
		log_info("hangup: %s: %s (HTTP %ld)", t->slug, msg, status);
	else
		err_say(msg, msgsz, "%s is ending the call. The card shows "
		    "its end as soon as %s reports it.", dial_provider_name(t),
		    dial_provider_name(t));
	buf_free(&body);
	return rc;
}
