/* Callboard's generic webhook format for any PBX (providers.md §4.5, our
 * own design; the PBX developer's reference is docs/generic-format.md).
 *
 * One POST per call event to /hook/<slug>, as a JSON object or a
 * urlencoded form with the same field names: event, call_id (the
 * physical call: Asterisk Linkedid), uniqueid (this leg), the parties,
 * the times and a status. The request is signed with X-Timestamp and
 * X-Signature: sha256=<hex HMAC-SHA256(secret, timestamp "." body)>,
 * accepted within ±300 s of our clock (§4.5 (a), vectors §5.3).
 *
 * The fields are declared once in gx_defs[] and validated before any is
 * used (STYLE §2.1): a value that does not fit its field is a 400 with a
 * reason, never truncated. The asterisk adapter (asterisk.c) shares the
 * parser and the signature through generic.h. */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "calls/event.h"
#include "core/buf.h"
#include "core/strparse.h"
#include "http/request.h"
#include "net/sig.h"
#include "providers/generic/generic.h"
#include "core/utf8.h"
#include "providers/provider.h"

#define GX_MAX_UNIX 4102444800LL   /* 2100-01-01: anything later is a typo */
#define GX_MAX_SECONDS (10 * 24 * 3600)
#define GX_TS_DIGITS 16            /* X-Timestamp length cap */
#define GX_TS_MS 100000000000LL    /* above this, X-Timestamp is in ms */
#define GX_NUM_MAX 24              /* bytes of a number as text */
#define GX_SCRATCH 4096            /* decoded values of a raw form body */
#define GX_SIG_PREFIX "sha256="
#define GX_SIG_LEN (sizeof(GX_SIG_PREFIX) - 1 + 2 * SIG_SHA256_LEN)

enum gx_field {
	GF_EVENT, GF_CALL_ID, GF_UNIQUEID, GF_EVENT_ID, GF_DIRECTION,
	GF_FROM, GF_TO, GF_DID, GF_EXT, GF_CALLER_NAME,
	GF_START, GF_ANSWER, GF_END, GF_DURATION, GF_BILLSEC,
	GF_STATUS, GF_HANGUP_CAUSE, GF_RECORDING, GF_RECORDING_URL,
	GF__MAX
};

enum gx_type {
	GT_TOKEN,    /* printable ASCII without blanks: ids, names */
	GT_LINE,     /* printable ASCII, blanks allowed: numbers, statuses */
	GT_UTF8,     /* UTF-8 text without control characters */
	GT_TIME,     /* unix seconds, fractions allowed; 0 = not said */
	GT_SECS,     /* a duration in seconds; fractions are dropped */
	GT_PATH,     /* relative path under the PBX's recordings root */
	GT_URL,      /* an http(s) URL */
};

/* Every field of the format (docs/generic-format.md §2): its name, its
 * type, its size in bytes (sized to the call_event field it lands in),
 * and the reason given when a value does not fit. */
static const struct gx_def {
	const char *name;
	enum gx_type type;
	size_t max;
	const char *bad;
} gx_defs[GF__MAX] = {
	[GF_EVENT] = { "event", GT_TOKEN, 40,
	    "malformed event (printable ASCII, at most 40 bytes)" },
	[GF_CALL_ID] = { "call_id", GT_TOKEN, 128,
	    "malformed call_id (printable ASCII, at most 128 bytes)" },
	[GF_UNIQUEID] = { "uniqueid", GT_TOKEN, 128,
	    "malformed uniqueid (printable ASCII, at most 128 bytes)" },
	[GF_EVENT_ID] = { "event_id", GT_TOKEN, 128,
	    "malformed event_id (printable ASCII, at most 128 bytes)" },
	[GF_DIRECTION] = { "direction", GT_TOKEN, 16,
	    "direction must be in, out or internal" },
	[GF_FROM] = { "from", GT_LINE, 64,
	    "malformed from (printable ASCII, at most 64 bytes)" },
	[GF_TO] = { "to", GT_LINE, 64,
	    "malformed to (printable ASCII, at most 64 bytes)" },
	[GF_DID] = { "did", GT_LINE, 64,
	    "malformed did (printable ASCII, at most 64 bytes)" },
	[GF_EXT] = { "ext", GT_TOKEN, 128,
	    "malformed ext (an extension of at most 32 bytes, or an "
	    "Asterisk channel name)" },
	[GF_CALLER_NAME] = { "caller_name", GT_UTF8, 128,
	    "malformed caller_name (UTF-8 text, at most 128 bytes)" },
	[GF_START] = { "start", GT_TIME, GX_NUM_MAX,
	    "start must be unix seconds" },
	[GF_ANSWER] = { "answer", GT_TIME, GX_NUM_MAX,
	    "answer must be unix seconds" },
	[GF_END] = { "end", GT_TIME, GX_NUM_MAX,
	    "end must be unix seconds" },
	[GF_DURATION] = { "duration", GT_SECS, GX_NUM_MAX,
	    "duration must be seconds (0 to 864000)" },
	[GF_BILLSEC] = { "billsec", GT_SECS, GX_NUM_MAX,
	    "billsec must be seconds (0 to 864000)" },
	[GF_STATUS] = { "status", GT_LINE, 32,
	    "malformed status (printable ASCII, at most 32 bytes)" },
	[GF_HANGUP_CAUSE] = { "hangup_cause", GT_LINE, 64,
	    "malformed hangup_cause (printable ASCII, at most 64 bytes)" },
	[GF_RECORDING] = { "recording", GT_PATH, 128,
	    "recording must be a relative path of at most 128 bytes, "
	    "without \"..\" or a leading \"/\"" },
	[GF_RECORDING_URL] = { "recording_url", GT_URL, 1024,
	    "recording_url must be an http(s) URL of at most 1024 bytes" },
};

