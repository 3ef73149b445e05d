#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "calls/recfetch.h"
#include "core/jsonget.h"
#include "core/log.h"
#include "core/secretbox.h"
#include "db/automation.h"
#include "db/sms.h"
#include "sms/outbox.h"
#include "sms/registry.h"

static int64_t
int_of(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return -1;
	return json_object_get_int64(v);
}

/* The sealed secrets as a JSON object (caller puts), {} when none. */
static struct json_object *
open_secrets(const struct cb_config *cfg, const char *sealed)
{
	struct json_object *o = NULL;
	char *plain;
	size_t plen;

	if (sealed != NULL && *sealed != '\0' && secretbox_open(cfg->secret_key,
	    sealed, strlen(sealed), &plain, &plen) == CB_OK) {
		o = json_tokener_parse(plain);
		OPENSSL_cleanse(plain, plen);
		free(plain);
	}
	if (o != NULL && !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = NULL;
	}
	return o ? o : json_object_new_object();
}

/* The message and the run end in one state, together. */
static void
record(struct db *db, int64_t sms_id, int64_t run_id, const char *state,
    const char *run_result, const char *message_id, const char *error)
{
	if (db_sms_finish(db, sms_id, state, message_id, error) != CB_OK ||
	    (run_id > 0 && db_auto_run_finish(db, run_id, run_result,
	    error && *error ? error : NULL) != CB_OK))
		log_error("sms %lld: cannot record \"%s\": %s",
		    (long long)sms_id, state, db_error(db));
}

/* Everything about one message that the request needs. */
struct msg {
	int64_t id, run_id, gateway_id;
	char state[12];
	char recipient[24];
	char *text;
	const struct sms_gateway *g;
	struct json_object *settings, *secrets;
	char label[140];
};

static void
msg_free(struct msg *m)
{
	free(m->text);
	json_object_put(m->settings);
	json_object_put(m->secrets);
}

static enum cb_err
msg_load(struct db *db, const struct cb_config *cfg, int64_t id,
    struct msg *m, char *err, size_t errsz)
{
	struct db_stmt *st;
	enum cb_err rc;

	memset(m, 0, sizeof(*m));
	if ((rc = db_sms_message_get(db, id, &st)) != CB_OK) {
		snprintf(err, errsz, rc == CB_ENOTFOUND ? "the SMS is gone "
		    "(its trigger was deleted)" : "database: %s", db_error(db));
		return rc;
	}
	m->id = id;
	m->run_id = db_col_i64(st, SM_RUN_ID);
	m->gateway_id = db_col_null(st, SM_GATEWAY_ID) ? 0 :
	    db_col_i64(st, SM_GATEWAY_ID);
	snprintf(m->state, sizeof(m->state), "%s", db_col(st, SM_STATE, NULL));
	snprintf(m->recipient, sizeof(m->recipient), "%s",
	    db_col(st, SM_RECIPIENT, NULL));
	if ((m->text = strdup(db_col(st, SM_TEXT, NULL))) == NULL)
		abort();
	db_stmt_done(st);
	if (m->gateway_id == 0) {
		snprintf(err, errsz, "the SMS gateway was deleted");
		return CB_EINVAL;
	}
	if ((rc = db_sms_gateway_get(db, m->gateway_id, &st)) != CB_OK) {
		snprintf(err, errsz, rc == CB_ENOTFOUND ? "the SMS gateway was "
		    "deleted" : "database: %s", db_error(db));
		return rc == CB_ENOTFOUND ? CB_EINVAL : rc;
	}
	m->g = sms_gateway_find(db_col(st, SG_KIND, NULL));
	snprintf(m->label, sizeof(m->label), "%s", db_col(st, SG_NAME, NULL));
	m->settings = json_tokener_parse(db_col(st, SG_SETTINGS, NULL) ?
	    db_col(st, SG_SETTINGS, NULL) : "{}");
	if (m->settings == NULL || !json_object_is_type(m->settings,
	    json_type_object)) {
		json_object_put(m->settings);
		m->settings = json_object_new_object();
	}
	m->secrets = open_secrets(cfg, db_col(st, SG_SECRETS, NULL));
	db_stmt_done(st);
	if (m->g == NULL) {
		snprintf(err, errsz, "SMS gateway \"%s\" has an unknown kind",
		    m->label);
		return CB_EINVAL;
	}
	return CB_OK;
}

