/* Zadarma PBX "call info" notifications (providers.md §2).
 *
 * Zadarma POSTs one form per event (NOTIFY_START, NOTIFY_INTERNAL, ...)
 * with a `Signature` header: HMAC-SHA1 keyed with the API secret over a
 * few field values joined without separators (§2.1 table). Which fields
 * are signed depends on the event. A URL check is a GET ?zd_echo=X that
 * must be answered with X itself and carries no signature (§2.2).
 *
 * Every event of one physical call carries the same pbx_call_id, which is
 * the call's key here: extensions that rang (NOTIFY_INTERNAL) become legs
 * of that call, never calls of their own (issue 3 §3). */
#include "config.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <json-c/json.h>

#include "calls/event.h"
#include "core/buf.h"
#include "core/strparse.h"
#include "core/timefmt.h"
#include "db/housekeeping.h"
#include "http/request.h"
#include "net/sig.h"
#include "net/ipmatch.h"
#include "phone/phone.h"
#include "providers/provider.h"
#include "providers/zadarma/zadarma.h"
#include "providers/adapt.h"
#include "reconcile/history.h"

/* Answered with return_timeout: ring the manager this long, then go back
 * to the scenario (§2.3: 0 = never return, >= 3 = seconds). */
#define ZD_RETURN_TIMEOUT 20
/* Caller name shown on the phone: SIP displays are short (§2.3). */
#define ZD_CALLER_NAME_MAX 40
#define ZD_MAX_DURATION (10 * 24 * 3600)
/* Three signed values, each capped by the request layer. */
#define ZD_SIGNED_MAX (3 * HTTP_MAX_VALUE + 1)

enum zd_type {
	ZD_START, ZD_INTERNAL, ZD_ANSWER, ZD_END, ZD_OUT_START, ZD_OUT_END,
	ZD_RECORD, ZD_IVR, ZD_INTERNAL_END, ZD__MAX
};

/* Which values are concatenated for the Signature (§2.1, the official
 * PHP client's getSignatureString()). */
enum zd_sig {
	ZS_CALLER_DID,      /* caller_id . called_did . call_start */
	ZS_CALLER_DEST,     /* caller_id . destination . call_start */
	ZS_INTERNAL_DEST,   /* internal . destination . call_start */
	ZS_RECORD,          /* pbx_call_id . call_id_with_rec */
	ZS__MAX
};

static const char *const zd_sig_fields[ZS__MAX][3] = {
	{ "caller_id", "called_did", "call_start" },
	{ "caller_id", "destination", "call_start" },
	{ "internal", "destination", "call_start" },
	{ "pbx_call_id", "call_id_with_rec", NULL },
};

static const struct zd_event {
	const char *name;
	enum zd_sig sig;
} zd_events[ZD__MAX] = {
	[ZD_START] = { "NOTIFY_START", ZS_CALLER_DID },
	[ZD_INTERNAL] = { "NOTIFY_INTERNAL", ZS_CALLER_DID },
	[ZD_ANSWER] = { "NOTIFY_ANSWER", ZS_CALLER_DEST },
	[ZD_END] = { "NOTIFY_END", ZS_CALLER_DID },
	[ZD_OUT_START] = { "NOTIFY_OUT_START", ZS_INTERNAL_DEST },
	[ZD_OUT_END] = { "NOTIFY_OUT_END", ZS_INTERNAL_DEST },
	[ZD_RECORD] = { "NOTIFY_RECORD", ZS_RECORD },
	[ZD_IVR] = { "NOTIFY_IVR", ZS_CALLER_DID },
	/* Undocumented (seen by npm `zadarma`, §2.1): assumed "as
	 * INTERNAL", but verify() also tries the other forms (§6.2). */
	[ZD_INTERNAL_END] = { "NOTIFY_INTERNAL_END", ZS_CALLER_DID },
};

/* `disposition` of NOTIFY_END / NOTIFY_OUT_END (§2.1, PHP docblocks; the
 * statistics API spells "call failed"). A caller who gave up or was not
 * picked up is "missed" on an incoming call, "no answer" on ours. */
