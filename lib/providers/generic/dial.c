/* Click-to-call for Asterisk and other PBXs without a vendor API of their
 * own (providers.md §4.2; docs/generic-format.md, "Click-to-call"): the
 * integration's config names an HTTP endpoint on the PBX side (for
 * Asterisk, contrib/asterisk's bridge turns it into an AMI Originate):
 *
 *   "make_call_url":    "https://pbx.example.com/call?ext={extension}&to={number}"
 *   "make_call_method": "GET" or "POST" (default)
 *
 * {extension}, {number} (E.164) and {call_id} (the call the button was
 * on, or "") are %-encoded into the URL. POST sends
 * {"extension","number","call_id"} as JSON. When the integration has a
 * secret, the request is signed like our webhooks, in reverse:
 * X-Timestamp: <unix seconds>, X-Signature: sha256=<hex HMAC-SHA256(secret,
 * timestamp + "." + body)> (the body is "" for GET). */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/jsonget.h"
#include "dial/dial.h"
#include "providers/generic/generic.h"
#include "http/escape.h"
#include "net/sig.h"
#include "i18n/i18n.h"

static bool
http_url(const char *s)
{
	return strncasecmp(s, "http://", 7) == 0 ||
	    strncasecmp(s, "https://", 8) == 0;
}

enum cb_err
generic_sign(const struct dial_target *t, struct dial_request *r)
{
	const char *secret = json_member_str(t->secrets, "secret");
	unsigned char mac[SIG_SHA256_LEN];
	char hex[2 * SIG_SHA256_LEN + 1], ts[24];
	struct buf msg;
	enum cb_err rc;

	if (secret == NULL || *secret == '\0')
		return CB_OK;
	snprintf(ts, sizeof(ts), "%lld", t->now);
	buf_init(&msg, sizeof(r->body) + sizeof(ts) + 2);
	buf_puts(&msg, ts);
	buf_putc(&msg, '.');
	buf_append(&msg, r->body, r->body_len);
	if ((rc = msg.err) == CB_OK) {
		sig_hmac_sha256(secret, strlen(secret), msg.p, msg.len, mac);
		sig_hex(mac, sizeof(mac), hex);
		snprintf(r->headers[0], sizeof(r->headers[0]),
		    "X-Timestamp: %s", ts);
		snprintf(r->headers[1], sizeof(r->headers[1]),
		    "X-Signature: sha256=%s", hex);
	}
	buf_free(&msg);
	explicit_bzero(mac, sizeof(mac));
	return rc;
}

static enum cb_err
generic_dial_build(const struct dial_target *t, struct dial_request *r,
    char *err, size_t errsz)
{
	const char *tmpl = json_member_str(t->config, "make_call_url");
	const char *method = json_member_str(t->config, "make_call_method");
	const char *p;
	char call[24] = "";
	struct buf u;
	enum cb_err rc;

	if (tmpl == NULL || !http_url(tmpl)) {
		err_say(err, errsz, "%s: set make_call_url (an http(s) URL "
		    "with {extension} and {number}) in the integration's "
		    "settings", dial_provider_name(t));
		return CB_EINVAL;
	}
	if (method != NULL && strcasecmp(method, "GET") != 0 &&
	    strcasecmp(method, "POST") != 0) {
		err_say(err, errsz, "%s: make_call_method must be GET or "
		    "POST", dial_provider_name(t));
		return CB_EINVAL;
	}
	r->method = method != NULL && strcasecmp(method, "GET") == 0 ?
	    HTTPC_GET : HTTPC_POST;
	if (t->call_id > 0)
		snprintf(call, sizeof(call), "%lld", (long long)t->call_id);
	buf_init(&u, sizeof(r->url) - 1);
	for (p = tmpl; *p != '\0'; ) {
		if (strncmp(p, "{extension}", 11) == 0) {
			url_component(&u, t->extension, strlen(t->extension));
			p += 11;
		} else if (strncmp(p, "{number}", 8) == 0) {
			url_component(&u, t->number, strlen(t->number));
			p += 8;
		} else if (strncmp(p, "{call_id}", 9) == 0) {
			buf_puts(&u, call);
			p += 9;
		} else
			buf_putc(&u, *p++);
	}
	rc = u.err == CB_OK && dial_fits(r->url, sizeof(r->url), "%s",
	    buf_cstr(&u)) ? CB_OK : CB_EINVAL;
	buf_free(&u);
	if (rc != CB_OK) {
		err_say(err, errsz, "%s: make_call_url is too long",
		    dial_provider_name(t));
		return rc;
	}
	if (r->method == HTTPC_POST) {
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "extension",
		    json_object_new_string(t->extension));
		json_object_object_add(o, "number",
		    json_object_new_string(t->number));
		json_object_object_add(o, "call_id", t->call_id > 0 ?
		    json_object_new_int64(t->call_id) : NULL);
		rc = dial_fits(r->body, sizeof(r->body), "%s",
		    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
		    JSON_C_TO_STRING_NOSLASHESCAPE)) ? CB_OK : CB_EINVAL;
		json_object_put(o);
		if (rc != CB_OK)
			return rc;
		r->body_len = strlen(r->body);
		r->content_type = "application/json";
	}
	return generic_sign(t, r);
}

/* The PBX's own endpoint: config "make_call_url". */
static bool
generic_dial_capable(struct json_object *config)
{
	return json_member_str(config, "make_call_url") != NULL;
}

const struct prov_dial generic_dial = {
	.name = NULL,
	.setting = PROV_DIALSET_URL,
	.capable = generic_dial_capable,
	.missing = N_("its click-to-call address (the PBX URL that places "
	    "the call)"),
	.build = generic_dial_build,
	.says_success = false,
};
