/* Phonet "user events" (providers-2.md §1).
 *
 * Phonet POSTs call.dial, call.bridge and call.hangup, as JSON or as a
 * form (§1.1: integrators read both; a form spells nesting in its names,
 * "leg[ext]"), and asks "who is this caller" synchronously with
 * otherLegNum (and trunkNum) and no event: that is the routing question,
 * answered with the responsible manager's extension.
 *
 * Nothing is signed (§1.4): Phonet's documented protection is the list
 * of its servers' addresses, so the integration's config "allowed_ips"
 * (default: the six addresses of §1.4) decides; a secrets "key", when
 * set, must also come as ?key= in the URL (our own hardening).
 *
 * One physical call: the root uuid. A child leg (transfer, forwarding)
 * has its own uuid and parentUuid = the parent's (§1.2): it is a leg
 * (leg_id = its uuid) of the parent's call. Only one level is visible in
 * an event; a grandchild would be filed under its parent's uuid [U].
 *
 * call.hangup states no result and no durations (§1.1): they are worked
 * out from the event's own times, bridged or not, talk = bridge → hang-up
 * (serverTime, else the arrival). Phonet may send an event twice (§1.5):
 * the event id is uuid:event[:extension], so a retry is a duplicate.
 * Reconciliation (history.c) confirms them: its records come back as our
 * own event "call.history" with Phonet's disposition and durations. */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "calls/event.h"
#include "core/buf.h"
#include "core/strparse.h"
#include "providers/adapt.h"
#include "providers/phonet/phonet.h"
#include "providers/provider.h"

#define PH_MAX_SPAN_S (10 * 24 * 3600)

/* §1.4, from the v4.1 PDF as quoted by integrators [C, source not named]:
 * used when the integration's config has no "allowed_ips". */
static const char *const ph_default_ips[] = {
	"89.184.65.208", "89.184.82.130", "89.184.67.228", "89.184.82.191",
	"89.184.65.137", "95.213.132.131", NULL
};

/* call.history is ours, not Phonet's: a record of its history API
 * (history.c) as an event, with the record's disposition, billSecs and
 * duration (§1.8), which confirm what call.hangup could only derive. Its
 * own event id, so it completes a call its webhooks stored. */
enum ph_type { PH_DIAL, PH_BRIDGE, PH_HANGUP, PH_HISTORY, PH__MAX };

static const char *const ph_types[PH__MAX] = {
	[PH_DIAL] = "call.dial",
	[PH_BRIDGE] = "call.bridge",
	[PH_HANGUP] = "call.hangup",
	[PH_HISTORY] = "call.history",
};

/* lgDirection (§1.1, src/Enum/Direction.php [C]). */
#define PH_DIR_INTERNAL 1
#define PH_DIR_OUT 2
#define PH_DIR_IN 4
#define PH_PAUSE_ON 32
#define PH_PAUSE_OFF 64

static enum cb_err
ph_verify(const struct prov_conf *c, const struct prov_req *r,
    const char **why)
{
	if (!adapt_ip_allowed(c, ph_default_ips, r->remote_addr)) {
		*why = "source address is not one of Phonet's servers (the "
		    "integration's allowed source addresses)";
		return CB_EDENIED;
	}
	if (adapt_url_key(c, r) == ADAPT_KEY_BAD) {
		*why = "wrong or missing key in the callback URL";
		return CB_EDENIED;
	}
	return CB_OK;
}

/* An epoch field: *ms untouched when absent or null. */
static enum cb_err
ph_time(const struct prov_req *r, const char *name, int64_t *ms,
    const char *bad, const char **why)
{
	const char *v = adapt_path(r, name);

	if (v == NULL || *v == '\0' || strcmp(v, "null") == 0)
		return CB_OK;
	if (adapt_epoch_ms(v, ms) != CB_OK) {
		*why = bad;
		return CB_EINVAL;
	}
	return CB_OK;
}

static enum cb_err
ph_field(const struct prov_req *r, const char *name, size_t cap,
    bool required, const char *bad, const char **out, const char **why)
{
	return adapt_text(adapt_path(r, name), cap, required, true, true, bad,
	    out, why);
}

/* The synchronous caller lookup (§1.1 "info by number"): no event, the
 * caller's number in otherLegNum. */
