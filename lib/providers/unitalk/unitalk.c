/* UniTalk event handlers (providers-2.md §2).
 *
 * The customer creates one handler per event in the cabinet ("Обработка
 * событий"): CALL_NEW, CALL_REDIRECT, CALL_ANSWER, CALL_END, each POSTing
 * the "Standard JSON" body {"event", "call": {"id", "dbid", "from",
 * "to": [...], "direction", "date", "secondsFullTime", "secondsTalk",
 * "state", "link", "cause", ...}} (§2.1). The template body (a form of
 * variables) is not read: admins select the standard JSON (README).
 *
 * Nothing is signed (§2.4). Each handler can carry custom headers, so it
 * sends "Authorization: Bearer <the integration's token>", compared in
 * constant time.
 *
 * call.id links CALL_NEW … CALL_END of one call and is the call's key
 * here. call.dbid, the lasting id, comes only with CALL_END (§2.2): it
 * stays in the stored raw event, for reconciliation to match on.
 *
 * `date` is wall-clock time without an offset (§2.3): read in the
 * integration's config "time_zone", Europe/Kyiv by default. It is taken
 * as the call's start; CALL_END's secondsFullTime and secondsTalk give
 * the end and the answer.
 *
 * Ring groups: CALL_NEW's `to` lists every line that rings; one event
 * makes at most one leg, so the lines are named only when there is one.
 * The answer's to[0] is who picked up (§2.1: community code reads it so);
 * a redirect (transfer, [unverified]) rings to[0]; CALL_END's to[0] is
 * who the call ended with, the final record's talker. */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "calls/event.h"
#include "calls/recfetch.h"
#include "core/buf.h"
#include "core/strparse.h"
#include "net/sig.h"
#include "providers/adapt.h"
#include "providers/provider.h"
#include "providers/unitalk/unitalk.h"

static const char *ut_time_zone(struct json_object *config,
    const char *country);

#define UT_BEARER "Bearer "
#define UT_MAX_SECONDS (10 * 24 * 3600)

enum ut_type { UT_NEW, UT_REDIRECT, UT_ANSWER, UT_END, UT__MAX };

static const char *const ut_types[UT__MAX] = {
	[UT_NEW] = "CALL_NEW",
	[UT_REDIRECT] = "CALL_REDIRECT",
	[UT_ANSWER] = "CALL_ANSWER",
	[UT_END] = "CALL_END",
};

/* call.state of CALL_END (§2.1). No-answer is "missed" on an incoming
 * call and "no answer" on ours. */
static const struct ut_state {
	const char *name;
	enum call_result in, out;
} ut_states[] = {
	{ "ANSWER", RES_ANSWERED, RES_ANSWERED },
	{ "BUSY", RES_BUSY, RES_BUSY },
	{ "BUSYOUT", RES_BUSY, RES_BUSY },
	{ "NOANSWER", RES_MISSED, RES_NO_ANSWER },
	{ "FAIL", RES_FAILED, RES_FAILED },
	{ "CHANUNAVAIL", RES_FAILED, RES_FAILED },
	{ "NOMONEY", RES_FAILED, RES_FAILED },
	{ "WRONGDIR", RES_FAILED, RES_FAILED },
	{ "BLOCKED", RES_FAILED, RES_FAILED },
	{ "UNREACHABLE", RES_FAILED, RES_FAILED },
	{ "NOT_EXIST", RES_FAILED, RES_FAILED },
	{ "DIALING", RES_UNKNOWN, RES_UNKNOWN },
};

static enum cb_err
ut_verify(const struct prov_conf *c, const struct prov_req *r,
    const char **why)
{
	const char *token = prov_secret(c, "token");
	const char *auth = r->header ? r->header(r->hctx, "Authorization") :
	    NULL;

	if (token == NULL || *token == '\0') {
		*why = "the integration has no token configured";
		return CB_EDENIED;
	}
	if (auth == NULL || strncasecmp(auth, UT_BEARER,
	    sizeof(UT_BEARER) - 1) != 0) {
		*why = "missing Authorization: Bearer <token> (add it as a "
		    "custom header of each UniTalk event handler)";
		return CB_EDENIED;
	}
	for (auth += sizeof(UT_BEARER) - 1; *auth == ' '; auth++)
		;
	if (!sig_equal(auth, token)) {
		*why = "wrong Bearer token";
		return CB_EDENIED;
	}
	return CB_OK;
}

static enum cb_err
ut_field(const struct prov_req *r, const char *path, size_t cap,
    const char *bad, const char **out, const char **why)
{
	return adapt_text(adapt_json_path(r->json, path), cap, false, true,
	    false, bad, out, why);
}

static enum cb_err
ut_seconds(const struct prov_req *r, const char *path, int64_t *out,
    const char *bad, const char **why)
{
	const char *v = adapt_json_path(r->json, path);

	*out = -1;
	if (v == NULL || *v == '\0')
		return CB_OK;
	if (strparse_i64z(v, 0, UT_MAX_SECONDS, out) != CB_OK) {
		*why = bad;
		return CB_EINVAL;
	}
	return CB_OK;
}

