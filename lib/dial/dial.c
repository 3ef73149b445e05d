#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "calls/recfetch.h"
#include "core/buf.h"
#include "core/jsonget.h"
#include "core/log.h"
#include "dial/dial.h"
#include "providers/registry.h"

bool
dial_fits(char *out, size_t outsz, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, outsz, fmt, ap);
	va_end(ap);
	return n >= 0 && (size_t)n < outsz;
}

enum cb_err
dial_api_base(const struct dial_target *t, const char *dflt, char *out,
    size_t outsz, char *err, size_t errsz)
{
	const char *base = json_member_str(t->config, "api_base");

	/* The same rule as recording downloads: https, or http on loopback. */
	if (recfetch_api_base(base != NULL ? base : dflt, out, outsz) !=
	    CB_OK) {
		err_say(err, errsz, "%s: the setting api_base must be an "
		    "https URL (http only on this machine)",
		    dial_provider_name(t));
		return CB_EINVAL;
	}
	return CB_OK;
}

/* The provider's click-to-call member, or NULL. */
static const struct prov_dial *
dial_of(const char *kind)
{
	const struct provider *p = provider_by_kind(kind);

	return p != NULL ? p->dial : NULL;
}

const char *
dial_provider_name(const struct dial_target *t)
{
	const struct prov_dial *d = dial_of(t->kind);

	if (d != NULL && d->name != NULL)
		return d->name;
	return t->name != NULL && *t->name ? t->name : "The PBX";
}

bool
dial_capable(const char *kind, struct json_object *config)
{
	const struct prov_dial *d = dial_of(kind);

	return d != NULL && (d->capable == NULL || d->capable(config));
}

const char *
dial_missing_setting(const char *kind, struct json_object *config)
{
	const struct prov_dial *d = dial_of(kind);

	if (d == NULL || dial_capable(kind, config))
		return NULL;
	return d->missing;
}

enum cb_err
dial_build(const struct dial_target *t, struct dial_request *r, char *err,
    size_t errsz)
{
	const struct prov_dial *d = dial_of(t->kind);
	enum cb_err rc;
	size_t i, n = 0;

	memset(r, 0, sizeof(*r));
	if (d == NULL || d->build == NULL) {
		err_say(err, errsz, "%s cannot place calls",
		    dial_provider_name(t));
		return CB_EINVAL;
	}
	rc = d->build(t, r, err, errsz);
	for (i = 0; i < 3; i++)
		if (r->headers[i][0] != '\0')
			r->header_ptrs[n++] = r->headers[i];
	r->header_ptrs[n] = NULL;
	return rc;
}

void
dial_request_wipe(struct dial_request *r)
{
	explicit_bzero(r, sizeof(*r));
}

/* Printable ASCII only, at most n bytes: a provider's message goes into a
 * page (escaped there) and a log line. */
static void
clean(const char *s, size_t n, char *out, size_t outsz)
{
	size_t i, j = 0;

	for (i = 0; s[i] != '\0' && i < n && j + 1 < outsz; i++)
		out[j++] = (unsigned char)s[i] >= 0x20 &&
		    (unsigned char)s[i] < 0x7f ? s[i] : '?';
	out[j] = '\0';
}

enum cb_err
dial_read_answer(const struct dial_target *t, long status, const char *body,
    size_t len, char *msg, size_t msgsz)
{
	const char *who = dial_provider_name(t), *st, *why;
	struct json_tokener *tok = json_tokener_new_ex(16);
	struct json_object *j = NULL;
	bool ok2xx = status >= 200 && status <= 299;
	char reason[200] = "";
	enum cb_err rc;

	if (tok != NULL && len > 0)
		j = json_tokener_parse_ex(tok, body, (int)len);
	if (tok != NULL)
		json_tokener_free(tok);
	st = json_member_str(j, "status");
	/* Zadarma and Binotel: "message"; Twilio: "message" (and "code");
	 * our generic format: "error" or "message". */
	why = json_member_str(j, "message");
	if (why == NULL)
		why = json_member_str(j, "error");
	if (why != NULL)
		clean(why, 160, reason, sizeof(reason));
	if (dial_of(t->kind) != NULL && dial_of(t->kind)->says_success)
		ok2xx = ok2xx && st != NULL && strcmp(st, "success") == 0;
	if (dial_of(t->kind) != NULL && dial_of(t->kind)->accepted != NULL) {
		/* The provider's own reading (Yeastar's errcode). */
		char own[200] = "";

		ok2xx = dial_of(t->kind)->accepted(status, body, len, own,
		    sizeof(own));
		clean(own, 160, reason, sizeof(reason));
	}
	if (ok2xx) {
		rc = CB_OK;
	} else {
		rc = CB_EUPSTREAM;
		if (reason[0] != '\0')
			err_say(msg, msgsz, "%s refused the request: %s", who,
			    reason);
		else if (status >= 200 && status <= 299)
			err_say(msg, msgsz, "%s refused the request without "
			    "saying why", who);
		else
			err_say(msg, msgsz, "%s refused the request (HTTP "
			    "%ld)", who, status);
	}
	json_object_put(j);
	return rc;
}

/* libcurl's texts for a timeout all say "timed out". */
static bool
timed_out(const char *error)
{
	return strcasestr(error, "timed out") != NULL ||
	    strcasestr(error, "timeout") != NULL;
}