static enum cb_err
ph_parse_lookup(const struct prov_req *r, struct call_event *ev,
    const char **why)
{
	const char *num, *trunk, *uuid;

	if (ph_field(r, "otherLegNum", sizeof(ev->client), false,
	    "malformed otherLegNum", &num, why) ||
	    ph_field(r, "trunkNum", sizeof(ev->our_number), false,
	    "malformed trunkNum", &trunk, why) ||
	    ph_field(r, "uuid", sizeof(ev->call_id), false,
	    "malformed uuid", &uuid, why))
		return CB_EINVAL;
	adapt_type_name(ev, "lookup");
	ev->kind = EV_RINGING;
	ev->wants_route = true;
	ev->dir = DIR_IN;
	ev_set_client(ev, num ? num : "", (size_t)-1);
	ev_set(ev, our_number, trunk);
	/* Documented without a call id: then only the raw event is kept. */
	ev_set(ev, call_id, uuid);
	return CB_OK;
}

/* The hang-up's outcome from the event's times (§1.1: the event has no
 * result or durations). */
static void
ph_outcome(const struct prov_req *r, int64_t dial, int64_t bridge,
    int64_t end, struct call_event *ev)
{
	int64_t until = end > 0 ? end : r->now * 1000;

	if (bridge > 0) {
		ev->result = RES_ANSWERED;
		ev->answered_ms = bridge;
		if (until >= bridge && until - bridge <= PH_MAX_SPAN_S * 1000LL)
			ev->talk_s = (int32_t)((until - bridge) / 1000);
		if (dial > 0 && bridge >= dial &&
		    bridge - dial <= PH_MAX_SPAN_S * 1000LL)
			ev->wait_s = (int32_t)((bridge - dial) / 1000);
		return;
	}
	ev->result = ev->dir == DIR_OUT || ev->dir == DIR_INTERNAL ?
	    RES_NO_ANSWER : RES_MISSED;
	ev->talk_s = 0;
	if (dial > 0 && until >= dial && until - dial <= PH_MAX_SPAN_S * 1000LL)
		ev->wait_s = (int32_t)((until - dial) / 1000);
}

/* A history record's outcome (§1.8): disposition 0 answered, 1 no
 * answer, 2 congested, 3 dial error, 4 busy; billSecs is the talk,
 * duration the whole call. */
static enum cb_err
ph_history_outcome(const struct prov_req *r, struct call_event *ev,
    const char **why)
{
	const char *d = adapt_path(r, "disposition");
	const char *b = adapt_path(r, "billSecs");
	const char *du = adapt_path(r, "duration");
	int64_t disp, bill, dur;

	if (d == NULL || strparse_i64z(d, 0, 4, &disp) != CB_OK ||
	    b == NULL || strparse_i64z(b, 0, PH_MAX_SPAN_S, &bill) != CB_OK ||
	    du == NULL || strparse_i64z(du, 0, PH_MAX_SPAN_S, &dur) != CB_OK ||
	    bill > dur) {
		*why = "malformed disposition, billSecs or duration";
		return CB_EINVAL;
	}
	switch (disp) {
	case 0:
		ev->result = RES_ANSWERED;
		ev->talk_s = (int32_t)bill;
		ev->wait_s = (int32_t)(dur - bill);
		return CB_OK;
	case 1:
		ev->result = ev->dir == DIR_OUT || ev->dir == DIR_INTERNAL ?
		    RES_NO_ANSWER : RES_MISSED;
		break;
	case 4:
		ev->result = RES_BUSY;
		break;
	default:
		ev->result = RES_FAILED;
		break;
	}
	ev->talk_s = 0;
	ev->wait_s = (int32_t)dur;
	return CB_OK;
}

static enum cb_err
ph_parse(const struct prov_conf *c, const struct prov_req *r,
    struct call_event *ev, const char **why)
{
	const char *event, *uuid, *parent, *dirs, *ext, *ext2, *num, *name;
	const char *trunk, *domain, *who;
	int64_t dir = 0, dial = 0, bridge = 0, server = 0;
	enum ph_type t;
	char url[sizeof(ev->recording_url)];