static enum call_result
ut_result(const char *state, enum call_dir dir)
{
	size_t i;

	if (state == NULL)
		return RES_UNKNOWN;
	for (i = 0; i < sizeof(ut_states) / sizeof(ut_states[0]); i++)
		if (strcasecmp(ut_states[i].name, state) == 0)
			return dir == DIR_OUT ? ut_states[i].out :
			    ut_states[i].in;
	return RES_UNKNOWN; /* never guess (DESIGN §3) */
}

/* CALL_END: the outcome, spans and the recording link. */
static enum cb_err
ut_parse_end(const struct prov_req *r, struct call_event *ev,
    const char **why)
{
	const char *state, *cause, *link;
	int64_t full, talk;

	if (ut_field(r, "call[state]", 32, "malformed call.state", &state,
	    why) ||
	    ut_field(r, "call[cause]", sizeof(ev->hangup_cause),
	    "malformed call.cause", &cause, why) ||
	    ut_field(r, "call[link]", sizeof(ev->recording_url),
	    "malformed call.link", &link, why) ||
	    ut_seconds(r, "call[secondsFullTime]", &full,
	    "malformed call.secondsFullTime", why) ||
	    ut_seconds(r, "call[secondsTalk]", &talk,
	    "malformed call.secondsTalk", why))
		return CB_EINVAL;
	ev->result = ut_result(state, ev->dir);
	ev_set(ev, hangup_cause, cause ? cause : state);
	if (talk >= 0)
		ev->talk_s = (int32_t)talk;
	else if (ev->result != RES_ANSWERED && ev->result != RES_UNKNOWN)
		ev->talk_s = 0;
	if (full >= 0 && talk >= 0 && full >= talk)
		ev->wait_s = (int32_t)(full - talk);
	if (ev->started_ms > 0 && full >= 0) {
		ev->ended_ms = ev->at_ms = ev->started_ms + full * 1000;
		if (ev->result == RES_ANSWERED && talk >= 0)
			ev->answered_ms = ev->ended_ms - talk * 1000;
	}
	/* §2.6: the link comes only with an answered call. */
	if (ev->result == RES_ANSWERED && link != NULL &&
	    unitalk_recording_link_ok(link))
		ev_set(ev, recording_url, link);
	else if (ev->result != RES_ANSWERED && ev->result != RES_UNKNOWN)
		ev->recording_absent = true;
	return CB_OK;
}

static enum cb_err
ut_parse(const struct prov_conf *c, const struct prov_req *r,
    struct call_event *ev, const char **why)
{
	const char *event, *id, *from, *to0, *to1, *outer, *dirs, *date;
	const char *tz, *extra = NULL;
	enum ut_type t;

	if (r->json == NULL || !json_object_is_type(r->json,
	    json_type_object)) {
		*why = "expected the Standard JSON body (select it in each "
		    "UniTalk event handler)";
		return CB_EINVAL;
	}
	event = adapt_json_path(r->json, "event");
	if (event == NULL || *event == '\0' || !adapt_printable(event)) {
		*why = "no event field";
		return CB_EINVAL;
	}
	adapt_type_name(ev, event);
	for (t = 0; t < UT__MAX; t++)
		if (strcmp(ut_types[t], event) == 0)
			break;
	if (adapt_text(adapt_json_path(r->json, "call[id]"),
	    sizeof(ev->call_id), t != UT__MAX, true, false,
	    "missing or malformed call.id", &id, why))
		return CB_EINVAL;
	ev_set(ev, call_id, id);
	if (t == UT__MAX) {
		ev->kind = EV_UNKNOWN; /* stored raw, 200 */
		return CB_OK;
	}
	if (ut_field(r, "call[from]", sizeof(ev->client),
	    "malformed call.from", &from, why) ||
	    ut_field(r, "call[to][0]", sizeof(ev->client),
	    "malformed call.to", &to0, why) ||
	    ut_field(r, "call[to][1]", sizeof(ev->client),
	    "malformed call.to", &to1, why) ||
	    ut_field(r, "call[outerNumber]", sizeof(ev->our_number),
	    "malformed call.outerNumber", &outer, why) ||
	    ut_field(r, "call[direction]", 16, "malformed call.direction",
	    &dirs, why) ||
	    ut_field(r, "call[date]", 32, "malformed call.date", &date, why))
		return CB_EINVAL;
	tz = ut_time_zone(c->config, c->default_country);
	if (date != NULL && adapt_local_ms(date, tz, &ev->started_ms) !=
	    CB_OK) {
		*why = "malformed call.date (YYYY-MM-DD HH:MM:SS, or the "
		    "integration's time zone is not valid)";
		return CB_EINVAL;
	}

