/* Yeastar P-Series webhooks (providers-2.md §5.2).
 *
 * The PBX POSTs {"type": <event id>, "sn": "<PBX serial>", "msg":
 * "<JSON string>"}: msg is JSON encoded again inside the JSON, so it is
 * parsed twice (an object there is read as well). Events used: 30011
 * Call State Changed (live state: members, each an extension, inbound or
 * outbound party with its member_status), 30012 New CDR (the final
 * record, once per call) and 30016 Inbound Call Invitation; 30008, 30015
 * and 30033 are kept raw; any other type is stored raw (200).
 *
 * Nothing is signed (§5.5): the URL carries the integration's key
 * (?key=...) and config "allowed_ips" (the PBX's address) is enforced when
 * set.
 *
 * call_id is the call's key in 30011, 30012 and the API (§5.3). A call's
 * extensions are legs by extension (the CDR names extensions, not
 * channels), so a live answer and the CDR name the same leg. 30011 comes
 * at every change: it says who rings (when one extension does) or who
 * answered, and that the call is over when every member is BYE; the CDR
 * then brings the outcome and the spans. Blank values are " " (§5.2).
 *
 * time_start is the PBX's wall-clock time without an offset (§5.4):
 * read in config "time_zone" (the PBX's system zone), else the usual zone
 * of the integration's country. */
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
#include "phone/phone.h"
#include "providers/adapt.h"
#include "providers/provider.h"
#include "calls/recfetch.h"
#include "providers/yeastar/yeastar.h"

static const char *ys_time_zone(struct json_object *config,
    const char *country);

#define YS_MSG_MAX (64 * 1024)
#define YS_MSG_DEPTH 16
#define YS_MEMBERS_MAX 32
#define YS_MAX_SECONDS (10 * 24 * 3600)

enum { YS_EXT_STATUS = 30008, YS_CALL_STATE = 30011, YS_NEW_CDR = 30012,
	YS_CALL_FAILED = 30015, YS_INVITATION = 30016, YS_REC_DONE = 30033 };

static enum cb_err
ys_verify(const struct prov_conf *c, const struct prov_req *r,
    const char **why)
{
	return adapt_verify_url_key(c, r, why);
}

/* A blank value (" ", §5.2) is absent. */
static const char *
ys_str(struct json_object *o, const char *path)
{
	const char *v = adapt_json_path(o, path);

	return v == NULL || v[strspn(v, " ")] == '\0' ? NULL : v;
}

static enum cb_err
ys_text(struct json_object *o, const char *path, size_t cap,
    const char *bad, const char **out, const char **why)
{
	return adapt_text(ys_str(o, path), cap, false, true, false, bad, out,
	    why);
}

/* msg: a JSON string holding an object (or, leniently, the object). The
 * result is the caller's to json_object_put(). */
static enum cb_err
ys_msg(const struct prov_req *r, struct json_object **out, const char **why)
{
	struct json_object *m;
	struct json_tokener *tok;
	const char *s;
	int len;

	*out = NULL;
	if (!json_object_object_get_ex(r->json, "msg", &m) || m == NULL) {
		*why = "no msg";
		return CB_EINVAL;
	}
	if (json_object_is_type(m, json_type_object)) {
		*out = json_object_get(m);
		return CB_OK;
	}
	if (!json_object_is_type(m, json_type_string) ||
	    (len = json_object_get_string_len(m)) <= 0 || len > YS_MSG_MAX) {
		*why = "msg is not a JSON string";
		return CB_EINVAL;
	}
	s = json_object_get_string(m);
	if ((tok = json_tokener_new_ex(YS_MSG_DEPTH)) == NULL)
		return CB_ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	*out = json_tokener_parse_ex(tok, s, len);
	if (json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != (size_t)len || *out == NULL ||
	    !json_object_is_type(*out, json_type_object)) {
		json_object_put(*out);
		*out = NULL;
		json_tokener_free(tok);
		*why = "msg does not hold a JSON object";
		return CB_EINVAL;
	}
	json_tokener_free(tok);
	return CB_OK;
}

/* --- 30011 Call State Changed --- */

/* What the members of one 30011 say. */
struct ys_state {
	const char *answered_ext;   /* an extension member in ANSWER */
	const char *ringing_ext;    /* the one extension member in RING */
	int ringing;                /* extension members in RING */
	const char *caller_ext;     /* an extension member in ALERT/ANSWERED */
	const char *party;          /* the outside party's number */
	const char *line;           /* inbound `to` */
	const char *party_status;
	bool inbound, outbound, all_bye;
	int members;
};

