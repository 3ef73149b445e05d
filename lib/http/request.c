#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/strparse.h"
#include "http/request.h"

static const char *const method_names[HTTP_METHOD__MAX] = {
	"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "OTHER"
};

enum http_method
http_method_parse(const char *s)
{
	int i;

	for (i = 0; s && i < HTTP_OTHER; i++)
		if (strcmp(s, method_names[i]) == 0)
			return (enum http_method)i;
	return HTTP_OTHER;
}

const char *
http_env(char **envp, const char *name)
{
	size_t n = strlen(name);

	for (; envp && *envp; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

void
http_header_cgi_name(const char *name, char *out, size_t outsz)
{
	size_t i, o = 0;
	const char *p = "HTTP_";

	while (*p && o + 1 < outsz)
		out[o++] = *p++;
	for (i = 0; name[i] && o + 1 < outsz; i++)
		out[o++] = name[i] == '-' ? '_' :
		    (char)toupper((unsigned char)name[i]);
	if (outsz)
		out[o] = '\0';
}

const char *
http_header(const struct http_request *req, const char *name)
{
	char key[128];

	http_header_cgi_name(name, key, sizeof(key));
	if (strcasecmp(name, "Content-Type") == 0)
		return http_env(req->envp, "CONTENT_TYPE");
	return http_env(req->envp, key);
}

const char *
kv_get(const struct kvlist *l, const char *key)
{
	size_t i, lo = 0, hi = l->n;

	if (l->byname == NULL) {
		for (i = 0; i < l->n; i++)
			if (strcmp(l->v[i].key, key) == 0)
				return l->v[i].val;
		return NULL;
	}
	/* The first of equal keys is the earliest field (kv_cmp()). */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(l->byname[mid]->key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < l->n && strcmp(l->byname[lo]->key, key) == 0)
		return l->byname[lo]->val;
	return NULL;
}

/* Lists this short are scanned: cheaper than sorting. */
#define KV_INDEX_MIN 16

static int
kv_cmp(const void *pa, const void *pb)
{
	const struct kv *x = *(const struct kv *const *)pa;
	const struct kv *y = *(const struct kv *const *)pb;
	int c = strcmp(x->key, y->key);

	/* Ties by position: a total order, so the first field of a name
	 * sorts first whatever the sort's stability. */
	return c != 0 ? c : (x < y ? -1 : x > y);
}

/* Sorts an index of l by name (O(n log n): glibc's qsort is a merge sort
 * when it can allocate, and falls back to a median-of-three quicksort on
 * a total order otherwise). */
void
http_kvlist_index(struct arena *a, struct kvlist *l)
{
	const struct kv **ix;
	size_t i;

	l->byname = NULL;
	if (l->n < KV_INDEX_MIN)
		return;
	ix = arena_alloc(a, l->n * sizeof(*ix));
	for (i = 0; i < l->n; i++)
		ix[i] = &l->v[i];
	qsort(ix, l->n, sizeof(*ix), kv_cmp);
	l->byname = ix;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes %XX and '+' (form rules) into a fresh arena string. */
static enum cb_err
url_decode(struct arena *a, const char *s, size_t len, bool plus_is_space,
    char **out, size_t *outlen, const char **why)
{
	char *d = arena_alloc(a, len + 1);
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '%') {
			int h, l;
			if (i + 2 >= len || (h = hexval(s[i + 1])) < 0 ||
			    (l = hexval(s[i + 2])) < 0) {
				*why = "bad %-escape";
				return CB_EINVAL;
			}
			d[o++] = (char)(h << 4 | l);
			i += 2;
		} else if (s[i] == '+' && plus_is_space)
			d[o++] = ' ';
		else
			d[o++] = s[i];
	}
	d[o] = '\0';
	if (str_has_nul(d, o)) {
		*why = "NUL byte in a value";
		return CB_EINVAL;
	}
	*out = d;
	*outlen = o;
	return CB_OK;
}

/* No count cap (request.h): the caller's bytes bound the list. */
static void
kvlist_push(struct arena *a, struct kvlist *l, size_t *cap, const char *key,
    const char *val, size_t val_len)
{
	if (l->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct kv *v = arena_alloc(a, ncap * sizeof(*v));
		if (l->n)
			memcpy(v, l->v, l->n * sizeof(*v));
		l->v = v;
		*cap = ncap;
	}
	l->v[l->n].key = key;
	l->v[l->n].val = val;
	l->v[l->n].val_len = val_len;
	l->n++;
}

/* An upper bound of the pairs in s (separators + 1): one allocation for
 * the list instead of log n doublings. */
static size_t
count_pairs(const char *s, size_t len, char sep)
{
	const char *p = s, *e = s + len;
	size_t n = 1;

	while ((p = memchr(p, sep, (size_t)(e - p))) != NULL) {
		n++;
		p++;
	}
	return n;
}

enum cb_err
http_parse_urlencoded(struct arena *a, const char *s, size_t len,
    struct kvlist *out, const char **why)
{
	size_t pos = 0, cap = 0;
	enum cb_err rc;

	out->v = NULL;
	out->n = 0;
	out->byname = NULL;
	if (len > 0) {
		cap = count_pairs(s, len, '&');
		out->v = arena_alloc(a, cap * sizeof(*out->v));
	}
	while (pos < len) {
		const char *pair = s + pos, *amp, *eq;
		size_t plen, rawklen, klen, vlen;
		char *key, *val;

		amp = memchr(pair, '&', len - pos);
		plen = amp ? (size_t)(amp - pair) : len - pos;
		pos += plen + 1;
		if (plen == 0)
			continue;
		eq = memchr(pair, '=', plen);
		rawklen = eq ? (size_t)(eq - pair) : plen;
		if (rawklen == 0)
			continue; /* "=value": no name, nothing to bind */
		if (rawklen > HTTP_MAX_KEY * 3) {
			*why = "field name too long";
			return CB_ETOOBIG;
		}
		if ((rc = url_decode(a, pair, rawklen, true, &key, &klen, why)))
			return rc;
		if (klen > HTTP_MAX_KEY) {
			*why = "field name too long";
			return CB_ETOOBIG;
		}
		if (eq) {
			if ((rc = url_decode(a, eq + 1, plen - rawklen - 1,
			    true, &val, &vlen, why)))
				return rc;
		} else {
			static char none[1];
			val = none; /* shared: "" needs no copy per field */
			vlen = 0;
		}
		if (vlen > HTTP_MAX_VALUE) {
			*why = "field value too long";
			return CB_ETOOBIG;
		}
		kvlist_push(a, out, &cap, key, val, vlen);
	}
	http_kvlist_index(a, out);
	return CB_OK;
}

enum cb_err
http_parse_cookies(struct arena *a, const char *s, size_t len,
    struct kvlist *out, const char **why)
{
	size_t pos = 0, cap = 0;

	out->v = NULL;
	out->n = 0;
	out->byname = NULL;
	/* RFC 6265 §5.2: pairs separated by ';', names and values trimmed;
	 * values are opaque (no %-decoding: our cookies are base64url). */
	while (pos < len) {
		const char *pair = s + pos, *semi, *eq;
		size_t plen, ks, ke, vs, ve;

		semi = memchr(pair, ';', len - pos);
		plen = semi ? (size_t)(semi - pair) : len - pos;
		pos += plen + 1;
		eq = memchr(pair, '=', plen);
		if (eq == NULL)
			continue;
		ks = 0;
		ke = (size_t)(eq - pair);
		while (ks < ke && pair[ks] == ' ')
			ks++;
		while (ke > ks && pair[ke - 1] == ' ')
			ke--;
		vs = (size_t)(eq - pair) + 1;
		while (vs < plen && pair[vs] == ' ')
			vs++;
		ve = plen;
		while (ve > vs && pair[ve - 1] == ' ')
			ve--;
		if (ke == ks)
			continue;
		if (ke - ks > HTTP_MAX_KEY || ve - vs > 4096) {
			*why = "cookie too long";
			return CB_ETOOBIG;
		}
		if (str_has_nul(pair + ks, ke - ks) ||
		    str_has_nul(pair + vs, ve - vs)) {
			*why = "NUL byte in a cookie";
			return CB_EINVAL;
		}
		kvlist_push(a, out, &cap, arena_strndup(a, pair + ks, ke - ks),
		    arena_strndup(a, pair + vs, ve - vs), ve - vs);
	}
	http_kvlist_index(a, out);
	return CB_OK;
}

static void
json_release(void *p)
{
	json_object_put(p);
}

enum cb_err
http_parse_json(struct arena *a, const char *s, size_t len,
    struct json_object **out, const char **why)
{
	struct json_tokener *tok;
	struct json_object *obj;
	enum json_tokener_error jerr;

	*out = NULL;
	if (len > INT32_MAX) {
		*why = "JSON body too large";
		return CB_ETOOBIG;
	}
	if ((tok = json_tokener_new_ex(HTTP_MAX_JSON_DEPTH)) == NULL)
		return CB_ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, s, (int)len);
	jerr = json_tokener_get_error(tok);
	if (jerr == json_tokener_success &&
	    json_tokener_get_parse_end(tok) != len) {
		json_object_put(obj);
		obj = NULL;
		*why = "trailing bytes after the JSON value";
		json_tokener_free(tok);
		return CB_EINVAL;
	}
	json_tokener_free(tok);
	if (jerr != json_tokener_success || obj == NULL) {
		json_object_put(obj);
		*why = jerr == json_tokener_continue ? "truncated JSON" :
		    json_tokener_error_desc(jerr);
		return CB_EINVAL;
	}
	arena_cleanup_add(a, json_release, obj);
	*out = obj;
	return CB_OK;
}