	if (r->form == NULL && r->json == NULL) {
		*why = "expected a JSON or form body";
		return CB_EINVAL;
	}
	event = adapt_path(r, "event");
	if (event == NULL || *event == '\0') {
		if (adapt_path(r, "otherLegNum") != NULL)
			return ph_parse_lookup(r, ev, why);
		*why = "no event field (call.dial, call.bridge, call.hangup)";
		return CB_EINVAL;
	}
	if (!adapt_printable(event)) {
		*why = "malformed event";
		return CB_EINVAL;
	}
	adapt_type_name(ev, event);
	for (t = 0; t < PH__MAX; t++)
		if (strcmp(ph_types[t], event) == 0)
			break;
	if (ph_field(r, "uuid", sizeof(ev->call_id), t != PH__MAX,
	    "missing or malformed uuid", &uuid, why) ||
	    ph_field(r, "parentUuid", sizeof(ev->call_id), false,
	    "malformed parentUuid", &parent, why))
		return CB_EINVAL;
	ev_set(ev, call_id, parent ? parent : uuid);
	if (t == PH__MAX) {
		/* Stored raw and answered 200, so Phonet does not resend. */
		ev->kind = EV_UNKNOWN;
		return CB_OK;
	}
	if (parent != NULL)
		ev_set(ev, leg_id, uuid);

	dirs = adapt_path(r, "lgDirection");
	if (dirs != NULL && *dirs != '\0' &&
	    strparse_i64z(dirs, 0, 1 << 20, &dir) != CB_OK) {
		*why = "malformed lgDirection";
		return CB_EINVAL;
	}
	if (ph_time(r, "dialAt", &dial, "malformed dialAt", why) ||
	    ph_time(r, "bridgeAt", &bridge, "malformed bridgeAt", why) ||
	    ph_time(r, "serverTime", &server, "malformed serverTime", why) ||
	    ph_field(r, "leg[ext]", sizeof(ev->extension), false,
	    "malformed leg ext", &ext, why) ||
	    ph_field(r, "leg2[ext]", sizeof(ev->extension), false,
	    "malformed leg2 ext", &ext2, why) ||
	    ph_field(r, "otherLegs[0][num]", sizeof(ev->client), false,
	    "malformed otherLegs num", &num, why) ||
	    adapt_text(adapt_path(r, "otherLegs[0][name]"),
	    sizeof(ev->caller_name), false, false, true,
	    "malformed otherLegs name", &name, why) ||
	    ph_field(r, "trunkNum", sizeof(ev->our_number), false,
	    "malformed trunkNum", &trunk, why) ||
	    ph_field(r, "accountDomain", 254, false, "malformed accountDomain",
	    &domain, why))
		return CB_EINVAL;

	if (dir == PH_PAUSE_ON || dir == PH_PAUSE_OFF) {
		/* An employee's pause switched: about no call. */
		ev->kind = EV_IGNORED;
		adapt_event_id(ev, uuid, event, ext);
		return CB_OK;
	}
	ev->dir = dir == PH_DIR_IN ? DIR_IN : dir == PH_DIR_OUT ? DIR_OUT :
	    dir == PH_DIR_INTERNAL ? DIR_INTERNAL : DIR_UNKNOWN;
	if (ev->dir != DIR_INTERNAL) {
		/* otherLegs are the external parties; present but empty is a
		 * withheld number (ev_set_client decides). */
		if (num == NULL && adapt_path(r, "otherLegs[0][num]") != NULL)
			num = "";
		ev_set_client(ev, num, (size_t)-1);
		if (name != NULL && (num == NULL || strcmp(name, num) != 0))
			ev_set(ev, caller_name, name);
		ev_set(ev, our_number, trunk);
	}
	ev->at_ms = server;
	ev->started_ms = dial;
	/* leg2 is "the one who took the call" (§1.1): the employee this
	 * event is about when present, else leg. */
	who = ext2 ? ext2 : ext;

	switch (t) {
	case PH_DIAL:
		ev->kind = EV_RINGING;
		ev_set(ev, extension, who);
		break;
	case PH_BRIDGE:
		ev->kind = EV_ANSWERED;
		ev->answered_ms = bridge > 0 ? bridge : server;
		ev_set(ev, extension, who);
		break;
	case PH_HANGUP:
		ev->kind = EV_ENDED;
		ev->ended_ms = server;
		ph_outcome(r, dial, bridge, server, ev);
		/* The call's own hang-up names who talked only through
		 * leg2: leg may be who answered before a transfer, and a
		 * final record's extension outranks the legs (ingest's
		 * "final talker"). Unanswered, it names who rang. */
		if (bridge == 0)
			ev_set(ev, extension, ext);
		else if (parent != NULL || ext2 != NULL)
			ev_set(ev, extension, who);
		if (parent == NULL && bridge > 0) {
			domain = phonet_domain(c->config, domain);
			if (domain != NULL && phonet_recording_url(domain, uuid,
			    url, sizeof(url)) == CB_OK)
				ev_set(ev, recording_url, url);
		} else if (parent == NULL)
			/* §1.6: only answered calls are recorded. */
			ev->recording_absent = true;
		break;
	case PH_HISTORY:
		ev->kind = EV_ENDED;
		ev->ended_ms = server;
		if (ph_history_outcome(r, ev, why) != CB_OK)
			return CB_EINVAL;
		if (ev->result == RES_ANSWERED && bridge > 0)
			ev->answered_ms = bridge;
		ev_set(ev, extension, who);
		if (ev->result == RES_ANSWERED) {
			domain = phonet_domain(c->config, domain);
			if (domain != NULL && phonet_recording_url(domain, uuid,
			    url, sizeof(url)) == CB_OK)
				ev_set(ev, recording_url, url);
		} else
			ev->recording_absent = true;
		break;
	case PH__MAX:
	default:
		abort();
	}
	adapt_event_id(ev, uuid, event, ev->extension[0] ? ev->extension :
	    NULL);
	return CB_OK;
}

