/* The "http" engine: the recording goes as a multipart/form-data POST
 * (file, model, language, response_format=verbose_json,
 * timestamp_granularities[]=segment; OpenAI's "Create transcription"
 * reference, which whisper.cpp's server and faster-whisper servers
 * follow) through lib/net/httpc.c: TLS verified, timeouts, a cap on the
 * answer. The key goes only in the Authorization header and never into an
 * error text or a log line (errors name the endpoint's origin only). */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <json-c/json.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/utf8.h"
#include "net/httpc.h"
#include "transcribe/codec.h"
#include "transcribe/http.h"

static bool
ends_with(const char *s, size_t n, const char *tail)
{
	size_t t = strlen(tail);

	return n >= t && strncmp(s + n - t, tail, t) == 0;
}

enum cb_err
transcribe_http_endpoint(const char *url, const char *key, char *out,
    size_t outsz, char *err, size_t errsz)
{
	size_t n;
	int w;

	if (url == NULL || *url == '\0') {
		err_say(err, errsz, "no transcribe_url is configured");
		return CB_EINVAL;
	}
	if ((strncasecmp(url, "http://", 7) != 0 &&
	    strncasecmp(url, "https://", 8) != 0) || strchr(url, '@') ||
	    strchr(url, '?') || strchr(url, '#') || strpbrk(url, " \t\r\n")) {
		err_say(err, errsz, "transcribe_url must be an http(s) URL without "
		    "user name, query or spaces");
		return CB_EINVAL;
	}
	if (key && *key && strncasecmp(url, "http://", 7) == 0 &&
	    !httpc_is_loopback(url)) {
		err_say(err, errsz, "transcribe_key would travel in clear text: use "
		    "https for transcribe_url (plain http only to this host)");
		return CB_EINVAL;
	}
	n = strlen(url);
	while (n > 0 && url[n - 1] == '/')
		n--;
	if (ends_with(url, n, "/audio/transcriptions"))
		w = snprintf(out, outsz, "%.*s", (int)n, url);
	else if (ends_with(url, n, "/v1"))
		w = snprintf(out, outsz, "%.*s/audio/transcriptions", (int)n,
		    url);
	else
		w = snprintf(out, outsz, "%.*s/v1/audio/transcriptions",
		    (int)n, url);
	if (w < 0 || (size_t)w >= outsz) {
		err_say(err, errsz, "transcribe_url is too long");
		return CB_EINVAL;
	}
	return CB_OK;
}

/* Seconds (a JSON number) → milliseconds within a uint32_t. */
static bool
seconds_ms(struct json_object *o, const char *key, uint32_t *out)
{
	struct json_object *v;
	double d;

	if (!json_object_object_get_ex(o, key, &v) ||
	    (!json_object_is_type(v, json_type_double) &&
	    !json_object_is_type(v, json_type_int)))
		return false;
	d = json_object_get_double(v);
	if (!isfinite(d) || d < 0 || d > 4000000.0)
		return false;
	*out = (uint32_t)(d * 1000.0 + 0.5);
	return true;
}

/* The side, only when the engine names it ("speaker" or "side"): our
 * manager or the customer; any other label (SPEAKER_00) is unknown. */
static enum speaker
side_of(struct json_object *seg)
{
	static const char *const keys[] = { "side", "speaker", NULL };
	struct json_object *v;
	const char *s;
	int i;

	for (i = 0; keys[i]; i++) {
		if (!json_object_object_get_ex(seg, keys[i], &v) ||
		    !json_object_is_type(v, json_type_string))
			continue;
		s = json_object_get_string(v);
		if (strcasecmp(s, "manager") == 0 || strcasecmp(s, "agent") ==
		    0 || strcasecmp(s, "operator") == 0)
			return SPEAKER_MANAGER;
		if (strcasecmp(s, "customer") == 0 || strcasecmp(s, "client")
		    == 0 || strcasecmp(s, "caller") == 0)
			return SPEAKER_CUSTOMER;
	}
	return SPEAKER_UNKNOWN;
}

/* A string member that is valid UTF-8 without NUL, or NULL. */
static const char *
text_of(struct json_object *o, const char *key, size_t *len)
{
	struct json_object *v;
	const char *s;
	int n;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	s = json_object_get_string(v);
	n = json_object_get_string_len(v);
	if (n < 0 || strlen(s) != (size_t)n || !utf8_valid(s, (size_t)n))
		return NULL;
	*len = (size_t)n;
	return s;
}