/* One request through httpc, its outcome in r. */
static void
send_one(const struct cb_config *cfg, const struct msg *m,
    struct sms_result *r)
{
	const char *allow[RECFETCH_ALLOW_MAX + 1];
	const char *headers[SMS_HEADERS_MAX + 1];
	struct json_object *allow_o = NULL;
	const char *base_s = sms_setting(m->settings, "api_base");
	char base[1024], to[24], err[SMS_ERROR_MAX] = "", origin[300];
	struct sms_request rq;
	struct sms_send in;
	struct httpc_req hr;
	struct httpc_res res;
	struct buf out;
	enum cb_err rc;
	size_t i, k = 0;

	memset(r, 0, sizeof(*r));
	if (recfetch_api_base(base_s ? base_s : m->g->default_base, base,
	    sizeof(base)) != CB_OK) {
		sms_result_set(r, SMS_REJECTED, "%s: the API address must be "
		    "an https URL (http only to this machine)", m->g->label);
		return;
	}
	if (sms_format_number(m->g->number_format, m->recipient, to,
	    sizeof(to)) != CB_OK) {
		sms_result_set(r, SMS_REJECTED, "%.24s is not an E.164 number",
		    m->recipient);
		return;
	}
	memset(&in, 0, sizeof(in));
	in.base = base;
	in.settings = m->settings;
	in.secrets = m->secrets;
	in.to = to;
	in.text = m->text;
	sms_request_init(&rq);
	if (m->g->build(&in, &rq, err, sizeof(err)) != CB_OK) {
		sms_result_set(r, SMS_REJECTED, "%s", err[0] ? err :
		    "cannot build the request");
		sms_request_wipe(&rq);
		return;
	}
	for (i = 0; i < SMS_HEADERS_MAX; i++)
		if (rq.headers[i][0])
			headers[k++] = rq.headers[i];
	headers[k] = NULL;
	/* allow_private_hosts: "a, b" as the settings page stores it, or an
	 * array (recfetch_allow_private reads both shapes). */
	{
		const char *s = sms_setting(m->settings, "allow_private_hosts");
		char *copy, *tok, *save = NULL;

		allow_o = json_object_new_object();
		if (s != NULL && (copy = strdup(s)) != NULL) {
			struct json_object *arr = json_object_new_array();

			for (tok = strtok_r(copy, ", ", &save); tok;
			    tok = strtok_r(NULL, ", ", &save))
				json_object_array_add(arr,
				    json_object_new_string(tok));
			json_object_object_add(allow_o, "allow_private_hosts",
			    arr);
			free(copy);
		}
		recfetch_allow_private(allow_o, allow);
	}
	memset(&hr, 0, sizeof(hr));
	hr.method = rq.method;
	hr.url = rq.url;
	hr.headers = headers;
	hr.body = rq.method == HTTPC_POST ? buf_cstr(&rq.body) : NULL;
	hr.body_len = rq.method == HTTPC_POST ? rq.body.len : 0;
	hr.content_type = rq.content_type;
	hr.user = rq.user[0] ? rq.user : NULL;
	hr.password = rq.password;
	hr.timeout_s = cfg->outbound_timeout_seconds;
	hr.max_bytes = SMS_RESPONSE_MAX;
	/* Gateways are on the Internet: a private address is refused unless
	 * the account allows it (a proxy on the LAN, a test stand-in). */
	hr.public_only = true;
	hr.allow_private = allow;
	buf_init(&out, SMS_RESPONSE_MAX);
	rc = httpc_request(&hr, &out, &res);
	httpc_origin(rq.url, origin, sizeof(origin));
	if (rc == CB_OK)
		m->g->parse(res.status, buf_cstr(&out), out.len, r);
	else if (rc == CB_EDENIED)
		sms_result_set(r, SMS_REJECTED, "%s: blocked: %s; a gateway on "
		    "a private address needs it in the account's \"Private "
		    "addresses allowed\"", origin, res.error);
	else if (rc == CB_EUPSTREAM && !res.sent)
		sms_result_set(r, SMS_RETRY, "%s: %s (not sent)", origin,
		    res.error);
	else if (rc == CB_EUPSTREAM || rc == CB_ETOOBIG)
		sms_result_set(r, SMS_UNKNOWN, "%s: %s after the request was "
		    "sent: the gateway may have the message; not resent, check "
		    "the gateway's log", origin, res.error);
	else
		sms_result_set(r, SMS_REJECTED, "%s: %s", origin, res.error);
	buf_free(&out);
	sms_request_wipe(&rq);
	json_object_put(allow_o);
}