enum http_want
http_negotiate(const char *format, const char *accept)
{
	if (format) {
		if (strcmp(format, "json") == 0)
			return WANT_JSON;
		if (strcmp(format, "csv") == 0)
			return WANT_CSV;
		return WANT_HTML;
	}
	/* A browser sends text/html first; API clients ask for JSON alone. */
	if (accept && strstr(accept, "application/json") &&
	    !strstr(accept, "text/html"))
		return WANT_JSON;
	return WANT_HTML;
}

const char *
http_media_type(struct arena *a, const char *ct)
{
	size_t n = 0;
	char *m;
	size_t i;

	if (ct == NULL)
		return NULL;
	while (ct[n] && ct[n] != ';' && ct[n] != ' ')
		n++;
	/* nginx passes an absent Content-Type as "" (dialplan CURL()). */
	if (n == 0)
		return NULL;
	m = arena_strndup(a, ct, n);
	for (i = 0; i < n; i++)
		m[i] = (char)tolower((unsigned char)m[i]);
	return m;
}

bool
http_media_is_form(const char *m)
{
	return m != NULL && (strcmp(m, "application/x-www-form-urlencoded") ==
	    0 || strcmp(m, "multipart/form-data") == 0);
}

enum cb_err
http_parse_body(struct arena *a, const char *content_type, const char *body,
    size_t len, struct kvlist *form, struct json_object **json,
    const char **why)
{
	const char *m = http_media_type(a, content_type);

	memset(form, 0, sizeof(*form));
	*json = NULL;
	if (len == 0 || m == NULL)
		return CB_OK;
	if (strcmp(m, "application/x-www-form-urlencoded") == 0)
		return http_parse_urlencoded(a, body, len, form, why);
	if (strcmp(m, "multipart/form-data") == 0)
		return http_parse_multipart(a, content_type, body, len, form,
		    why);
	if (strcmp(m, "application/json") == 0)
		return http_parse_json(a, body, len, json, why);
	return CB_OK;
}