static const struct zd_disposition {
	const char *name;
	enum call_result in, out;
} zd_dispositions[] = {
	{ "answered", RES_ANSWERED, RES_ANSWERED },
	{ "busy", RES_BUSY, RES_BUSY },
	{ "cancel", RES_MISSED, RES_NO_ANSWER },
	{ "no answer", RES_MISSED, RES_NO_ANSWER },
	{ "failed", RES_FAILED, RES_FAILED },
	{ "call failed", RES_FAILED, RES_FAILED },
	{ "no money", RES_FAILED, RES_FAILED },
	{ "unallocated number", RES_FAILED, RES_FAILED },
	{ "no limit", RES_FAILED, RES_FAILED },
	{ "no day limit", RES_FAILED, RES_FAILED },
	{ "line limit", RES_FAILED, RES_FAILED },
	{ "no money, no limit", RES_FAILED, RES_FAILED },
};

static enum zd_type
zd_type_find(const char *name)
{
	int i;

	for (i = 0; i < ZD__MAX; i++)
		if (strcmp(zd_events[i].name, name) == 0)
			return (enum zd_type)i;
	return ZD__MAX;
}

/* --- source addresses (§2.2: make the IP allow-list configurable) --- */

/* On by default (issue 16 §7): an integration whose config has no
 * "allowed_ips" accepts notifications from these networks only. The
 * official example checks 185.45.152.42 (providers.md §2.2 [V]); the six
 * networks are those Zadarma lists for its servers (External server / SIP
 * URI dialog, quoted by several integrations [C]) and hold that address.
 * the integration form shows them (.networks) on the integration's page. */
static const char *const zd_default_networks[] = {
	"185.45.152.0/24", "185.45.154.0/24", "185.45.155.0/24",
	"195.122.19.0/27", "31.31.222.192/27", "15.235.128.64/28", NULL
};

static bool
zd_ip_in(const char *const *list, size_t n, struct json_object *jlist,
    const unsigned char addr[16])
{
	struct json_object *e;
	size_t i;

	for (i = 0; i < n; i++) {
		if (jlist != NULL) {
			e = json_object_array_get_idx(jlist, i);
			if (json_object_is_type(e, json_type_string) &&
			    ip_match(json_object_get_string(e), addr))
				return true;
		} else if (ip_match(list[i], addr))
			return true;
	}
	return false;
}

/* CB_OK when the peer is in config "allowed_ips" (Zadarma's networks when
 * there is none). An empty list turns the check off: the admin's explicit
 * choice, shown on the integration's page. */
static enum cb_err
zd_ip_check(const struct prov_conf *c, const char *remote, const char **why)
{
	struct json_object *list = NULL;
	unsigned char addr[16];
	size_t n;
	bool v4;

	if (c->config != NULL &&
	    json_object_object_get_ex(c->config, "allowed_ips", &list)) {
		if (!json_object_is_type(list, json_type_array)) {
			*why = "allowed_ips is not a list";
			return CB_EDENIED;
		}
		if ((n = json_object_array_length(list)) == 0)
			return CB_OK;
	} else {
		for (n = 0; zd_default_networks[n] != NULL; n++)
			;
		list = NULL;
	}
	if (remote != NULL && ip_parse(remote, addr, &v4) &&
	    zd_ip_in(zd_default_networks, n, list, addr))
		return CB_OK;
	*why = list == NULL ? "source address is not one of Zadarma's "
	    "networks (the integration's allowed source addresses)" :
	    "source address not in allowed_ips";
	return CB_EDENIED;
}

/* --- signature (§2.2, §5.4) --- */

/* Both encodings are built and both compared in constant time: the
 * documented base64(hex(HMAC)) and the TS SDK's base64(raw HMAC). The
 * live service's choice is unverified (§6.1). */
static bool
zd_sig_ok(const char *secret, const char *msg, size_t len, const char *hdr)
{
	unsigned char mac[SIG_SHA1_LEN];
	char hex[2 * SIG_SHA1_LEN + 1];
	char b64hex[4 * ((2 * SIG_SHA1_LEN + 2) / 3) + 1];
	char b64raw[4 * ((SIG_SHA1_LEN + 2) / 3) + 1];
	bool a, b;

	sig_hmac_sha1(secret, strlen(secret), msg, len, mac);
	sig_hex(mac, sizeof(mac), hex);
	sig_base64((const unsigned char *)hex, 2 * SIG_SHA1_LEN, b64hex);
	sig_base64(mac, sizeof(mac), b64raw);
	a = sig_equal(hdr, b64hex);
	b = sig_equal(hdr, b64raw);
	return a | b;
}

