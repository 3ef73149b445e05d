/* Yeastar P-Series OpenAPI requests (providers-2.md §5.1, §5.8, official
 * developer guide): the token, click-to-call and hang-up. Every request
 * carries User-Agent: OpenAPI and the token in the query; success is
 * errcode 0 in the answer, not the HTTP status. config "api_base" is the
 * PBX's https://host[:port] (Software Edition: the web port, default
 * 8088; Cloud Edition: 443). The token is the descriptor's prepare step
 * (lib/dial/prepare.c keeps it and passes it back as t->token); the
 * hang-up is hangup.c. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "core/buf.h"
#include "core/jsonget.h"
#include "http/escape.h"
#include "providers/yeastar/yeastar.h"
#include "i18n/i18n.h"

#define YS_API_BASE "https://pbx.invalid"

enum cb_err
yeastar_base(const struct dial_target *t, char *out, size_t outsz, char *err,
    size_t errsz)
{
	if (json_member_str(t->config, "api_base") == NULL) {
		err_say(err, errsz, "Yeastar: the integration needs the PBX's "
		    "API address (https://host:port)");
		return CB_EINVAL;
	}
	return dial_api_base(t, YS_API_BASE, out, outsz, err, errsz);
}

enum cb_err
yeastar_post(const struct dial_target *t, const char *path, const char *token,
    struct json_object *o, struct dial_request *r, char *err, size_t errsz)
{
	char base[512];
	const char *js;
	struct buf u;
	enum cb_err rc;

	if ((rc = yeastar_base(t, base, sizeof(base), err, errsz)) != CB_OK)
		return rc;
	buf_init(&u, sizeof(r->url));
	buf_puts(&u, base);
	buf_puts(&u, path);
	if (token != NULL) {
		buf_puts(&u, "?access_token=");
		url_component(&u, token, strlen(token));
	}
	js = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	rc = u.err == CB_OK && js != NULL &&
	    dial_fits(r->url, sizeof(r->url), "%s", buf_cstr(&u)) &&
	    dial_fits(r->body, sizeof(r->body), "%s", js) &&
	    dial_fits(r->headers[0], sizeof(r->headers[0]), "%s",
	    YEASTAR_USER_AGENT) ? CB_OK : CB_EINVAL;
	buf_free(&u);
	if (rc != CB_OK) {
		err_say(err, errsz, "Yeastar: cannot build the request");
		return rc;
	}
	r->header_ptrs[0] = r->headers[0];
	r->body_len = strlen(r->body);
	r->method = HTTPC_POST;
	r->content_type = "application/json";
	return CB_OK;
}

/* The prepare step's request: POST get_token (§5.1). */
static enum cb_err
ys_token_request(const struct dial_target *t, struct dial_request *r,
    char *err, size_t errsz)
{
	const char *id = json_member_str(t->secrets, "client_id");
	const char *secret = json_member_str(t->secrets, "client_secret");
	struct json_object *o;
	enum cb_err rc;

	if (id == NULL || secret == NULL || !*id || !*secret) {
		err_say(err, errsz, "Yeastar: the integration has no API "
		    "Client ID and Secret (PBX › Integrations › API)");
		return CB_EINVAL;
	}
	o = json_object_new_object();
	json_object_object_add(o, "username", json_object_new_string(id));
	json_object_object_add(o, "password", json_object_new_string(secret));
	rc = yeastar_post(t, "/openapi/v1.0/get_token", NULL, o, r, err,
	    errsz);
	json_object_put(o);
	return rc;
}

int64_t
yeastar_errcode(const char *body, size_t len, char *msg, size_t msgsz)
{
	struct json_tokener *tok = json_tokener_new_ex(8);
	struct json_object *j = NULL, *v;
	const char *m;
	int64_t code = -1;

	if (msgsz > 0)
		msg[0] = '\0';
	if (tok != NULL && len > 0 && len < INT32_MAX)
		j = json_tokener_parse_ex(tok, body, (int)len);
	if (tok != NULL)
		json_tokener_free(tok);
	if (j != NULL && json_object_object_get_ex(j, "errcode", &v) &&
	    json_object_is_type(v, json_type_int))
		code = json_object_get_int64(v);
	if ((m = json_member_str(j, "errmsg")) != NULL && msgsz > 0)
		dial_fits(msg, msgsz, "%.120s", m);
	json_object_put(j);
	return code;
}