/* --- answering --- */

static void
ph_put(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v ? v : ""));
}

/* §1.1: {"name","url","urlText","newEntity","responsibleEmployeeExt",
 * "responsibleEmployeeEmail"}; empty values for a caller we do not know
 * (never an error: the call must go on). */
static enum cb_err
ph_lookup_json(const struct route_answer *ra, struct buf *out)
{
	struct json_object *o = json_object_new_object();
	const char *ext = NULL, *js;
	enum cb_err rc;

	if (o == NULL)
		return CB_ENOMEM;
	if (ra != NULL) {
		if (ra->extension != NULL && *ra->extension != '\0')
			ext = ra->extension;
		else if (ra->fallback_kind != NULL &&
		    strcmp(ra->fallback_kind, "manager") == 0)
			ext = ra->fallback_target;
	}
	ph_put(o, "name", ra ? ra->customer_name : NULL);
	ph_put(o, "url", ra ? ra->customer_url : NULL);
	ph_put(o, "urlText", ra && ra->customer_url && *ra->customer_url ?
	    "Open in Callboard" : NULL);
	json_object_object_add(o, "newEntity", json_object_new_boolean(0));
	ph_put(o, "responsibleEmployeeEmail", ext == NULL && ra ?
	    ra->manager_email : NULL);
	ph_put(o, "responsibleEmployeeExt", ext);
	js = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	rc = js ? buf_puts(out, js) : CB_ENOMEM;
	json_object_put(o);
	return rc;
}

static enum cb_err
ph_answer(const struct prov_conf *c, const struct call_event *ev,
    const struct route_answer *ra, struct buf *out,
    const char **content_type)
{
	(void)c;
	*content_type = "application/json";
	if (ev->wants_route)
		return ph_lookup_json(ra, out);
	/* Phonet reads nothing from the answer to an event but its 200. */
	return buf_puts(out, "{}");
}

static const char *const ph_countries[] = { "UA", NULL };

static const struct prov_field ph_fields[] = {
	{ "key", "URL key", true, false, "Optional: added to the callback URL "
	    "as ?key=…; Phonet's servers are checked by address anyway" },
	{ "api_key", "API key", true, false, "For click-to-call, hang-up "
	    "and reconciliation: Phonet's REST API key (cabinet › API)" },
	{ "domain", "Phonet domain", false, false, "The host of your Phonet "
	    "cabinet (mycompany.phonet.com.ua): recordings and the API are "
	    "asked there" },
	{ NULL, NULL, false, false, NULL }
};

static const char *
ph_check_setting(const char *name, const char *value)
{
	if (strcmp(name, "domain") == 0 && !phonet_domain_valid(value))
		return "A host name such as mycompany.phonet.com.ua: letters, "
		    "digits, '-' and '.'.";
	return NULL;
}

const struct provider phonet_provider = {
	.kind = "phonet",
	.label = "Phonet",
	.countries = ph_countries,
	.fields = ph_fields,
	.where = "Settings › Integration › \"Integration with another CRM\": "
	    "\"user events\" and \"info by number\" (add ?key=<your key> when "
	    "you set one); only Phonet's servers are accepted",
	.networks = ph_default_ips,
	.verify = ph_verify,
	.parse = ph_parse,
	.answer = ph_answer,
	.check_setting = ph_check_setting,
	.prepare = &phonet_prepare,
	.dial = &phonet_dial,
	.hangup = phonet_hangup,
	.recording = &phonet_recording,
	.test_event = phonet_test_event,
	.history = &phonet_history,
};
