/* Twilio Voice (providers.md §1): X-Twilio-Signature, status / <Dial
 * action> / recording callbacks and the voice URL's TwiML answer.
 *
 * Secrets: {"account_sid": "AC…", "auth_token": "…"}. Optional config
 * (integrations.config):
 *   hook_url      absolute URL Twilio should call back (default: the
 *                 relative reference "<slug>", which Twilio resolves
 *                 against the voice URL it requested, i.e. the request
 *                 URL with its query dropped, RFC 3986 §5.2)
 *   client_prefix identity prefix for <Client> (default "manager_")
 *   sip_domain    dial managers as <Sip>sip:<ext>@<domain></Sip> instead
 *   caller_id     our number shown when a softphone calls out
 *   busy_text, voicemail_text  what <Say> says
 *
 * How a request is classified (first match wins):
 *   RecordingStatus        recording callback  → EV_RECORDING / EV_IGNORED
 *   DialCallStatus         <Dial action>       → EV_ENDED, decides result
 *   RecordingUrl, no status-callback fields
 *                          <Record action> (our voicemail) → EV_ENDED
 *   CallbackSource, Timestamp, SequenceNumber, CallDuration or Duration
 *                          status callback     → by CallStatus and leg
 *   anything else          a TwiML request (the voice URL) → by CallStatus,
 *                          wants_route for a new inbound call
 *
 * Legs: a child leg (ParentCallSid) is call ParentCallSid, leg CallSid;
 * a parent's events are call CallSid, leg "". Which leg an event is about
 * decides what its CallStatus means (tw_rules below): the parent of an
 * inbound call going "completed" only says the caller hung up, never that
 * a manager answered (the <Dial action> and the manager legs say that),
 * while a manager leg that ends unanswered is that manager's missed call.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/xmlstring.h>
#include <libxml/xmlwriter.h>

#include "core/strparse.h"
#include "http/escape.h"
#include "net/sig.h"
#include "providers/provider.h"
#include "providers/twilio/twilio.h"
#include "reconcile/history.h"

#define TW_SIG_HEADER   "X-Twilio-Signature"
/* The string to sign is the URL plus every decoded form pair; the hook
 * caps the body far below this, so this only bounds a misconfiguration. */
#define TW_MAX_SIGNED   (8u * 1024 * 1024)
#define TW_MAX_SID      64
#define TW_MAX_PARTY    64          /* From/To: fits call_event.client */
#define TW_MAX_SECONDS  (7 * 86400) /* a call lasts at most 24 h on Twilio */
#define TW_MAX_TEXT     1000        /* configurable <Say> texts */
#define TW_MAX_EXT_SIP  6           /* longer all-digit SIP users are numbers */
#define TW_DIAL_TIMEOUT "20"
#define TW_STATUS_EVENTS "initiated ringing answered completed"
#define TW_BUSY_TEXT    "All our managers are busy. Please call again later."
#define TW_VM_TEXT      "All our managers are busy. Please leave a message " \
	"after the tone."

/* CallStatus values (providers.md §1.1; twilio-node CallStatus). Twilio
 * reports the "answered" event as in-progress; "answered" is accepted
 * too, as <Dial action> uses it for DialCallStatus. */
enum tw_st {
	ST_QUEUED = 0, ST_INITIATED, ST_RINGING, ST_ANSWERED, ST_COMPLETED,
	ST_BUSY, ST_FAILED, ST_NO_ANSWER, ST_CANCELED, ST__MAX
};

static const char *const tw_st_names[ST__MAX] = {
	"queued", "initiated", "ringing", "in-progress", "completed", "busy",
	"failed", "no-answer", "canceled"
};

/* Which leg an event is about. */
enum tw_leg {
	LEG_INBOUND = 0,  /* parent: a customer calling one of our numbers */
	LEG_MANAGER_OUT,  /* parent: our side's leg of an outgoing call (a
	                   * softphone calling out, or a REST call that rings
	                   * the manager first, providers.md §1.4) */
	LEG_CUSTOMER_OUT, /* parent: a REST call straight to the customer */
	LEG_CHILD_MANAGER,/* child: <Dial> ringing a manager's client/SIP */
	LEG_CHILD_OTHER,  /* child: <Dial> ringing a phone number */
	LEG_UNKNOWN,      /* parent without a Direction we know */
	LEG__MAX
};

struct tw_rule {
	enum ev_kind kind;
	enum call_result res;
};

#define R_  { EV_RINGING, RES_NONE }
#define A_  { EV_ANSWERED, RES_ANSWERED }
#define E_(r) { EV_ENDED, r }

/* What a CallStatus means on each kind of leg. Columns follow enum tw_st.
 * Inbound: the parent's in-progress is Twilio (or the bridge) picking up,
 * not a manager, and its completed only means the caller hung up; if the
 * caller never got through (busy, failed, no-answer, canceled) the call
 * is missed: someone must call back, which is what the CRM needs to know
 * (the Twilio status is kept in hangup_cause). A manager leg that was not
 * answered is that manager's missed ring (the ingest keeps a leg's
 * non-answer on the leg). Our side's leg of an outgoing call failing
 * means the customer was never dialled: failed. Calls to a number take
 * Twilio's word (canceled = hung up while it rang = no answer). */
