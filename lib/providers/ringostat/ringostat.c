/* Ringostat "Webhooks 2.0" (providers-2.md §3).
 *
 * Nothing about a Ringostat webhook is fixed (§3.1): the admin picks the
 * moment (before the call, when the call is taken, after the call), the
 * method, the format (JSON or a form; GET puts everything in the query)
 * and the parameters. We read any of those shapes: a form field, else a
 * JSON member, else a query parameter. README says which parameters to
 * tick; call_id is the one that is required.
 *
 * Which moment a request is: the "event" parameter when the admin added
 * one to the URL (before / answer / after), else what it carries: a
 * status or durations only come after the call, an employee without them
 * when the call is taken, neither before it.
 *
 * Nothing is signed and no address list is published (§3.4): the URL
 * carries the integration's key (?key=...), compared in constant time;
 * config "allowed_ips", when set, is enforced as well.
 *
 * One call per call_id: Ringostat shows no legs (§3.2). Each employee who
 * takes the call (a transfer: two "call taken" webhooks) becomes a leg
 * by extension; the after-call webhook names who talked last. Event ids
 * are call_id:moment[:extension], so the same webhook configured twice
 * for one moment (§3.5) is stored once. Ringostat never resends a failed
 * webhook: the call log (history.c) brings back what was lost, as the
 * after-call webhook it stands for (same event id). */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "calls/event.h"
#include "core/buf.h"
#include "core/strparse.h"
#include "http/request.h"
#include "providers/adapt.h"
#include "providers/provider.h"
#include "providers/ringostat/ringostat.h"

#define RS_MAX_SPAN_S (10 * 24 * 3600)
#define RS_MICROS_FROM 1000000000000000LL   /* 10^15: microseconds */
#define RS_MICROS_MAX 4102444800000000LL    /* 2100-01-01 */

enum rs_moment { RS_BEFORE, RS_ANSWER, RS_AFTER, RS__MAX };

/* The words an admin may put in "event" (README). */
static const struct {
	const char *word;
	enum rs_moment m;
} rs_words[] = {
	{ "before", RS_BEFORE }, { "ringing", RS_BEFORE },
	{ "answer", RS_ANSWER }, { "taken", RS_ANSWER },
	{ "pickup", RS_ANSWER },
	{ "after", RS_AFTER }, { "end", RS_AFTER },
};

static const char *const rs_moment_names[RS__MAX] = {
	[RS_BEFORE] = "before", [RS_ANSWER] = "answer", [RS_AFTER] = "after",
};

/* The call statuses of §3.1 [official docs], as the call log's
 * disposition and the webhook's status may spell them (the wire spelling
 * is unverified: compared case-insensitively, spaces and '_' alike). An
 * unknown one is "unknown", never a guess. */
static const struct {
	const char *word;
	enum call_result in, out;
} rs_statuses[] = {
	{ "answered", RES_ANSWERED, RES_ANSWERED },
	{ "answer", RES_ANSWERED, RES_ANSWERED },
	{ "proper", RES_ANSWERED, RES_ANSWERED },
	{ "no answer", RES_MISSED, RES_NO_ANSWER },
	{ "noanswer", RES_MISSED, RES_NO_ANSWER },
	{ "voicemail", RES_MISSED, RES_NO_ANSWER },
	{ "no answer from a customer", RES_NO_ANSWER, RES_NO_ANSWER },
	{ "busy", RES_BUSY, RES_BUSY },
	{ "failed", RES_FAILED, RES_FAILED },
	{ "call forwarding scheme did not work", RES_FAILED, RES_FAILED },
	{ "wrong extension", RES_FAILED, RES_FAILED },
	{ "no extension", RES_FAILED, RES_FAILED },
	{ "forbidden destination", RES_FAILED, RES_FAILED },
};

static enum cb_err
rs_verify(const struct prov_conf *c, const struct prov_req *r,
    const char **why)
{
	return adapt_verify_url_key(c, r, why);
}

/* A parameter wherever the admin's format put it. */
static const char *
rs_get(const struct prov_req *r, const char *name)
{
	const char *v = adapt_path(r, name);

	if (v == NULL && r->query != NULL)
		v = kv_get(r->query, name);
	return v;
}

static enum cb_err
rs_text(const struct prov_req *r, const char *name, size_t cap,
    bool required, bool ascii, const char *bad, const char **out,
    const char **why)
{
	return adapt_text(rs_get(r, name), cap, required, ascii, true, bad,
	    out, why);
}

/* A count of seconds: -1 when absent. */
static enum cb_err
rs_seconds(const struct prov_req *r, const char *name, int32_t *out,
    const char *bad, const char **why)
{
	const char *v = rs_get(r, name);
	int64_t n;

	*out = -1;
	if (v == NULL || *v == '\0' || strcmp(v, "null") == 0)
		return CB_OK;
	if (strparse_i64z(v, 0, RS_MAX_SPAN_S, &n) != CB_OK) {
		*why = bad;
		return CB_EINVAL;
	}
	*out = (int32_t)n;
	return CB_OK;
}

