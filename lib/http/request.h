/* The parsed HTTP request (one per FastCGI iteration; everything lives in
 * the request's arena). Parsing is validation: after http_request_read()
 * succeeds, handlers see only bounded, NUL-free, decoded values (STYLE
 * §2.1, §2.8, §2.9). The pure parsers are exported for tests and fuzzers. */
#ifndef CB_HTTP_REQUEST_H
#define CB_HTTP_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "core/arena.h"
#include "core/err.h"

/* No cap on the number of fields: a request is limited by its bytes (the
 * route's max_body here, client_max_body_size and the header buffers in
 * nginx). A real provider body passes any count we could pick (issue 15
 * §2.1: Binotel's completed call has ~7 fields per phone that rang), and
 * lookups stay O(log n) however many there are (kvlist.order). */
#define HTTP_MAX_KEY 128
#define HTTP_MAX_VALUE (64 * 1024)
#define HTTP_MAX_JSON_DEPTH 32

enum http_method {
	HTTP_GET = 0, HTTP_HEAD, HTTP_POST, HTTP_PUT, HTTP_DELETE, HTTP_PATCH,
	HTTP_OPTIONS, HTTP_OTHER, HTTP_METHOD__MAX
};
#define HTTP_M(m) (1u << (m))

/* What the client wants back, from ?format= or Accept (DESIGN §5). */
enum http_want { WANT_HTML = 0, WANT_JSON, WANT_CSV, WANT__MAX };

struct kv {
	const char *key;    /* NUL-terminated, no embedded NUL */
	const char *val;    /* NUL-terminated, no embedded NUL */
	size_t val_len;
};

struct kvlist {
	struct kv *v;
	size_t n;
	/* Indices of v sorted by key, then by position, or NULL for a short
	 * list (kv_get() then scans it). Built by the parsers: a body of many
	 * fields costs O(n log n) once and O(log n) per lookup, never a scan
	 * per lookup (a hostile 1 MiB form is ~350,000 fields). No hashing,
	 * so nothing to flood. */
	const struct kv **byname;
};

struct http_request {
	struct arena *arena;          /* borrowed: the iteration's arena */
	char **envp;                  /* borrowed until the next accept */
	enum http_method method;
	const char *method_name;
	const char *path;             /* decoded path, no query (DOCUMENT_URI) */
	const char *request_uri;      /* raw, as the client sent it */
	const char *query_string;     /* raw */
	const char *remote_addr;
	const char *request_id;
	const char *content_type;     /* media type only, lowercased, no params */
	enum http_want want;
	struct kvlist query;
	struct kvlist form;           /* an urlencoded or multipart/form-data
	                               * body: the same fields either way */
	struct kvlist cookies;
	struct json_object *json;     /* application/json body (arena frees) */
	const char *body;             /* raw body, NUL-terminated */
	size_t body_len;
	const char *error;            /* why parsing failed, for the 4xx page */
};

/* The media type of a Content-Type value: lowercased, without parameters;
 * NULL for NULL or "" (nginx passes an absent header as ""). In a. */
const char *http_media_type(struct arena *a, const char *content_type);
/* A header's CGI variable name: "X-Twilio-Signature" →
 * "HTTP_X_TWILIO_SIGNATURE" (truncated to outsz). */
void http_header_cgi_name(const char *name, char *out, size_t outsz);
/* Environment lookup in envp ("NAME=value"); NULL if absent. */
const char *http_env(char **envp, const char *name);
/* A request header by its HTTP name ("X-Twilio-Signature"). */
const char *http_header(const struct http_request *req, const char *name);

/* Pure parsers. Decoding errors, embedded NULs, or names and values over
 * the caps give CB_EINVAL/CB_ETOOBIG with *why set. */
enum cb_err http_parse_urlencoded(struct arena *a, const char *s, size_t len,
    struct kvlist *out, const char **why);
enum cb_err http_parse_cookies(struct arena *a, const char *s, size_t len,
    struct kvlist *out, const char **why);
/* multipart/form-data (RFC 7578) with the boundary of content_type (the
 * raw header): each part's Content-Disposition name and its bytes, as
 * http_parse_urlencoded() gives them. Parts with a filename (uploads) are
 * skipped: no route takes files. */
enum cb_err http_parse_multipart(struct arena *a, const char *content_type,
    const char *s, size_t len, struct kvlist *out, const char **why);
/* Does a route that takes forms read this media type (as returned by
 * http_media_type()) as a form? urlencoded and multipart/form-data. */
bool http_media_is_form(const char *media_type);
/* A body by its raw Content-Type: a form (either kind) into *form, JSON
 * into *json; other types, or no body, are left to the caller (both
 * outputs empty). Used by the front line and by the spool's replay, so a
 * replayed request is read exactly as it was when it arrived. */
enum cb_err http_parse_body(struct arena *a, const char *content_type,
    const char *body, size_t len, struct kvlist *form,
    struct json_object **json, const char **why);
/* The JSON object is registered for release with the arena. */
enum cb_err http_parse_json(struct arena *a, const char *s, size_t len,
    struct json_object **out, const char **why);
enum http_method http_method_parse(const char *s);
enum http_want http_negotiate(const char *format_param, const char *accept);

/* Builds l->byname for a list the parsers filled (none for a short
 * list). In a. */
void http_kvlist_index(struct arena *a, struct kvlist *l);
/* First value of key, or NULL: O(log n) with l->byname, a scan without. */
const char *kv_get(const struct kvlist *l, const char *key);

/* Reads envp and the body (at most max_body bytes: CB_ETOOBIG beyond) and
 * fills req. `read_body(ctx, buf, n)` reads up to n bytes, returns the count
 * (0 at end, -1 on error). */
typedef long (*http_body_reader)(void *ctx, char *buf, size_t n);
enum cb_err http_request_read(struct http_request *req, struct arena *a,
    char **envp, http_body_reader read_body, void *ctx, size_t max_body);

#endif