/* The signed string of form `s`: the values joined raw, a missing one
 * counting as "" (as PHP's concatenation of null does). */
static enum cb_err
zd_signed_string(const struct prov_req *r, enum zd_sig s, struct buf *b)
{
	const char *v;
	int i;

	buf_reset(b);
	for (i = 0; i < 3 && zd_sig_fields[s][i] != NULL; i++)
		if ((v = prov_field(r, zd_sig_fields[s][i])) != NULL)
			buf_puts(b, v);
	return b->err;
}

static const char *
zd_header(const struct prov_req *r, const char *name)
{
	return r->header ? r->header(r->hctx, name) : NULL;
}

static enum cb_err zd_time(const struct prov_conf *c, const char *s,
    int64_t *ms);

/* The signed fields never name the call, so a signature is bound to its
 * first call in call_signatures, which keeps it HK_SIGNATURE_KEEP_S (7
 * days, lib/db/housekeeping.h). A replay after that is refused here: the
 * signed call_start would be older than ZD_MAX_AGE_S. Zadarma retries a
 * notification for minutes; the margin covers a misconfigured time zone
 * (at most 14 hours) and a call lasting up to 10 hours after its START
 * bound the signature. Events replayed from the spool or a dead letter
 * were verified when they arrived and skip this. */
#define ZD_MAX_AGE_S (6 * 86400)
_Static_assert(ZD_MAX_AGE_S + 24 * 3600 <= HK_SIGNATURE_KEEP_S,
    "a signature's binding must outlive the age at which it is refused");

static bool
zd_too_old(const struct prov_conf *c, const struct prov_req *r)
{
	const char *start = prov_field(r, "call_start");
	int64_t ms;

	if (r->now <= 0 || start == NULL || zd_time(c, start, &ms) != CB_OK)
		return false;  /* no clock, or parse() says what is wrong */
	return ms < (r->now - ZD_MAX_AGE_S) * 1000;
}

static enum cb_err
zd_verify(const struct prov_conf *c, const struct prov_req *r,
    const char **why)
{
	const char *secret, *sig, *event;
	enum zd_type t;
	struct buf b;
	bool ok = false;
	int s;

	/* The URL check carries no signature (§2.2); it stores nothing and
	 * echoes a bounded printable token, so it is safe unsigned and from
	 * any address: Zadarma's own check when the URL is saved, and the
	 * integration page's "send a test event" (from this server). */
	if (r->query && kv_get(r->query, "zd_echo") != NULL)
		return CB_OK;
	if (zd_ip_check(c, r->remote_addr, why) != CB_OK)
		return CB_EDENIED;
	if ((secret = prov_secret(c, "secret")) == NULL || *secret == '\0') {
		*why = "integration has no Zadarma API secret";
		return CB_EDENIED;
	}
	if ((sig = zd_header(r, "Signature")) == NULL || *sig == '\0') {
		*why = "missing Signature header";
		return CB_EDENIED;
	}
	event = prov_field(r, "event");
	t = event ? zd_type_find(event) : ZD__MAX;
	buf_init(&b, ZD_SIGNED_MAX);
	if (t != ZD__MAX && t != ZD_INTERNAL_END) {
		if (zd_signed_string(r, zd_events[t].sig, &b) == CB_OK)
			ok = zd_sig_ok(secret, buf_cstr(&b), b.len, sig);
	} else {
		/* An event we do not know the signed fields of: any of the
		 * known forms signed with our secret proves the sender. */
		for (s = 0; s < ZS__MAX && !ok; s++)
			if (zd_signed_string(r, (enum zd_sig)s, &b) == CB_OK)
				ok = zd_sig_ok(secret, buf_cstr(&b), b.len,
				    sig);
	}
	buf_free(&b);
	if (!ok) {
		*why = "bad Signature";
		return CB_EDENIED;
	}
	if (t != ZD_RECORD && zd_too_old(c, r)) {
		*why = "call_start is more than 6 days old: a replayed request";
		return CB_EDENIED;
	}
	return CB_OK;
}