enum cb_err
sms_outbox_send(struct db *db, const struct cb_config *cfg,
    const struct job *j, char *err, size_t errsz)
{
	struct json_object *p = json_tokener_parse(j->payload);
	int64_t sms_id = int_of(p, "sms_id");
	struct sms_result r;
	struct msg m;
	enum cb_err rc;
	bool claimed, last;

	json_object_put(p);
	if (sms_id <= 0) {
		snprintf(err, errsz, "payload has no sms_id");
		return CB_EINVAL;
	}
	if ((rc = msg_load(db, cfg, sms_id, &m, err, errsz)) != CB_OK) {
		if (rc == CB_EINVAL)
			record(db, sms_id, m.run_id, "failed", "failed", NULL,
			    err);
		msg_free(&m);
		return rc;
	}
	if ((rc = db_sms_claim(db, sms_id, &claimed)) != CB_OK) {
		snprintf(err, errsz, "database: %s", db_error(db));
		msg_free(&m);
		return rc;
	}
	if (!claimed) {
		/* "sending": the worker that claimed it died mid-request. */
		if (strcmp(m.state, "sending") == 0) {
			snprintf(err, errsz, "the worker stopped while sending "
			    "(attempt %u): the gateway may have the message; not "
			    "resent, check the gateway's log", j->attempts);
			record(db, sms_id, m.run_id, "unknown", "unknown", NULL,
			    err);
			log_warn("sms %lld: outcome unknown: %s",
			    (long long)sms_id, err);
		}
		/* sent, failed, unknown: finished before; nothing to do. */
		msg_free(&m);
		return CB_OK;
	}
	send_one(cfg, &m, &r);
	last = j->attempts >= j->max_attempts;
	switch (r.outcome) {
	case SMS_SENT:
		record(db, sms_id, m.run_id, "sent", "ok", r.message_id, NULL);
		rc = CB_OK;
		break;
	case SMS_UNKNOWN:
		record(db, sms_id, m.run_id, "unknown", "unknown", NULL,
		    r.error);
		rc = CB_OK;
		break;
	case SMS_RETRY:
		record(db, sms_id, m.run_id, last ? "failed" : "queued",
		    last ? "failed" : "queued", NULL, r.error);
		rc = CB_EUPSTREAM;
		break;
	case SMS_REJECTED:
	default:
		record(db, sms_id, m.run_id, "failed", "failed", NULL, r.error);
		rc = CB_EINVAL;
		break;
	}
	if (rc != CB_OK)
		snprintf(err, errsz, "%s", r.error);
	else if (r.outcome != SMS_SENT)
		log_warn("sms %lld: %s", (long long)sms_id, r.error);
	msg_free(&m);
	return rc;
}
