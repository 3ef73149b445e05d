/* 3CX V20's Call Control API for click-to-call (providers-2.md §6.7;
 * docs/providers.md "3CX" says how sure each fact is):
 *
 *   POST {base}/connect/token  (application/x-www-form-urlencoded)
 *        grant_type=client_credentials&client_id=<the API's Client ID,
 *        its DN>&client_secret=<its API key>
 *        → {"access_token":…,"expires_in":3600,"token_type":"Bearer"}
 *   POST {base}/callcontrol/{extension}/makecall {"destination":<number>}
 *        with Authorization: Bearer <token>
 *        → {"finalstatus":"Success","reason":…,"reasontext":…,"result":
 *           {participant}}
 *
 * config "api_base" is the PBX's https://FQDN[:port] (the web client's
 * address); the token is the descriptor's prepare step (lib/dial/prepare.c
 * keeps it while it lives and logs in again once on a 401). makecall on an
 * extension's DN without a device rings the extension first and, once
 * answered, calls the destination (3CX's "callback"). The extension must
 * be one the API client may control (Integrations › API, "extensions to
 * monitor"), else 3CX answers 403.
 *
 * No hang-up: 3CX tells Callboard of a call only once it has ended (the
 * journal, threecx.c), so no 3CX call is ever live on a card; and the API
 * drops a participant by its id on a DN (POST …/participants/{id}/drop),
 * which no journal entry carries (docs/providers.md). */
#include "config.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/jsonget.h"
#include "http/escape.h"
#include "providers/adapt.h"
#include "providers/threecx/threecx.h"
#include "i18n/i18n.h"

#define TX_NO_BASE "https://pbx.invalid"
/* When the token's answer gives no expires_in: the official examples keep
 * a token 30 minutes (call-control-examples' Cache.service.ts). */
#define TX_TOKEN_LIFE_S 1800

static enum cb_err
tx_base(const struct dial_target *t, char *out, size_t outsz, char *err,
    size_t errsz)
{
	if (json_member_str(t->config, "api_base") == NULL) {
		err_say(err, errsz, "3CX: the integration needs the PBX's "
		    "address (https://pbx.example.com)");
		return CB_EINVAL;
	}
	return dial_api_base(t, TX_NO_BASE, out, outsz, err, errsz);
}

/* An answer's JSON object, or NULL (caller puts it). */
static struct json_object *
tx_json(const char *body, size_t len)
{
	struct json_tokener *tok;
	struct json_object *j = NULL;

	if (len == 0 || len > INT32_MAX || (tok = json_tokener_new_ex(8)) ==
	    NULL)
		return NULL;
	j = json_tokener_parse_ex(tok, body, (int)len);
	json_tokener_free(tok);
	if (j != NULL && !json_object_is_type(j, json_type_object)) {
		json_object_put(j);
		j = NULL;
	}
	return j;
}

/* The prepare step's request: OAuth2 client credentials (RFC 6749 §4.4). */
static enum cb_err
tx_token_request(const struct dial_target *t, struct dial_request *r,
    char *err, size_t errsz)
{
	const char *id = json_member_str(t->secrets, "client_id");
	const char *secret = json_member_str(t->secrets, "client_secret");
	char base[512];
	struct buf b;
	enum cb_err rc;

	if (id == NULL || secret == NULL || !*id || !*secret) {
		err_say(err, errsz, "3CX: the integration has no API Client "
		    "ID and API key (3CX Admin › Integrations › API)");
		return CB_EINVAL;
	}
	if ((rc = tx_base(t, base, sizeof(base), err, errsz)) != CB_OK)
		return rc;
	buf_init(&b, sizeof(r->body));
	buf_puts(&b, "grant_type=client_credentials&client_id=");
	url_component(&b, id, strlen(id));
	buf_puts(&b, "&client_secret=");
	url_component(&b, secret, strlen(secret));
	rc = b.err == CB_OK &&
	    dial_fits(r->url, sizeof(r->url), "%s/connect/token", base) &&
	    dial_fits(r->body, sizeof(r->body), "%s", buf_cstr(&b)) ?
	    CB_OK : CB_EINVAL;
	if (b.p != NULL)
		explicit_bzero(b.p, b.cap);
	buf_free(&b);
	if (rc != CB_OK) {
		err_say(err, errsz, "3CX: cannot build the token request");
		return rc;
	}
	r->body_len = strlen(r->body);
	r->method = HTTPC_POST;
	r->content_type = "application/x-www-form-urlencoded";
	return CB_OK;
}

/* A JWT or an opaque token: base64url and dots, nothing a header could
 * be split with. */
static bool
tx_token_ok(const char *s, size_t cap)
{
	size_t n = s != NULL ? strlen(s) : 0;

	return n > 0 && n < cap && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_.~+/=") == n;
}

/* {"access_token","expires_in","token_type":"Bearer"}. A 400 or 401 with
 * OAuth2's invalid_client (RFC 6749 §5.2) is 3CX refusing the Client ID
 * or API key: an admin's fix, never retried. */