static const struct tw_rule tw_rules[LEG__MAX][ST__MAX] = {
	[LEG_INBOUND] = { R_, R_, R_, R_, E_(RES_NONE), E_(RES_MISSED),
	    E_(RES_MISSED), E_(RES_MISSED), E_(RES_MISSED) },
	[LEG_MANAGER_OUT] = { R_, R_, R_, R_, E_(RES_NONE), E_(RES_FAILED),
	    E_(RES_FAILED), E_(RES_FAILED), E_(RES_FAILED) },
	[LEG_CUSTOMER_OUT] = { R_, R_, R_, A_, E_(RES_ANSWERED),
	    E_(RES_BUSY), E_(RES_FAILED), E_(RES_NO_ANSWER),
	    E_(RES_NO_ANSWER) },
	[LEG_CHILD_MANAGER] = { R_, R_, R_, A_, E_(RES_ANSWERED),
	    E_(RES_MISSED), E_(RES_MISSED), E_(RES_MISSED), E_(RES_MISSED) },
	[LEG_CHILD_OTHER] = { R_, R_, R_, A_, E_(RES_ANSWERED), E_(RES_BUSY),
	    E_(RES_FAILED), E_(RES_NO_ANSWER), E_(RES_NO_ANSWER) },
	[LEG_UNKNOWN] = { R_, R_, R_, R_, E_(RES_NONE), E_(RES_BUSY),
	    E_(RES_FAILED), E_(RES_NO_ANSWER), E_(RES_NO_ANSWER) },
};

#undef R_
#undef A_
#undef E_

enum tw_party { PARTY_NONE = 0, PARTY_NUMBER, PARTY_ENDPOINT };

/* ------------------------------------------------------------ helpers */

/* A request field; Twilio sends some parameters empty ("CallerName="),
 * which means the same as absent here. */
static const char *
tw_field(const struct prov_req *r, const char *name)
{
	const char *s = prov_field(r, name);

	return s != NULL && *s != '\0' ? s : NULL;
}

static bool
tw_digits(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Twilio SIDs are two letters and 32 hex digits; accept any short token
 * of safe characters so that test and legacy ids pass, nothing else. */
static bool
tw_sid_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > TW_MAX_SID)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
			return false;
	}
	return true;
}

static enum tw_st
tw_status(const char *s)
{
	int i;

	if (s == NULL)
		return ST__MAX;
	if (strcmp(s, "answered") == 0)
		return ST_ANSWERED;
	for (i = 0; i < ST__MAX; i++)
		if (strcmp(s, tw_st_names[i]) == 0)
			return (enum tw_st)i;
	return ST__MAX;
}

/* "status:completed": the provider's own name for call_events.kind,
 * truncated (never failing) to the field. */