/* The call's start: calldate_timestamp_micros (§3.3, the zone-free form
 * we ask admins for), else "date" / "calldate" in the account's zone. */
static enum cb_err
rs_start(const struct prov_conf *c, const struct prov_req *r, int64_t *ms,
    const char **why)
{
	const char *v = rs_get(r, "calldate_timestamp_micros"), *d;
	int64_t n;

	*ms = 0;
	if (v != NULL && *v != '\0' && strcmp(v, "null") != 0) {
		if (strparse_i64z(v, 0, RS_MICROS_MAX, &n) != CB_OK) {
			*why = "malformed calldate_timestamp_micros";
			return CB_EINVAL;
		}
		if (n >= RS_MICROS_FROM) {
			*ms = n / 1000;
			return CB_OK;
		}
		/* Seconds or milliseconds, should an admin pick those. */
		if (adapt_epoch_ms(v, ms) != CB_OK) {
			*why = "malformed calldate_timestamp_micros";
			return CB_EINVAL;
		}
		return CB_OK;
	}
	d = rs_get(r, "calldate");
	if (d == NULL || *d == '\0')
		d = rs_get(r, "date");
	if (d == NULL || *d == '\0')
		return CB_OK;
	if (adapt_local_ms(d, adapt_time_zone(c->config,
	    RINGOSTAT_DEFAULT_ZONE), ms) != CB_OK) {
		*why = "malformed date: use the format YYYY-MM-DD HH:MM:SS, or "
		    "send calldate_timestamp_micros";
		return CB_EINVAL;
	}
	return CB_OK;
}

bool
ringostat_party(const char *s, char *num, size_t numsz, char *name,
    size_t namesz)
{
	const char *lt, *gt, *p, *q;
	size_t n;

	num[0] = name[0] = '\0';
	if (s == NULL)
		return true;
	if ((lt = strchr(s, '<')) == NULL) {
		/* A bare number (or whatever the admin's format made it). */
		while (*s == ' ')
			s++;
		n = strlen(s);
		while (n > 0 && s[n - 1] == ' ')
			n--;
		if (n >= numsz)
			return false;
		memcpy(num, s, n);
		num[n] = '\0';
		return true;
	}
	if ((gt = strchr(lt, '>')) == NULL)
		return false;
	n = (size_t)(gt - lt - 1);
	if (n >= numsz)
		return false;
	memcpy(num, lt + 1, n);
	num[n] = '\0';
	/* The name before '<', without its quotes and blanks. */
	for (p = s; p < lt && (*p == ' ' || *p == '"'); p++)
		;
	for (q = lt; q > p && (q[-1] == ' ' || q[-1] == '"'); q--)
		;
	n = (size_t)(q - p);
	if (n >= namesz)
		n = namesz - 1;
	memcpy(name, p, n);
	name[n] = '\0';
	return true;
}

/* "No answer" == "no_answer" == "NOANSWER"-ish: lower case, '_' as ' '. */
static enum call_result
rs_result(const char *status, enum call_dir dir)
{
	char w[64], *paren;
	size_t i, n;

	if (status == NULL)
		return RES_NONE;
	n = strlen(status);
	if (n >= sizeof(w))
		return RES_UNKNOWN;
	for (i = 0; i <= n; i++)
		w[i] = status[i] == '_' ? ' ' : status[i];
	/* "No answer from a customer (Callback)": the words before '('. */
	if ((paren = strchr(w, '(')) != NULL)
		*paren = '\0';
	for (n = strlen(w); n > 0 && w[n - 1] == ' '; n--)
		w[n - 1] = '\0';
	for (i = 0; i < sizeof(rs_statuses) / sizeof(rs_statuses[0]); i++)
		if (strcasecmp(rs_statuses[i].word, w) == 0)
			return dir == DIR_OUT ? rs_statuses[i].out :
			    rs_statuses[i].in;
	return RES_UNKNOWN;
}

static bool
rs_falsy(const char *v)
{
	return v != NULL && (strcmp(v, "0") == 0 ||
	    strcasecmp(v, "false") == 0 || strcasecmp(v, "no") == 0);
}