enum gx_event {
	GE_ROUTE, GE_START, GE_RINGING, GE_ANSWER, GE_END, GE_RECORDING,
	GE__MAX
};

static const char *const gx_events[GE__MAX] = {
	[GE_ROUTE] = "route.request",
	[GE_START] = "call.start",
	[GE_RINGING] = "call.ringing",
	[GE_ANSWER] = "call.answer",
	[GE_END] = "call.end",
	[GE_RECORDING] = "recording.ready",
};

static const struct gx_dir {
	const char *name;
	enum call_dir dir;
} gx_dirs[] = {
	{ "in", DIR_IN }, { "inbound", DIR_IN }, { "incoming", DIR_IN },
	{ "out", DIR_OUT }, { "outbound", DIR_OUT }, { "outgoing", DIR_OUT },
	{ "internal", DIR_INTERNAL }, { "local", DIR_INTERNAL },
};

/* Status values, compared after gx_status_key() (upper case, letters
 * and digits only, so "no-answer", "NOANSWER" and the CDR's "NO ANSWER"
 * are one key). Ours (§4.5), Asterisk DIALSTATUS and DialEnd values
 * (§4.1) and CDR dispositions (§4.3). A caller nobody answered is
 * "missed" on an incoming call and "no answer" on an outgoing or
 * internal one. ABORT is DialEnd's [U] value for a dial that was given
 * up (§6.5); CONTINUE and GOTO say only that the dialplan went on. */
static const struct gx_status {
	const char *key;
	enum call_result in, out;
} gx_statuses[] = {
	{ "ANSWERED", RES_ANSWERED, RES_ANSWERED },
	{ "ANSWER", RES_ANSWERED, RES_ANSWERED },
	{ "NOANSWER", RES_MISSED, RES_NO_ANSWER },
	{ "MISSED", RES_MISSED, RES_NO_ANSWER },
	{ "CANCELED", RES_MISSED, RES_NO_ANSWER },
	{ "CANCELLED", RES_MISSED, RES_NO_ANSWER },
	{ "CANCEL", RES_MISSED, RES_NO_ANSWER },
	{ "ABORT", RES_MISSED, RES_NO_ANSWER },
	{ "BUSY", RES_BUSY, RES_BUSY },
	{ "FAILED", RES_FAILED, RES_FAILED },
	{ "CONGESTION", RES_FAILED, RES_FAILED },
	{ "CHANUNAVAIL", RES_FAILED, RES_FAILED },
	{ "INVALIDARGS", RES_FAILED, RES_FAILED },
	{ "DONTCALL", RES_FAILED, RES_FAILED },
	{ "TORTURE", RES_FAILED, RES_FAILED },
	{ "CONTINUE", RES_NONE, RES_NONE },
	{ "GOTO", RES_NONE, RES_NONE },
};

/* Where the fields come from, and room for values decoded from a raw
 * form body (one parse; nothing outlives it). */
struct gx_src {
	const struct prov_req *r;
	bool use_query;
	bool raw_form;
	size_t used;
	char scratch[GX_SCRATCH];
};

/* The validated fields: text (NULL = not said) and, for times and
 * durations, the number (ms for GT_TIME, s for GT_SECS; -1 = not said). */
struct gx_vals {
	const char *s[GF__MAX];
	int64_t n[GF__MAX];
};

