/* Outgoing HTTP for the whole project (DESIGN §6, STYLE §2.9): provider
 * APIs, recording downloads, trigger webhooks. One small libcurl wrapper so
 * that every request gets the same rules:
 *   - connect timeout 5 s, a total timeout chosen by the caller, and a
 *     low-speed limit so a stalled peer cannot hold a worker for long;
 *   - TLS verification always on (no switch to turn it off);
 *   - http and https only, for the request and for redirects; GET follows
 *     at most HTTPC_MAX_REDIRS redirects, and a redirect from https never
 *     goes down to http; POST never follows (a webhook answering 30x is
 *     reported, not replayed as a GET);
 *   - a hard cap on the response body, checked while it arrives;
 *   - the HTTP status and a human error text (curl's error buffer), which
 *     never holds a credential: Basic auth and headers are not echoed, and
 *     libcurl drops them on a redirect to another host.
 * Nothing here logs. Callers log res.error with the URL's origin only. */
#ifndef CB_NET_HTTPC_H
#define CB_NET_HTTPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/buf.h"
#include "core/err.h"

#define HTTPC_CONNECT_TIMEOUT 5     /* seconds */
#define HTTPC_DEFAULT_TIMEOUT 20    /* seconds, when the request says 0 */
#define HTTPC_MAX_REDIRS 3
#define HTTPC_ERROR_MAX 256

/* HTTPC_PUT uploads the open file `upload` (upload_len bytes, streamed
 * by libcurl) and follows no redirect: S3 objects (lib/storage/s3.c). */
enum httpc_method { HTTPC_GET, HTTPC_POST, HTTPC_PUT };

/* One part of a multipart/form-data POST (RFC 7578): a text field, or a
 * file streamed from disk by libcurl (curl_mime_filedata), never read whole
 * into memory. */
struct httpc_part {
	const char *name;
	const char *value;            /* a text field's value, or NULL */
	const char *file;             /* a file's path, or NULL */
	const char *filename;         /* the file's name as sent, or NULL */
	const char *type;             /* the part's Content-Type, or NULL */
};

/* Everything is borrowed for the duration of the call. */
struct httpc_req {
	enum httpc_method method;
	const char *url;              /* absolute http:// or https:// URL */
	/* Extra request headers as "Name: value" lines, NULL-terminated, or
	 * NULL. They may hold credentials (Zadarma's Authorization); they are
	 * never copied into res.error. */
	const char *const *headers;
	/* POST body (any bytes), or NULL. A GET with a body sends it too
	 * (Phonet's history API asks so) and then follows no redirect. */
	const void *body;
	size_t body_len;
	const char *content_type;     /* POST body's type, or NULL */
	/* A multipart/form-data POST instead of body (which is then
	 * ignored): nparts parts; libcurl writes the boundary and the
	 * Content-Type. */
	const struct httpc_part *parts;
	size_t nparts;
	/* Basic auth when user != NULL (password may be ""). */
	const char *user;
	const char *password;
	unsigned timeout_s;           /* whole transfer; 0 = HTTPC_DEFAULT_TIMEOUT */
	size_t max_bytes;             /* cap on the response body; must be > 0 */
	/* Connect only to public Internet addresses (ip_not_public() in
	 * net/ipmatch.h): checked on each address libcurl is about to
	 * connect to (CURLOPT_OPENSOCKETFUNCTION), after its own DNS lookup,
	 * so a name that resolves, or re-resolves between a check and the
	 * connect (DNS rebinding), to 127.0.0.1, 10.x, 169.254.169.254 and
	 * the like is refused too, and so is every hop of a redirect. No
	 * proxy is used for such a request (http_proxy and friends are
	 * ignored): through a proxy the check would only see the proxy.
	 * For URLs that someone other than the server's admin chose. */
	bool public_only;
	/* With public_only: addresses or networks ("192.168.1.20",
	 * "10.0.0.0/8", "::1"; ip_match() syntax) that may be connected to
	 * although they are not public, NULL-terminated, or NULL for none.
	 * The explicit allowance of one integration for its PBX on the LAN
	 * (config "allow_private_hosts"); checked on the connected address
	 * like the rest, so a redirect or a name cannot stretch it. */
	const char *const *allow_private;
	/* HTTPC_PUT: the body, read from the file's current position. */
	FILE *upload;
	size_t upload_len;
	/* AWS Signature Version 4 instead of Basic auth: libcurl's
	 * CURLOPT_AWS_SIGV4 ("aws:amz:<region>:<service>"), with user as the
	 * access key and password as the secret. NULL = none. */
	const char *aws_sigv4;
	/* Keep the first Set-Cookie's "name=value" in res->set_cookie (a
	 * provider's session: Phonet's JSESSIONID). */
	bool want_cookie;
};

struct httpc_res {
	long status;                  /* the last response's status; 0 if none */
	size_t bytes;                 /* body bytes received (or written) */
	char content_type[128];       /* the response's Content-Type, or "" */
	char error[HTTPC_ERROR_MAX];  /* why it failed; "" on CB_OK */
	/* The connection (and TLS) was made and the request began to go
	 * out (libcurl's pre-transfer point). After a failure with sent
	 * false the peer never saw the request; with sent true it may have
	 * (an SMS that must not go out twice needs the difference). */
	bool sent;
	/* With want_cookie: the first Set-Cookie's "name=value", or "". A
	 * credential: the caller wipes it and never logs it. */
	char set_cookie[512];
};

/* One-time process setup and teardown of libcurl, before any thread is
 * started and at exit (libcurl also initialises itself lazily if a
 * program forgets; the explicit call keeps sanitizer leak reports clean). */
void httpc_global_init(void);
void httpc_global_cleanup(void);

/* Sends rq and stores the response body in out (appended; out's own max
 * also applies; after a failure out may hold part of it). CB_OK means a complete HTTP response arrived, whatever
 * its status: the caller reads res->status. Otherwise, with res->error
 * set:
 *   CB_EINVAL     not an http(s) URL, max_bytes 0, or a malformed request
 *                 (a multipart file that cannot be read is CB_EIO)
 *   CB_EDENIED    public_only, and the host's addresses are not public
 *                 nor allowed (res->error names the address and its kind)
 *   CB_ETOOBIG    the body went over the cap (the transfer is stopped)
 *   CB_EUPSTREAM  DNS, connect, TLS, timeout, reset, too many redirects
 *   CB_ENOMEM     allocation failed */
enum cb_err httpc_request(const struct httpc_req *rq, struct buf *out,
    struct httpc_res *res);

/* Like httpc_request() but streams a 2xx body into out (for files that do
 * not belong in memory). The body of a non-2xx answer is read and dropped,
 * never written to out, and the result is still CB_OK with res->status
 * set. A write error on out is CB_EIO. The caller owns out and flushes,
 * syncs and closes it. */
enum cb_err httpc_download(const struct httpc_req *rq, FILE *out,
    struct httpc_res *res);

/* The origin of url ("https://host:port"), without user info, path or
 * query, for log lines and error texts: URLs of pre-signed downloads carry
 * tokens. "(bad URL)" when url is not an absolute http(s) URL. */
void httpc_origin(const char *url, char *out, size_t outsz);

/* true for 127.0.0.0/8, ::1 and "localhost" hosts of an http(s) URL. */
bool httpc_is_loopback(const char *url);

#endif