static enum cb_err
ys_members(struct json_object *msg, struct ys_state *s, const char **why)
{
	struct json_object *list, *m, *side;
	const char *num, *st, *from, *to;
	size_t i, n;

	memset(s, 0, sizeof(*s));
	s->all_bye = true;
	if (!json_object_object_get_ex(msg, "members", &list) ||
	    !json_object_is_type(list, json_type_array)) {
		*why = "no members";
		return CB_EINVAL;
	}
	n = json_object_array_length(list);
	for (i = 0; i < n && i < YS_MEMBERS_MAX; i++) {
		m = json_object_array_get_idx(list, i);
		if (json_object_object_get_ex(m, "extension", &side)) {
			if (ys_text(side, "number", 17, "malformed member "
			    "extension number", &num, why) ||
			    ys_text(side, "member_status", 16,
			    "malformed member_status", &st, why))
				return CB_EINVAL;
			if (num == NULL || st == NULL)
				continue;
			s->members++;
			if (strcasecmp(st, "BYE") != 0)
				s->all_bye = false;
			if (strcasecmp(st, "ANSWER") == 0)
				s->answered_ext = num;
			else if (strcasecmp(st, "RING") == 0) {
				s->ringing++;
				s->ringing_ext = num;
			} else if (strcasecmp(st, "ALERT") == 0 ||
			    strcasecmp(st, "ANSWERED") == 0)
				s->caller_ext = num;
			continue;
		}
		if (json_object_object_get_ex(m, "inbound", &side))
			s->inbound = true;
		else if (json_object_object_get_ex(m, "outbound", &side))
			s->outbound = true;
		else
			continue;
		if (ys_text(side, "from", 65, "malformed member from", &from,
		    why) ||
		    ys_text(side, "to", 65, "malformed member to", &to, why) ||
		    ys_text(side, "member_status", 16,
		    "malformed member_status", &st, why))
			return CB_EINVAL;
		s->members++;
		if (st == NULL || strcasecmp(st, "BYE") != 0)
			s->all_bye = false;
		s->party = s->inbound && !s->outbound ? from : to;
		s->line = s->inbound && !s->outbound ? to : NULL;
		s->party_status = st;
	}
	if (s->members == 0)
		s->all_bye = false;
	return CB_OK;
}

static enum cb_err
ys_parse_state(struct json_object *msg, int type, struct call_event *ev,
    const char **why)
{
	struct ys_state s;
	const char *ext = NULL;

	if (ys_members(msg, &s, why) != CB_OK)
		return CB_EINVAL;
	ev->dir = s.inbound ? DIR_IN : s.outbound ? DIR_OUT : DIR_INTERNAL;
	if (s.party == NULL && ev->dir == DIR_IN)
		s.party = "";
	if (ev->dir != DIR_INTERNAL)
		ev_set_client(ev, s.party, (size_t)-1);
	if (ev->dir == DIR_OUT) {
		/* The caller is the extension; the outside party's status is
		 * the call's (§5.2: ANSWER when the callee answered). */
		ext = s.caller_ext ? s.caller_ext : s.answered_ext;
		if (s.party_status != NULL &&
		    strcasecmp(s.party_status, "ANSWER") == 0)
			ev->kind = EV_ANSWERED;
		else if (s.all_bye)
			ev->kind = EV_ENDED;
		else
			ev->kind = EV_RINGING;
	} else if (s.answered_ext != NULL) {
		ev->kind = EV_ANSWERED;
		ext = s.answered_ext;
	} else if (s.all_bye)
		ev->kind = EV_ENDED; /* the CDR brings the outcome */
	else {
		ev->kind = EV_RINGING;
		/* Several ringing (a ring group): one event names one leg,
		 * so none; the answer names who took it. */
		if (s.ringing == 1)
			ext = s.ringing_ext;
	}
	if (type == YS_INVITATION)
		ev->kind = EV_RINGING;
	ev_set(ev, extension, ext);
	/* No event id: each state change is its own payload, and a retry
	 * the same bytes (the payload hash). */
	return CB_OK;
}

/* --- 30012 New CDR --- */

