/* Hang-up for Asterisk and other PBXs in our format (docs/generic-format.md
 * §9, "Hang-up"): the twin of make_call_url. The integration's config names
 * the PBX side's endpoint (for Asterisk, contrib/asterisk's bridge turns it
 * into AMI Hangup of the call's channels):
 *
 *   "hangup_url":    "https://pbx.example.com/hangup?call={call_id}"
 *   "hangup_method": "GET" or "POST" (default)
 *
 * {call_id} (the PBX's own call id, as its events sent it: Asterisk's
 * Linkedid) and {extension} (the manager who pressed the button) are
 * %-encoded into the URL. POST sends {"call_id","extension"} as JSON.
 * Signed like click-to-call (generic_sign()). */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/jsonget.h"
#include "dial/dial.h"
#include "http/escape.h"
#include "providers/generic/generic.h"

enum cb_err
generic_hangup_build(const struct dial_target *t, const char *call_id,
    struct dial_request *r, char *err, size_t errsz)
{
	const char *tmpl = json_member_str(t->config, "hangup_url");
	const char *method = json_member_str(t->config, "hangup_method");
	const char *ext = t->extension != NULL ? t->extension : "";
	const char *p;
	struct buf u;
	enum cb_err rc;

	if (tmpl == NULL || (strncasecmp(tmpl, "http://", 7) != 0 &&
	    strncasecmp(tmpl, "https://", 8) != 0)) {
		err_say(err, errsz, "%s: set hangup_url (an http(s) URL, "
		    "{call_id} is the PBX's call id) in the integration's "
		    "settings", dial_provider_name(t));
		return CB_EINVAL;
	}
	if (method != NULL && strcasecmp(method, "GET") != 0 &&
	    strcasecmp(method, "POST") != 0) {
		err_say(err, errsz, "%s: hangup_method must be GET or POST",
		    dial_provider_name(t));
		return CB_EINVAL;
	}
	r->method = method != NULL && strcasecmp(method, "GET") == 0 ?
	    HTTPC_GET : HTTPC_POST;
	buf_init(&u, sizeof(r->url) - 1);
	for (p = tmpl; *p != '\0'; ) {
		if (strncmp(p, "{call_id}", 9) == 0) {
			url_component(&u, call_id, strlen(call_id));
			p += 9;
		} else if (strncmp(p, "{extension}", 11) == 0) {
			url_component(&u, ext, strlen(ext));
			p += 11;
		} else
			buf_putc(&u, *p++);
	}
	rc = u.err == CB_OK && dial_fits(r->url, sizeof(r->url), "%s",
	    buf_cstr(&u)) ? CB_OK : CB_EINVAL;
	buf_free(&u);
	if (rc != CB_OK) {
		err_say(err, errsz, "%s: hangup_url is too long",
		    dial_provider_name(t));
		return rc;
	}
	if (r->method == HTTPC_POST) {
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "call_id",
		    json_object_new_string(call_id));
		json_object_object_add(o, "extension", *ext ?
		    json_object_new_string(ext) : NULL);
		rc = dial_fits(r->body, sizeof(r->body), "%s",
		    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
		    JSON_C_TO_STRING_NOSLASHESCAPE)) ? CB_OK : CB_EINVAL;
		json_object_put(o);
		if (rc != CB_OK) {
			err_say(err, errsz, "%s: cannot build the request",
			    dial_provider_name(t));
			return rc;
		}
		r->body_len = strlen(r->body);
		r->content_type = "application/json";
	}
	return generic_sign(t, r);
}
