/* A dead letter's preview without credentials (dead_preview.h). */
#include "config.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "calls/dead_preview.h"
#include "core/buf.h"
#include "core/utf8.h"
#include "http/request.h"

#define REDACTED "[redacted]"

/* A field name that may carry a credential (case-insensitive substring):
 * over-redacting a harmless field costs nothing. */
static bool
secret_name(const char *name)
{
	static const char *const words[] = {
		"key", "token", "secret", "sign", "pass", "auth", "hash",
		"cred", "pwd"
	};
	char low[64];
	size_t i, n = strlen(name);

	if (n >= sizeof(low))
		return true;
	for (i = 0; i <= n; i++)
		low[i] = (char)tolower((unsigned char)name[i]);
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(low, words[i]) != NULL)
			return true;
	return false;
}

/* name=value&... decoded, credentials redacted; false when unreadable. */
static bool
put_form(struct arena *a, struct buf *b, const char *s, size_t len)
{
	struct kvlist kv;
	const char *why;
	size_t i;

	if (http_parse_urlencoded(a, s, len, &kv, &why) != CB_OK)
		return false;
	for (i = 0; i < kv.n; i++) {
		if (i)
			buf_putc(b, '&');
		buf_puts(b, kv.v[i].key);
		buf_putc(b, '=');
		buf_puts(b, secret_name(kv.v[i].key) ? REDACTED :
		    kv.v[i].val);
	}
	return true;
}

static void
redact_json(struct json_object *o)
{
	size_t i, n;

	if (json_object_is_type(o, json_type_array)) {
		n = json_object_array_length(o);
		for (i = 0; i < n; i++)
			redact_json(json_object_array_get_idx(o, i));
		return;
	}
	if (!json_object_is_type(o, json_type_object))
		return;
	json_object_object_foreach(o, k, v) {
		if (secret_name(k))
			json_object_object_add(o, k,
			    json_object_new_string(REDACTED));
		else
			redact_json(v);
	}
}

/* The JSON body with credentials redacted; false when it is not a
 * complete JSON object or array (a cut body is not shown). */
static bool
put_json(struct buf *b, const char *s, size_t len)
{
	struct json_tokener *t = json_tokener_new();
	struct json_object *o;
	bool ok;

	if (t == NULL)
		return false;
	o = json_tokener_parse_ex(t, s, (int)len);
	ok = o != NULL && json_tokener_get_error(t) == json_tokener_success &&
	    (json_object_is_type(o, json_type_object) ||
	    json_object_is_type(o, json_type_array));
	if (ok) {
		redact_json(o);
		buf_puts(b, json_object_to_json_string_ext(o,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	}
	if (o)
		json_object_put(o);
	json_tokener_free(t);
	return ok;
}

/* DEAD_PREVIEW_CHARS characters of text: control bytes as spaces, and
 * bytes of a text that is not UTF-8 (a decoded %FF) as '?'. */
static const char *
clip(struct arena *a, const char *s, size_t len)
{
	char *out = arena_strndup(a, s, len);
	bool valid = utf8_valid(out, strlen(out));
	size_t i = 0, chars = 0;

	while (out[i] && chars < DEAD_PREVIEW_CHARS) {
		unsigned char c = (unsigned char)out[i];
		size_t n = 1;

		if (c < 0x20 || c == 0x7f)
			out[i] = ' ';
		else if (c >= 0x80 && !valid)
			out[i] = '?';
		else if (c >= 0x80)
			n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		i += n;
		chars++;
	}
	if (out[i])
		return arena_printf(a, "%.*s…", (int)i, out);
	return out;
}

const char *
dead_preview(struct arena *a, const struct dead_parts *p)
{
	struct buf b, body;
	const char *type = http_media_type(a, p->content_type), *out;
	bool shown = false;

	if (p->not_text)
		return "(the request has bytes that are not text; not shown)";
	buf_init(&b, 64 * 1024);
	buf_init(&body, 64 * 1024);
	buf_puts(&b, p->method ? p->method : "?");
	if (p->query && *p->query) {
		buf_puts(&b, " ?");
		if (!put_form(a, &b, p->query, strlen(p->query)))
			buf_puts(&b, "(query not readable; not shown)");
	}
	if (p->body && p->body_len && utf8_valid(p->body, p->body_len)) {
		if (type && strcmp(type, "application/x-www-form-urlencoded")
		    == 0 && !p->body_cut)
			shown = put_form(a, &body, p->body, p->body_len);
		else if (type && strstr(type, "json") != NULL)
			shown = put_json(&body, p->body, p->body_len);
	}
	if (shown) {
		buf_putc(&b, ' ');
		buf_append(&b, body.p ? body.p : "", body.len);
	} else if (p->body && p->body_len)
		buf_printf(&b, " (%s%zu bytes of %s; not shown)", p->body_cut ?
		    "over " : "", p->body_len, type ? type : "unknown type");
	out = clip(a, buf_cstr(&b), b.len);
	buf_free(&body);
	buf_free(&b);
	return out;
}