enum cb_err
http_request_read(struct http_request *req, struct arena *a, char **envp,
    http_body_reader read_body, void *ctx, size_t max_body)
{
	const char *v, *why = NULL;
	int64_t clen = 0;
	enum cb_err rc;
	char *body;
	size_t got = 0;

	memset(req, 0, sizeof(*req));
	req->arena = a;
	req->envp = envp;
	req->method_name = (v = http_env(envp, "REQUEST_METHOD")) ? v : "GET";
	req->method = http_method_parse(req->method_name);
	req->path = (v = http_env(envp, "DOCUMENT_URI")) ? v :
	    (v = http_env(envp, "SCRIPT_NAME")) ? v : "/";
	req->request_uri = (v = http_env(envp, "REQUEST_URI")) ? v : req->path;
	req->query_string = (v = http_env(envp, "QUERY_STRING")) ? v : "";
	req->remote_addr = (v = http_env(envp, "REMOTE_ADDR")) ? v : "";
	req->request_id = http_env(envp, "REQUEST_ID");
	req->content_type = http_media_type(a, http_env(envp, "CONTENT_TYPE"));
	req->body = "";

	if ((rc = http_parse_urlencoded(a, req->query_string,
	    strlen(req->query_string), &req->query, &why)) != CB_OK) {
		req->error = why;
		return rc == CB_ETOOBIG ? CB_EINVAL : rc;
	}
	if ((v = http_env(envp, "HTTP_COOKIE")) != NULL &&
	    (rc = http_parse_cookies(a, v, strlen(v), &req->cookies, &why))) {
		req->error = why;
		return CB_EINVAL;
	}
	req->want = http_negotiate(kv_get(&req->query, "format"),
	    http_env(envp, "HTTP_ACCEPT"));

	if ((v = http_env(envp, "CONTENT_LENGTH")) != NULL && *v &&
	    strparse_i64z(v, 0, INT64_MAX, &clen) != CB_OK) {
		req->error = "bad Content-Length";
		return CB_EINVAL;
	}
	if ((uint64_t)clen > max_body) {
		req->error = "request body too large";
		return CB_ETOOBIG;
	}
	body = arena_alloc(a, (size_t)clen + 1);
	while (got < (size_t)clen) {
		long n = read_body(ctx, body + got, (size_t)clen - got);
		if (n <= 0) {
			req->error = "request body shorter than Content-Length";
			return CB_EINVAL;
		}
		got += (size_t)n;
	}
	body[got] = '\0';
	req->body = body;
	req->body_len = got;
	if ((rc = http_parse_body(a, http_env(envp, "CONTENT_TYPE"), body, got,
	    &req->form, &req->json, &why)) != CB_OK) {
		req->error = why;
		return rc == CB_ETOOBIG ? CB_EINVAL : rc;
	}
	return CB_OK;
}
