/* Stream Telecom call events (providers-2.md §4).
 *
 * Enabled by e-mailing Stream Telecom's support with the URL (§4.1).
 * Each event is a JSON POST: Start (a session begins: a call comes in or
 * goes out), StartCall (a line rings), Answer, Hangup (a leg ended) and
 * End_in (an incoming session ended before reaching a line: an IVR
 * abandon). Values are strings: times are epoch milliseconds, and an
 * absent value may be the literal "null" (§4.1, §4.3).
 *
 * Nothing is signed and no address list is known (§4.4): the URL carries
 * the integration's key (?key=...), compared in constant time; config
 * "allowed_ips", when set, is enforced as well.
 *
 * sessionid is the physical call, call_id one leg: one ringing line
 * (§4.2). StartCall, Answer and Hangup are legs of the session; a queue or
 * ring group sends one Hangup per leg, and only the one with end_sess =
 * "yes" (or an answered one without end_sess, below) closes the session:
 * that Hangup is the call's end, and says
 * nothing about who talked (the latest answered leg did), so a member
 * that did not pick up never makes the call missed. There is no duration
 * field: talk = Hangup's event_time - time_answer, ring = time_answer -
 * time_start (§4.3). End_in closes a session no line took: missed. */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "calls/event.h"
#include "core/buf.h"
#include "providers/adapt.h"
#include "providers/provider.h"
#include "providers/streamtelecom/streamtelecom.h"

#define ST_MAX_SPAN_MS (10LL * 24 * 3600 * 1000)

enum st_type { ST_START, ST_STARTCALL, ST_ANSWER, ST_HANGUP, ST_END_IN,
	ST__MAX };

static const char *const st_types[ST__MAX] = {
	[ST_START] = "Start",
	[ST_STARTCALL] = "StartCall",
	[ST_ANSWER] = "Answer",
	[ST_HANGUP] = "Hangup",
	[ST_END_IN] = "End_in",
};

static enum cb_err
st_verify(const struct prov_conf *c, const struct prov_req *r,
    const char **why)
{
	return adapt_verify_url_key(c, r, why);
}

static enum cb_err
st_field(const struct prov_req *r, const char *name, size_t cap,
    bool required, const char *bad, const char **out, const char **why)
{
	return adapt_text(adapt_json_path(r->json, name), cap, required, true,
	    true, bad, out, why);
}

/* An epoch-milliseconds field: 0 when absent, "null" or "". */
static enum cb_err
st_time(const struct prov_req *r, const char *name, int64_t *ms,
    const char *bad, const char **why)
{
	const char *v = adapt_json_path(r->json, name);

	*ms = 0;
	if (v == NULL || *v == '\0' || strcmp(v, "null") == 0)
		return CB_OK;
	if (adapt_epoch_ms(v, ms) != CB_OK) {
		*why = bad;
		return CB_EINVAL;
	}
	return CB_OK;
}

/* The outcome of a Hangup (§4.1: result "answer" / "no answer"). */
static void
st_outcome(const char *result, int64_t start, int64_t answer, int64_t end,
    struct call_event *ev)
{
	bool answered = result != NULL && strcasecmp(result, "answer") == 0;

	if (result == NULL)
		ev->result = RES_NONE;
	else if (answered)
		ev->result = RES_ANSWERED;
	else if (strcasecmp(result, "no answer") == 0)
		ev->result = ev->dir == DIR_OUT ? RES_NO_ANSWER : RES_MISSED;
	else
		ev->result = RES_UNKNOWN;
	if (answered && answer > 0) {
		ev->answered_ms = answer;
		if (end >= answer && end - answer <= ST_MAX_SPAN_MS)
			ev->talk_s = (int32_t)((end - answer) / 1000);
		if (start > 0 && answer >= start &&
		    answer - start <= ST_MAX_SPAN_MS)
			ev->wait_s = (int32_t)((answer - start) / 1000);
	} else if (!answered && result != NULL) {
		ev->talk_s = 0;
		if (start > 0 && end >= start && end - start <= ST_MAX_SPAN_MS)
			ev->wait_s = (int32_t)((end - start) / 1000);
	}
}

static enum cb_err
st_parse(const struct prov_conf *c, const struct prov_req *r,
    struct call_event *ev, const char **why)
{
	const char *event, *session, *leg, *type, *from, *to, *via, *result;
	const char *rec, *endsess, *line, *client;
	int64_t at, start, answer;
	enum st_type t;
	bool last;

	(void)c;
	if (r->json == NULL || !json_object_is_type(r->json,
	    json_type_object)) {
		*why = "expected a JSON body";
		return CB_EINVAL;
	}
	event = adapt_json_path(r->json, "event");
	if (event == NULL || *event == '\0' || !adapt_printable(event)) {
		*why = "no event field";
		return CB_EINVAL;
	}
	adapt_type_name(ev, event);
	for (t = 0; t < ST__MAX; t++)
		if (strcmp(st_types[t], event) == 0)
			break;
	if (st_field(r, "sessionid", sizeof(ev->call_id), t != ST__MAX,
	    "missing or malformed sessionid", &session, why))
		return CB_EINVAL;
	ev_set(ev, call_id, session);
	if (t == ST__MAX) {
		ev->kind = EV_UNKNOWN; /* stored raw, 200 */
		return CB_OK;
	}
	if (st_field(r, "call_id", sizeof(ev->leg_id),
	    t == ST_STARTCALL || t == ST_ANSWER || t == ST_HANGUP,
	    "missing or malformed call_id", &leg, why) ||
	    st_field(r, "type", 8, false, "malformed type", &type, why) ||
	    st_field(r, "from", sizeof(ev->client), false, "malformed from",
	    &from, why) ||
	    st_field(r, "to", sizeof(ev->client), false, "malformed to", &to,
	    why) ||
	    st_field(r, "via", sizeof(ev->our_number), false, "malformed via",
	    &via, why) ||
	    st_field(r, "result", 16, false, "malformed result", &result,
	    why) ||
	    st_field(r, "end_sess", 8, false, "malformed end_sess", &endsess,
	    why) ||
	    adapt_text(adapt_json_path(r->json, "recordUrl"),
	    sizeof(ev->recording_url), false, true, true,
	    "malformed recordUrl", &rec, why) ||
	    st_time(r, "event_time", &at, "malformed event_time", why) ||
	    st_time(r, "time_start", &start, "malformed time_start", why) ||
	    st_time(r, "time_answer", &answer, "malformed time_answer", why))
		return CB_EINVAL;

