#include "config.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "core/arena.h"
#include "core/utf8.h"
#include "transcribe/codec.h"

const char *
speaker_name(enum speaker s)
{
	switch (s) {
	case SPEAKER_MANAGER:
		return "manager";
	case SPEAKER_CUSTOMER:
		return "customer";
	case SPEAKER_UNKNOWN:
	default:
		return "";
	}
}

enum speaker
speaker_parse(const char *s)
{
	if (s && strcmp(s, "manager") == 0)
		return SPEAKER_MANAGER;
	if (s && strcmp(s, "customer") == 0)
		return SPEAKER_CUSTOMER;
	return SPEAKER_UNKNOWN;
}

enum cb_err
transcript_to_json(const struct transcript *t, struct buf *out)
{
	struct json_object *arr = json_object_new_array();
	size_t i;
	enum cb_err rc;

	if (arr == NULL)
		return CB_ENOMEM;
	for (i = 0; i < t->n; i++) {
		const struct utterance *u = &t->u[i];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "start_ms",
		    json_object_new_int64(u->start_ms));
		json_object_object_add(o, "end_ms",
		    json_object_new_int64(u->end_ms));
		json_object_object_add(o, "side",
		    json_object_new_string(speaker_name(u->side)));
		json_object_object_add(o, "text",
		    json_object_new_string(u->text));
		json_object_array_add(arr, o);
	}
	rc = buf_puts(out, json_object_to_json_string_ext(arr,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(arr);
	return rc;
}

/* A millisecond offset: an integer 0..UINT32_MAX. */
static bool
ms_of(struct json_object *o, const char *key, uint32_t *out)
{
	struct json_object *v;
	int64_t n;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return false;
	n = json_object_get_int64(v);
	if (n < 0 || n > (int64_t)UINT32_MAX)
		return false;
	*out = (uint32_t)n;
	return true;
}

enum cb_err
transcript_from_json(const char *json, size_t len, struct arena *a,
    struct transcript *out)
{
	struct json_tokener *tok;
	struct json_object *arr;
	size_t i, n;
	enum cb_err rc = CB_OK;

	memset(out, 0, sizeof(*out));
	if (len > TRANSCRIPT_JSON_MAX || len > INT32_MAX)
		return CB_EINVAL;
	if ((tok = json_tokener_new_ex(16)) == NULL)
		return CB_ENOMEM;
	arr = json_tokener_parse_ex(tok, json, (int)len);
	if (arr == NULL || json_tokener_get_parse_end(tok) != len ||
	    !json_object_is_type(arr, json_type_array)) {
		json_tokener_free(tok);
		json_object_put(arr);
		return CB_EINVAL;
	}
	json_tokener_free(tok);
	n = json_object_array_length(arr);
	if (n > TRANSCRIPT_LINES_MAX)
		rc = CB_EINVAL;
	for (i = 0; i < n && rc == CB_OK; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i), *v;
		uint32_t s, e;
		const char *text;
		int tl;

		if (!json_object_is_type(o, json_type_object) ||
		    !ms_of(o, "start_ms", &s) || !ms_of(o, "end_ms", &e) ||
		    !json_object_object_get_ex(o, "text", &v) ||
		    !json_object_is_type(v, json_type_string)) {
			rc = CB_EINVAL;
			break;
		}
		text = json_object_get_string(v);
		tl = json_object_get_string_len(v);
		if (tl < 0 || (size_t)tl > TRANSCRIPT_LINE_MAX ||
		    strlen(text) != (size_t)tl || !utf8_valid(text,
		    (size_t)tl)) {
			rc = CB_EINVAL;
			break;
		}
		if (transcript_add(out, a, s, e < s ? s : e, speaker_parse(
		    json_object_object_get_ex(o, "side", &v) &&
		    json_object_is_type(v, json_type_string) ?
		    json_object_get_string(v) : NULL), text, (size_t)tl) != 0)
			rc = CB_ENOMEM;
	}
	json_object_put(arr);
	return rc;
}

enum cb_err
transcript_words(const struct transcript *t, struct buf *out)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		if (i > 0)
			buf_putc(out, '\n');
		buf_puts(out, t->u[i].text);
	}
	return out->err;
}

void
transcript_summary_head(const char *summary, size_t max_chars, char *out,
    size_t outsz)
{
	const char *p = summary, *end;
	size_t chars = 0, n;

	if (outsz == 0)
		return;
	out[0] = '\0';
	if (summary == NULL)
		return;
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	/* The first sentence: up to ". ", "! ", "? " or a line end. */
	for (end = p; *end && *end != '\n'; end++) {
		if ((*end == '.' || *end == '!' || *end == '?') &&
		    (end[1] == ' ' || end[1] == '\0' || end[1] == '\n')) {
			end++;
			break;
		}
	}
	/* At most max_chars characters, cut after a whole word. */
	for (n = 0; p + n < end; n++) {
		if (((unsigned char)p[n] & 0xc0) != 0x80)
			chars++;
		if (chars > max_chars) {
			size_t cut = n;
			while (cut > 0 && p[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = n;
			while (cut > 0 && ((unsigned char)p[cut] & 0xc0) ==
			    0x80)
				cut--;
			snprintf(out, outsz, "%.*s", (int)cut, p);
			return;
		}
	}
	snprintf(out, outsz, "%.*s", (int)(end - p), p);
}