/* ---------------------------------------------------------- reading -- */

static int
gx_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Form decoding ('+' is a blank, %XX a byte) of s[0..n) into out, which
 * has cap bytes. false on a bad escape, a decoded NUL, or no room. */
static bool
gx_form_decode(const char *s, size_t n, char *out, size_t cap)
{
	size_t i, o = 0;
	int hi, lo;

	for (i = 0; i < n; i++) {
		char c = s[i];
		if (c == '+')
			c = ' ';
		else if (c == '%') {
			if (n - i < 3 || (hi = gx_hex(s[i + 1])) < 0 ||
			    (lo = gx_hex(s[i + 2])) < 0)
				return false;
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if (c == '\0' || o + 1 >= cap)
			return false;
		out[o++] = c;
	}
	out[o] = '\0';
	return true;
}

/* A field of a urlencoded body that came without a Content-Type (dialplan
 * CURL() drops the default one as soon as any header is set, §4.4). The
 * first pair with that name wins, as kv_get() does. */
static enum cb_err
gx_raw_form_get(struct gx_src *src, const char *name, size_t max,
    const char **out, const char **why)
{
	const char *p = src->r->body, *end = p + src->r->body_len;
	const char *amp, *eq;
	char key[HTTP_MAX_KEY + 1];
	size_t room;

	*out = NULL;
	while (p < end) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq == NULL)
			eq = amp;
		if (eq > p) {
			if (!gx_form_decode(p, (size_t)(eq - p), key,
			    sizeof(key))) {
				*why = "malformed form body (a bad %-escape, "
				    "a NUL or an over-long name)";
				return CB_EINVAL;
			}
			if (strcmp(key, name) == 0) {
				/* max + 2 bytes: room to notice "too long". */
				room = max + 2;
				if (room > sizeof(src->scratch) - src->used)
					room = sizeof(src->scratch) - src->used;
				if (room == 0)
					return CB_ETOOBIG;
				if (!gx_form_decode(eq < amp ? eq + 1 : amp,
				    eq < amp ? (size_t)(amp - eq - 1) : 0,
				    src->scratch + src->used, room))
					return CB_ETOOBIG;
				*out = src->scratch + src->used;
				src->used += strlen(*out) + 1;
				return CB_OK;
			}
		}
		p = amp + 1;
	}
	return CB_OK;
}

/* The raw text of a field, from the first place that has it: the form,
 * the JSON object, a form body without Content-Type, then (only when
 * allowed) the query. *out NULL when absent or JSON null. CB_EINVAL for
 * a JSON value of the wrong type or with an embedded NUL, CB_ETOOBIG for
 * a raw form value too long for its field. */
static enum cb_err
gx_get(struct gx_src *src, enum gx_field f, const char **out,
    const char **why)
{
	const struct prov_req *r = src->r;
	const char *name = gx_defs[f].name;
	struct json_object *v;

	*out = NULL;
	if (r->form != NULL && (*out = kv_get(r->form, name)) != NULL)
		return CB_OK;
	if (r->json != NULL && json_object_object_get_ex(r->json, name, &v)) {
		switch (json_object_get_type(v)) {
		case json_type_null:
			return CB_OK;
		case json_type_string:
			*out = json_object_get_string(v);
			if (strlen(*out) != (size_t)json_object_get_string_len(v))
				break;
			return CB_OK;
		case json_type_int:
		case json_type_double:
			/* json-c keeps a parsed number's own text, so
			 * 1717495200.42 stays exactly that. */
			*out = json_object_get_string(v);
			return CB_OK;
		default:
			break;
		}
		*out = NULL;
		*why = gx_defs[f].bad;
		return CB_EINVAL;
	}
	if (src->raw_form)
		return gx_raw_form_get(src, name, gx_defs[f].max, out, why);
	if (src->use_query && r->query != NULL)
		*out = kv_get(r->query, name);
	return CB_OK;
}

/* ------------------------------------------------------- validation -- */

static bool
gx_ascii(const char *s, size_t n, unsigned char lo)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < lo || (unsigned char)s[i] > 0x7e)
			return false;
	return true;
}

/* Strict UTF-8 (no overlong forms, surrogates or values past U+10FFFF)
 * without C0 controls or DEL: the database is utf8mb4 and a row it
 * refuses would come back as a database error on every retry. */
static bool
gx_utf8(const unsigned char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return utf8_valid((const char *)s, n);
}

/* "<digits>[.<digits>]": whole seconds up to max and the first three
 * decimals as milliseconds. No sign, exponent or blanks. */