/* The language as reported ("en", "english"): letters and '-' only, at
 * most 15, lower case; NULL otherwise. */
static const char *
language_of(struct json_object *o, struct arena *a)
{
	const char *s;
	char *l;
	size_t n, i;

	if ((s = text_of(o, "language", &n)) == NULL || n == 0 || n > 15)
		return NULL;
	for (i = 0; i < n; i++)
		if (!isalpha((unsigned char)s[i]) && s[i] != '-')
			return NULL;
	if ((l = arena_strndup(a, s, n)) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		l[i] = (char)tolower((unsigned char)l[i]);
	return l;
}

enum cb_err
transcribe_http_parse(const char *json, size_t len, struct arena *a,
    struct transcript *out, char *err, size_t errsz)
{
	struct json_tokener *tok;
	struct json_object *root, *segs;
	const char *text;
	size_t i, n, tl;
	enum cb_err rc = CB_OK;

	memset(out, 0, sizeof(*out));
	out->engine = "http";
	if (len == 0 || len > TRANSCRIBE_HTTP_MAX_JSON) {
		err_say(err, errsz, "the engine's answer is %s", len ? "too large" :
		    "empty");
		return CB_EUPSTREAM;
	}
	if ((tok = json_tokener_new_ex(16)) == NULL)
		return CB_ENOMEM;
	root = json_tokener_parse_ex(tok, json, (int)len);
	if (root == NULL || json_tokener_get_parse_end(tok) != len ||
	    !json_object_is_type(root, json_type_object)) {
		json_tokener_free(tok);
		json_object_put(root);
		err_say(err, errsz, "the engine's answer is not a JSON object");
		return CB_EUPSTREAM;
	}
	json_tokener_free(tok);
	out->language = language_of(root, a);
	if (json_object_object_get_ex(root, "segments", &segs) &&
	    json_object_is_type(segs, json_type_array)) {
		n = json_object_array_length(segs);
		if (n > TRANSCRIPT_LINES_MAX) {
			err_say(err, errsz, "the engine's answer has %zu segments "
			    "(at most %d)", n, TRANSCRIPT_LINES_MAX);
			rc = CB_EUPSTREAM;
		}
		for (i = 0; i < n && rc == CB_OK; i++) {
			struct json_object *s = json_object_array_get_idx(segs,
			    i);
			uint32_t st, en;

			if (!json_object_is_type(s, json_type_object) ||
			    !seconds_ms(s, "start", &st) ||
			    !seconds_ms(s, "end", &en) ||
			    (text = text_of(s, "text", &tl)) == NULL) {
				err_say(err, errsz, "segment %zu of the engine's "
				    "answer has no start, end and text", i + 1);
				rc = CB_EUPSTREAM;
				break;
			}
			if (tl > TRANSCRIPT_LINE_MAX) {
				err_say(err, errsz, "segment %zu of the engine's "
				    "answer is over %d bytes", i + 1,
				    TRANSCRIPT_LINE_MAX);
				rc = CB_EUPSTREAM;
				break;
			}
			if (transcript_add(out, a, st, en < st ? st : en,
			    side_of(s), text, tl) != 0)
				rc = CB_ENOMEM;
		}
	} else if ((text = text_of(root, "text", &tl)) != NULL) {
		/* response_format "json": the text alone, one line. */
		uint32_t d = 0;

		if (tl > TRANSCRIPT_LINE_MAX * 50) {
			err_say(err, errsz, "the engine's text is too long");
			rc = CB_EUPSTREAM;
		} else {
			(void)seconds_ms(root, "duration", &d);
			if (transcript_add(out, a, 0, d, SPEAKER_UNKNOWN, text,
			    tl) != 0)
				rc = CB_ENOMEM;
		}
	} else {
		err_say(err, errsz, "the engine's answer has neither segments nor "
		    "text");
		rc = CB_EUPSTREAM;
	}
	json_object_put(root);
	return rc;
}

void
transcribe_http_error_text(const char *json, size_t len, char *out,
    size_t outsz)
{
	struct json_tokener *tok;
	struct json_object *root, *e, *m;
	const char *s = NULL;
	size_t i, k = 0;

	if (outsz == 0)
		return;
	out[0] = '\0';
	if (len == 0 || len > 65536 || (tok = json_tokener_new_ex(8)) == NULL)
		return;
	root = json_tokener_parse_ex(tok, json, (int)len);
	json_tokener_free(tok);
	if (root == NULL || !json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		return;
	}
	if (json_object_object_get_ex(root, "error", &e)) {
		if (json_object_is_type(e, json_type_string))
			s = json_object_get_string(e);
		else if (json_object_is_type(e, json_type_object) &&
		    json_object_object_get_ex(e, "message", &m) &&
		    json_object_is_type(m, json_type_string))
			s = json_object_get_string(m);
	} else if (json_object_object_get_ex(root, "detail", &e) &&
	    json_object_is_type(e, json_type_string))
		s = json_object_get_string(e);
	/* Printable ASCII only, at most 200 bytes: it goes to a card and a
	 * log line. */
	for (i = 0; s && s[i] && k + 1 < outsz && k < 200; i++)
		out[k++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : ' ';
	out[k] = '\0';
	json_object_put(root);
}

static const char *
audio_type(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (dot && strcasecmp(dot, ".mp3") == 0)
		return "audio/mpeg";
	if (dot && strcasecmp(dot, ".wav") == 0)
		return "audio/wav";
	if (dot && (strcasecmp(dot, ".ogg") == 0 ||
	    strcasecmp(dot, ".opus") == 0))
		return "audio/ogg";
	if (dot && strcasecmp(dot, ".m4a") == 0)
		return "audio/mp4";
	return "application/octet-stream";
}

enum cb_err
transcribe_http(const struct cb_config *cfg, struct arena *a,
    const char *path, struct transcript *out, char *err, size_t errsz)
{
	char url[1024], origin[300], auth[300], why[256];
	const char *headers[2] = { NULL, NULL };
	const char *base = strrchr(path, '/');
	struct httpc_part parts[5];
	struct httpc_req rq;
	struct httpc_res res;
	struct buf body;
	size_t np = 0;
	enum cb_err rc;

	memset(out, 0, sizeof(*out));
	if ((rc = transcribe_http_endpoint(cfg->transcribe_url,
	    cfg->transcribe_key, url, sizeof(url), err, errsz)) != CB_OK)
		return rc;
	if (access(path, R_OK) != 0) {
		err_say(err, errsz, "the recording's file cannot be read");
		return CB_EIO;
	}
	httpc_origin(url, origin, sizeof(origin));
	memset(parts, 0, sizeof(parts));
	parts[np].name = "file";
	parts[np].file = path;
	parts[np].filename = base ? base + 1 : path;
	parts[np++].type = audio_type(path);
	parts[np].name = "model";
	parts[np++].value = cfg->transcribe_model[0] ? cfg->transcribe_model :
	    "whisper-1";
	if (cfg->transcribe_language[0]) {
		parts[np].name = "language";
		parts[np++].value = cfg->transcribe_language;
	}
	parts[np].name = "response_format";
	parts[np++].value = "verbose_json";
	parts[np].name = "timestamp_granularities[]";
	parts[np++].value = "segment";

	memset(&rq, 0, sizeof(rq));
	rq.method = HTTPC_POST;
	rq.url = url;
	rq.parts = parts;
	rq.nparts = np;
	rq.timeout_s = TRANSCRIBE_HTTP_TIMEOUT;
	rq.max_bytes = TRANSCRIBE_HTTP_MAX_JSON;
	if (cfg->transcribe_key[0]) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
		    cfg->transcribe_key);
		headers[0] = auth;
		rq.headers = headers;
	}
	buf_init(&body, TRANSCRIBE_HTTP_MAX_JSON);
	rc = httpc_request(&rq, &body, &res);
	explicit_bzero(auth, sizeof(auth));
	if (rc != CB_OK) {
		err_say(err, errsz, "%s: %s", origin, res.error);
		buf_free(&body);
		return rc == CB_ETOOBIG ? CB_EUPSTREAM : rc;
	}
	if (res.status < 200 || res.status > 299) {
		transcribe_http_error_text(buf_cstr(&body), body.len, why,
		    sizeof(why));
		err_say(err, errsz, "%s answered HTTP %ld%s%s%s", origin,
		    res.status, why[0] ? " (" : "", why, why[0] ? ")" : "");
		buf_free(&body);
		/* The server's trouble or a limit: later may work. A refused
		 * key, a wrong model or a file it cannot read will not. */
		if (res.status >= 500 || res.status == 429 ||
		    res.status == 408)
			return CB_EUPSTREAM;
		return CB_EINVAL;
	}
	rc = transcribe_http_parse(buf_cstr(&body), body.len, a, out, why,
	    sizeof(why));
	if (rc != CB_OK)
		err_say(err, errsz, "%s: %s", origin, why);
	buf_free(&body);
	return rc;
}