/* --- parsing --- */

/* A text field: printable ASCII shorter than cap. NULL when absent (or
 * empty and !required). */
static enum cb_err
zd_text(const struct prov_req *r, const char *name, size_t cap,
    bool required, const char *bad, const char **out, const char **why)
{
	const char *v = prov_field(r, name);

	*out = NULL;
	if (v == NULL || *v == '\0') {
		if (!required)
			return CB_OK;
		*why = bad;
		return CB_EINVAL;
	}
	if (strlen(v) >= cap || !adapt_printable(v)) {
		*why = bad;
		return CB_EINVAL;
	}
	*out = v;
	return CB_OK;
}

/* The account's time zone: config "time_zone" (an IANA name, set on the
 * integration's page), else the usual zone of the integration's country
 * (issue 15 §2.2: a Zadarma account keeps local time, §2.1, so UTC was
 * hours off for everyone east or west of it). */
const char *
zadarma_time_zone(struct json_object *config, const char *country)
{
	struct json_object *v;
	const char *tz;

	if (config != NULL &&
	    json_object_object_get_ex(config, "time_zone", &v) &&
	    json_object_is_type(v, json_type_string) &&
	    *(tz = json_object_get_string(v)) != '\0')
		return tz;
	return phone_region_time_zone(country);
}

static enum cb_err zd_utc_time(const char *s, int64_t *ms);