static bool
gx_decimal(const char *s, int64_t max, int64_t *sec, int64_t *ms)
{
	const char *dot = strchr(s, '.');
	size_t ilen = dot ? (size_t)(dot - s) : strlen(s);
	const char *f;
	int64_t frac = 0;
	int k = 0;

	if (ilen == 0 || ilen > 12 || strparse_i64(s, ilen, 0, max, sec) !=
	    CB_OK)
		return false;
	if (dot != NULL) {
		for (f = dot + 1; *f != '\0'; f++) {
			if (*f < '0' || *f > '9' || f - dot > 9)
				return false;
			if (k < 3) {
				frac = frac * 10 + (*f - '0');
				k++;
			}
		}
	}
	for (; k < 3; k++)
		frac *= 10;
	*ms = frac;
	return true;
}

/* §4.5: a relative path under the PBX's recordings root. The same rules
 * as the worker's recfetch_safe_relpath(), so a path we accept is one
 * the worker will fetch: no leading '/', no '\', no control or non-ASCII
 * bytes, and no empty, "." or ".." segment. */
static bool
gx_relpath(const char *s)
{
	const char *seg, *p;
	size_t n;

	if (*s == '/' || strchr(s, '\\') != NULL ||
	    !gx_ascii(s, strlen(s), 0x20))
		return false;
	for (seg = s;; seg = p + 1) {
		p = strchr(seg, '/');
		n = p != NULL ? (size_t)(p - seg) : strlen(seg);
		if (n == 0 || (n == 1 && seg[0] == '.') ||
		    (n == 2 && seg[0] == '.' && seg[1] == '.'))
			return false;
		if (p == NULL)
			return true;
	}
}

static bool
gx_http_url(const char *s)
{
	size_t skip;

	if (strncasecmp(s, "https://", 8) == 0)
		skip = 8;
	else if (strncasecmp(s, "http://", 7) == 0)
		skip = 7;
	else
		return false;
	return s[skip] != '\0' && s[skip] != '/' &&
	    gx_ascii(s, strlen(s), 0x21);
}

/* Reads and checks one field into v. An empty value is "not said": a
 * dialplan sends "name=" for an unset variable. */
static enum cb_err
gx_read(struct gx_src *src, enum gx_field f, struct gx_vals *v,
    const char **why)
{
	const struct gx_def *d = &gx_defs[f];
	const char *s;
	int64_t sec, ms;
	size_t n;
	bool ok;
	enum cb_err rc;

	v->s[f] = NULL;
	v->n[f] = -1;
	if ((rc = gx_get(src, f, &s, why)) != CB_OK) {
		if (rc == CB_ETOOBIG)
			*why = d->bad;
		return CB_EINVAL;
	}
	if (s == NULL || *s == '\0')
		return CB_OK;
	n = strlen(s);
	if (n > d->max) {
		*why = d->bad;
		return CB_EINVAL;
	}
	switch (d->type) {
	case GT_TOKEN:
		ok = gx_ascii(s, n, 0x21);
		break;
	case GT_LINE:
		ok = gx_ascii(s, n, 0x20);
		break;
	case GT_UTF8:
		ok = gx_utf8((const unsigned char *)s, n);
		break;
	case GT_TIME:
		ok = gx_decimal(s, GX_MAX_UNIX, &sec, &ms);
		if (ok)
			v->n[f] = sec * 1000 + ms;
		if (ok && v->n[f] == 0) {
			/* CDR(answer,u) of a call nobody answered. */
			v->n[f] = -1;
			return CB_OK;
		}
		break;
	case GT_SECS:
		ok = gx_decimal(s, GX_MAX_SECONDS, &sec, &ms);
		if (ok)
			v->n[f] = sec;
		break;
	case GT_PATH:
		ok = gx_relpath(s);
		break;
	case GT_URL:
		ok = gx_http_url(s);
		break;
	default:
		abort();
	}
	if (!ok) {
		v->n[f] = -1;
		*why = d->bad;
		return CB_EINVAL;
	}
	v->s[f] = s;
	return CB_OK;
}

/* ---------------------------------------------------------- mapping -- */

static void
gx_status_key(const char *s, char *key, size_t cap)
{
	size_t o = 0;

	for (; *s != '\0' && o + 1 < cap; s++)
		if (isalnum((unsigned char)*s))
			key[o++] = (char)toupper((unsigned char)*s);
	key[o] = '\0';
}