static enum call_result
ys_result(const char *status, enum call_dir dir)
{
	if (status == NULL)
		return RES_UNKNOWN;
	/* The table spells ANSWERD, the example ANSWERED (§5.2). */
	if (strcasecmp(status, "ANSWERED") == 0 ||
	    strcasecmp(status, "ANSWERD") == 0 ||
	    strcasecmp(status, "ANSWER") == 0)
		return RES_ANSWERED;
	if (strcasecmp(status, "BUSY") == 0)
		return RES_BUSY;
	if (strcasecmp(status, "NO ANSWER") == 0 ||
	    strcasecmp(status, "VOICEMAIL") == 0)
		return dir == DIR_OUT ? RES_NO_ANSWER : RES_MISSED;
	return RES_UNKNOWN; /* never guess (DESIGN §3) */
}

static enum cb_err
ys_seconds(struct json_object *msg, const char *name, int64_t *out,
    const char *bad, const char **why)
{
	const char *v = ys_str(msg, name);

	*out = -1;
	if (v == NULL)
		return CB_OK;
	if (strparse_i64z(v, 0, YS_MAX_SECONDS, out) != CB_OK) {
		*why = bad;
		return CB_EINVAL;
	}
	return CB_OK;
}

static enum cb_err
ys_parse_cdr(const struct prov_conf *c, struct json_object *msg,
    struct call_event *ev, const char **why)
{
	const char *start, *from, *to, *status, *type, *rec, *did, *tz;
	int64_t dur, talk;

	if (ys_text(msg, "time_start", 32, "malformed time_start", &start,
	    why) ||
	    ys_text(msg, "call_from", sizeof(ev->client), "malformed call_from",
	    &from, why) ||
	    ys_text(msg, "call_to", sizeof(ev->client), "malformed call_to",
	    &to, why) ||
	    ys_text(msg, "status", 32, "malformed status", &status, why) ||
	    ys_text(msg, "type", 16, "malformed type", &type, why) ||
	    ys_text(msg, "recording", 256, "malformed recording", &rec, why) ||
	    ys_text(msg, "did_number", sizeof(ev->our_number),
	    "malformed did_number", &did, why) ||
	    ys_seconds(msg, "call_duration", &dur, "malformed call_duration",
	    why) ||
	    ys_seconds(msg, "talk_duration", &talk, "malformed talk_duration",
	    why))
		return CB_EINVAL;
	tz = ys_time_zone(c->config, c->default_country);
	if (start != NULL && adapt_local_ms(start, tz, &ev->started_ms) !=
	    CB_OK) {
		*why = "malformed time_start (YYYY-MM-DD HH:MM:SS, or the "
		    "integration's time zone is not valid)";
		return CB_EINVAL;
	}
	/* type: Inbound, Outbound, Internal (compared case-insensitively:
	 * the table writes them in lower case, §5.2). */
	ev->dir = type == NULL ? DIR_UNKNOWN :
	    strcasecmp(type, "Inbound") == 0 ? DIR_IN :
	    strcasecmp(type, "Outbound") == 0 ? DIR_OUT :
	    strcasecmp(type, "Internal") == 0 ? DIR_INTERNAL : DIR_UNKNOWN;
	ev->kind = EV_ENDED;
	ev->result = ys_result(status, ev->dir);
	ev_set(ev, hangup_cause, status);
	if (ev->dir == DIR_OUT) {
		ev_set_client(ev, to, (size_t)-1);
		to = from;        /* the extension */
	} else if (ev->dir != DIR_INTERNAL)
		ev_set_client(ev, from ? from : "", (size_t)-1);
	if (to != NULL && strlen(to) >= sizeof(ev->extension)) {
		*why = "malformed call_to";
		return CB_EINVAL;
	}
	/* Who the call ended with: the answering extension of an inbound
	 * call [U: a ring group's CDR may name the group]. */
	ev_set(ev, extension, to);
	ev_set(ev, our_number, did);
	if (talk >= 0)
		ev->talk_s = (int32_t)talk;
	if (dur >= 0 && talk >= 0 && dur >= talk)
		ev->wait_s = (int32_t)(dur - talk);
	if (ev->started_ms > 0 && dur >= 0) {
		ev->at_ms = ev->ended_ms = ev->started_ms + dur * 1000;
		if (ev->result == RES_ANSWERED && talk >= 0)
			ev->answered_ms = ev->ended_ms - talk * 1000;
	}
	/* §5.7: the recording's file name; the file is asked for by name. */
	if (rec != NULL && yeastar_recording_name_ok(rec))
		ev_set(ev, recording_ref, rec);
	else if (rec == NULL && ev->result != RES_ANSWERED)
		ev->recording_absent = true;
	adapt_event_id(ev, ev->call_id, "30012", NULL);
	return CB_OK;
}

