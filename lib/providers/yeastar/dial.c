/* Yeastar P-Series OpenAPI requests (providers-2.md §5.1, §5.8, official
 * developer guide): the token, click-to-call and hang-up. Every request
 * carries User-Agent: OpenAPI and the token in the query; success is
 * errcode 0 in the answer, not the HTTP status. config "api_base" is the
 * PBX's https://host[:port] (Software Edition: the web port, default
 * 8088; Cloud Edition: 443). Each needs the token first, while the
 * descriptor's .dial and .hangup build one request: plain, unit-tested
 * builders that lib/dial does not call yet (docs/providers.md). */
#include "config.h"

#include <string.h>

#include "core/buf.h"
#include "core/jsonget.h"
#include "http/escape.h"
#include "providers/yeastar/yeastar.h"

#define YS_API_BASE "https://pbx.invalid"

/* {base}{path}[?access_token=<token>] and the JSON body o. */
static enum cb_err
ys_post(const struct dial_target *t, const char *path, const char *token,
    struct json_object *o, struct dial_request *r, char *err, size_t errsz)
{
	char base[512];
	const char *js;
	struct buf u;
	enum cb_err rc;

	if (json_member_str(t->config, "api_base") == NULL) {
		dial_say(err, errsz, "Yeastar: the integration needs the PBX's "
		    "address (setting api_base, https://host:port)");
		return CB_EINVAL;
	}
	if ((rc = dial_api_base(t, YS_API_BASE, base, sizeof(base), err,
	    errsz)) != CB_OK)
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
		dial_say(err, errsz, "Yeastar: cannot build the request");
		return rc;
	}
	r->header_ptrs[0] = r->headers[0];
	r->body_len = strlen(r->body);
	r->method = HTTPC_POST;
	r->content_type = "application/json";
	return CB_OK;
}

enum cb_err
yeastar_token_request(const struct dial_target *t, struct dial_request *r,
    char *err, size_t errsz)
{
	const char *id = json_member_str(t->secrets, "client_id");
	const char *secret = json_member_str(t->secrets, "client_secret");
	struct json_object *o;
	enum cb_err rc;

	if (id == NULL || secret == NULL || !*id || !*secret) {
		dial_say(err, errsz, "Yeastar: the integration has no API "
		    "Client ID and Secret (PBX › Integrations › API)");
		return CB_EINVAL;
	}
	o = json_object_new_object();
	json_object_object_add(o, "username", json_object_new_string(id));
	json_object_object_add(o, "password", json_object_new_string(secret));
	rc = ys_post(t, "/openapi/v1.0/get_token", NULL, o, r, err, errsz);
	json_object_put(o);
	return rc;
}

enum cb_err
yeastar_dial_build(const struct dial_target *t, const char *token,
    struct dial_request *r, char *err, size_t errsz)
{
	struct json_object *o;
	enum cb_err rc;

	if (token == NULL || *token == '\0') {
		dial_say(err, errsz, "Yeastar: no access token");
		return CB_EINVAL;
	}
	o = json_object_new_object();
	json_object_object_add(o, "caller",
	    json_object_new_string(t->extension));
	json_object_object_add(o, "callee", json_object_new_string(t->number));
	json_object_object_add(o, "auto_answer", json_object_new_string("no"));
	rc = ys_post(t, "/openapi/v1.0/call/dial", token, o, r, err, errsz);
	json_object_put(o);
	return rc;
}

enum cb_err
yeastar_hangup_build(const struct dial_target *t, const char *token,
    const char *channel_id, struct dial_request *r, char *err, size_t errsz)
{
	struct json_object *o;
	enum cb_err rc;

	if (token == NULL || *token == '\0' || channel_id == NULL ||
	    *channel_id == '\0') {
		dial_say(err, errsz, "Yeastar: no access token or channel");
		return CB_EINVAL;
	}
	o = json_object_new_object();
	json_object_object_add(o, "channel_id",
	    json_object_new_string(channel_id));
	rc = ys_post(t, "/openapi/v1.0/call/hangup", token, o, r, err, errsz);
	json_object_put(o);
	return rc;
}
