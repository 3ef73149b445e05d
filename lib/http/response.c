#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "http/fcgi_out.h"
#include "http/response.h"
#include "i18n/i18n.h"

/* No inline script or style anywhere: every page passes this CSP. */
static const char security_headers[] =
    "X-Content-Type-Options: nosniff\r\n"
    "X-Frame-Options: DENY\r\n"
    "Referrer-Policy: same-origin\r\n"
    "Content-Security-Policy: default-src 'self'; script-src 'self'; "
    "style-src 'self'; img-src 'self' data:; media-src 'self'; "
    "connect-src 'self'; object-src 'none'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'\r\n";

void
resp_init(struct http_response *r, struct http_out *out, bool head_only)
{
	memset(r, 0, sizeof(*r));
	r->out = out;
	r->status = 200;
	r->content_type = "text/html; charset=utf-8";
	r->no_store = true;
	r->head_only = head_only;
	buf_init(&r->head, 16 * 1024);
	buf_init(&r->body, HTTP_MAX_RESPONSE);
}

void
resp_free(struct http_response *r)
{
	buf_free(&r->head);
	buf_free(&r->body);
}

void
resp_header(struct http_response *r, const char *name, const char *fmt, ...)
{
	char val[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(val) || strpbrk(val, "\r\n"))
		return;
	buf_printf(&r->head, "%s: %s\r\n", name, val);
}

void
resp_cookie(struct http_response *r, const char *name, const char *value,
    long max_age, bool http_only, bool secure)
{
	if (strpbrk(value, ";\r\n ") || strpbrk(name, ";=\r\n "))
		return;
	buf_printf(&r->head, "Set-Cookie: %s=%s; Path=/; SameSite=Lax%s%s",
	    name, value, http_only ? "; HttpOnly" : "",
	    secure ? "; Secure" : "");
	if (max_age >= 0)
		buf_printf(&r->head, "; Max-Age=%ld", max_age);
	buf_puts(&r->head, "\r\n");
}

void
resp_redirect(struct http_response *r, int status, const char *location)
{
	r->status = status ? status : 303;
	resp_header(r, "Location", "%s", location);
	buf_reset(&r->body);
}

static enum cb_err
out_write(struct http_out *o, const void *p, size_t n)
{
	if (n == 0)
		return CB_OK;
	if (o->fcgi)
		return FCGX_PutStr(p, (int)n, o->fcgi) == (int)n ? CB_OK :
		    CB_EIO;
	return fwrite(p, 1, n, o->cgi) == n ? CB_OK : CB_EIO;
}

/* Status line and headers, ending with the empty line, into h. */
static void
head_build(const struct http_response *r, bool with_length, struct buf *h)
{
	buf_printf(h, "Status: %d %s\r\nContent-Type: %s\r\n", r->status,
	    http_reason(r->status), r->content_type);
	if (with_length)
		buf_printf(h, "Content-Length: %zu\r\n", r->body.len);
	if (r->no_store)
		buf_puts(h, "Cache-Control: no-store\r\n");
	buf_puts(h, security_headers);
	buf_append(h, r->head.p ? r->head.p : "", r->head.len);
	buf_puts(h, "\r\n");
}

static enum cb_err
send_head(struct http_response *r, bool with_length)
{
	struct buf h;
	enum cb_err rc;

	if (r->sent)
		return CB_OK;
	r->sent = true;
	buf_init(&h, 64 * 1024);
	head_build(r, with_length, &h);
	rc = h.err == CB_OK ? out_write(r->out, h.p, h.len) : h.err;
	buf_free(&h);
	return rc;
}

enum cb_err
resp_send(struct http_response *r)
{
	struct buf h;
	enum cb_err rc;

	if (r->sent)
		return CB_OK;
	if (r->out->fcgi_req == NULL) {
		if ((rc = send_head(r, true)) != CB_OK)
			return rc;
		if (r->head_only)
			return CB_OK;
		return out_write(r->out, r->body.p, r->body.len);
	}
	r->sent = true;
	buf_init(&h, 64 * 1024);
	head_build(r, true, &h);
	rc = h.err != CB_OK ? h.err : fcgi_out_finish(r->out->fcgi_req, h.p,
	    h.len, r->body.p, r->head_only ? 0 : r->body.len);
	buf_free(&h);
	return rc;
}

enum cb_err
resp_stream_begin(struct http_response *r)
{
	return send_head(r, false);
}

enum cb_err
resp_stream_write(struct http_response *r, const void *p, size_t n)
{
	if (r->head_only)
		return CB_OK;
	return out_write(r->out, p, n);
}

int
http_status_for_err(enum cb_err err)
{
	switch (err) {
	case CB_OK:
	case CB_DUPLICATE:
		return 200;
	case CB_EINVAL:
		return 400;
	case CB_EAUTH:
		return 401;
	case CB_EDENIED:
		return 403;
	case CB_ENOTFOUND:
		return 404;
	case CB_EMETHOD:
		return 405;
	case CB_ETOOBIG:
		return 413;
	case CB_EMEDIA:
		return 415;
	case CB_EUPSTREAM:
		return 502;
	case CB_EDB:
		return 503;
	case CB_ENOMEM:
	case CB_EIO:
	case CB_ERR__MAX:
		break;
	}
	return 500;
}

const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 206: return "Partial Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return N_("Bad Request");
	case 401: return N_("Unauthorized");
	case 403: return N_("Forbidden");
	case 404: return N_("Not Found");
	case 405: return N_("Method Not Allowed");
	case 409: return N_("Conflict");
	case 410: return N_("Gone");
	case 413: return N_("Content Too Large");
	case 415: return N_("Unsupported Media Type");
	case 429: return N_("Too Many Requests");
	case 500: return N_("Internal Server Error");
	case 502: return N_("Bad Gateway");
	case 503: return N_("Service Unavailable");
	default: return "Unknown";
	}
}