enum call_result
prov_generic_result(const char *status, enum call_dir dir)
{
	char key[40];
	size_t i;

	if (status == NULL || *status == '\0')
		return RES_NONE;
	gx_status_key(status, key, sizeof(key));
	for (i = 0; i < sizeof(gx_statuses) / sizeof(gx_statuses[0]); i++) {
		if (strcmp(gx_statuses[i].key, key) != 0)
			continue;
		/* An unsaid direction is stored as incoming (event.c
		 * call_dir_name), so it maps as incoming here too. */
		return dir == DIR_OUT || dir == DIR_INTERNAL ?
		    gx_statuses[i].out : gx_statuses[i].in;
	}
	return RES_UNKNOWN;
}

/* The extension in ext: "101" as is, or the endpoint of an Asterisk
 * channel name, which dialplans often pass (§4.4's ${CDR(dstchannel)}):
 * "PJSIP/101-0000001a" and "SIP/101-00000012" → "101",
 * "Local/101@from-queue-00000012;1" → "101". */
static bool
gx_extension(const char *s, char *out, size_t cap)
{
	const char *p = strchr(s, '/'), *end;
	size_t n, k;

	if (p == NULL) {
		n = strlen(s);
	} else {
		p++;
		n = strcspn(p, "@;");
		/* The channel's "-%08x" sequence suffix. */
		if (p[n] == '\0' && n > 9 && p[n - 9] == '-') {
			for (k = n - 8; k < n; k++)
				if (gx_hex(p[k]) < 0)
					break;
			if (k == n)
				n -= 9;
		}
		s = p;
	}
	end = memchr(s, '/', n);
	if (n == 0 || n >= cap || end != NULL)
		return false;
	memcpy(out, s, n);
	out[n] = '\0';
	return true;
}

static bool
gx_same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* Who is the client and which number is ours, by direction
 * (docs/generic-format.md §3): from calls to; did names our line. */
static void
gx_parties(const struct gx_vals *v, struct call_event *ev)
{
	const char *from = v->s[GF_FROM], *to = v->s[GF_TO];
	const char *ours = v->s[GF_DID], *client;
	const char *ext = ev->extension[0] ? ev->extension : NULL;

	switch (ev->dir) {
	case DIR_OUT:
		client = to;
		if (ours == NULL && !gx_same(from, ext))
			ours = from;
		break;
	case DIR_INTERNAL:
		client = from;
		break;
	case DIR_IN:
	case DIR_UNKNOWN:
	default:
		client = from;
		if (ours == NULL && !gx_same(to, ext))
			ours = to;
		break;
	}
	/* "anonymous", "<unknown>", "0"... are a withheld caller (the AMI
	 * bridge passes Asterisk's CallerIDNum through); an empty value is
	 * "not said" in this format (gx_read). */
	ev_set_client(ev, client, (size_t)-1);
	ev_set(ev, our_number, ours);
}

/* call.end: result, end, talk and wait time from what the PBX said,
 * deriving only what follows from it arithmetically. */
static void
gx_end(const struct gx_vals *v, struct call_event *ev)
{
	int64_t start = v->n[GF_START], answer = v->n[GF_ANSWER];
	int64_t end = v->n[GF_END], dur = v->n[GF_DURATION];
	int64_t bill = v->n[GF_BILLSEC];

	ev->kind = EV_ENDED;
	ev->result = prov_generic_result(v->s[GF_STATUS], ev->dir);
	ev_set(ev, hangup_cause, v->s[GF_HANGUP_CAUSE]);
	if (end < 0 && start >= 0 && dur >= 0)
		end = start + dur * 1000;
	if (start < 0 && end >= 0 && dur >= 0 && end >= dur * 1000)
		start = end - dur * 1000;
	if (dur < 0 && start > 0 && end >= start)
		dur = (end - start) / 1000;
	ev->started_ms = start > 0 ? start : 0;
	ev->answered_ms = answer > 0 ? answer : 0;
	ev->ended_ms = end > 0 ? end : 0;
	ev->at_ms = ev->ended_ms;
	if (bill >= 0)
		ev->talk_s = (int32_t)bill;
	else if (answer > 0 && end >= answer)
		ev->talk_s = (int32_t)((end - answer) / 1000);
	else if (ev->result != RES_NONE && ev->result != RES_ANSWERED &&
	    ev->result != RES_UNKNOWN)
		ev->talk_s = 0;
	if (answer > 0 && start > 0 && answer >= start)
		ev->wait_s = (int32_t)((answer - start) / 1000);
	else if (dur >= 0 && ev->talk_s >= 0 && dur >= ev->talk_s)
		ev->wait_s = (int32_t)(dur - ev->talk_s);
}