/* Sends a built request r through httpc with the guard, caps and timeout of
 * every outgoing request of an integration, and wipes r. CB_OK: *status
 * and body hold the answer. CB_EINVAL: the address is refused (settings).
 * CB_EUPSTREAM: unreachable or too slow. msg is set on failure and never
 * holds a secret; what names the request in the log ("dial", "hangup").
 * Click-to-call and hang-up both go out here, so whatever a provider needs
 * before a request serves both. */
enum cb_err
dial_send(const struct dial_target *t, struct dial_request *r,
    unsigned timeout_s, const char *what, long *status, struct buf *body,
    char *msg, size_t msgsz)
{
	const char *allow[RECFETCH_ALLOW_MAX + 1];
	struct httpc_req rq;
	struct httpc_res res;
	char origin[300];
	const char *who = dial_provider_name(t);
	enum cb_err rc;

	httpc_origin(r->url, origin, sizeof(origin));
	memset(&rq, 0, sizeof(rq));
	rq.method = r->method;
	rq.url = r->url;
	rq.headers = r->header_ptrs[0] != NULL ? r->header_ptrs : NULL;
	rq.body = r->method == HTTPC_POST ? r->body : NULL;
	rq.body_len = r->method == HTTPC_POST ? r->body_len : 0;
	rq.content_type = r->content_type;
	rq.user = r->user[0] != '\0' ? r->user : NULL;
	rq.password = r->password;
	rq.timeout_s = timeout_s > 0 ? timeout_s : 5;
	rq.max_bytes = DIAL_ANSWER_MAX;
	/* The same guard as recording downloads (calls/recfetch.h). */
	recfetch_allow_private(t->config, allow);
	rq.public_only = true;
	rq.allow_private = allow;
	rc = httpc_request(&rq, body, &res);
	*status = res.status;
	/* Logged without the query (Zadarma's parameters), headers or body
	 * (keys and signatures). */
	log_info("%s: %s %s %s for extension %s: %s", what, t->slug,
	    r->method == HTTPC_GET ? "GET" : "POST", origin,
	    t->extension ? t->extension : "-",
	    rc == CB_OK ? "answered" : res.error);
	dial_request_wipe(r);
	if (rc == CB_OK)
		return CB_OK;
	if (rc == CB_EDENIED) {
		/* The settings, not the network: an admin's fix. */
		err_say(msg, msgsz, "%s cannot be called at this address "
		    "(%s%s).", who, res.error, RECFETCH_ALLOW_HINT);
		return CB_EINVAL;
	}
	if (timed_out(res.error))
		err_say(msg, msgsz, "%s did not answer within %u seconds. "
		    "Try again in a minute.", who, rq.timeout_s);
	else
		err_say(msg, msgsz, "Could not reach %s (%s). Try again in a "
		    "minute.", who, res.error);
	return CB_EUPSTREAM;
}

/* The provider's login first when it has one (prepare.c), then build, send
 * and, when the answer says the token died early (another process logged
 * in, the provider restarted), log in again once. Click-to-call and
 * hang-up both go out here. */
enum cb_err
dial_exchange(const struct dial_target *t0, dial_builder build,
    const void *arg, unsigned timeout_s, const char *what, long *status,
    struct buf *body, char *msg, size_t msgsz)
{
	struct dial_request r;
	struct prov_token tok;
	struct dial_target lt = *t0;
	bool renewed = false;
	enum cb_err rc;

again:
	if ((rc = dial_prepare(t0, renewed, timeout_s, &tok, msg, msgsz)) !=
	    CB_OK)
		return rc;
	lt.token = tok.value[0] != '\0' ? tok.value : NULL;
	rc = build(&lt, arg, &r, msg, msgsz);
	explicit_bzero(&tok, sizeof(tok));
	lt.token = NULL;
	if (rc != CB_OK) {
		dial_request_wipe(&r);
		return rc;
	}
	if ((rc = dial_send(&lt, &r, timeout_s, what, status, body, msg,
	    msgsz)) != CB_OK)
		return rc;
	if (!renewed && dial_token_refused(lt.kind, *status,
	    body->p ? body->p : "", body->len)) {
		renewed = true;
		buf_reset(body);
		goto again;
	}
	return CB_OK;
}

static enum cb_err
build_dial(const struct dial_target *t, const void *arg,
    struct dial_request *r, char *err, size_t errsz)
{
	(void)arg;
	return dial_build(t, r, err, errsz);
}

enum cb_err
dial_place(const struct dial_target *t, unsigned timeout_s, char *msg,
    size_t msgsz)
{
	struct buf body;
	const char *who = dial_provider_name(t);
	long status = 0;
	enum cb_err rc;

	buf_init(&body, DIAL_ANSWER_MAX);
	if ((rc = dial_exchange(t, build_dial, NULL, timeout_s, "dial",
	    &status, &body, msg, msgsz)) != CB_OK) {
		buf_free(&body);
		return rc;
	}
	rc = dial_read_answer(t, status, body.p ? body.p : "", body.len,
	    msg, msgsz);
	if (rc != CB_OK)
		log_info("dial: %s: %s (HTTP %ld)", t->slug, msg, status);
	else
		err_say(msg, msgsz, "%s is calling your extension %s. Pick "
		    "up, and you will be connected to %s.", who, t->extension,
		    t->number);
	buf_free(&body);
	return rc;
}
