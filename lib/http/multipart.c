/* multipart/form-data bodies (RFC 7578 on the syntax of RFC 2046 §5.1.1):
 * Zadarma sends some notifications this way (issue 15 §2.4). A body
 * becomes the same list of fields an urlencoded body gives, so adapters
 * never see the difference.
 *
 * Why our own parser: Debian has no C library for form-data; GMime (a mail
 * parser) would bring glib, its abort-on-OOM allocator and process-global
 * state into every program for the ~150 lines below, which need no
 * transfer encodings (RFC 7578 §4.7: senders must not use them), no
 * nesting and no charset conversion. Every byte is looked at a bounded
 * number of times (memmem is linear in glibc), and tests/fuzz/
 * fuzz_multipart.c fuzzes it on its entry point. Declared in request.h. */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/strparse.h"
#include "http/request.h"

#define MP_MAX_BOUNDARY 70          /* RFC 2046 §5.1.1 */
#define MP_MAX_HEADERS 8192         /* one part's header block */

/* bcharsnospace / bchars of RFC 2046 §5.1.1. */
static bool
bchar(int c)
{
	return isalnum(c) || (c && strchr("'()+_,-./:=? ", c) != NULL);
}

/* The boundary parameter of a Content-Type header value ("multipart/
 * form-data; boundary=...", token or quoted-string) into out. */
static bool
mp_boundary(const char *ct, char out[MP_MAX_BOUNDARY + 1])
{
	const char *p = ct ? strchr(ct, ';') : NULL;

	while (p != NULL && *p == ';') {
		const char *name;
		size_t nlen, o = 0;

		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		name = p;
		while (*p && *p != '=' && *p != ';')
			p++;
		nlen = (size_t)(p - name);
		while (nlen > 0 && (name[nlen - 1] == ' ' ||
		    name[nlen - 1] == '\t'))
			nlen--;
		if (*p != '=') {
			continue;
		}
		p++;
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1])
					p++;
				if (o == MP_MAX_BOUNDARY)
					return false;
				out[o++] = *p;
			}
			if (*p != '"')
				return false;
			p++;
		} else
			for (; *p && *p != ';' && *p != ' ' && *p != '\t'; p++) {
				if (o == MP_MAX_BOUNDARY)
					return false;
				out[o++] = *p;
			}
		out[o] = '\0';
		if (nlen == 8 && strncasecmp(name, "boundary", 8) == 0) {
			size_t i;
			if (o == 0 || out[o - 1] == ' ')
				return false;
			for (i = 0; i < o; i++)
				if (!bchar((unsigned char)out[i]))
					return false;
			return true;
		}
		while (*p && *p != ';')
			p++;
	}
	return false;
}

/* A parameter of a Content-Disposition value (RFC 2183 §2, as RFC 7578
 * §4.2 uses it): *val in the arena, NULL when absent. */
static const char *
disp_param(struct arena *a, const char *h, size_t hlen, const char *want)
{
	const char *p = h, *e = h + hlen;
	size_t wlen = strlen(want);

	while (p < e && *p != ';')
		p++;
	while (p < e && *p == ';') {
		const char *name;
		size_t nlen, o = 0;
		char *v;

		p++;
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		name = p;
		while (p < e && *p != '=' && *p != ';')
			p++;
		nlen = (size_t)(p - name);
		while (nlen > 0 && (name[nlen - 1] == ' ' ||
		    name[nlen - 1] == '\t'))
			nlen--;
		if (p == e || *p != '=')
			continue;
		p++;
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		v = arena_alloc(a, (size_t)(e - p) + 1);
		if (p < e && *p == '"') {
			for (p++; p < e && *p != '"'; p++) {
				if (*p == '\\' && p + 1 < e)
					p++;
				v[o++] = *p;
			}
			if (p < e)
				p++;
		} else
			for (; p < e && *p != ';' && *p != ' ' && *p != '\t';
			    p++)
				v[o++] = *p;
		v[o] = '\0';
		if (nlen == wlen && strncasecmp(name, want, wlen) == 0)
			return memchr(v, '\0', o) ? "" : v;
		while (p < e && *p != ';')
			p++;
	}
	return NULL;
}

/* The part's field name from its header block [h, h + hlen) (lines ending
 * in CRLF); NULL for a part that is not a form field (no form-data
 * disposition, no name, or a file). */
