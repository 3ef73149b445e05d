#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "automation/deliver.h"
#include "core/jsonget.h"
#include "db/automation.h"
#include "net/httpc.h"
#include "net/sig.h"
#include "net/smtp.h"

void
deliver_sign(const char *secret, const char *ts, const char *body,
    char out[72])
{
	unsigned char mac[SIG_SHA256_LEN];
	char hex[2 * SIG_SHA256_LEN + 1];
	size_t tl = strlen(ts), bl = strlen(body);
	char *msg;

	if ((msg = malloc(tl + 1 + bl + 1)) == NULL)
		abort();
	memcpy(msg, ts, tl);
	msg[tl] = '.';
	memcpy(msg + tl + 1, body, bl + 1);
	sig_hmac_sha256(secret, strlen(secret), msg, tl + 1 + bl, mac);
	free(msg);
	sig_hex(mac, sizeof(mac), hex);
	snprintf(out, 72, "sha256=%s", hex);
}

static int64_t
int_of(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return -1;
	return json_object_get_int64(v);
}

/* Delivered: the run is ok and the job done, together. */
static enum cb_err
finish_ok(struct db *db, int64_t run_id, int64_t job_id)
{
	enum cb_err rc;

	if ((rc = db_begin(db)) != CB_OK)
		return rc;
	if ((rc = db_auto_run_finish(db, run_id, "ok", NULL)) != CB_OK ||
	    (rc = db_job_done(db, job_id)) != CB_OK) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db);
}

/* Not delivered: the run shows the error, failed for good when this was
 * the last attempt. */
static void
note_failure(struct db *db, const struct job *j, int64_t run_id,
    const char *err)
{
	if (run_id > 0)
		(void)db_auto_run_finish(db, run_id, j->attempts >=
		    j->max_attempts ? "failed" : "queued", err);
}

/* The secret of action idx of the trigger ("" when it has none). */
static enum cb_err
action_secret(struct db *db, int64_t trigger_id, int64_t idx, char *out,
    size_t outsz)
{
	struct json_object *acts, *a;
	const char *s;
	char *text;
	enum cb_err rc;

	out[0] = '\0';
	if ((rc = db_auto_trigger_actions(db, trigger_id, &text)) != CB_OK)
		return rc;
	acts = json_tokener_parse(text);
	free(text);
	if (acts && json_object_is_type(acts, json_type_array) && idx >= 0 &&
	    (size_t)idx < json_object_array_length(acts)) {
		a = json_object_array_get_idx(acts, (size_t)idx);
		if ((s = json_member_str(a, "secret")) != NULL)
			snprintf(out, outsz, "%s", s);
	}
	json_object_put(acts);
	return CB_OK;
}

