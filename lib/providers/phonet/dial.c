/* Phonet click-to-call and hang-up requests (providers-2.md §1.4, §1.7,
 * from wearesho-team/phonet src/Service.php [third-party code]):
 *
 *   POST https://{domain}/rest/security/authorize {"domain","apiKey"}
 *        → a JSESSIONID cookie (on a later 403: authorise again, once)
 *   POST https://{domain}/rest/user/makeCall {"legExt","otherLegNum"}
 *        with that cookie → {"uuid": ...}
 *   GET  https://{domain}/rest/calls/active/{uuid}/hangup, empty body
 *
 * Two requests (a session, then the call), while the descriptor's .dial
 * and .hangup build one: so these stay plain, unit-tested builders that
 * lib/dial does not call yet (docs/providers.md). config "domain" is the
 * account's Phonet host, secrets "api_key". */
#include "config.h"

#include <string.h>

#include "core/jsonget.h"
#include "providers/phonet/phonet.h"

static enum cb_err
ph_base(const struct dial_target *t, char *out, size_t outsz, char *err,
    size_t errsz)
{
	const char *d = json_member_str(t->config, "domain");

	if (!phonet_domain_valid(d)) {
		dial_say(err, errsz, "Phonet: the integration needs its "
		    "Phonet domain (the host of your Phonet cabinet)");
		return CB_EINVAL;
	}
	return dial_fits(out, outsz, "https://%s", d) ? CB_OK : CB_EINVAL;
}

static enum cb_err
ph_json(struct dial_request *r, struct json_object *o, char *err,
    size_t errsz)
{
	const char *s = json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

	if (s == NULL || !dial_fits(r->body, sizeof(r->body), "%s", s)) {
		dial_say(err, errsz, "Phonet: cannot build the request");
		return CB_EINVAL;
	}
	r->body_len = strlen(r->body);
	r->method = HTTPC_POST;
	r->content_type = "application/json";
	return CB_OK;
}

static enum cb_err
ph_cookie(struct dial_request *r, const char *cookie, char *err,
    size_t errsz)
{
	if (cookie == NULL || *cookie == '\0' ||
	    strpbrk(cookie, "\r\n") != NULL ||
	    !dial_fits(r->headers[0], sizeof(r->headers[0]), "Cookie: %s",
	    cookie)) {
		dial_say(err, errsz, "Phonet: no session (authorize first)");
		return CB_EINVAL;
	}
	r->header_ptrs[0] = r->headers[0];
	return CB_OK;
}

enum cb_err
phonet_dial_build_authorize(const struct dial_target *t,
    struct dial_request *r, char *err, size_t errsz)
{
	const char *key = json_member_str(t->secrets, "api_key");
	struct json_object *o;
	char base[300];
	enum cb_err rc;

	if (key == NULL || *key == '\0') {
		dial_say(err, errsz, "Phonet: the integration has no API key; "
		    "an admin can add it in Settings › Integrations");
		return CB_EINVAL;
	}
	if ((rc = ph_base(t, base, sizeof(base), err, errsz)) != CB_OK)
		return rc;
	if (!dial_fits(r->url, sizeof(r->url), "%s/rest/security/authorize",
	    base))
		return CB_EINVAL;
	o = json_object_new_object();
	json_object_object_add(o, "domain", json_object_new_string(base + 8));
	json_object_object_add(o, "apiKey", json_object_new_string(key));
	rc = ph_json(r, o, err, errsz);
	json_object_put(o);
	return rc;
}

enum cb_err
phonet_dial_build(const struct dial_target *t, const char *session_cookie,
    struct dial_request *r, char *err, size_t errsz)
{
	struct json_object *o;
	char base[300];
	enum cb_err rc;

	if ((rc = ph_base(t, base, sizeof(base), err, errsz)) != CB_OK ||
	    (rc = ph_cookie(r, session_cookie, err, errsz)) != CB_OK)
		return rc;
	if (!dial_fits(r->url, sizeof(r->url), "%s/rest/user/makeCall", base))
		return CB_EINVAL;
	o = json_object_new_object();
	json_object_object_add(o, "legExt",
	    json_object_new_string(t->extension));
	json_object_object_add(o, "otherLegNum",
	    json_object_new_string(t->number));
	rc = ph_json(r, o, err, errsz);
	json_object_put(o);
	return rc;
}

enum cb_err
phonet_hangup_build(const struct dial_target *t, const char *session_cookie,
    const char *uuid, struct dial_request *r, char *err, size_t errsz)
{
	char base[300];
	enum cb_err rc;

	if ((rc = ph_base(t, base, sizeof(base), err, errsz)) != CB_OK ||
	    (rc = ph_cookie(r, session_cookie, err, errsz)) != CB_OK)
		return rc;
	if (uuid == NULL || *uuid == '\0' ||
	    strspn(uuid, "0123456789abcdefABCDEF-") != strlen(uuid) ||
	    !dial_fits(r->url, sizeof(r->url),
	    "%s/rest/calls/active/%s/hangup", base, uuid)) {
		dial_say(err, errsz, "Phonet: not a call id: cannot hang up");
		return CB_EINVAL;
	}
	r->method = HTTPC_GET;
	r->body_len = 0;
	r->content_type = NULL;
	return CB_OK;
}
