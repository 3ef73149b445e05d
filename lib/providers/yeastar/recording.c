/* Yeastar recordings (providers-2.md §5.7): the 30012 CDR names the file
 * ("20220427190445-1651057476.362-2005-2002-Internal.wav"); the OpenAPI
 * turns the name into a download URL valid 30 minutes, so the worker
 * copies the file soon after the call. With mp3 only one download may
 * run at a time. Both requests carry the prepare step's token
 * (lib/dial/prepare.c; recfetch_plan.token) as ?access_token=. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "calls/recfetch.h"
#include "core/buf.h"
#include "core/jsonget.h"
#include "http/escape.h"
#include "providers/adapt.h"
#include "providers/yeastar/yeastar.h"

#define YS_NAME_MAX 255
#define YS_API_BASE "https://pbx.invalid"

bool
yeastar_recording_name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	return n > 0 && n <= YS_NAME_MAX && adapt_printable(name) &&
	    strchr(name, '/') == NULL && strchr(name, '\\') == NULL &&
	    strcmp(name, "..") != 0 && strcmp(name, ".") != 0;
}

enum cb_err
yeastar_recording_request(const struct dial_target *t, const char *name,
    const char *token, struct dial_request *r, char *err, size_t errsz)
{
	char base[512];
	struct buf q;
	enum cb_err rc;

	if (!yeastar_recording_name_ok(name) || token == NULL ||
	    *token == '\0') {
		err_say(err, errsz, "Yeastar: no recording name or token");
		return CB_EINVAL;
	}
	if ((rc = dial_api_base(t, YS_API_BASE, base, sizeof(base), err,
	    errsz)) != CB_OK)
		return rc;
	buf_init(&q, sizeof(r->url));
	buf_puts(&q, base);
	buf_puts(&q, "/openapi/v1.0/recording/download?file=");
	url_component(&q, name, strlen(name));
	buf_puts(&q, "&access_token=");
	url_component(&q, token, strlen(token));
	rc = q.err == CB_OK && dial_fits(r->url, sizeof(r->url), "%s",
	    buf_cstr(&q)) && dial_fits(r->headers[0], sizeof(r->headers[0]),
	    "%s", YEASTAR_USER_AGENT) ? CB_OK : CB_EINVAL;
	buf_free(&q);
	if (rc != CB_OK) {
		err_say(err, errsz, "Yeastar: cannot build the request");
		return rc;
	}
	r->header_ptrs[0] = r->headers[0];
	r->method = HTTPC_GET;
	r->body_len = 0;
	return CB_OK;
}

/* recording_url is "ref:<file name>" (the 30012 CDR's `recording`). */
static enum cb_err
ys_recording_plan(const char *url, struct json_object *config,
    struct json_object *secrets, struct recfetch_plan *p, char *err,
    size_t errsz)
{
	struct dial_target t;
	struct dial_request r;
	struct buf q;
	enum cb_err rc;

	snprintf(p->ext, sizeof(p->ext), "wav");
	if (strncmp(url, "ref:", 4) != 0) {
		err_say(err, errsz, "Yeastar: the recording is not a file "
		    "name of the PBX");
		return CB_EINVAL;
	}
	memset(&t, 0, sizeof(t));
	t.kind = "yeastar";
	t.config = config;
	t.secrets = secrets;
	if (json_member_str(config, "api_base") == NULL) {
		err_say(err, errsz, "Yeastar: the integration needs the "
		    "PBX's API address (https://host:port)");
		return CB_EINVAL;
	}
	memset(&r, 0, sizeof(r));
	rc = yeastar_recording_request(&t, url + 4, p->token, &r, err, errsz);
	if (rc == CB_OK) {
		p->step = RECFETCH_LINK;
		buf_init(&q, sizeof(p->file_query));
		buf_puts(&q, "access_token=");
		url_component(&q, p->token, strlen(p->token));
		if (q.err != CB_OK || !recfetch_fits(p->url, sizeof(p->url),
		    "%s", r.url) || !recfetch_fits(p->auth_header,
		    sizeof(p->auth_header), "%s", r.headers[0]) ||
		    !recfetch_fits(p->file_query, sizeof(p->file_query), "%s",
		    buf_cstr(&q)) ||
		    /* §5.1: every request, the file's too. */
		    !recfetch_fits(p->file_header, sizeof(p->file_header), "%s",
		    YEASTAR_USER_AGENT)) {
			err_say(err, errsz, "Yeastar: cannot build the "
			    "request");
			rc = CB_EINVAL;
		}
		explicit_bzero(q.p, q.cap);
		buf_free(&q);
	}
	dial_request_wipe(&r);
	return rc;
}

/* {"errcode":0,"file":…,"download_resource_url":"/api/download/…"}; a
 * non-zero errcode naming no file is "no recording". */
static enum cb_err
ys_recording_link(const char *json, size_t len, char *out, size_t outsz,
    char *err, size_t errsz)
{
	struct json_tokener *tok = json_tokener_new_ex(8);
	struct json_object *j = NULL;
	const char *u;
	char msg[160];
	int64_t code = yeastar_errcode(json, len, msg, sizeof(msg));
	enum cb_err rc = CB_EUPSTREAM;

	if (code != 0) {
		if (tok != NULL)
			json_tokener_free(tok);
		err_say(err, errsz, code < 0 ? "Yeastar: the answer is "
		    "not the PBX's JSON" : "Yeastar: errcode %lld %s",
		    (long long)code, msg);
		/* 10002 and friends: the file is gone (the PBX keeps
		 * recordings by its own retention). */
		return code > 0 && strcasestr(msg, "EXIST") != NULL ?
		    CB_ENOTFOUND : CB_EUPSTREAM;
	}
	if (tok != NULL) {
		j = json_tokener_parse_ex(tok, json, (int)len);
		json_tokener_free(tok);
	}
	u = json_member_str(j, "download_resource_url");
	if (u != NULL && u[0] == '/' && u[1] != '/' && adapt_printable(u) &&
	    strchr(u, ' ') == NULL && recfetch_fits(out, outsz, "%s", u))
		rc = CB_OK;
	else
		err_say(err, errsz, "Yeastar: the answer names no "
		    "download_resource_url");
	json_object_put(j);
	return rc;
}

const struct prov_recording yeastar_recording = {
	.plan = ys_recording_plan,
	.link = ys_recording_link,
};