static enum cb_err
tx_token_read(long status, const char *set_cookie, const char *body,
    size_t len, int64_t now, struct prov_token *tok, char *err,
    size_t errsz)
{
	struct json_object *j = tx_json(body, len), *v;
	const char *at, *e;
	int64_t life = TX_TOKEN_LIFE_S;
	enum cb_err rc = CB_EUPSTREAM;

	(void)set_cookie;
	if (status < 200 || status > 299) {
		e = json_member_str(j, "error");
		if (e != NULL && adapt_printable(e))
			err_say(err, errsz, "HTTP %ld %.60s", status, e);
		else
			err_say(err, errsz, "HTTP %ld", status);
		rc = status == 401 || status == 403 || (status == 400 &&
		    e != NULL && (strcmp(e, "invalid_client") == 0 ||
		    strcmp(e, "unauthorized_client") == 0)) ? CB_EDENIED :
		    CB_EUPSTREAM;
		json_object_put(j);
		return rc;
	}
	at = json_member_str(j, "access_token");
	if (json_object_object_get_ex(j, "expires_in", &v) &&
	    json_object_is_type(v, json_type_int) &&
	    json_object_get_int64(v) > 0 &&
	    json_object_get_int64(v) <= 7 * 24 * 3600)
		life = json_object_get_int64(v);
	if (tx_token_ok(at, sizeof(tok->value))) {
		memcpy(tok->value, at, strlen(at) + 1);
		tok->expires_s = now + life;
		rc = CB_OK;
	} else
		err_say(err, errsz, j == NULL ? "the answer is not 3CX's JSON"
		    : "the answer has no usable access_token");
	json_object_put(j);
	return rc;
}

/* An expired or revoked bearer token: HTTP 401. (403 is a permission: the
 * extension is not the API client's to control; a new token would not
 * help.) */
static bool
tx_token_refused(long status, const char *body, size_t len)
{
	(void)body;
	(void)len;
	return status == 401;
}

const struct prov_prepare threecx_prepare = {
	.build = tx_token_request,
	.read = tx_token_read,
	.refused = tx_token_refused,
};

/* An extension's DN as a path segment: what 3CX numbers DNs with. */
static bool
tx_dn_ok(const char *dn)
{
	size_t n = dn != NULL ? strlen(dn) : 0;

	return n > 0 && n <= 32 && strspn(dn, "0123456789*#") == n;
}

static enum cb_err
tx_dial(const struct dial_target *t, struct dial_request *r, char *err,
    size_t errsz)
{
	struct json_object *o;
	const char *js;
	char base[512];
	enum cb_err rc;

	if (t->token == NULL || *t->token == '\0') {
		err_say(err, errsz, "3CX: no access token");
		return CB_EINVAL;
	}
	if (!tx_dn_ok(t->extension)) {
		err_say(err, errsz, "3CX: your extension must be a 3CX "
		    "extension number (digits)");
		return CB_EINVAL;
	}
	if ((rc = tx_base(t, base, sizeof(base), err, errsz)) != CB_OK)
		return rc;
	o = json_object_new_object();
	json_object_object_add(o, "destination",
	    json_object_new_string(t->number ? t->number : ""));
	js = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	rc = js != NULL &&
	    dial_fits(r->url, sizeof(r->url), "%s/callcontrol/%s/makecall",
	    base, t->extension) &&
	    dial_fits(r->body, sizeof(r->body), "%s", js) &&
	    dial_fits(r->headers[0], sizeof(r->headers[0]),
	    "Authorization: Bearer %s", t->token) ? CB_OK : CB_EINVAL;
	json_object_put(o);
	if (rc != CB_OK) {
		err_say(err, errsz, "3CX: cannot build the request");
		return rc;
	}
	r->body_len = strlen(r->body);
	r->method = HTTPC_POST;
	r->content_type = "application/json";
	return CB_OK;
}

/* CallControlResultResponse: finalstatus "Success" (the official examples'
 * enum: Success = 1, Rejected = 0, Failed = -1; serialised as its name),
 * else reasontext or reason says why. */
static bool
tx_accepted(long status, const char *body, size_t len, char *why,
    size_t whysz)
{
	struct json_object *j = tx_json(body, len), *fs;
	const char *s, *words;
	bool ok = false;

	if (whysz > 0)
		why[0] = '\0';
	if (json_object_object_get_ex(j, "finalstatus", &fs))
		ok = json_object_is_type(fs, json_type_int) ?
		    json_object_get_int(fs) == 1 :
		    (s = json_object_get_string(fs)) != NULL &&
		    strcasecmp(s, "Success") == 0;
	if (status < 200 || status > 299)
		ok = false;
	if (!ok) {
		words = json_member_str(j, "reasontext");
		if (words == NULL || *words == '\0')
			words = json_member_str(j, "reason");
		if (words != NULL && *words != '\0')
			err_say(why, whysz, "%.160s", words);
		else if (status == 403)
			err_say(why, whysz, "HTTP 403: the extension is not "
			    "one the API client may control (Integrations > "
			    "API)");
		else if (status >= 200 && status <= 299)
			err_say(why, whysz, "no finalstatus Success in the "
			    "answer");
	}
	json_object_put(j);
	return ok;
}

static bool
tx_capable(struct json_object *config)
{
	return json_member_str(config, "api_base") != NULL;
}

const struct prov_dial threecx_dial = {
	.name = "3CX",
	.setting = PROV_DIALSET_NONE,
	.capable = tx_capable,
	.missing = N_("the PBX's address (https://pbx.example.com) and an API "
	    "client (3CX Admin › Integrations › API)"),
	.build = tx_dial,
	.accepted = tx_accepted,
};