	/* type "in": from is the caller and to the line that rings; "out":
	 * from is our line and to the client. via is the company number,
	 * never a party (§4.1). */
	if (type != NULL && strcasecmp(type, "out") == 0) {
		ev->dir = DIR_OUT;
		client = to;
		line = from;
	} else {
		ev->dir = type != NULL && strcasecmp(type, "in") == 0 ? DIR_IN :
		    DIR_UNKNOWN;
		client = from;
		line = to;
	}
	if (client == NULL && ev->dir == DIR_IN)
		client = ""; /* an incoming call without a number: withheld */
	ev_set_client(ev, client, (size_t)-1);
	ev_set(ev, our_number, via);
	ev->at_ms = at;
	ev->started_ms = start > 0 ? start : t == ST_START ? at : 0;
	if (t != ST_START && t != ST_END_IN && line != NULL) {
		if (strlen(line) >= sizeof(ev->extension)) {
			*why = "malformed line number (from/to)";
			return CB_EINVAL;
		}
		ev_set(ev, extension, line);
	}
	/* end_sess = "yes" closes the session (§4.2). The documented
	 * fixture, a plain answered call, has end_sess null: an answered leg
	 * without end_sess closes it too [U]. Should a transfer's first leg
	 * come so, the call reads ended early, and the later legs still
	 * complete it (the latest answered leg talked; the end only moves
	 * later). */
	last = endsess != NULL ? strcasecmp(endsess, "yes") == 0 :
	    result != NULL && strcasecmp(result, "answer") == 0;

	switch (t) {
	case ST_START:
		ev->kind = EV_RINGING;
		adapt_event_id(ev, session, event, NULL);
		return CB_OK;
	case ST_STARTCALL:
		ev->kind = EV_RINGING;
		break;
	case ST_ANSWER:
		ev->kind = EV_ANSWERED;
		ev->answered_ms = at;
		break;
	case ST_HANGUP:
		ev->kind = EV_ENDED;
		ev->ended_ms = at;
		st_outcome(result, ev->started_ms, answer, at > 0 ? at :
		    r->now * 1000, ev);
		if (last) {
			/* The session's end: the call's, not the leg's. Its
			 * time_answer is this leg's: the call's wait is left
			 * to its first answer (any leg's). Talk is this
			 * leg's, so after a transfer the earlier legs' talk
			 * is not counted [U]. */
			ev->extension[0] = '\0';
			if (ev->result == RES_ANSWERED)
				ev->wait_s = -1;
			if (ev->result == RES_ANSWERED && rec != NULL &&
			    streamtelecom_recording_link_ok(rec))
				ev_set(ev, recording_url, rec);
			else if (ev->result != RES_ANSWERED)
				ev->recording_absent = true;
			adapt_event_id(ev, leg, event, NULL);
			return CB_OK;
		}
		break;
	case ST_END_IN:
		/* Never reached a line: an abandoned incoming call. */
		ev->kind = EV_ENDED;
		ev->dir = DIR_IN;
		ev->ended_ms = at;
		ev->result = RES_MISSED;
		ev->talk_s = 0;
		ev->recording_absent = true;
		if (start > 0 && at >= start && at - start <= ST_MAX_SPAN_MS)
			ev->wait_s = (int32_t)((at - start) / 1000);
		adapt_event_id(ev, session, event, NULL);
		return CB_OK;
	case ST__MAX:
	default:
		abort();
	}
	ev_set(ev, leg_id, leg);
	adapt_event_id(ev, leg, event, NULL);
	return CB_OK;
}

static enum cb_err
st_answer(const struct prov_conf *c, const struct call_event *ev,
    const struct route_answer *ra, struct buf *out,
    const char **content_type)
{
	(void)c;
	(void)ev;
	(void)ra;
	*content_type = "application/json";
	return buf_puts(out, "{}");
}

static const struct prov_field st_fields[] = {
	{ "key", "URL key", true, true, "Added to the callback URL as ?key=…" },
	{ "api_key", "API key", true, false, "Optional: crm.streamtele.com › "
	    "company profile; sent as a Bearer token when a recording is "
	    "refused without it" },
	{ NULL, NULL, false, false, NULL }
};

/* No known address list: the form's list starts empty (no check, the key
 * is) and the admin may fill it in. */
static const char *const st_networks[] = { NULL };

const struct provider streamtelecom_provider = {
	.kind = "streamtelecom",
	.label = "Stream Telecom",
	/* providers-2.md §4 names no market: offered everywhere. */
	.countries = NULL,
	.fields = st_fields,
	.where = "an e-mail to Stream Telecom's support asking to send call "
	    "events (Start, StartCall, Answer, Hangup, End_in) to this URL with "
	    "?key=<your key> added",
	.networks = st_networks,
	.verify = st_verify,
	.parse = st_parse,
	.answer = st_answer,
	/* providers-2.md §4.7: no click-to-call or hang-up request found. */
	.hangup = NULL,
	.recording = &streamtelecom_recording,
	.test_event = streamtelecom_test_event,
};