static enum cb_err
ys_parse(const struct prov_conf *c, const struct prov_req *r,
    struct call_event *ev, const char **why)
{
	struct json_object *msg = NULL;
	const char *ts, *id;
	int64_t type;
	enum cb_err rc;

	if (r->json == NULL || !json_object_is_type(r->json,
	    json_type_object)) {
		*why = "expected a JSON body";
		return CB_EINVAL;
	}
	/* Older S-Series bridges send "action"/"event" names (§5.10): not
	 * this adapter's format, kept raw below as unknown. */
	ts = adapt_json_path(r->json, "type");
	if (ts == NULL || strparse_i64z(ts, 0, 999999, &type) != CB_OK) {
		*why = "no numeric type (the P-Series event id)";
		return CB_EINVAL;
	}
	adapt_type_name(ev, ts);
	if ((rc = ys_msg(r, &msg, why)) != CB_OK)
		return rc;
	if (ys_text(msg, "call_id", sizeof(ev->call_id), "malformed call_id",
	    &id, why) != CB_OK) {
		json_object_put(msg);
		return CB_EINVAL;
	}
	ev_set(ev, call_id, id);
	switch (type) {
	case YS_CALL_STATE:
	case YS_INVITATION:
	case YS_NEW_CDR:
		if (id == NULL) {
			*why = "missing call_id in msg";
			rc = CB_EINVAL;
		} else if (type == YS_NEW_CDR)
			rc = ys_parse_cdr(c, msg, ev, why);
		else
			rc = ys_parse_state(msg, (int)type, ev, why);
		break;
	case YS_EXT_STATUS:
	case YS_CALL_FAILED:
	case YS_REC_DONE:
		ev->kind = EV_IGNORED; /* kept raw */
		break;
	default:
		ev->kind = EV_UNKNOWN;
		break;
	}
	json_object_put(msg);
	return rc;
}

static enum cb_err
ys_answer(const struct prov_conf *c, const struct call_event *ev,
    const struct route_answer *ra, struct buf *out,
    const char **content_type)
{
	(void)c;
	(void)ev;
	(void)ra;
	/* §5.2: the PBX wants a 2xx; the body is not read. */
	*content_type = "application/json";
	return buf_puts(out, "{}");
}

static const struct prov_field ys_fields[] = {
	{ "key", "URL key", true, true, "Added to the webhook URL as ?key=…" },
	{ "client_id", "API client ID", true, false, "Integrations › API "
	    "(for click-to-call and recordings, with the API address)" },
	{ "client_secret", "API client secret", true, false, NULL },
	{ "api_base", "PBX API address", false, false, "https://host:port of "
	    "the PBX's web interface (Software Edition: port 8088 by "
	    "default); for click-to-call, recordings and reconciliation" },
	{ NULL, NULL, false, false, NULL }
};

/* The one non-secret field: the API's address, checked as every request
 * checks it (https, or http to this machine). */
static const char *
ys_check_setting(const char *name, const char *value)
{
	char out[512];

	if (strcmp(name, "api_base") == 0 &&
	    recfetch_api_base(value, out, sizeof(out)) != CB_OK)
		return "An https address such as https://pbx.example.com:8088 "
		    "(no path or query; http only on this machine).";
	return NULL;
}

/* The PBX's address is the admin's to add: the list starts empty (no
 * check, the key is). */
static const char *const ys_networks[] = { NULL };

/* The CDR's times are in the PBX's zone: config "time_zone", else the
 * country's usual zone. */
static const char *
ys_time_zone(struct json_object *config, const char *country)
{
	return adapt_time_zone(config, phone_region_time_zone(country));
}

const struct provider yeastar_provider = {
	.kind = "yeastar",
	.label = "Yeastar P-Series",
	.countries = NULL,
	.fields = ys_fields,
	.where = "the PBX's Integrations › API › Webhook: this URL with "
	    "?key=<your key> added, events 30011 (Call State Changed) and "
	    "30012 (New CDR)",
	.time_zone = ys_time_zone,
	.networks = ys_networks,
	.verify = ys_verify,
	.parse = ys_parse,
	.answer = ys_answer,
	.check_setting = ys_check_setting,
	.prepare = &yeastar_prepare,
	.dial = &yeastar_dial,
	.hangup = yeastar_hangup,
	.hangup_id = yeastar_hangup_id,
	.recording = &yeastar_recording,
	.test_event = yeastar_test_event,
	.history = &yeastar_history,
};
