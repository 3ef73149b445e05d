/* Phonet's API session and click-to-call (providers-2.md §1.4, §1.7, from
 * wearesho-team/phonet src/Service.php [third-party code]):
 *
 *   POST https://{domain}/rest/security/authorize {"domain","apiKey"}
 *        → a JSESSIONID cookie (on a later 403: authorise again, once)
 *   POST https://{domain}/rest/user/makeCall {"legExt","otherLegNum"}
 *        with that cookie → {"uuid": ...}
 *
 * The session is the descriptor's prepare step (lib/dial/prepare.c keeps
 * it and gives it back as t->token); the hang-up is in hangup.c and the
 * history in history.c. config "domain" is the account's Phonet host
 * (config "api_base" replaces https://{domain}: tests point it at a local
 * stand-in), secrets "api_key". */
#include "config.h"

#include <string.h>

#include "core/jsonget.h"
#include "providers/phonet/phonet.h"
#include "i18n/i18n.h"

enum cb_err
phonet_api_base(const struct dial_target *t, char *out, size_t outsz,
    char *err, size_t errsz)
{
	const char *d = json_member_str(t->config, "domain");
	char dflt[300];

	if (!phonet_domain_valid(d)) {
		err_say(err, errsz, "Phonet: the integration needs its "
		    "Phonet domain (the host of your Phonet cabinet)");
		return CB_EINVAL;
	}
	if (!dial_fits(dflt, sizeof(dflt), "https://%s", d))
		return CB_EINVAL;
	return dial_api_base(t, dflt, out, outsz, err, errsz);
}

static enum cb_err
ph_json(struct dial_request *r, struct json_object *o, char *err,
    size_t errsz)
{
	const char *s = json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

	if (s == NULL || !dial_fits(r->body, sizeof(r->body), "%s", s)) {
		err_say(err, errsz, "Phonet: cannot build the request");
		return CB_EINVAL;
	}
	r->body_len = strlen(r->body);
	r->method = HTTPC_POST;
	r->content_type = "application/json";
	return CB_OK;
}

enum cb_err
phonet_session_header(const char *cookie, char *out, size_t outsz)
{
	if (cookie == NULL || strncmp(cookie, "JSESSIONID=", 11) != 0 ||
	    cookie[11] == '\0' || strpbrk(cookie, "\r\n") != NULL ||
	    !dial_fits(out, outsz, "Cookie: %s", cookie))
		return CB_EINVAL;
	return CB_OK;
}

enum cb_err
phonet_session_cookie(const struct dial_target *t, struct dial_request *r,
    char *err, size_t errsz)
{
	if (phonet_session_header(t->token, r->headers[0],
	    sizeof(r->headers[0])) != CB_OK) {
		err_say(err, errsz, "Phonet: no session (authorize first)");
		return CB_EINVAL;
	}
	return CB_OK;
}

/* The prepare step's request. */
static enum cb_err
ph_authorize(const struct dial_target *t, struct dial_request *r, char *err,
    size_t errsz)
{
	const char *key = json_member_str(t->secrets, "api_key");
	struct json_object *o;
	char base[512];
	enum cb_err rc;

	if (key == NULL || *key == '\0') {
		err_say(err, errsz, "Phonet: the integration has no API key; "
		    "an admin can add it in Settings › Integrations");
		return CB_EINVAL;
	}
	if ((rc = phonet_api_base(t, base, sizeof(base), err, errsz)) != CB_OK)
		return rc;
	if (!dial_fits(r->url, sizeof(r->url), "%s/rest/security/authorize",
	    base))
		return CB_EINVAL;
	o = json_object_new_object();
	json_object_object_add(o, "domain", json_object_new_string(
	    json_member_str(t->config, "domain")));
	json_object_object_add(o, "apiKey", json_object_new_string(key));
	rc = ph_json(r, o, err, errsz);
	json_object_put(o);
	return rc;
}

/* §1.4: the session is the JSESSIONID cookie of a 2xx; it lives until a
 * request is refused with 403. 401/403 to the login: the key is wrong. */
static enum cb_err
ph_authorized(long status, const char *set_cookie, const char *body,
    size_t len, int64_t now, struct prov_token *tok, char *err,
    size_t errsz)
{
	char hdr[PROV_TOKEN_MAX + 16];

	(void)body;
	(void)len;
	(void)now;
	if (status == 401 || status == 403) {
		err_say(err, errsz, "wrong API key or domain (HTTP %ld)",
		    status);
		return CB_EDENIED;
	}
	if (status < 200 || status > 299) {
		err_say(err, errsz, "HTTP %ld", status);
		return CB_EUPSTREAM;
	}
	if (phonet_session_header(set_cookie, hdr, sizeof(hdr)) != CB_OK ||
	    strlen(set_cookie) >= sizeof(tok->value)) {
		explicit_bzero(hdr, sizeof(hdr));
		err_say(err, errsz, "the answer has no JSESSIONID session");
		return CB_EUPSTREAM;
	}
	explicit_bzero(hdr, sizeof(hdr));
	memcpy(tok->value, set_cookie, strlen(set_cookie) + 1);
	tok->expires_s = 0;
	return CB_OK;
}

static bool
ph_refused(long status, const char *body, size_t len)
{
	(void)body;
	(void)len;
	return status == 401 || status == 403;
}

const struct prov_prepare phonet_prepare = {
	.build = ph_authorize,
	.read = ph_authorized,
	.refused = ph_refused,
};

static enum cb_err
ph_dial(const struct dial_target *t, struct dial_request *r, char *err,
    size_t errsz)
{
	struct json_object *o;
	char base[512];
	enum cb_err rc;

	if ((rc = phonet_api_base(t, base, sizeof(base), err, errsz)) !=
	    CB_OK || (rc = phonet_session_cookie(t, r, err, errsz)) != CB_OK)
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

static bool
ph_capable(struct json_object *config)
{
	return phonet_domain_valid(json_member_str(config, "domain"));
}

const struct prov_dial phonet_dial = {
	.name = "Phonet",
	.setting = PROV_DIALSET_NONE,
	.capable = ph_capable,
	.missing = N_("its Phonet domain (the host of your Phonet "
	    "cabinet)"),
	.build = ph_dial,
	.says_success = false,
};