	/* §2.1: IN (from = the caller, to = our lines), OUT (from = the
	 * operator's line, to = the client [unverified]), INNER. */
	if (dirs != NULL && strcasecmp(dirs, "IN") == 0) {
		ev->dir = DIR_IN;
		ev_set_client(ev, from ? from : "", (size_t)-1);
		ev_set(ev, our_number, outer);
	} else if (dirs != NULL && strcasecmp(dirs, "OUT") == 0) {
		ev->dir = DIR_OUT;
		ev_set_client(ev, to0, (size_t)-1);
		ev_set(ev, our_number, outer);
		if (from != NULL && strlen(from) >= sizeof(ev->extension)) {
			*why = "malformed call.from";
			return CB_EINVAL;
		}
		ev_set(ev, extension, from);
	} else if (dirs != NULL && strcasecmp(dirs, "INNER") == 0)
		ev->dir = DIR_INTERNAL;
	if (ev->dir != DIR_OUT && to0 != NULL) {
		if (strlen(to0) >= sizeof(ev->extension)) {
			*why = "malformed call.to";
			return CB_EINVAL;
		}
		/* The lines that ring: named when there is one. */
		if (t != UT_NEW || to1 == NULL)
			ev_set(ev, extension, to0);
	}

	switch (t) {
	case UT_NEW:
		ev->kind = EV_RINGING;
		ev->at_ms = ev->started_ms;
		break;
	case UT_REDIRECT:
		/* A new line rings for this call: a leg of its own. */
		ev->kind = EV_RINGING;
		extra = ev->extension[0] ? ev->extension : NULL;
		break;
	case UT_ANSWER:
		ev->kind = EV_ANSWERED;
		extra = ev->extension[0] ? ev->extension : NULL;
		break;
	case UT_END:
		ev->kind = EV_ENDED;
		if (ut_parse_end(r, ev, why) != CB_OK)
			return CB_EINVAL;
		/* A second CALL_END is an update (§2.5): its payload hash,
		 * not an event id, tells it from a retry. */
		return CB_OK;
	case UT__MAX:
	default:
		abort();
	}
	adapt_event_id(ev, id, event, extra);
	return CB_OK;
}

static enum cb_err
ut_answer(const struct prov_conf *c, const struct call_event *ev,
    const struct route_answer *ra, struct buf *out,
    const char **content_type)
{
	(void)c;
	(void)ev;
	(void)ra;
	/* UniTalk reads nothing from the answer but its 2xx. */
	*content_type = "application/json";
	return buf_puts(out, "{}");
}

static const char *const ut_countries[] = { "UA", NULL };

static const struct prov_field ut_fields[] = {
	{ "token", "Token", true, true, "Each event handler's custom header "
	    "Authorization: Bearer <this token>" },
	{ "api_key", "API key", true, false, "For click-to-call, recordings "
	    "and reconciliation: the key of cabinet › API (sent as "
	    "Authorization)" },
	{ "api_base", "API address", false, false, "Empty: "
	    UNITALK_API_BASE " (another copy of UniTalk's docs names "
	    "https://api.unitalk.cloud/api)" },
	{ "history_path", "Call history method", false, false, "For "
	    "reconciliation: the path of UniTalk's call-history method under "
	    "the API address (\"/…\"; UniTalk's support names it)" },
	{ NULL, NULL, false, false, NULL }
};

static const char *
ut_check_setting(const char *name, const char *value)
{
	char out[512];

	if (strcmp(name, "api_base") == 0 &&
	    recfetch_api_base(value, out, sizeof(out)) != CB_OK)
		return "An https address such as https://api.unitalk.cloud/api "
		    "(no query; http only on this machine).";
	if (strcmp(name, "history_path") == 0 &&
	    !unitalk_history_path_ok(value))
		return "A path such as /calls/history: starting with /, without "
		    "a query, spaces or \"..\".";
	return NULL;
}

/* Its dates carry no zone: config "time_zone", else Kyiv's (it sells in
 * Ukraine only, whatever the integration's country). */
static const char *
ut_time_zone(struct json_object *config, const char *country)
{
	(void)country;
	return adapt_time_zone(config, UNITALK_DEFAULT_ZONE);
}

const struct provider unitalk_provider = {
	.kind = "unitalk",
	.label = "UniTalk",
	.countries = ut_countries,
	.fields = ut_fields,
	.where = "Event handling: one handler each for CALL_NEW, "
	    "CALL_REDIRECT, CALL_ANSWER and CALL_END, body \"Standard JSON\", "
	    "custom header Authorization: Bearer <your token>",
	.time_zone = ut_time_zone,
	.verify = ut_verify,
	.parse = ut_parse,
	.answer = ut_answer,
	.dial = &unitalk_dial,
	.recording = &unitalk_recording,
	.test_event = unitalk_test_event,
	.check_setting = ut_check_setting,
	.history = &unitalk_history,
};