/* A recording on call.end or recording.ready: a relative path (fetched
 * by the worker under config recordings_base_url) or a URL. */
static void
gx_recording(const struct gx_vals *v, struct call_event *ev)
{
	ev_set(ev, recording_ref, v->s[GF_RECORDING]);
	ev_set(ev, recording_url, v->s[GF_RECORDING_URL]);
}

/* An event type we do not know: stored raw and answered 200, so the PBX
 * does not retry it forever (issue 3 "Bad input"). Only the ids are
 * picked up, and only if they are well formed. */
static enum cb_err
gx_unknown(struct gx_src *src, const char *type, struct call_event *ev)
{
	struct gx_vals v;
	const char *ignored;

	ev->kind = EV_UNKNOWN;
	ev_set(ev, type_name, type);
	if (gx_read(src, GF_CALL_ID, &v, &ignored) == CB_OK)
		ev_set(ev, call_id, v.s[GF_CALL_ID]);
	if (gx_read(src, GF_EVENT_ID, &v, &ignored) == CB_OK)
		ev_set(ev, event_id, v.s[GF_EVENT_ID]);
	return CB_OK;
}

/* Where the fields are: a JSON object, a form, a form without its
 * Content-Type, or (Bearer-authenticated GETs) the query alone. */
static enum cb_err
gx_source(const struct prov_req *r, struct gx_src *src, const char **why)
{
	const char *b = r->body, *ct = r->content_type;
	size_t i;

	/* nginx passes an absent Content-Type as an empty one. */
	if (ct != NULL && *ct == '\0')
		ct = NULL;
	if (r->json != NULL) {
		if (!json_object_is_type(r->json, json_type_object)) {
			*why = "the JSON body must be an object";
			return CB_EINVAL;
		}
		return CB_OK;
	}
	if (r->form != NULL && r->form->n > 0)
		return CB_OK;
	if (r->body_len == 0 || b == NULL)
		return CB_OK;
	if (ct != NULL && strcmp(ct, "application/x-www-form-urlencoded") !=
	    0) {
		*why = "expected a JSON object or a urlencoded form";
		return CB_EINVAL;
	}
	for (i = 0; i < r->body_len && isspace((unsigned char)b[i]); i++)
		;
	if (i < r->body_len && (b[i] == '{' || b[i] == '[')) {
		*why = "a JSON body needs Content-Type: application/json";
		return CB_EINVAL;
	}
	if (memchr(b, '\0', r->body_len) != NULL) {
		*why = "the form body contains a NUL byte";
		return CB_EINVAL;
	}
	src->raw_form = ct == NULL;
	return CB_OK;
}

enum cb_err
prov_generic_parse(const struct prov_req *r, bool use_query,
    struct call_event *ev, const char **why)
{
	struct gx_src src;
	struct gx_vals v;
	const char *type;
	char ext[sizeof(ev->extension)];
	enum gx_event e;
	enum gx_field f;
	size_t i;

	src.r = r;
	src.use_query = use_query;
	src.raw_form = false;
	src.used = 0;
	if (gx_source(r, &src, why) != CB_OK)
		return CB_EINVAL;
	if (gx_read(&src, GF_EVENT, &v, why) != CB_OK)
		return CB_EINVAL;
	if ((type = v.s[GF_EVENT]) == NULL) {
		*why = "missing event";
		return CB_EINVAL;
	}
	for (e = 0; e < GE__MAX; e++)
		if (strcmp(gx_events[e], type) == 0)
			break;
	if (e == GE__MAX)
		return gx_unknown(&src, type, ev);
	for (f = 0; f < GF__MAX; f++)
		if (f != GF_EVENT && gx_read(&src, f, &v, why) != CB_OK)
			return CB_EINVAL;

