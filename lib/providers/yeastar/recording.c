/* Yeastar recordings (providers-2.md §5.7): the 30012 CDR names the file
 * ("20220427190445-1651057476.362-2005-2002-Internal.wav"); the OpenAPI
 * turns the name into a download URL valid 30 minutes, so the worker
 * copies the file soon after the call. With mp3 only one download may
 * run at a time. The download needs the token first, which .recording
 * cannot say yet: not in the descriptor (docs/providers.md). */
#include "config.h"

#include <string.h>

#include "core/buf.h"
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
		dial_say(err, errsz, "Yeastar: no recording name or token");
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
		dial_say(err, errsz, "Yeastar: cannot build the request");
		return rc;
	}
	r->header_ptrs[0] = r->headers[0];
	r->method = HTTPC_GET;
	r->body_len = 0;
	return CB_OK;
}