/* "YYYY-MM-DD HH:MM:SS" in the account's zone → unix ms. */
static enum cb_err
zd_time(const struct prov_conf *c, const char *s, int64_t *ms)
{
	static const char pat[] = "dddd-dd-dd dd:dd:dd";
	const char *tz = zadarma_time_zone(c->config, c->default_country);
	char utc[32];
	size_t i;

	if (strlen(s) != sizeof(pat) - 1)
		return CB_EINVAL;
	for (i = 0; pat[i]; i++)
		if (pat[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != pat[i])
			return CB_EINVAL;
	if (zd_utc_time(s, ms) != CB_OK) /* a real date at all */
		return CB_EINVAL;
	if (strcmp(tz, "UTC") != 0) {
		if (time_local_to_utc(s, tz, utc, sizeof(utc)) != CB_OK)
			return CB_EINVAL;
		s = utc;
	}
	return zd_utc_time(s, ms);
}

/* "YYYY-MM-DD HH:MM:SS" read as UTC → unix ms. */
static enum cb_err
zd_utc_time(const char *s, int64_t *ms)
{
	struct tm tm, chk;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2d %2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return CB_EINVAL;
	if (tm.tm_year < 1970 || tm.tm_year > 9999 || tm.tm_mon < 1 ||
	    tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 59)
		return CB_EINVAL;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	chk = tm;
	if ((t = timegm(&tm)) == (time_t)-1 || tm.tm_mday != chk.tm_mday)
		return CB_EINVAL; /* 2024-02-31 */
	*ms = (int64_t)t * 1000;
	return CB_OK;
}

static enum call_result
zd_result(const char *disposition, enum call_dir dir)
{
	size_t i;

	if (disposition == NULL)
		return RES_UNKNOWN;
	for (i = 0; i < sizeof(zd_dispositions) / sizeof(zd_dispositions[0]);
	    i++)
		if (strcasecmp(zd_dispositions[i].name, disposition) == 0)
			return dir == DIR_OUT ? zd_dispositions[i].out :
			    zd_dispositions[i].in;
	return RES_UNKNOWN; /* never guess (DESIGN §3) */
}

/* Cross-check of call_start against call_id_with_rec, whose integer part
 * is a unix time (an Asterisk uniqueid: the recorded channel's creation,
 * about the call's start or answer) [U]. When the two disagree by 15
 * minutes or more, the configured zone is wrong for this account: the
 * offset is taken from the unix time, rounded to the quarter hour that
 * zones use, so the seconds between start and answer do not matter. */
#define ZD_QUARTER_MS (15 * 60 * 1000)
#define ZD_MAX_OFFSET_MS (14LL * 3600 * 1000)
static void
zd_cross_check(const char *start, const char *recid, int64_t *started_ms)
{
	int64_t unix_s, naive, off, fixed;
	char whole[16];
	size_t n;

	if (start == NULL || recid == NULL || *started_ms <= 0)
		return;
	n = strcspn(recid, ".");
	if (n < 9 || n > 11)
		return;
	memcpy(whole, recid, n);
	whole[n] = '\0';
	if (strparse_i64z(whole, 946684800, 9999999999LL, &unix_s) != CB_OK ||
	    zd_utc_time(start, &naive) != CB_OK)
		return;
	off = naive - unix_s * 1000;
	if (off > ZD_MAX_OFFSET_MS || off < -ZD_MAX_OFFSET_MS)
		return; /* not a time of this call */
	off = (off >= 0 ? off + ZD_QUARTER_MS / 2 : off - ZD_QUARTER_MS / 2) /
	    ZD_QUARTER_MS * ZD_QUARTER_MS;
	fixed = naive - off;
	if (fixed - *started_ms >= ZD_QUARTER_MS ||
	    *started_ms - fixed >= ZD_QUARTER_MS)
		*started_ms = fixed;
}

/* The signed string's key (issue 16 §7): the three signed fields never
 * name the call, so one captured request could be replayed for any other
 * call. The ingest procedure binds this key to the first pbx_call_id it
 * comes with (a call's START, INTERNAL, IVR and END share it) and refuses
 * it with another. Keyed on what was signed, not on the header, so the
 * two accepted encodings of one HMAC are one key. */
static void
zd_sig_key(const struct prov_req *r, enum zd_sig sig, struct call_event *ev)
{
	unsigned char d[SIG_SHA256_LEN];
	struct buf b;

	ev->sig_key[0] = '\0';
	if (sig == ZS_RECORD)
		return; /* pbx_call_id is one of the signed fields */
	/* Withheld callers all sign the same caller_id ("0", "anonymous"):
	 * two of them calling one line in one second are two real calls, and
	 * refusing the second would lose it. Left unbound (README: what is
	 * left). */
	if (ev->client_withheld)
		return;
	buf_init(&b, ZD_SIGNED_MAX + 16);
	buf_printf(&b, "%d:", (int)sig);
	if (b.err == CB_OK) {
		struct buf v;
		buf_init(&v, ZD_SIGNED_MAX);
		if (zd_signed_string(r, sig, &v) == CB_OK)
			buf_append(&b, buf_cstr(&v), v.len);
		buf_free(&v);
	}
	if (b.err == CB_OK) {
		sig_sha256(buf_cstr(&b), b.len, d);
		sig_hex(d, sizeof(d), ev->sig_key);
	}
	buf_free(&b);
}

/* pbx_call_id ":" event [":" extra]. When that does not fit, the pipeline
 * falls back to a payload hash, which still dedupes verbatim retries. */
static void
zd_event_id(struct call_event *ev, const char *event, const char *extra)
{
	int n;

	n = snprintf(ev->event_id, sizeof(ev->event_id), "%s:%s%s%s",
	    ev->call_id, event, extra ? ":" : "", extra ? extra : "");
	if (n < 0 || (size_t)n >= sizeof(ev->event_id))
		ev->event_id[0] = '\0';
}

/* NOTIFY_END / NOTIFY_OUT_END: the outcome, talk time, recording. */
static enum cb_err
zd_parse_end(const struct prov_req *r, struct call_event *ev,
    const char **why)
{
	const char *disp, *dur, *rec, *recid, *code;
	int64_t n;

	if (zd_text(r, "disposition", 64, false, "malformed disposition",
	    &disp, why) ||
	    zd_text(r, "status_code", sizeof(ev->hangup_cause), false,
	    "malformed status_code", &code, why) ||
	    zd_text(r, "call_id_with_rec", sizeof(ev->recording_ref), false,
	    "malformed call_id_with_rec", &recid, why))
		return CB_EINVAL;
	ev->result = zd_result(disp, ev->dir);
	ev_set(ev, hangup_cause, code);
	if ((dur = prov_field(r, "duration")) != NULL && *dur != '\0') {
		if (strparse_i64z(dur, 0, ZD_MAX_DURATION, &n) != CB_OK) {
			*why = "malformed duration";
			return CB_EINVAL;
		}
		/* duration counts talk on an answered call (issue 3 brief);
		 * nobody talked on any other outcome. */
		ev->talk_s = ev->result == RES_ANSWERED ? (int32_t)n : 0;
	} else if (ev->result != RES_ANSWERED && ev->result != RES_UNKNOWN)
		ev->talk_s = 0;
	rec = prov_field(r, "is_recorded");
	if (rec != NULL && strcmp(rec, "1") == 0 && recid != NULL)
		ev_set(ev, recording_ref, recid);
	else if (rec != NULL && strcmp(rec, "0") == 0)
		ev->recording_absent = true;
	else if (rec != NULL && *rec != '\0' && strcmp(rec, "1") != 0) {
		*why = "malformed is_recorded";
		return CB_EINVAL;
	}
	return CB_OK;
}

static enum cb_err
zd_parse_echo(const struct prov_req *r, struct call_event *ev,
    const char **why)
{
	const char *x = kv_get(r->query, "zd_echo");

	if (strlen(x) >= sizeof(ev->echo) || !adapt_printable(x)) {
		*why = "zd_echo must be short printable ASCII";
		return CB_EINVAL;
	}
	ev->kind = EV_ECHO;
	ev_set(ev, type_name, "zd_echo");
	ev_set(ev, echo, x);
	return CB_OK;
}

static enum cb_err
zd_parse(const struct prov_conf *c, const struct prov_req *r,
    struct call_event *ev, const char **why)
{
	const char *event, *id, *caller, *did, *dest, *internal, *start;
	const char *recid, *extra = NULL, *last = NULL;
	enum zd_type t;
	size_t elen;

	if (r->query && kv_get(r->query, "zd_echo") != NULL)
		return zd_parse_echo(r, ev, why);
	if ((event = prov_field(r, "event")) == NULL || *event == '\0' ||
	    !adapt_printable(event)) {
		*why = "no event field";
		return CB_EINVAL;
	}
	elen = strlen(event);
	ev_copy(ev->type_name, sizeof(ev->type_name), event,
	    elen < sizeof(ev->type_name) ? elen : sizeof(ev->type_name) - 1);
	t = zd_type_find(event);
	if (zd_text(r, "pbx_call_id", sizeof(ev->call_id), t != ZD__MAX,
	    "missing or malformed pbx_call_id", &id, why))
		return CB_EINVAL;
	ev_set(ev, call_id, id);
	if (t == ZD__MAX) {
		/* Stored raw and answered 200 so Zadarma stops retrying
		 * (issue 3 "Bad input"). */
		ev->kind = EV_UNKNOWN;
		return CB_OK;
	}
	if (zd_text(r, "caller_id", 128, false,
	    "malformed caller_id", &caller, why) ||
	    zd_text(r, "called_did", sizeof(ev->our_number), false,
	    "malformed called_did", &did, why) ||
	    zd_text(r, "destination", sizeof(ev->client), false,
	    "malformed destination", &dest, why) ||
	    zd_text(r, "internal", sizeof(ev->extension), false,
	    "malformed internal", &internal, why) ||
	    zd_text(r, "call_start", 32, false, "malformed call_start",
	    &start, why))
		return CB_EINVAL;
	if (start != NULL && zd_time(c, start, &ev->started_ms) != CB_OK) {
		*why = "malformed call_start";
		return CB_EINVAL;
	}
	/* A caller who withheld their number: Zadarma sends the field empty,
	 * "anonymous" or "0" (ev_set_client decides, for every provider). */
	if (caller == NULL && prov_field(r, "caller_id") != NULL)
		caller = "";
	if (caller != NULL && !phone_withheld(caller, strlen(caller)) &&
	    strlen(caller) >= sizeof(ev->client)) {
		*why = "malformed caller_id";
		return CB_EINVAL;
	}

	switch (t) {
	case ZD_START:
	case ZD_IVR:
		/* The call enters the PBX (or leaves a voice menu) and
		 * Zadarma waits for where to send it (§2.3). */
		ev->kind = EV_RINGING;
		ev->wants_route = true;
		ev->dir = DIR_IN;
		ev->at_ms = ev->started_ms;
		ev_set_client(ev, caller, (size_t)-1);
		ev_set(ev, our_number, did);
		/* Each voice menu of a call asks again: its name keeps the
		 * event ids apart. */
		if (t == ZD_IVR &&
		    (extra = prov_field(r, "wait_dtmf[name]")) != NULL &&
		    (strlen(extra) > 32 || !adapt_printable(extra)))
			extra = NULL;
		break;
	case ZD_INTERNAL:
		/* One per extension tried: a leg of the same call. The
		 * pipeline keys the leg by call_id + extension. */
		if (internal == NULL) {
			*why = "NOTIFY_INTERNAL without internal";
			return CB_EINVAL;
		}
		ev->kind = EV_RINGING;
		ev->dir = DIR_IN;
		ev_set_client(ev, caller, (size_t)-1);
		ev_set(ev, our_number, did);
		ev_set(ev, extension, internal);
		extra = internal;
		break;
	case ZD_ANSWER:
		ev->kind = EV_ANSWERED;
		if (strncmp(id, "out_", 4) == 0) {
			/* Documented for incoming calls only; should one come
			 * for an outgoing call (ids "out_...", §2.1 [U]), the
			 * customer is the destination. */
			ev->dir = DIR_OUT;
			ev_set_client(ev, dest, (size_t)-1);
			ev_set(ev, extension, internal);
		} else {
			/* `destination` is the number the call went to: the
			 * extension unless `internal` says otherwise. */
			ev->dir = DIR_IN;
			ev_set_client(ev, caller, (size_t)-1);
			if (internal == NULL && dest != NULL &&
			    strlen(dest) >= sizeof(ev->extension)) {
				*why = "malformed destination";
				return CB_EINVAL;
			}
			ev_set(ev, extension, internal ? internal : dest);
		}
		extra = ev->extension[0] ? ev->extension : NULL;
		break;
	case ZD_END:
		/* After a blind or attended transfer `internal` is who took
		 * the call first and `last_internal` who talked last (issue
		 * 15 §2.3): the call's manager is the last one. */
		if (zd_text(r, "last_internal", sizeof(ev->extension), false,
		    "malformed last_internal", &last, why))
			return CB_EINVAL;
		ev->kind = EV_ENDED;
		ev->dir = DIR_IN;
		ev_set_client(ev, caller, (size_t)-1);
		ev_set(ev, our_number, did);
		ev_set(ev, extension, last ? last : internal);
		if (zd_parse_end(r, ev, why) != CB_OK)
			return CB_EINVAL;
		zd_cross_check(start, prov_field(r, "call_id_with_rec"),
		    &ev->started_ms);
		break;
	case ZD_OUT_START:
	case ZD_OUT_END:
		/* From an extension to the customer: `destination` is the
		 * client, `caller_id` the line shown to them (npm reads it,
		 * §2.1) unless it is just the extension again. */
		ev->kind = t == ZD_OUT_START ? EV_RINGING : EV_ENDED;
		ev->dir = DIR_OUT;
		ev_set_client(ev, dest, (size_t)-1);
		ev_set(ev, extension, internal);
		if (caller != NULL && (internal == NULL ||
		    strcmp(caller, internal) != 0))
			ev_set(ev, our_number, caller);
		if (t == ZD_OUT_START)
			ev->at_ms = ev->started_ms;
		else if (zd_parse_end(r, ev, why) != CB_OK)
			return CB_EINVAL;
		else
			zd_cross_check(start, prov_field(r,
			    "call_id_with_rec"), &ev->started_ms);
		break;
	case ZD_RECORD:
		if (zd_text(r, "call_id_with_rec", sizeof(ev->recording_ref),
		    true, "missing or malformed call_id_with_rec", &recid,
		    why))
			return CB_EINVAL;
		ev->kind = EV_RECORDING;
		ev_set(ev, recording_ref, recid);
		break;
	case ZD_INTERNAL_END:
		/* Fields undocumented (§6.2): kept raw with the extension,
		 * but it says nothing reliable about the call's state, and
		 * the call's own NOTIFY_END follows. */
		ev->kind = EV_IGNORED;
		ev->dir = DIR_IN;
		ev_set_client(ev, caller, (size_t)-1);
		ev_set(ev, extension, internal);
		extra = internal;
		break;
	case ZD__MAX:
	default:
		abort();
	}
	zd_event_id(ev, zd_events[t].name, extra && *extra ? extra : NULL);
	zd_sig_key(r, zd_events[t].sig, ev);
	return CB_OK;
}

/* --- answering --- */

/* At most max code points of valid UTF-8 from s, cut on a character
 * boundary; stops early at an invalid sequence. */
static size_t
zd_utf8_prefix(const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, chars = 0, n, k;

	while (p[i] && chars < max) {
		if (p[i] < 0x80)
			n = 1;
		else if ((p[i] & 0xe0) == 0xc0 && p[i] >= 0xc2)
			n = 2;
		else if ((p[i] & 0xf0) == 0xe0)
			n = 3;
		else if ((p[i] & 0xf8) == 0xf0 && p[i] <= 0xf4)
			n = 4;
		else
			break;
		for (k = 1; k < n; k++)
			if ((p[i + k] & 0xc0) != 0x80)
				return i;
		i += n;
		chars++;
	}
	return i;
}

/* §2.3: {"redirect":"101","return_timeout":20,"caller_name":"..."};
 * {} lets the configured scenario continue. */
static enum cb_err
zd_route_json(const struct route_answer *ra, struct buf *out)
{
	struct json_object *o;
	const char *target = NULL, *js;
	bool to_manager = false;
	enum cb_err rc;

	if ((o = json_object_new_object()) == NULL)
		return CB_ENOMEM;
	if (ra != NULL) {
		if (ra->extension != NULL && *ra->extension != '\0') {
			target = ra->extension;
			to_manager = true;
		} else if (ra->fallback_kind != NULL &&
		    ra->fallback_target != NULL &&
		    *ra->fallback_target != '\0' &&
		    (strcmp(ra->fallback_kind, "queue") == 0 ||
		    strcmp(ra->fallback_kind, "voicemail") == 0 ||
		    strcmp(ra->fallback_kind, "manager") == 0))
			target = ra->fallback_target;
	}
	if (target != NULL) {
		json_object_object_add(o, "redirect",
		    json_object_new_string(target));
		if (to_manager)
			json_object_object_add(o, "return_timeout",
			    json_object_new_int(ZD_RETURN_TIMEOUT));
	}
	if (ra != NULL && ra->customer_name != NULL &&
	    *ra->customer_name != '\0') {
		size_t n = zd_utf8_prefix(ra->customer_name,
		    ZD_CALLER_NAME_MAX);
		if (n > 0)
			json_object_object_add(o, "caller_name",
			    json_object_new_string_len(ra->customer_name,
			    (int)n));
	}
	js = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	rc = js ? buf_puts(out, js) : CB_ENOMEM;
	json_object_put(o);
	return rc;
}

static enum cb_err
zd_answer(const struct prov_conf *c, const struct call_event *ev,
    const struct route_answer *ra, struct buf *out,
    const char **content_type)
{
	if (ev->kind == EV_ECHO) {
		/* §2.2: the raw value, as `exit($_GET['zd_echo'])` does. */
		*content_type = "text/plain";
		return buf_puts(out, ev->echo);
	}
	if (ev->wants_route) {
		*content_type = "application/json";
		return zd_route_json(ra, out);
	}
	/* Zadarma ignores the body of every other notification. */
	*content_type = "text/plain";
	return buf_puts(out, "");
}

static const struct prov_field zd_fields[] = {
	{ "key", "API key", true, true, NULL },
	{ "secret", "API secret", true, true, NULL },
	{ NULL, NULL, false, false, NULL }
};

const struct provider zadarma_provider = {
	.kind = "zadarma",
	.label = "Zadarma",
	.countries = NULL,
	.fields = zd_fields,
	.where = "PBX › API notifications (NOTIFY_START … NOTIFY_RECORD)",
	.time_zone = zadarma_time_zone,
	.networks = zd_default_networks,
	.verify = zd_verify,
	.parse = zd_parse,
	.answer = zd_answer,
	.dial = &zadarma_dial,
	/* Zadarma's API documents no hang-up of a call in progress (its
	 * openapi has none; {"hangup":1} only answers NOTIFY_START). */
	.hangup = NULL,
	.recording = &zadarma_recording,
	.test_event = zadarma_test_event,
	.history = &zadarma_history,
};