	ev_set(ev, type_name, type);
	ev_set(ev, call_id, v.s[GF_CALL_ID]);
	ev_set(ev, event_id, v.s[GF_EVENT_ID]);
	ev_set(ev, caller_name, v.s[GF_CALLER_NAME]);
	/* A routing question may come before the PBX has a call id worth
	 * keeping; every other event belongs to a call. */
	if (ev->call_id[0] == '\0' && e != GE_ROUTE) {
		*why = "missing call_id";
		return CB_EINVAL;
	}
	if (v.s[GF_DIRECTION] != NULL) {
		for (i = 0; i < sizeof(gx_dirs) / sizeof(gx_dirs[0]); i++)
			if (strcasecmp(gx_dirs[i].name,
			    v.s[GF_DIRECTION]) == 0)
				break;
		if (i == sizeof(gx_dirs) / sizeof(gx_dirs[0])) {
			*why = gx_defs[GF_DIRECTION].bad;
			return CB_EINVAL;
		}
		ev->dir = gx_dirs[i].dir;
	}
	if (v.s[GF_EXT] != NULL) {
		if (!gx_extension(v.s[GF_EXT], ext, sizeof(ext))) {
			*why = gx_defs[GF_EXT].bad;
			return CB_EINVAL;
		}
		ev_set(ev, extension, ext);
	}
	gx_parties(&v, ev);
	/* One physical call = one row (issue 3 §3): call_id is the call,
	 * and a uniqueid other than it names one leg of it (Asterisk: the
	 * Uniqueid of a callee channel, whose Linkedid is call_id). */
	if (v.s[GF_UNIQUEID] != NULL && e != GE_ROUTE && e != GE_RECORDING &&
	    strcmp(v.s[GF_UNIQUEID], ev->call_id) != 0)
		ev_set(ev, leg_id, v.s[GF_UNIQUEID]);
	if (v.n[GF_START] > 0)
		ev->started_ms = v.n[GF_START];

	switch (e) {
	case GE_ROUTE:
		ev->wants_route = true;
		/* FALLTHROUGH */
	case GE_START:
	case GE_RINGING:
		/* With ext: that extension's phone rings (a ring-group
		 * member, a queue agent); the pipeline keeps it as a leg. */
		ev->kind = EV_RINGING;
		ev->at_ms = ev->started_ms;
		break;
	case GE_ANSWER:
		/* The client and ext are connected: a fact, not a guess. */
		ev->kind = EV_ANSWERED;
		ev->result = RES_ANSWERED;
		ev->answered_ms = v.n[GF_ANSWER] > 0 ? v.n[GF_ANSWER] : 0;
		ev->at_ms = ev->answered_ms;
		break;
	case GE_END:
		gx_end(&v, ev);
		gx_recording(&v, ev);
		break;
	case GE_RECORDING:
		if (v.s[GF_RECORDING] == NULL &&
		    v.s[GF_RECORDING_URL] == NULL) {
			*why = "recording.ready needs recording or "
			    "recording_url";
			return CB_EINVAL;
		}
		ev->kind = EV_RECORDING;
		gx_recording(&v, ev);
		break;
	case GE__MAX:
	default:
		abort();
	}
	return CB_OK;
}

/* ------------------------------------------------------ signature -- */

static const char *
gx_header(const struct prov_req *r, const char *name)
{
	return r->header != NULL ? r->header(r->hctx, name) : NULL;
}

enum cb_err
prov_generic_verify_hmac(const struct prov_conf *c, const struct prov_req *r,
    const char **why)
{
	const char *secret = prov_secret(c, "secret");
	const char *ts = gx_header(r, "X-Timestamp");
	const char *sig = gx_header(r, "X-Signature");
	unsigned char mac[SIG_SHA256_LEN];
	char given[GX_SIG_LEN + 1], want[GX_SIG_LEN + 1];
	size_t tslen, i;
	char *msg;
	int64_t t;
	bool ok;

	if (secret == NULL || *secret == '\0') {
		*why = "the integration has no secret configured";
		return CB_EDENIED;
	}
	if (ts == NULL || *ts == '\0') {
		*why = "missing X-Timestamp header";
		return CB_EDENIED;
	}
	if (sig == NULL || *sig == '\0') {
		*why = "missing X-Signature header";
		return CB_EDENIED;
	}
	tslen = strlen(ts);
	if (tslen > GX_TS_DIGITS || strparse_i64z(ts, 0, INT64_MAX, &t) !=
	    CB_OK) {
		*why = "X-Timestamp must be unix seconds (digits only)";
		return CB_EDENIED;
	}
	if (t >= GX_TS_MS) {
		*why = "X-Timestamp must be unix seconds, not milliseconds";
		return CB_EDENIED;
	}
	if (t < r->now - GX_REPLAY_WINDOW) {
		*why = "X-Timestamp is more than 300 s old (a replay, or the "
		    "PBX clock is wrong)";
		return CB_EDENIED;
	}
	if (t > r->now + GX_REPLAY_WINDOW) {
		*why = "X-Timestamp is more than 300 s in the future (check "
		    "the PBX clock)";
		return CB_EDENIED;
	}
	/* "sha256=" and 64 hex digits, compared in lower case. */
	if (strlen(sig) != GX_SIG_LEN ||
	    strncasecmp(sig, GX_SIG_PREFIX, sizeof(GX_SIG_PREFIX) - 1) != 0) {
		*why = "X-Signature must be sha256=<64 hex digits>";
		return CB_EDENIED;
	}
	for (i = 0; i < GX_SIG_LEN; i++)
		given[i] = (char)tolower((unsigned char)sig[i]);
	given[GX_SIG_LEN] = '\0';
	/* HMAC over timestamp "." raw body, exactly the bytes received. */
	if ((msg = malloc(tslen + 1 + r->body_len + 1)) == NULL) {
		*why = "out of memory";
		return CB_ENOMEM;
	}
	memcpy(msg, ts, tslen);
	msg[tslen] = '.';
	if (r->body_len > 0)
		memcpy(msg + tslen + 1, r->body, r->body_len);
	sig_hmac_sha256(secret, strlen(secret), msg, tslen + 1 + r->body_len,
	    mac);
	free(msg);
	memcpy(want, GX_SIG_PREFIX, sizeof(GX_SIG_PREFIX) - 1);
	sig_hex(mac, sizeof(mac), want + sizeof(GX_SIG_PREFIX) - 1);
	ok = sig_equal(given, want);
	explicit_bzero(mac, sizeof(mac));
	explicit_bzero(want, sizeof(want));
	if (!ok) {
		*why = "X-Signature does not match (a wrong secret, or the "
		    "body changed after signing)";
		return CB_EDENIED;
	}
	return CB_OK;
}