static void
tw_type(struct call_event *ev, const char *what, const char *name)
{
	char *p;

	snprintf(ev->type_name, sizeof(ev->type_name), "%s:%s", what,
	    name ? name : "-");
	/* An unknown status is the request's text: keep it printable. */
	for (p = ev->type_name; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			*p = '?';
}

/* The integer parameters, each checked whatever the event so that a
 * malformed callback is a 400 before anything is stored (STYLE
 * anti-pattern 2). RecordingDuration is -1 while Twilio does not know. */
enum tw_int_field {
	TI_SEQ = 0, TI_CALL_DUR, TI_DIAL_DUR, TI_DUR, TI_REC_DUR, TI__MAX
};

static const struct tw_int_rule {
	const char *name;
	int64_t min, max;
	const char *why;
} tw_int_rules[TI__MAX] = {
	[TI_SEQ] = { "SequenceNumber", 0, INT32_MAX,
	    "SequenceNumber is not a number" },
	[TI_CALL_DUR] = { "CallDuration", 0, TW_MAX_SECONDS,
	    "CallDuration is not a number of seconds" },
	[TI_DIAL_DUR] = { "DialCallDuration", 0, TW_MAX_SECONDS,
	    "DialCallDuration is not a number of seconds" },
	[TI_DUR] = { "Duration", 0, TW_MAX_SECONDS,
	    "Duration is not a number" },
	[TI_REC_DUR] = { "RecordingDuration", -1, TW_MAX_SECONDS,
	    "RecordingDuration is not a number of seconds" },
};

struct tw_ints {
	int64_t v[TI__MAX];
	bool has[TI__MAX];
};

static enum cb_err
tw_ints_read(const struct prov_req *r, struct tw_ints *n, const char **why)
{
	const char *s;
	int i;

	for (i = 0; i < TI__MAX; i++) {
		n->v[i] = 0;
		n->has[i] = false;
		if ((s = tw_field(r, tw_int_rules[i].name)) == NULL)
			continue;
		if (strparse_i64z(s, tw_int_rules[i].min, tw_int_rules[i].max,
		    &n->v[i]) != CB_OK) {
			*why = tw_int_rules[i].why;
			return CB_EINVAL;
		}
		n->has[i] = true;
	}
	return CB_OK;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil): no timegm(), no TZ, no locale. */
static int64_t
tw_days(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static bool
tw_num_at(const char **pp, int minlen, int maxlen, int *out)
{
	const char *p = *pp;
	int n = 0, v = 0;

	while (n < maxlen && p[n] >= '0' && p[n] <= '9')
		v = v * 10 + (p[n++] - '0');
	if (n < minlen)
		return false;
	*pp = p + n;
	*out = v;
	return true;
}

static void
tw_skip_ws(const char **pp)
{
	while (**pp == ' ' || **pp == '\t')
		(*pp)++;
}

/* RFC 2822 §3.3 date-time as Twilio's Timestamp carries it ("Tue, 04 Jun
 * 2024 10:00:42 +0000"), also with the obsolete zone names GMT/UT/UTC/Z.
 * Strict: a date we cannot read is the request's fault, not "now". */
static bool
tw_rfc2822(const char *s, int64_t *ms)
{
	static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };
	const char *p = s, *m;
	int day, mon, year, hh, mi, ss = 0, zh = 0, zm = 0, zsign = 1, i;
	int64_t t;

	tw_skip_ws(&p);
	if ((p[0] | 0x20) >= 'a' && (p[0] | 0x20) <= 'z') {
		for (i = 0; i < 3; i++)
			if (((p[i] | 0x20) < 'a' || (p[i] | 0x20) > 'z'))
				return false;
		p += 3;
		if (*p++ != ',')
			return false;
		tw_skip_ws(&p);
	}
	if (!tw_num_at(&p, 1, 2, &day))
		return false;
	tw_skip_ws(&p);
	for (mon = 0, m = NULL; mon < 12; mon++)
		if (strncasecmp(p, months + 3 * mon, 3) == 0) {
			m = p;
			break;
		}
	if (m == NULL)
		return false;
	p += 3;
	tw_skip_ws(&p);
	if (!tw_num_at(&p, 4, 4, &year))
		return false;
	tw_skip_ws(&p);
	if (!tw_num_at(&p, 2, 2, &hh) || *p++ != ':' ||
	    !tw_num_at(&p, 2, 2, &mi))
		return false;
	if (*p == ':') {
		p++;
		if (!tw_num_at(&p, 2, 2, &ss))
			return false;
	}
	tw_skip_ws(&p);
	if (*p == '+' || *p == '-') {
		int z;
		zsign = *p++ == '-' ? -1 : 1;
		if (!tw_num_at(&p, 4, 4, &z))
			return false;
		zh = z / 100;
		zm = z % 100;
		if (zh > 23 || zm > 59)
			return false;
	} else if (strncasecmp(p, "GMT", 3) == 0 ||
	    strncasecmp(p, "UTC", 3) == 0)
		p += 3;
	else if (strncasecmp(p, "UT", 2) == 0)
		p += 2;
	else if (*p == 'Z' || *p == 'z')
		p++;
	else
		return false;
	tw_skip_ws(&p);
	if (*p != '\0')
		return false;
	if (year < 1970 || year > 9999 || day < 1 || day > mdays[mon] ||
	    (mon == 1 && day == 29 && !((year % 4 == 0 && year % 100 != 0) ||
	    year % 400 == 0)) || hh > 23 || mi > 59 || ss > 60)
		return false;
	t = tw_days(year, mon + 1, day) * 86400 + hh * 3600 + mi * 60 + ss -
	    zsign * (zh * 3600 + zm * 60);
	if (t < 0)
		return false;
	*ms = t * 1000;
	return true;
}

/* Who is at one end of a leg (From/To, providers.md §1.1): one of our
 * endpoints — "client:<identity>" or "sip:<user>@<domain>" with a short
 * user — whose trailing digits are the manager's extension
 * ("client:manager_101" → "101", "sip:101@pbx" → "101"), or a phone
 * number (E.164 as Twilio sends it, or the user part of a SIP URI that
 * is one: "sip:+380671234567@trunk" → "+380671234567"). num and ext have
 * room for TW_MAX_PARTY + 1 bytes; s is at most TW_MAX_PARTY long. */
static enum tw_party
tw_party(const char *s, char *num, size_t numcap, char *ext, size_t extcap)
{
	const char *u, *end, *seg;
	size_t n;

	num[0] = ext[0] = '\0';
	if (s == NULL || *s == '\0')
		return PARTY_NONE;
	if (strncasecmp(s, "client:", 7) == 0) {
		u = s + 7;
		end = u + strlen(u);
		for (seg = end; seg > u && seg[-1] != '_' && seg[-1] != ':';
		    seg--)
			;
		n = (size_t)(end - seg);
		if (tw_digits(seg, n) && n < extcap) {
			memcpy(ext, seg, n);
			ext[n] = '\0';
		}
		return PARTY_ENDPOINT;
	}
	if (strncasecmp(s, "sip:", 4) == 0 || strncasecmp(s, "sips:", 5) == 0) {
		u = strchr(s, ':') + 1;
		n = strcspn(u, "@;?>");
		if ((u[0] == '+' && n >= 8 && tw_digits(u + 1, n - 1)) ||
		    (n > TW_MAX_EXT_SIP && tw_digits(u, n))) {
			if (n < numcap) {
				memcpy(num, u, n);
				num[n] = '\0';
			}
			return PARTY_NUMBER;
		}
		if (tw_digits(u, n) && n < extcap) {
			memcpy(ext, u, n);
			ext[n] = '\0';
		}
		return PARTY_ENDPOINT;
	}
	n = strlen(s);
	if (n < numcap) {
		memcpy(num, s, n);
		num[n] = '\0';
	}
	return PARTY_NUMBER;
}

/* ------------------------------------------------------------- verify */

struct tw_pair {
	const char *k;
	const char *v;
	size_t vlen;
};

static int
tw_pair_cmp(const void *a, const void *b)
{
	const struct tw_pair *x = a, *y = b;
	int c = strcmp(x->k, y->k);

	return c ? c : strcmp(x->v, y->v);
}

/* The parameter half of the string to sign (providers.md §1.2 step 2, as
 * twilio-node webhooks.js getExpectedTwilioSignature does it): names
 * sorted, each "name" + "value" with decoded values and no separators;
 * a repeated name contributes each of its distinct values, sorted. JS
 * sorts by UTF-16 code units, strcmp by bytes: the two agree on every
 * name Twilio sends (ASCII) and on any values below U+E000. */
static enum cb_err
tw_params(const struct kvlist *form, struct buf *out)
{
	struct tw_pair *v;
	size_t i, n = form ? form->n : 0, total = 0;

	if (n == 0)
		return CB_OK;
	for (i = 0; i < n; i++) {
		total += strlen(form->v[i].key) + form->v[i].val_len;
		if (total > TW_MAX_SIGNED)
			return CB_ETOOBIG;
	}
	if ((v = calloc(n, sizeof(*v))) == NULL)
		return CB_ENOMEM;
	for (i = 0; i < n; i++) {
		v[i].k = form->v[i].key;
		v[i].v = form->v[i].val;
		v[i].vlen = form->v[i].val_len;
	}
	qsort(v, n, sizeof(*v), tw_pair_cmp);
	for (i = 0; i < n; i++) {
		if (i > 0 && tw_pair_cmp(&v[i - 1], &v[i]) == 0)
			continue;
		buf_puts(out, v[i].k);
		buf_append(out, v[i].v, v[i].vlen);
	}
	free(v);
	return out->err;
}

/* The same URL with the port toggled (providers.md §1.2 step 4): Twilio
 * may sign "https://host/…" or "https://host:443/…", and twilio-node
 * accepts both, by adding the scheme's default port when there is none
 * and dropping the port when there is one (any port: validateRequest's
 * removePort). false if the URL has no authority to toggle. */
static bool
tw_url_other_port(const char *url, struct buf *out)
{
	const char *sep = strstr(url, "://"), *auth, *end, *host, *p, *colon;

	/* Only a scheme before "://" (not one inside the query). */
	if (sep == NULL || sep == url || strcspn(url, ":/?#") != (size_t)(sep -
	    url))
		return false;
	auth = sep + 3;
	end = auth + strcspn(auth, "/?#");
	for (host = auth, p = auth; p < end; p++)
		if (*p == '@')
			host = p + 1;
	if (*host == '[') {
		const char *rb = memchr(host, ']', (size_t)(end - host));
		if (rb == NULL)
			return false;
		colon = rb + 1 < end && rb[1] == ':' ? rb + 1 : NULL;
	} else
		colon = memchr(host, ':', (size_t)(end - host));
	if (colon != NULL) {
		buf_append(out, url, (size_t)(colon - url));
		buf_puts(out, end);
		return out->err == CB_OK;
	}
	buf_append(out, url, (size_t)(end - url));
	if ((size_t)(sep - url) == 5 && strncasecmp(url, "https", 5) == 0)
		buf_puts(out, ":443");
	else if ((size_t)(sep - url) == 4 && strncasecmp(url, "http", 4) == 0)
		buf_puts(out, ":80");
	else
		return false;
	buf_puts(out, end);
	return out->err == CB_OK;
}

/* base64(HMAC-SHA1(token, url + params)) == got, in constant time. */
static bool
tw_sig_matches(const char *token, const char *url, size_t urllen,
    const struct buf *params, const char *got, enum cb_err *err)
{
	unsigned char mac[SIG_SHA1_LEN];
	char b64[4 * ((SIG_SHA1_LEN + 2) / 3) + 1];
	struct buf msg;
	bool ok;

	buf_init(&msg, urllen + params->len + 1);
	buf_append(&msg, url, urllen);
	buf_append(&msg, params->p ? params->p : "", params->len);
	if ((*err = msg.err) != CB_OK) {
		buf_free(&msg);
		return false;
	}
	sig_hmac_sha1(token, strlen(token), msg.p, msg.len, mac);
	sig_base64(mac, sizeof(mac), b64);
	ok = sig_equal(got, b64);
	buf_free(&msg);
	return ok;
}

static enum cb_err
tw_verify(const struct prov_conf *c, const struct prov_req *r,
    const char **why)
{
	const char *token = prov_secret(c, "auth_token"), *got, *bodyhash;
	struct buf params, other;
	enum cb_err err = CB_OK;
	bool ok;

	if (token == NULL || *token == '\0') {
		*why = "the integration has no Twilio auth_token";
		return CB_EDENIED;
	}
	got = r->header ? r->header(r->hctx, TW_SIG_HEADER) : NULL;
	if (got == NULL || *got == '\0') {
		*why = "no X-Twilio-Signature header";
		return CB_EDENIED;
	}
	if (r->url == NULL || *r->url == '\0') {
		*why = "no request URL to check the signature against";
		return CB_EDENIED;
	}
	buf_init(&params, TW_MAX_SIGNED);
	/* §1.2 step 5: a JSON body is covered by bodySHA256 in the (signed)
	 * query, and the signature is over the URL alone. */
	bodyhash = r->query ? kv_get(r->query, "bodySHA256") : NULL;
	if (bodyhash != NULL) {
		unsigned char d[SIG_SHA256_LEN];
		char hex[2 * SIG_SHA256_LEN + 1];

		sig_sha256(r->body ? r->body : "", r->body ? r->body_len : 0,
		    d);
		sig_hex(d, sizeof(d), hex);
		if (!sig_equal(hex, bodyhash)) {
			buf_free(&params);
			*why = "the body does not match bodySHA256";
			return CB_EDENIED;
		}
	} else if ((err = tw_params(r->form, &params)) != CB_OK) {
		buf_free(&params);
		*why = err == CB_ETOOBIG ? "request too large to verify" :
		    "out of memory";
		return err == CB_ENOMEM ? CB_ENOMEM : CB_EDENIED;
	}
	ok = tw_sig_matches(token, r->url, strlen(r->url), &params, got, &err);
	buf_init(&other, strlen(r->url) + 8);
	if (err == CB_OK && tw_url_other_port(r->url, &other))
		ok |= tw_sig_matches(token, other.p, other.len, &params, got,
		    &err);
	buf_free(&other);
	buf_free(&params);
	if (err == CB_ENOMEM) {
		*why = "out of memory";
		return CB_ENOMEM;
	}
	if (!ok) {
		*why = "X-Twilio-Signature does not match";
		return CB_EDENIED;
	}
	return CB_OK;
}

/* -------------------------------------------------------------- parse */

/* Fills dir, client, our_number, extension and caller_name from the
 * parties, and says which kind of leg this is (see enum tw_leg). */
static enum tw_leg
tw_parties(const struct prov_req *r, bool child, struct call_event *ev)
{
	const char *from = tw_field(r, "From"), *to = tw_field(r, "To");
	const char *dir = tw_field(r, "Direction");
	char fnum[TW_MAX_PARTY + 1], fext[sizeof(ev->extension)];
	char tnum[TW_MAX_PARTY + 1], text[sizeof(ev->extension)];
	enum tw_party pf, pt;

	if (from == NULL)
		from = tw_field(r, "Caller");
	if (to == NULL)
		to = tw_field(r, "Called");
	pf = tw_party(from, fnum, sizeof(fnum), fext, sizeof(fext));
	pt = tw_party(to, tnum, sizeof(tnum), text, sizeof(text));
	if (child || (dir && strcmp(dir, "outbound-dial") == 0)) {
		/* The call's direction and customer come from the parent: a
		 * child's To may be a manager's mobile, never guess. A leg
		 * dialled from a softphone belongs to that manager. */
		ev_set(ev, extension, pt == PARTY_ENDPOINT ? text : fext);
		return pt == PARTY_ENDPOINT ? LEG_CHILD_MANAGER :
		    LEG_CHILD_OTHER;
	}
	if (dir && strcmp(dir, "inbound") == 0) {
		if (pf == PARTY_ENDPOINT) {
			/* A softphone (Twilio Client, SIP domain) calling
			 * out through our voice URL. */
			ev->dir = pt == PARTY_ENDPOINT ? DIR_INTERNAL : DIR_OUT;
			ev_set(ev, extension, fext);
			if (pt == PARTY_NUMBER)
				ev_set_client(ev, tnum, (size_t)-1);
			return LEG_MANAGER_OUT;
		}
		ev->dir = DIR_IN;
		ev_set_client(ev, fnum, (size_t)-1);
		ev_set(ev, our_number, tnum);
		ev_set(ev, caller_name, tw_field(r, "CallerName"));
		return LEG_INBOUND;
	}
	if (dir && strncmp(dir, "outbound", 8) == 0) {
		ev->dir = DIR_OUT;
		ev_set(ev, our_number, fnum);
		if (pt == PARTY_ENDPOINT) {
			ev_set(ev, extension, text);
			return LEG_MANAGER_OUT;
		}
		ev_set_client(ev, tnum, (size_t)-1);
		ev_set(ev, extension, fext);
		return LEG_CUSTOMER_OUT;
	}
	return LEG_UNKNOWN;
}

/* Recording status callback (providers.md §1.1, §1.5). */
static void
tw_recording(const struct prov_req *r, const char *rstatus,
    struct call_event *ev)
{
	const char *rsid = tw_field(r, "RecordingSid");

	tw_type(ev, "recording", rstatus);
	if (rsid != NULL)
		snprintf(ev->event_id, sizeof(ev->event_id), "%s:%s", rsid,
		    rstatus);
	if (strcmp(rstatus, "completed") == 0) {
		ev->kind = ev->recording_url[0] || ev->recording_ref[0] ?
		    EV_RECORDING : EV_IGNORED;
	} else if (strcmp(rstatus, "absent") == 0 ||
	    strcmp(rstatus, "failed") == 0 || strcmp(rstatus, "deleted") == 0) {
		/* "absent": nothing was recorded (no audio, or the caller
		 * hung up); shown as "no recording", never as an error. */
		ev->kind = EV_RECORDING;
		ev->recording_url[0] = ev->recording_ref[0] = '\0';
		ev->recording_absent = true;
	} else if (strcmp(rstatus, "in-progress") == 0 ||
	    strcmp(rstatus, "paused") == 0 || strcmp(rstatus, "stopped") == 0 ||
	    strcmp(rstatus, "processing") == 0)
		ev->kind = EV_IGNORED;
	else
		ev->kind = EV_UNKNOWN;
}

/* <Dial action> (providers.md §1.1): the verdict on the whole call. */
static void
tw_dial(enum tw_leg leg, const char *dstatus, int64_t dur, bool has_dur,
    struct call_event *ev)
{
	enum tw_st st = tw_status(dstatus);

	tw_type(ev, "dial", dstatus);
	ev->kind = EV_ENDED;
	switch (st) {
	case ST_COMPLETED:
	case ST_ANSWERED:
		ev->result = RES_ANSWERED;
		if (has_dur)
			ev->talk_s = (int32_t)dur;
		return;
	case ST_BUSY:
	case ST_FAILED:
	case ST_NO_ANSWER:
	case ST_CANCELED:
		/* Inbound: the customer reached no one, whatever the
		 * reason: missed (busy stays in hangup_cause). Outgoing: the
		 * dialled party's own answer, as for a number. */
		ev->result = leg == LEG_INBOUND ? RES_MISSED :
		    tw_rules[LEG_CHILD_OTHER][st].res;
		ev_set(ev, hangup_cause, dstatus);
		if (has_dur)
			ev->talk_s = 0;
		return;
	default:
		ev->kind = EV_UNKNOWN;
		return;
	}
}

static enum cb_err
tw_parse(const struct prov_conf *c, const struct prov_req *r,
    struct call_event *ev, const char **why)
{
	const char *sid = tw_field(r, "CallSid");
	const char *parent = tw_field(r, "ParentCallSid");
	const char *cstatus = tw_field(r, "CallStatus");
	const char *dstatus = tw_field(r, "DialCallStatus");
	const char *rstatus = tw_field(r, "RecordingStatus");
	const char *ts = tw_field(r, "Timestamp"), *s;
	const char *recurl = tw_field(r, "RecordingUrl");
	const char *recsid = tw_field(r, "RecordingSid");
	struct tw_ints n;
	bool status_cb;
	const struct tw_rule *rule;
	enum tw_leg leg;
	enum tw_st st;
	enum cb_err rc;
	static const char *const party_fields[] = {
		"From", "To", "Caller", "Called", "CallerName"
	};
	size_t i;

	(void)c;
	if (sid == NULL) {
		if (tw_field(r, "AccountSid") != NULL) {
			/* Signed by Twilio but not about a call (a messaging
			 * webhook pointed here): keep it, answer 200. */
			ev->kind = EV_UNKNOWN;
			tw_type(ev, "twilio", tw_field(r, "SmsStatus") ?
			    "message" : "no-CallSid");
			return CB_OK;
		}
		*why = "not a Twilio Voice request: no CallSid";
		return CB_EINVAL;
	}
	if (!tw_sid_ok(sid) || (parent != NULL && !tw_sid_ok(parent))) {
		*why = "CallSid or ParentCallSid is not a Twilio id";
		return CB_EINVAL;
	}
	if (recsid != NULL && !tw_sid_ok(recsid)) {
		*why = "RecordingSid is not a Twilio id";
		return CB_EINVAL;
	}
	for (i = 0; i < sizeof(party_fields) / sizeof(party_fields[0]); i++)
		if ((s = tw_field(r, party_fields[i])) != NULL &&
		    strlen(s) > TW_MAX_PARTY) {
			*why = "From, To or CallerName is too long";
			return CB_EINVAL;
		}
	if ((rc = tw_ints_read(r, &n, why)) != CB_OK)
		return rc;
	if (ts != NULL && !tw_rfc2822(ts, &ev->at_ms)) {
		*why = "Timestamp is not an RFC 2822 date";
		return CB_EINVAL;
	}
	if (recurl != NULL) {
		if ((strncasecmp(recurl, "https://", 8) != 0 &&
		    strncasecmp(recurl, "http://", 7) != 0) ||
		    !url_is_safe(recurl, strlen(recurl)) ||
		    !ev_set(ev, recording_url, recurl)) {
			*why = "RecordingUrl is not an http(s) URL";
			return CB_EINVAL;
		}
	}
	if (recsid != NULL)
		ev_set(ev, recording_ref, recsid);

	if (parent != NULL) {
		ev_set(ev, call_id, parent);
		ev_set(ev, leg_id, sid);
	} else
		ev_set(ev, call_id, sid);
	if (n.has[TI_SEQ])
		ev->seq = (int32_t)n.v[TI_SEQ];
	leg = tw_parties(r, parent != NULL, ev);

	if (rstatus != NULL) {
		/* Recording callbacks carry no From/To: nothing to say about
		 * direction or parties beyond what was filled (nothing). */
		tw_recording(r, rstatus, ev);
		return CB_OK;
	}
	if (dstatus != NULL) {
		tw_dial(leg, dstatus, n.v[TI_DIAL_DUR], n.has[TI_DIAL_DUR], ev);
		return CB_OK;
	}
	status_cb = tw_field(r, "CallbackSource") != NULL || ts != NULL ||
	    n.has[TI_SEQ] || n.has[TI_CALL_DUR] || n.has[TI_DUR];
	if (recurl != NULL && !status_cb) {
		/* The action of our voicemail <Record>: the caller left a
		 * message, nobody talked to them. */
		tw_type(ev, "record", cstatus);
		ev->kind = EV_ENDED;
		ev->result = leg == LEG_INBOUND ? RES_MISSED : RES_NONE;
		ev_set(ev, hangup_cause, "voicemail");
		return CB_OK;
	}
	if (cstatus == NULL) {
		ev->kind = EV_UNKNOWN;
		tw_type(ev, status_cb ? "status" : "voice", "no-CallStatus");
		return CB_OK;
	}
	tw_type(ev, status_cb ? "status" : "voice", cstatus);
	if ((st = tw_status(cstatus)) == ST__MAX) {
		ev->kind = EV_UNKNOWN;
		return CB_OK;
	}
	if (status_cb) {
		/* No event id from Twilio; this one is the same for every
		 * retry of one callback and differs between callbacks. */
		if (n.has[TI_SEQ])
			snprintf(ev->event_id, sizeof(ev->event_id),
			    "%s:%s:%lld", sid, tw_st_names[st],
			    (long long)n.v[TI_SEQ]);
		else
			snprintf(ev->event_id, sizeof(ev->event_id), "%s:%s",
			    sid, tw_st_names[st]);
	}
	rule = &tw_rules[leg][st];
	ev->kind = rule->kind;
	ev->result = rule->res;
	if (ev->at_ms > 0) {
		if (ev->kind == EV_RINGING && parent == NULL &&
		    st != ST_ANSWERED)
			ev->started_ms = ev->at_ms;
		else if (ev->kind == EV_ANSWERED)
			ev->answered_ms = ev->at_ms;
		else if (ev->kind == EV_ENDED)
			ev->ended_ms = ev->at_ms;
	}
	if (ev->kind == EV_ENDED && rule->res == RES_ANSWERED &&
	    n.has[TI_CALL_DUR]) {
		ev->talk_s = (int32_t)n.v[TI_CALL_DUR];
		if (ev->ended_ms > 0)
			ev->answered_ms = ev->ended_ms -
			    n.v[TI_CALL_DUR] * 1000;
	}
	if (ev->kind == EV_ENDED && st != ST_COMPLETED)
		ev_set(ev, hangup_cause, tw_st_names[st]);
	/* The voice URL of a new call waits for TwiML (providers.md §1.3):
	 * route a customer to their manager, or place a softphone's call. */
	s = tw_field(r, "Direction");
	if (!status_cb && parent == NULL && st == ST_RINGING && s != NULL &&
	    strcmp(s, "inbound") == 0 && (leg == LEG_INBOUND ||
	    leg == LEG_MANAGER_OUT))
		ev->wants_route = true;
	return CB_OK;
}

/* ------------------------------------------------------------- answer */

/* A value we may put in TwiML: valid UTF-8, no C0 controls but TAB/LF/CR
 * (XML 1.0 §2.2 forbids them even escaped), at most max bytes. */
static bool
tw_xml_ok(const char *s, size_t max)
{
	size_t i, n;

	if (s == NULL || (n = strlen(s)) == 0 || n > max ||
	    !xmlCheckUTF8((const xmlChar *)s))
		return false;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if ((ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') ||
		    ch == 0x7f)
			return false;
	}
	return true;
}

/* An extension or SIP domain: what a <Client> identity and a SIP URI can
 * hold without escaping. */
static bool
tw_token_ok(const char *s, size_t max, const char *extra)
{
	size_t i, n;

	if (s == NULL || (n = strlen(s)) == 0 || n > max)
		return false;
	for (i = 0; i < n; i++) {
		char ch = s[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' ||
		    ch == '.' || (ch != '\0' && strchr(extra, ch) != NULL)))
			return false;
	}
	return true;
}