static const char *
part_name(struct arena *a, const char *h, size_t hlen, bool *file)
{
	const char *p = h, *e = h + hlen;

	*file = false;
	while (p < e) {
		const char *eol = memchr(p, '\r', (size_t)(e - p));
		const char *colon, *v;
		size_t llen = eol ? (size_t)(eol - p) : (size_t)(e - p);

		colon = memchr(p, ':', llen);
		if (colon != NULL && colon - p == 19 &&
		    strncasecmp(p, "Content-Disposition", 19) == 0) {
			v = colon + 1;
			while (v < p + llen && (*v == ' ' || *v == '\t'))
				v++;
			if ((size_t)(p + llen - v) < 9 ||
			    strncasecmp(v, "form-data", 9) != 0)
				return NULL;
			if (disp_param(a, v, (size_t)(p + llen - v),
			    "filename") != NULL || disp_param(a, v,
			    (size_t)(p + llen - v), "filename*") != NULL)
				*file = true;
			return disp_param(a, v, (size_t)(p + llen - v), "name");
		}
		p += llen + 2;
	}
	return NULL;
}

enum cb_err
http_parse_multipart(struct arena *a, const char *content_type,
    const char *s, size_t len, struct kvlist *out, const char **why)
{
	char boundary[MP_MAX_BOUNDARY + 1], delim[MP_MAX_BOUNDARY + 5];
	const char *p, *e = s + len;
	size_t dlen, cap = 0;

	out->v = NULL;
	out->n = 0;
	out->byname = NULL;
	if (!mp_boundary(content_type, boundary)) {
		*why = "multipart body without a valid boundary parameter";
		return CB_EINVAL;
	}
	dlen = (size_t)snprintf(delim, sizeof(delim), "\r\n--%s", boundary);
	/* The first delimiter may open the body (no CRLF before it); what
	 * comes before it is a preamble to ignore. */
	if (len >= dlen - 2 && memcmp(s, delim + 2, dlen - 2) == 0)
		p = s + dlen - 2;
	else if ((p = memmem(s, len, delim, dlen)) != NULL)
		p += dlen;
	else {
		*why = "multipart body without its boundary";
		return CB_EINVAL;
	}
	for (;;) {
		const char *hdr, *content, *next, *name;
		size_t hlen, vlen;
		bool file;
		char *val;

		if (e - p >= 2 && p[0] == '-' && p[1] == '-')
			break; /* the close delimiter; an epilogue follows */
		while (p < e && (*p == ' ' || *p == '\t'))
			p++; /* transport padding */
		if (e - p < 2 || p[0] != '\r' || p[1] != '\n') {
			*why = "malformed multipart boundary line";
			return CB_EINVAL;
		}
		p += 2;
		hdr = p;
		if (e - p >= 2 && p[0] == '\r' && p[1] == '\n') {
			hlen = 0; /* no headers at all */
			content = p + 2;
		} else {
			size_t lim = (size_t)(e - p);
			const char *end;
			if (lim > MP_MAX_HEADERS + 4)
				lim = MP_MAX_HEADERS + 4;
			if ((end = memmem(p, lim, "\r\n\r\n", 4)) == NULL) {
				*why = lim > MP_MAX_HEADERS ?
				    "multipart part headers too long" :
				    "multipart part without the end of its "
				    "headers";
				return lim > MP_MAX_HEADERS ? CB_ETOOBIG :
				    CB_EINVAL;
			}
			hlen = (size_t)(end - p) + 2;
			content = end + 4;
		}
		if ((next = memmem(content, (size_t)(e - content), delim,
		    dlen)) == NULL) {
			*why = "multipart body ends without its closing boundary";
			return CB_EINVAL;
		}
		vlen = (size_t)(next - content);
		p = next + dlen;
		name = part_name(a, hdr, hlen, &file);
		if (name == NULL || file || *name == '\0')
			continue; /* not a form field: nothing to bind */
		if (strlen(name) > HTTP_MAX_KEY) {
			*why = "field name too long";
			return CB_ETOOBIG;
		}
		if (vlen > HTTP_MAX_VALUE) {
			*why = "field value too long";
			return CB_ETOOBIG;
		}
		if (str_has_nul(content, vlen)) {
			*why = "NUL byte in a value";
			return CB_EINVAL;
		}
		val = arena_strndup(a, content, vlen);
		if (out->n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct kv *v = arena_alloc(a, ncap * sizeof(*v));
			if (out->n)
				memcpy(v, out->v, out->n * sizeof(*v));
			out->v = v;
			cap = ncap;
		}
		out->v[out->n].key = name;
		out->v[out->n].val = val;
		out->v[out->n].val_len = vlen;
		out->n++;
	}
	http_kvlist_index(a, out);
	return CB_OK;
}
