/* The response writer: the only code that writes to the FastCGI stream
 * (STYLE §2.12). Headers are collected, then sent with the body in one
 * go; security headers are added here and nowhere else. Large outputs
 * (CSV export) use the streaming calls instead of the capped body. */
#ifndef CB_HTTP_RESPONSE_H
#define CB_HTTP_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <fcgiapp.h>

#include "core/buf.h"

#define HTTP_MAX_RESPONSE (8u * 1024 * 1024)

/* Where bytes go: a FastCGI stream, or a stdio stream in CGI mode. With
 * fcgi_req (the request fcgi belongs to), resp_send() writes the whole
 * response in one system call (http/fcgi_out.h). */
struct http_out {
	FCGX_Stream *fcgi;
	FILE *cgi;
	FCGX_Request *fcgi_req;
};

struct http_response {
	struct http_out *out;         /* borrowed */
	int status;
	const char *content_type;     /* static or arena string */
	bool no_store;                /* private page: Cache-Control: no-store */
	bool head_only;               /* HEAD: headers only */
	bool sent;                    /* headers are out */
	struct buf head;              /* extra "Name: value\r\n" lines */
	struct buf body;
};

void resp_init(struct http_response *r, struct http_out *out, bool head_only);
void resp_free(struct http_response *r);
/* Header values with CR or LF are dropped (response splitting). */
void resp_header(struct http_response *r, const char *name,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* max_age < 0: session cookie; 0: delete. Always Path=/; HttpOnly,
 * SameSite=Lax, plus Secure when secure. */
void resp_cookie(struct http_response *r, const char *name, const char *value,
    long max_age, bool http_only, bool secure);
/* 303 See Other by default (after a POST the browser GETs the target). */
void resp_redirect(struct http_response *r, int status, const char *location);
/* Sends status, headers and body. Idempotent. */
enum cb_err resp_send(struct http_response *r);
/* Streaming: sends headers now (no Content-Length); then writes chunks. */
enum cb_err resp_stream_begin(struct http_response *r);
enum cb_err resp_stream_write(struct http_response *r, const void *p,
    size_t n);

/* The one place where errors become HTTP statuses (STYLE §2.4). */
int http_status_for_err(enum cb_err err);
/* The status line's reason phrase (RFC 9110 §15), in English; those of
 * 4xx and 5xx are marked N_() too, for the error page's title (app_fail
 * shows _(http_reason(status))). */
const char *http_reason(int status);

#endif