enum cb_err
deliver_webhook(struct db *db, const struct cb_config *cfg,
    const struct job *j, char *err, size_t errsz)
{
	struct json_object *p = json_tokener_parse(j->payload);
	const char *url = json_member_str(p, "url");
	const char *body = json_member_str(p, "body");
	int64_t run_id = int_of(p, "run_id");
	char secret[512], ts[24], sig[72], sighdr[100], tshdr[64];
	char origin[300];
	const char *headers[3];
	struct httpc_req rq;
	struct httpc_res res;
	struct buf out;
	/* A job with no attempts left: its run is failed for good. */
	const struct job final = { .attempts = 1, .max_attempts = 1 };
	enum cb_err rc;

	if (url == NULL || body == NULL || run_id <= 0) {
		snprintf(err, errsz, "payload has no url, body or run_id");
		json_object_put(p);
		return CB_EINVAL;
	}
	rc = action_secret(db, int_of(p, "trigger_id"),
	    int_of(p, "action_index"), secret, sizeof(secret));
	if (rc != CB_OK) {
		snprintf(err, errsz, rc == CB_ENOTFOUND ?
		    "the trigger was deleted" : "database: %s", db_error(db));
		if (rc == CB_ENOTFOUND)
			note_failure(db, &final, run_id, err);
		json_object_put(p);
		return rc;
	}
	snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL));
	deliver_sign(secret, ts, body, sig);
	snprintf(sighdr, sizeof(sighdr), "X-Callboard-Signature: %s", sig);
	snprintf(tshdr, sizeof(tshdr), "X-Callboard-Timestamp: %s", ts);
	headers[0] = tshdr;
	headers[1] = secret[0] ? sighdr : NULL;
	headers[2] = NULL;
	memset(&rq, 0, sizeof(rq));
	rq.method = HTTPC_POST;
	rq.url = url;
	rq.headers = headers;
	rq.body = body;
	rq.body_len = strlen(body);
	rq.content_type = "application/json";
	rq.timeout_s = cfg->outbound_timeout_seconds;
	rq.max_bytes = 16 * 1024;
	/* The URL is an admin's choice in a web form, not the server
	 * operator's: without this a trigger could make the worker POST to
	 * the machine's own services, the LAN or a cloud metadata endpoint
	 * (SSRF). Checked at connect time, see httpc.h. */
	rq.public_only = !cfg->webhook_allow_private;
	buf_init(&out, 16 * 1024);
	rc = httpc_request(&rq, &out, &res);
	buf_free(&out);
	httpc_origin(url, origin, sizeof(origin));
	if (rc == CB_ETOOBIG)
		rc = CB_OK;     /* a chatty receiver still got the body */
	if (rc == CB_OK && res.status >= 200 && res.status < 300) {
		json_object_put(p);
		if ((rc = finish_ok(db, run_id, j->id)) != CB_OK)
			snprintf(err, errsz, "delivered, but: %s", db_error(db));
		return rc;
	}
	if (rc == CB_OK) {
		snprintf(err, errsz, "%s answered HTTP %ld", origin, res.status);
		rc = CB_EUPSTREAM;
	} else if (rc == CB_EDENIED) {
		snprintf(err, errsz, "%s: blocked: %s; webhooks to private, "
		    "loopback and link-local addresses are off "
		    "(webhook_allow_private in callboard.conf)", origin,
		    res.error);
		rc = CB_EINVAL;
	} else
		snprintf(err, errsz, "%s: %s", origin, res.error);
	note_failure(db, rc == CB_EINVAL ? &final : j, run_id, err);
	json_object_put(p);
	/* A bad or blocked URL stays so; anything else may pass next time. */
	return rc == CB_EINVAL ? CB_EINVAL : CB_EUPSTREAM;
}

enum cb_err
deliver_email(struct db *db, const struct cb_config *cfg,
    const struct job *j, char *err, size_t errsz)
{
	struct json_object *p = json_tokener_parse(j->payload);
	int64_t run_id = int_of(p, "run_id");
	struct smtp_msg m;
	const struct job final = { .attempts = 1, .max_attempts = 1 };
	enum cb_err rc;

	memset(&m, 0, sizeof(m));
	m.url = cfg->smtp_url;
	m.from = cfg->smtp_from[0] ? cfg->smtp_from : "callboard@localhost";
	m.user = cfg->smtp_user;
	m.password = cfg->smtp_password;
	m.to = json_member_str(p, "to");
	m.subject = json_member_str(p, "subject");
	m.text = json_member_str(p, "text");
	m.timeout_s = cfg->outbound_timeout_seconds;
	if (run_id <= 0 || m.to == NULL) {
		snprintf(err, errsz, "payload has no run_id or to");
		json_object_put(p);
		return CB_EINVAL;
	}
	rc = smtp_send(&m, err, errsz);
	json_object_put(p);
	if (rc == CB_OK) {
		if ((rc = finish_ok(db, run_id, j->id)) != CB_OK)
			snprintf(err, errsz, "sent, but: %s", db_error(db));
		return rc;
	}
	/* Settings that are wrong now stay wrong: no point retrying. */
	note_failure(db, rc == CB_EINVAL ? &final : j, run_id, err);
	return rc;
}