/* A number <Dial><Number> can call: "+" and 3 to 20 digits. */
static bool
tw_number_ok(const char *s)
{
	size_t n;

	if (s == NULL)
		return false;
	if (*s == '+')
		s++;
	n = strlen(s);
	return n >= 3 && n <= 20 && tw_digits(s, n);
}

static const char *
tw_conf(const struct prov_conf *c, const char *key)
{
	struct json_object *v;

	if (c->config && json_object_is_type(c->config, json_type_object) &&
	    json_object_object_get_ex(c->config, key, &v) &&
	    json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

/* Where Twilio calls back: config hook_url, else the integration's public
 * hook URL from the hook program, else the relative reference "<slug>"
 * that resolves against the URL Twilio requested (our …/hook/<slug>?…) to
 * that URL without its query. */
static enum cb_err
tw_base(const struct prov_conf *c, struct buf *b)
{
	const char *u = tw_conf(c, "hook_url");

	if (u == NULL)
		u = c->hook_url;

	if (u != NULL && tw_xml_ok(u, 1024) && url_is_safe(u, strlen(u)) &&
	    (strncasecmp(u, "https://", 8) == 0 ||
	    strncasecmp(u, "http://", 7) == 0))
		return buf_puts(b, u);
	if (c->slug == NULL || *c->slug == '\0' || strcmp(c->slug, ".") == 0 ||
	    strcmp(c->slug, "..") == 0)
		return CB_EINVAL;
	return url_component(b, c->slug, strlen(c->slug));
}

#define W(x) do { if ((x) < 0) return CB_ENOMEM; } while (0)

static enum cb_err
tw_el(xmlTextWriterPtr w, const char *name, const char *text)
{
	W(xmlTextWriterStartElement(w, BAD_CAST name));
	W(xmlTextWriterWriteString(w, BAD_CAST text));
	W(xmlTextWriterEndElement(w));
	return CB_OK;
}

static enum cb_err
tw_attr(xmlTextWriterPtr w, const char *name, const char *value)
{
	W(xmlTextWriterWriteAttribute(w, BAD_CAST name, BAD_CAST value));
	return CB_OK;
}

/* <Dial action timeout answerOnBridge record …> opened: the caller hears
 * ringing until someone answers, the talk is recorded in two channels,
 * and the action tells us how it ended (tw_dial). */
static enum cb_err
tw_dial_open(xmlTextWriterPtr w, const char *base, const char *caller_id)
{
	enum cb_err rc;

	W(xmlTextWriterStartElement(w, BAD_CAST "Dial"));
	if ((rc = tw_attr(w, "action", base)) ||
	    (rc = tw_attr(w, "timeout", TW_DIAL_TIMEOUT)) ||
	    (rc = tw_attr(w, "answerOnBridge", "true")) ||
	    (caller_id && (rc = tw_attr(w, "callerId", caller_id))) ||
	    (rc = tw_attr(w, "record", "record-from-answer-dual")) ||
	    (rc = tw_attr(w, "recordingStatusCallback", base)) ||
	    (rc = tw_attr(w, "recordingStatusCallbackEvent",
	    "completed absent")))
		return rc;
	return CB_OK;
}

/* A noun with our status callbacks, so every leg reports itself. */
static enum cb_err
tw_noun(xmlTextWriterPtr w, const char *noun, const char *base,
    const char *text)
{
	enum cb_err rc;

	W(xmlTextWriterStartElement(w, BAD_CAST noun));
	if ((rc = tw_attr(w, "statusCallbackEvent", TW_STATUS_EVENTS)) ||
	    (rc = tw_attr(w, "statusCallback", base)))
		return rc;
	W(xmlTextWriterWriteString(w, BAD_CAST text));
	W(xmlTextWriterEndElement(w));
	return CB_OK;
}

static enum cb_err
tw_dial_manager(const struct prov_conf *c, xmlTextWriterPtr w,
    const char *base, const char *ext)
{
	const char *prefix = tw_conf(c, "client_prefix");
	const char *domain = tw_conf(c, "sip_domain");
	char target[256];
	enum cb_err rc;

	if (prefix == NULL || !tw_token_ok(prefix, 64, ""))
		prefix = "manager_";
	if ((rc = tw_dial_open(w, base, NULL)) != CB_OK)
		return rc;
	if (domain != NULL && tw_token_ok(domain, 200, ":")) {
		snprintf(target, sizeof(target), "sip:%s@%s", ext, domain);
		rc = tw_noun(w, "Sip", base, target);
	} else {
		snprintf(target, sizeof(target), "%s%s", prefix, ext);
		rc = tw_noun(w, "Client", base, target);
	}
	if (rc != CB_OK)
		return rc;
	W(xmlTextWriterEndElement(w));
	return CB_OK;
}

static enum cb_err
tw_say_text(const struct prov_conf *c, xmlTextWriterPtr w, const char *key,
    const char *dflt)
{
	const char *t = tw_conf(c, key);

	return tw_el(w, "Say", t && tw_xml_ok(t, TW_MAX_TEXT) ? t : dflt);
}

/* The routing answer (providers.md §1.3, issue 3 §5): the responsible
 * manager, else the integration's fallback, else a polite goodbye. */
static enum cb_err
tw_route(const struct prov_conf *c, const struct call_event *ev,
    const struct route_answer *ra, xmlTextWriterPtr w, const char *base)
{
	const char *kind = ra ? ra->fallback_kind : NULL;
	const char *target = ra ? ra->fallback_target : NULL;
	enum cb_err rc;

	if (ev->dir == DIR_OUT) {
		/* A softphone calling a customer: dial the number it
		 * asked for, shown with our caller id when configured. */
		const char *cid = tw_conf(c, "caller_id");

		if (!tw_number_ok(ev->client))
			return tw_say_text(c, w, "busy_text", TW_BUSY_TEXT);
		if ((rc = tw_dial_open(w, base, tw_number_ok(cid) ? cid :
		    NULL)) != CB_OK || (rc = tw_noun(w, "Number", base,
		    ev->client)) != CB_OK)
			return rc;
		W(xmlTextWriterEndElement(w));
		return CB_OK;
	}
	if (ev->dir == DIR_INTERNAL)
		return tw_say_text(c, w, "busy_text", TW_BUSY_TEXT);
	if (ra && tw_token_ok(ra->extension, 32, ""))
		return tw_dial_manager(c, w, base, ra->extension);
	if (kind && strcmp(kind, "manager") == 0 && tw_token_ok(target, 32, ""))
		return tw_dial_manager(c, w, base, target);
	if (kind && strcmp(kind, "queue") == 0 && tw_xml_ok(target, 64))
		return tw_el(w, "Enqueue", target);
	if (kind && strcmp(kind, "voicemail") == 0) {
		if ((rc = tw_say_text(c, w, "voicemail_text", TW_VM_TEXT)) !=
		    CB_OK)
			return rc;
		W(xmlTextWriterStartElement(w, BAD_CAST "Record"));
		if ((rc = tw_attr(w, "action", base)) ||
		    (rc = tw_attr(w, "maxLength", "120")) ||
		    (rc = tw_attr(w, "playBeep", "true")) ||
		    (rc = tw_attr(w, "recordingStatusCallback", base)) ||
		    (rc = tw_attr(w, "recordingStatusCallbackEvent",
		    "completed absent")))
			return rc;
		W(xmlTextWriterEndElement(w));
		return CB_OK;
	}
	if ((rc = tw_say_text(c, w, "busy_text", TW_BUSY_TEXT)) != CB_OK)
		return rc;
	W(xmlTextWriterStartElement(w, BAD_CAST "Hangup"));
	W(xmlTextWriterEndElement(w));
	return CB_OK;
}

/* TwiML for every request: Twilio ignores the body of status and
 * recording callbacks, and an empty <Response/> after a <Dial action> or
 * <Record action> ends the call. Built with xmlTextWriter, so every
 * value is escaped by the writer (STYLE §2.11), never concatenated. */
static enum cb_err
tw_answer(const struct prov_conf *c, const struct call_event *ev,
    const struct route_answer *ra, struct buf *out, const char **content_type)
{
	xmlBufferPtr xb;
	xmlTextWriterPtr w;
	struct buf base;
	enum cb_err rc = CB_OK;

	*content_type = "text/xml";
	if ((xb = xmlBufferCreate()) == NULL)
		return CB_ENOMEM;
	if ((w = xmlNewTextWriterMemory(xb, 0)) == NULL) {
		xmlBufferFree(xb);
		return CB_ENOMEM;
	}
	buf_init(&base, 4096);
	if (xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) < 0 ||
	    xmlTextWriterStartElement(w, BAD_CAST "Response") < 0)
		rc = CB_ENOMEM;
	if (rc == CB_OK && ev->wants_route) {
		if ((rc = tw_base(c, &base)) == CB_OK)
			rc = tw_route(c, ev, ra, w, buf_cstr(&base));
	}
	if (rc == CB_OK && xmlTextWriterEndDocument(w) < 0)
		rc = CB_ENOMEM;
	xmlFreeTextWriter(w);   /* flushes into xb */
	if (rc == CB_OK)
		rc = buf_append(out, xmlBufferContent(xb),
		    (size_t)xmlBufferLength(xb));
	xmlBufferFree(xb);
	buf_free(&base);
	return rc;
}

#undef W

static const struct prov_field tw_fields[] = {
	{ "account_sid", "Account SID", true, true, NULL },
	{ "auth_token", "Auth token (signs every webhook)", true, true, NULL },
	{ NULL, NULL, false, false, NULL }
};

const struct provider twilio_provider = {
	.kind = "twilio",
	.label = "Twilio Voice",
	.countries = NULL,
	.fields = tw_fields,
	.where = "the number's \"A call comes in\" webhook and its status "
	    "callback",
	.verify = tw_verify,
	.parse = tw_parse,
	.answer = tw_answer,
	.dial = &twilio_dial,
	.hangup = twilio_hangup_build,
	.recording = &twilio_recording,
	.test_event = twilio_test_event,
	.history = &twilio_history,
};