/* ---------------------------------------------------------- answers -- */

static struct json_object *
gx_str_or_null(const char *s)
{
	return s != NULL && *s != '\0' ? json_object_new_string(s) : NULL;
}

enum cb_err
prov_generic_route_json(const struct route_answer *ra, struct buf *out)
{
	struct json_object *o, *cust = NULL, *fb = NULL;
	const char *js;
	enum cb_err rc;

	if ((o = json_object_new_object()) == NULL)
		return CB_ENOMEM;
	if (ra != NULL && ra->customer_name != NULL &&
	    *ra->customer_name != '\0') {
		cust = json_object_new_object();
		json_object_object_add(cust, "name",
		    json_object_new_string(ra->customer_name));
		if (ra->customer_url != NULL && *ra->customer_url != '\0')
			json_object_object_add(cust, "url",
			    json_object_new_string(ra->customer_url));
	}
	if (ra != NULL && ra->fallback_kind != NULL &&
	    *ra->fallback_kind != '\0') {
		fb = json_object_new_object();
		json_object_object_add(fb, "kind",
		    json_object_new_string(ra->fallback_kind));
		json_object_object_add(fb, "target",
		    gx_str_or_null(ra->fallback_target));
	}
	json_object_object_add(o, "extension",
	    ra != NULL ? gx_str_or_null(ra->extension) : NULL);
	json_object_object_add(o, "customer", cust);
	json_object_object_add(o, "fallback", fb);
	js = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	rc = js != NULL ? buf_puts(out, js) : CB_ENOMEM;
	json_object_put(o);
	return rc;
}

/* ---------------------------------------------------- the adapter -- */

static enum cb_err
gx_verify(const struct prov_conf *c, const struct prov_req *r,
    const char **why)
{
	return prov_generic_verify_hmac(c, r, why);
}

static enum cb_err
gx_parse(const struct prov_conf *c, const struct prov_req *r,
    struct call_event *ev, const char **why)
{
	/* Signed: the fields come from the signed body only. */
	return prov_generic_parse(r, false, ev, why);
}

static enum cb_err
gx_answer(const struct prov_conf *c, const struct call_event *ev,
    const struct route_answer *ra, struct buf *out,
    const char **content_type)
{
	*content_type = "application/json";
	if (ev->wants_route)
		return prov_generic_route_json(ra, out);
	return buf_puts(out, "{\"status\":\"ok\"}");
}

static const struct prov_field gx_fields[] = {
	{ "secret", "Shared secret (signs every event)", true, true, NULL },
	{ NULL, NULL, false, false, NULL }
};

const struct provider generic_provider = {
	.kind = "generic",
	.label = "Another PBX (generic format)",
	.countries = NULL,
	.fields = gx_fields,
	.where = "your PBX's webhook settings (docs/generic-format.md)",
	.verify = gx_verify,
	.parse = gx_parse,
	.answer = gx_answer,
	.dial = &generic_dial,
	.hangup = generic_hangup_build,   /* config hangup_url */
	.recording = &generic_recording,
	.test_event = generic_test_event,
};