/* Which moment: the admin's "event", else what the request carries. */
static enum cb_err
rs_moment(const struct prov_req *r, enum rs_moment *m, bool *known,
    const char **word)
{
	const char *e = rs_get(r, "event");
	size_t i;

	*known = true;
	*word = e;
	if (e != NULL && *e != '\0') {
		for (i = 0; i < sizeof(rs_words) / sizeof(rs_words[0]); i++)
			if (strcasecmp(rs_words[i].word, e) == 0) {
				*m = rs_words[i].m;
				return CB_OK;
			}
		*known = false;
		return CB_OK;
	}
	if (rs_get(r, "status") != NULL || rs_get(r, "call_duration") != NULL ||
	    rs_get(r, "dialog") != NULL)
		*m = RS_AFTER;
	else if (rs_get(r, "extension") != NULL ||
	    rs_get(r, "employee_number") != NULL ||
	    rs_get(r, "employee_fio") != NULL)
		*m = RS_ANSWER;
	else
		*m = RS_BEFORE;
	return CB_OK;
}

static enum cb_err
rs_parse(const struct prov_conf *c, const struct prov_req *r,
    struct call_event *ev, const char **why)
{
	const char *id, *caller, *callee, *status, *type, *ext, *word, *rec;
	const char *has;
	char cnum[sizeof(ev->client)], cname[sizeof(ev->caller_name)];
	char dnum[sizeof(ev->client)], dname[sizeof(ev->caller_name)];
	int32_t waiting, dialog, duration;
	int64_t start;
	enum rs_moment m = RS_BEFORE;
	bool known;

	if (r->form == NULL && r->json == NULL && r->query == NULL) {
		*why = "expected the webhook's parameters (JSON, a form or the "
		    "query)";
		return CB_EINVAL;
	}
	if (r->json != NULL && !json_object_is_type(r->json,
	    json_type_object)) {
		*why = "expected a JSON object";
		return CB_EINVAL;
	}
	rs_moment(r, &m, &known, &word);
	if (word != NULL && !adapt_printable(word)) {
		*why = "malformed event";
		return CB_EINVAL;
	}
	adapt_type_name(ev, word && *word ? word : rs_moment_names[m]);
	/* §3.1: a body without call_id is refused, saying what is missing. */
	if (rs_text(r, "call_id", sizeof(ev->call_id), true, true,
	    "no call_id: tick the call_id parameter in the Ringostat webhook "
	    "(and caller, callee, status, calldate_timestamp_micros, "
	    "call_duration, waiting, dialog)", &id, why))
		return CB_EINVAL;
	ev_set(ev, call_id, id);
	if (!known) {
		ev->kind = EV_UNKNOWN;   /* stored raw, 200 */
		return CB_OK;
	}
	if (rs_text(r, "caller", 200, false, false, "malformed caller",
	    &caller, why) ||
	    rs_text(r, "callee", 200, false, false, "malformed callee",
	    &callee, why) ||
	    rs_text(r, "status", 64, false, false, "malformed status", &status,
	    why) ||
	    rs_text(r, "call_type", 32, false, true, "malformed call_type",
	    &type, why) ||
	    rs_text(r, "recording_wav", sizeof(ev->recording_url), false, true,
	    "malformed recording_wav", &rec, why) ||
	    rs_text(r, "has_recording", 8, false, true,
	    "malformed has_recording", &has, why) ||
	    rs_seconds(r, "waiting", &waiting, "malformed waiting", why) ||
	    rs_seconds(r, "dialog", &dialog, "malformed dialog", why) ||
	    rs_seconds(r, "call_duration", &duration,
	    "malformed call_duration", why) ||
	    rs_start(c, r, &start, why))
		return CB_EINVAL;
	if (rec == NULL && rs_text(r, "recording", sizeof(ev->recording_url),
	    false, true, "malformed recording", &rec, why))
		return CB_EINVAL;
	/* The employee's line: "extension" (README), else the call log's
	 * employee_number. */
	if (rs_text(r, "extension", EV_MAX_EXTENSION + 1, false, true,
	    "malformed extension (at most 16 characters)", &ext, why))
		return CB_EINVAL;
	if (ext == NULL && rs_text(r, "employee_number", EV_MAX_EXTENSION + 1,
	    false, true, "malformed employee_number (at most 16 characters)",
	    &ext, why))
		return CB_EINVAL;
	if (type == NULL)
		type = rs_get(r, "direction");
	if (!ringostat_party(caller, cnum, sizeof(cnum), cname,
	    sizeof(cname)) || !ringostat_party(callee, dnum, sizeof(dnum),
	    dname, sizeof(dname))) {
		*why = "malformed caller or callee";
		return CB_EINVAL;
	}