/* {"errcode":0,"access_token":…,"access_token_expire_time":1800}. A
 * non-zero errcode to the login is the PBX refusing the client's ID and
 * secret (or the API being off): an admin's fix. */
static enum cb_err
ys_token_read(long status, const char *set_cookie, const char *body,
    size_t len, int64_t now, struct prov_token *tok, char *err,
    size_t errsz)
{
	struct json_tokener *jt;
	struct json_object *j = NULL, *v;
	const char *at;
	char msg[160];
	int64_t code, life = 1800;
	enum cb_err rc = CB_EUPSTREAM;

	(void)set_cookie;
	if (status < 200 || status > 299) {
		err_say(err, errsz, "HTTP %ld", status);
		return status == 401 || status == 403 ? CB_EDENIED :
		    CB_EUPSTREAM;
	}
	code = yeastar_errcode(body, len, msg, sizeof(msg));
	if (code > 0) {
		err_say(err, errsz, "errcode %lld %s", (long long)code, msg);
		return CB_EDENIED;
	}
	if (code < 0) {
		err_say(err, errsz, "the answer is not the PBX's JSON");
		return CB_EUPSTREAM;
	}
	if ((jt = json_tokener_new_ex(8)) != NULL) {
		j = json_tokener_parse_ex(jt, body, (int)len);
		json_tokener_free(jt);
	}
	at = json_member_str(j, "access_token");
	if (j != NULL && json_object_object_get_ex(j,
	    "access_token_expire_time", &v) &&
	    json_object_is_type(v, json_type_int) &&
	    json_object_get_int64(v) > 0 &&
	    json_object_get_int64(v) <= 7 * 24 * 3600)
		life = json_object_get_int64(v);
	if (at != NULL && *at != '\0' && strlen(at) < sizeof(tok->value) &&
	    strspn(at, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_.~+/=") == strlen(at)) {
		memcpy(tok->value, at, strlen(at) + 1);
		tok->expires_s = now + life;
		rc = CB_OK;
	} else
		err_say(err, errsz, "the answer has no usable access_token");
	json_object_put(j);
	return rc;
}

/* §5.1: an expired or superseded token is errcode 10004. */
static bool
ys_token_refused(long status, const char *body, size_t len)
{
	char msg[8];

	return status == 401 || yeastar_errcode(body, len, msg,
	    sizeof(msg)) == 10004;
}

const struct prov_prepare yeastar_prepare = {
	.build = ys_token_request,
	.read = ys_token_read,
	.refused = ys_token_refused,
};

/* Success is errcode 0, not the HTTP status (§5.1). */
bool
yeastar_accepted(long status, const char *body, size_t len, char *why,
    size_t whysz)
{
	char msg[160];
	int64_t code = yeastar_errcode(body, len, msg, sizeof(msg));

	if (status >= 200 && status <= 299 && code == 0)
		return true;
	if (code > 0)
		err_say(why, whysz, "errcode %lld %s", (long long)code, msg);
	else if (whysz > 0)
		why[0] = '\0';
	return false;
}

static enum cb_err
ys_dial(const struct dial_target *t, struct dial_request *r, char *err,
    size_t errsz)
{
	struct json_object *o;
	enum cb_err rc;

	if (t->token == NULL || *t->token == '\0') {
		err_say(err, errsz, "Yeastar: no access token");
		return CB_EINVAL;
	}
	o = json_object_new_object();
	json_object_object_add(o, "caller",
	    json_object_new_string(t->extension));
	json_object_object_add(o, "callee", json_object_new_string(t->number));
	json_object_object_add(o, "auto_answer", json_object_new_string("no"));
	rc = yeastar_post(t, "/openapi/v1.0/call/dial", t->token, o, r, err,
	    errsz);
	json_object_put(o);
	return rc;
}

static bool
ys_capable(struct json_object *config)
{
	return json_member_str(config, "api_base") != NULL;
}

const struct prov_dial yeastar_dial = {
	.name = "Yeastar",
	.setting = PROV_DIALSET_NONE,
	.capable = ys_capable,
	.missing = N_("the PBX's API address (https://host:port)"),
	.build = ys_dial,
	.accepted = yeastar_accepted,
};