	/* call_type: incoming, or outgoing / callback (we ring the client).
	 * Absent: incoming, Ringostat's usual webhook [U]; outgoing webhooks
	 * add &direction=out to the URL (README). */
	ev->dir = DIR_IN;
	if (type != NULL && (strncasecmp(type, "out", 3) == 0 ||
	    strncasecmp(type, "callback", 8) == 0))
		ev->dir = DIR_OUT;
	if (ev->dir == DIR_IN) {
		ev_set_client(ev, caller ? cnum : NULL, (size_t)-1);
		if (cname[0] && strcmp(cname, cnum) != 0 &&
		    adapt_printable(cname))
			ev_set(ev, caller_name, cname);
		ev_set(ev, our_number, dnum[0] ? dnum : NULL);
	} else {
		ev_set_client(ev, callee ? dnum : NULL, (size_t)-1);
		if (dname[0] && strcmp(dname, dnum) != 0 &&
		    adapt_printable(dname))
			ev_set(ev, caller_name, dname);
	}
	ev->started_ms = start;
	ev_set(ev, extension, ext);

	switch (m) {
	case RS_BEFORE:
		ev->kind = EV_RINGING;
		ev->at_ms = start;
		ev->extension[0] = '\0';
		adapt_event_id(ev, id, "before", NULL);
		return CB_OK;
	case RS_ANSWER:
		ev->kind = EV_ANSWERED;
		if (start > 0 && waiting >= 0)
			ev->answered_ms = start + (int64_t)waiting * 1000;
		ev->at_ms = ev->answered_ms;
		adapt_event_id(ev, id, "answer", ext);
		return CB_OK;
	case RS_AFTER:
		break;
	case RS__MAX:
	default:
		abort();
	}
	ev->kind = EV_ENDED;
	ev->result = rs_result(status, ev->dir);
	/* Talk time is a fact, not a guess: an unknown status with talk is
	 * answered. */
	if ((ev->result == RES_UNKNOWN || ev->result == RES_NONE) && dialog > 0)
		ev->result = RES_ANSWERED;
	if (ev->result == RES_ANSWERED) {
		ev->talk_s = dialog;
		ev->wait_s = waiting;
		if (start > 0 && waiting >= 0)
			ev->answered_ms = start + (int64_t)waiting * 1000;
		if (rec != NULL && !rs_falsy(has) &&
		    ringostat_recording_link_ok(rec))
			ev_set(ev, recording_url, rec);
		else if (rs_falsy(has))
			ev->recording_absent = true;
	} else if (ev->result != RES_NONE) {
		ev->talk_s = 0;
		ev->wait_s = waiting >= 0 ? waiting : duration;
		ev->recording_absent = true;
	}
	/* call_duration includes ringing (§3.1). */
	if (start > 0 && duration >= 0)
		ev->ended_ms = start + (int64_t)duration * 1000;
	else if (start > 0 && waiting >= 0 && dialog >= 0)
		ev->ended_ms = start + ((int64_t)waiting + dialog) * 1000;
	ev->at_ms = ev->ended_ms;
	adapt_event_id(ev, id, "after", NULL);
	return CB_OK;
}

static enum cb_err
rs_answer(const struct prov_conf *c, const struct call_event *ev,
    const struct route_answer *ra, struct buf *out,
    const char **content_type)
{
	(void)c;
	(void)ev;
	(void)ra;
	/* Ringostat reads only the 200 (§3.5: anything else is "with error",
	 * never resent). */
	*content_type = "application/json";
	return buf_puts(out, "{}");
}

/* A Ukrainian service (providers-2.md §3 names no other market). */
static const char *const rs_countries[] = { "UA", NULL };

static const struct prov_field rs_fields[] = {
	{ "key", "URL key", true, true, "Added to the webhook URL as ?key=…" },
	{ "api_key", "Auth-key", true, false, "Ringostat › Integration › "
	    "Ringostat API › Auth-key: for the call log (reconciliation: "
	    "Ringostat never resends a failed webhook), recordings and "
	    "click-to-call" },
	{ NULL, NULL, false, false, NULL }
};

static const char *
rs_time_zone(struct json_object *config, const char *country)
{
	(void)country;
	return adapt_time_zone(config, RINGOSTAT_DEFAULT_ZONE);
}

/* No published address list: the form's list starts empty (no check,
 * the key is) and the admin may fill it in. */
static const char *const rs_networks[] = { NULL };

const struct provider ringostat_provider = {
	.kind = "ringostat",
	.label = "Ringostat",
	.countries = rs_countries,
	.fields = rs_fields,
	.where = "Integration › Webhooks: an after-call webhook and a \"when "
	    "the call is taken\" webhook, method POST, format JSON, this URL "
	    "with ?key=<your key> added, parameters call_id, caller, callee, "
	    "status, calldate_timestamp_micros, call_duration, waiting, "
	    "dialog, "
	    "recording_wav, has_recording, employee_fio, extension (the "
	    "employee's SIP number) and call_type",
	.time_zone = rs_time_zone,
	.networks = rs_networks,
	.verify = rs_verify,
	.parse = rs_parse,
	.answer = rs_answer,
	.dial = &ringostat_dial,
	.recording = &ringostat_recording,
	.test_event = ringostat_test_event,
	.history = &ringostat_history,
};
