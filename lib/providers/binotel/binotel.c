/* Binotel pushes (providers.md §3).
 *
 * Binotel POSTs a form with PHP-style nested names
 * (`callDetails[historyData][0][billsec]=...`), dispatched on
 * `requestType`: the synchronous "who is this caller" question
 * (apiCallSettings), the live WebHooks (receivedTheCall, answeredTheCall,
 * transferredTheCall, hangupTheCall) and the full record of a finished
 * call (apiCallCompleted). Some setups send the same structure as JSON;
 * both are read through adapt_path().
 *
 * There is no request signature (§3.2): Binotel's documented protection
 * is the list of its server addresses. Behind a proxy that list cannot
 * work, so the integration's key in the callback URL's query is accepted
 * instead (our own hardening).
 *
 * All pushes of one physical call share generalCallID, the call's key
 * here; employees that rang are legs of it (issue 3 §3). */
#include "config.h"

#include <arpa/inet.h>
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
#include "net/sig.h"
#include "net/ipmatch.h"
#include "providers/provider.h"
#include "providers/binotel/binotel.h"
#include "providers/adapt.h"
#include "reconcile/history.h"

#define BN_MAX_HISTORY 64          /* historyData entries we look at */
#define BN_MAX_SECONDS (10 * 24 * 3600)
#define BN_MAX_UNIX 4102444800LL   /* 2100-01-01 */
#define BN_CRM_LINK_TITLE "Open in Callboard"

enum bn_type {
	BN_SETTINGS, BN_RECEIVED, BN_ANSWERED, BN_TRANSFERRED, BN_HANGUP,
	BN_COMPLETED, BN__MAX
};

static const char *const bn_types[BN__MAX] = {
	[BN_SETTINGS] = "apiCallSettings",
	[BN_RECEIVED] = "receivedTheCall",
	[BN_ANSWERED] = "answeredTheCall",
	[BN_TRANSFERRED] = "transferredTheCall",
	[BN_HANGUP] = "hangupTheCall",
	[BN_COMPLETED] = "apiCallCompleted",
};

/* Binotel's servers (§3.2, the IP list shown in the docs), used when the
 * integration's config has no "allowed_ips". The last three come from a
 * third-party module only [C]; keep the list configurable. */
static const char *const bn_default_ips[] = {
	"194.88.218.116", "194.88.218.114", "194.88.218.117",
	"194.88.218.118", "194.88.218.119", "194.88.218.120",
	"194.88.219.67", "194.88.219.70", "194.88.219.71", "194.88.219.72",
	"194.88.219.78", "194.88.219.79", "194.88.219.80", "194.88.219.81",
	"194.88.219.82", "194.88.219.83", "194.88.219.84", "194.88.219.85",
	"194.88.219.86", "194.88.219.87", "194.88.219.88", "194.88.219.89",
	"194.88.219.92",
	"185.100.66.145", "185.100.66.146", "185.100.66.147",
	"45.91.130.82", "45.91.130.36", "45.91.129.203",
};

/* `disposition` (§3.1, sashalenz DispositionEnum [C]). NOANSWER, CANCEL
 * and voicemail mean "missed" on an incoming call and "no answer" on an
 * outgoing one; a call still in progress says nothing yet. */
static const struct bn_disposition {
	const char *name;
	enum call_result in, out;
} bn_dispositions[] = {
	{ "ANSWER", RES_ANSWERED, RES_ANSWERED },
	{ "TRANSFER", RES_ANSWERED, RES_ANSWERED },
	{ "BUSY", RES_BUSY, RES_BUSY },
	{ "NOANSWER", RES_MISSED, RES_NO_ANSWER },
	{ "CANCEL", RES_MISSED, RES_NO_ANSWER },
	{ "VM", RES_MISSED, RES_NO_ANSWER },
	{ "VM-SUCCESS", RES_MISSED, RES_NO_ANSWER },
	{ "CONGESTION", RES_FAILED, RES_FAILED },
	{ "CHANUNAVAIL", RES_FAILED, RES_FAILED },
	{ "FAILED", RES_FAILED, RES_FAILED },
	{ "ONLINE", RES_NONE, RES_NONE },
	{ "CALLING", RES_NONE, RES_NONE },
};

/* --- source addresses and the URL key (§3.2) --- */



/* The peer is in config "allowed_ips", or in Binotel's list when the
 * config has none. */
static bool
bn_ip_allowed(const struct prov_conf *c, const char *remote)
{
	struct json_object *list, *e;
	unsigned char addr[16];
	size_t i, n;
	bool v4;

	if (remote == NULL || !ip_parse(remote, addr, &v4))
		return false;
	if (c->config != NULL &&
	    json_object_object_get_ex(c->config, "allowed_ips", &list)) {
		/* Anything but a list allows no address: fail closed. */
		if (!json_object_is_type(list, json_type_array))
			return false;
		n = json_object_array_length(list);
		for (i = 0; i < n; i++) {
			e = json_object_array_get_idx(list, i);
			if (json_object_is_type(e, json_type_string) &&
			    ip_match(json_object_get_string(e), addr))
				return true;
		}
		return false;
	}
	for (i = 0; i < sizeof(bn_default_ips) / sizeof(bn_default_ips[0]);
	    i++)
		if (ip_match(bn_default_ips[i], addr))
			return true;
	return false;
}

static enum cb_err
bn_verify(const struct prov_conf *c, const struct prov_req *r,
    const char **why)
{
	const char *key, *given;

	if (bn_ip_allowed(c, r->remote_addr))
		return CB_OK;
	/* An empty key would let "?key=" in: only a configured one counts. */
	key = prov_secret(c, "key");
	given = r->query ? kv_get(r->query, "key") : NULL;
	if (key != NULL && *key != '\0' && given != NULL &&
	    sig_equal(given, key))
		return CB_OK;
	*why = given ? "wrong key in the callback URL" :
	    "source address is not a Binotel server and the URL has no key";
	return CB_EDENIED;
}

/* --- reading nested fields (PHP-style names, "callDetails[historyData][0][billsec]":
 * the literal form field or the same path through a JSON body: adapt_path()) --- */

/* A text field: printable ASCII shorter than cap; NULL when absent or
 * empty (CB_EINVAL if required). */
static enum cb_err
bn_text(const struct prov_req *r, const char *path, size_t cap,
    bool required, const char *bad, const char **out, const char **why)
{
	const char *v = adapt_path(r, path);

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

/* An integer field in [0, max]; *out untouched and CB_OK when absent. */
static enum cb_err
bn_int(const struct prov_req *r, const char *path, int64_t max,
    const char *bad, int64_t *out, const char **why)
{
	const char *v = adapt_path(r, path);

	if (v == NULL || *v == '\0')
		return CB_OK;
	if (strparse_i64z(v, 0, max, out) != CB_OK) {
		*why = bad;
		return CB_EINVAL;
	}
	return CB_OK;
}

/* callType: 0 incoming, 1 outgoing (§3.1). Another number is a kind we
 * do not know; not an error. */
static enum cb_err
bn_dir(const struct prov_req *r, const char *path, struct call_event *ev,
    const char **why)
{
	int64_t t = -1;

	if (bn_int(r, path, 1000, "malformed callType", &t, why) != CB_OK)
		return CB_EINVAL;
	ev->dir = t == 0 ? DIR_IN : t == 1 ? DIR_OUT : DIR_UNKNOWN;
	return CB_OK;
}

static enum call_result
bn_result(const char *disposition, enum call_dir dir)
{
	size_t i;

	if (disposition == NULL)
		return RES_UNKNOWN;
	for (i = 0; i < sizeof(bn_dispositions) / sizeof(bn_dispositions[0]);
	    i++) {
		const struct bn_disposition *d = &bn_dispositions[i];
		if (strcasecmp(d->name, disposition) != 0)
			continue;
		if (d->in == d->out)
			return d->in;
		/* Missed or no answer depends on the direction; with none
		 * given, say nothing rather than guess (DESIGN §3). */
		return dir == DIR_OUT ? d->out : dir == DIR_IN ? d->in :
		    RES_NONE;
	}
	return RES_UNKNOWN;
}

/* generalCallID ":" requestType [":" internalNumber]. When that does not
 * fit, the pipeline falls back to a payload hash. */
static void
bn_event_id(struct call_event *ev, const char *type, const char *ext)
{
	int n;

	if (ev->call_id[0] == '\0')
		return;
	n = snprintf(ev->event_id, sizeof(ev->event_id), "%s:%s%s%s",
	    ev->call_id, type, ext ? ":" : "", ext ? ext : "");
	if (n < 0 || (size_t)n >= sizeof(ev->event_id))
		ev->event_id[0] = '\0';
}

/* --- parsing --- */

/* The party fields every live push may carry. */
static enum cb_err
bn_parties(const struct prov_req *r, struct call_event *ev,
    const char **why)
{
	const char *ext, *client, *ours;

	if (bn_dir(r, "callType", ev, why) ||
	    bn_text(r, "externalNumber", sizeof(ev->client), false,
	    "malformed externalNumber", &client, why) ||
	    bn_text(r, "internalNumber", sizeof(ev->extension), false,
	    "malformed internalNumber", &ext, why) ||
	    bn_text(r, "pbxNumber", sizeof(ev->our_number), false,
	    "malformed pbxNumber", &ours, why))
		return CB_EINVAL;
	/* receivedTheCall names the line didNumber or did (§3.1). */
	if (ours == NULL && bn_text(r, "didNumber", sizeof(ev->our_number),
	    false, "malformed didNumber", &ours, why))
		return CB_EINVAL;
	if (ours == NULL && bn_text(r, "did", sizeof(ev->our_number), false,
	    "malformed did", &ours, why))
		return CB_EINVAL;
	/* An incoming caller's number present but empty: withheld (as are
	 * "anonymous" and the like, ev_set_client decides). */
	if (client == NULL && ev->dir == DIR_IN &&
	    adapt_path(r, "externalNumber") != NULL)
		client = "";
	ev_set_client(ev, client, (size_t)-1);
	ev_set(ev, extension, ext);
	ev_set(ev, our_number, ours);
	return CB_OK;
}

/* historyData: one entry per employee the call reached. The last one
 * with talk time is who talked last (issue 3 §3: a transfer keeps the
 * call and records who talked last); *talk is their billsec. */
static enum cb_err
bn_last_talker(const struct prov_req *r, const struct call_event *ev,
    const char **ext, int64_t *talk, const char **why)
{
	char path[96];
	const char *e;
	int64_t bill;
	int i;

	*ext = NULL;
	*talk = -1;
	for (i = 0; i < BN_MAX_HISTORY; i++) {
		snprintf(path, sizeof(path),
		    "callDetails[historyData][%d][internalNumber]", i);
		if (bn_text(r, path, sizeof(ev->extension), false,
		    "malformed historyData internalNumber", &e, why))
			return CB_EINVAL;
		bill = -1;
		snprintf(path, sizeof(path),
		    "callDetails[historyData][%d][billsec]", i);
		if (bn_int(r, path, BN_MAX_SECONDS,
		    "malformed historyData billsec", &bill, why))
			return CB_EINVAL;
		if (e == NULL && bill < 0) {
			snprintf(path, sizeof(path),
			    "callDetails[historyData][%d][disposition]", i);
			if (adapt_path(r, path) == NULL)
				break;
		}
		if (e != NULL && bill > 0) {
			*ext = e;
			*talk = bill;
		}
	}
	return CB_OK;
}

/* recordingStatus (§3.1; values not documented where we could read
 * them): a recording is fetched by generalCallID (§3.5). */
static void
bn_recording(const char *status, struct call_event *ev)
{
	static const char *const yes[] = {
		"uploaded", "uploading", "successful", "success"
	};
	static const char *const no[] = {
		"notRecorded", "not_recorded", "notUploaded", "noRecord",
		"failed", "none"
	};
	size_t i;

	if (status == NULL)
		return;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (strcasecmp(status, yes[i]) == 0)
			ev_set(ev, recording_ref, ev->call_id);
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (strcasecmp(status, no[i]) == 0)
			ev->recording_absent = true;
}

/* apiCallCompleted: the call's full record (§3.1 callDetails). */
static enum cb_err
bn_parse_completed(const struct prov_req *r, struct call_event *ev,
    const char **why)
{
	const char *id, *client, *ours, *ext, *talker, *disp, *rec;
	int64_t start = -1, wait = -1, bill = -1, last = -1;

	if (bn_text(r, "callDetails[generalCallID]", sizeof(ev->call_id),
	    true, "missing or malformed callDetails[generalCallID]", &id,
	    why) ||
	    bn_dir(r, "callDetails[callType]", ev, why) ||
	    bn_text(r, "callDetails[externalNumber]", sizeof(ev->client),
	    false, "malformed callDetails[externalNumber]", &client, why) ||
	    bn_text(r, "callDetails[pbxNumberData][number]",
	    sizeof(ev->our_number), false,
	    "malformed callDetails[pbxNumberData][number]", &ours, why) ||
	    bn_text(r, "callDetails[internalNumber]", sizeof(ev->extension),
	    false, "malformed callDetails[internalNumber]", &ext, why) ||
	    bn_text(r, "callDetails[disposition]", 32, false,
	    "malformed callDetails[disposition]", &disp, why) ||
	    bn_text(r, "callDetails[recordingStatus]", 64, false,
	    "malformed callDetails[recordingStatus]", &rec, why) ||
	    bn_int(r, "callDetails[startTime]", BN_MAX_UNIX,
	    "malformed callDetails[startTime]", &start, why) ||
	    bn_int(r, "callDetails[waitsec]", BN_MAX_SECONDS,
	    "malformed callDetails[waitsec]", &wait, why) ||
	    bn_int(r, "callDetails[billsec]", BN_MAX_SECONDS,
	    "malformed callDetails[billsec]", &bill, why) ||
	    bn_last_talker(r, ev, &talker, &last, why))
		return CB_EINVAL;
	ev->kind = EV_ENDED;
	ev_set(ev, call_id, id);
	if (client == NULL && ev->dir == DIR_IN &&
	    adapt_path(r, "callDetails[externalNumber]") != NULL)
		client = "";
	ev_set_client(ev, client, (size_t)-1);
	ev_set(ev, our_number, ours);
	ev_set(ev, extension, talker ? talker : ext);
	ev_set(ev, hangup_cause, disp);
	ev->result = bn_result(disp, ev->dir);
	if (ev->result == RES_NONE)
		ev->result = RES_UNKNOWN; /* a final record with no outcome */
	ev->wait_s = wait >= 0 ? (int32_t)wait : -1;
	ev->talk_s = bill >= 0 ? (int32_t)bill : -1;
	if (start > 0) {
		/* Binotel gives the start and the spans, so every time is
		 * exact however late the push arrives. */
		ev->started_ms = start * 1000;
		if (wait >= 0 && bill >= 0)
			ev->at_ms = ev->ended_ms = (start + wait + bill) * 1000;
		/* The answer this event reports is the one by ev->extension:
		 * after a transfer that is when the last talker picked up
		 * (end - their billsec), not the call's first answer, so the
		 * pipeline's "latest answered leg talked last" holds. Without
		 * a transfer both are start + waitsec. */
		if (ev->result == RES_ANSWERED && ev->ended_ms > 0)
			ev->answered_ms = ev->ended_ms -
			    (talker ? last : bill) * 1000;
	}
	bn_recording(rec, ev);
	bn_event_id(ev, bn_types[BN_COMPLETED], NULL);
	return CB_OK;
}

static enum cb_err
bn_parse(const struct prov_conf *c, const struct prov_req *r,
    struct call_event *ev, const char **why)
{
	const char *type, *id, *disp;
	enum bn_type t;
	int64_t bill = -1;
	size_t tlen;

	if (r->form == NULL && r->json == NULL) {
		*why = "expected a form or JSON body";
		return CB_EINVAL;
	}
	if ((type = adapt_path(r, "requestType")) == NULL || *type == '\0' ||
	    !adapt_printable(type)) {
		*why = "no requestType";
		return CB_EINVAL;
	}
	tlen = strlen(type);
	ev_copy(ev->type_name, sizeof(ev->type_name), type,
	    tlen < sizeof(ev->type_name) ? tlen : sizeof(ev->type_name) - 1);
	for (t = 0; t < BN__MAX; t++)
		if (strcmp(bn_types[t], type) == 0)
			break;

	if (t == BN_COMPLETED)
		return bn_parse_completed(r, ev, why);
	/* The question before a call may come without an id (sashalenz
	 * ApiCallSettingsData has none); every other push names it. */
	if (bn_text(r, "generalCallID", sizeof(ev->call_id),
	    t != BN_SETTINGS && t != BN__MAX,
	    "missing or malformed generalCallID", &id, why))
		return CB_EINVAL;
	ev_set(ev, call_id, id);
	if (t == BN__MAX) {
		/* Stored raw and answered 200 so Binotel stops retrying. */
		ev->kind = EV_UNKNOWN;
		return CB_OK;
	}
	if (bn_parties(r, ev, why) != CB_OK)
		return CB_EINVAL;

	switch (t) {
	case BN_SETTINGS:
		ev->kind = EV_RINGING;
		ev->wants_route = true;
		bn_event_id(ev, bn_types[t], NULL);
		break;
	case BN_RECEIVED:
		/* Ringing on one employee: a leg keyed by the pipeline from
		 * call_id + extension. */
		ev->kind = EV_RINGING;
		bn_event_id(ev, bn_types[t], ev->extension[0] ?
		    ev->extension : NULL);
		break;
	case BN_ANSWERED:
	case BN_TRANSFERRED:
		/* A transfer hands the call to internalNumber: the same as
		 * that employee answering now, so "who talked last" is the
		 * last of these. */
		if (ev->extension[0] == '\0') {
			*why = "no internalNumber";
			return CB_EINVAL;
		}
		ev->kind = EV_ANSWERED;
		bn_event_id(ev, bn_types[t], ev->extension);
		break;
	case BN_HANGUP:
		if (bn_text(r, "disposition", 32, false,
		    "malformed disposition", &disp, why) ||
		    bn_int(r, "billsec", BN_MAX_SECONDS, "malformed billsec",
		    &bill, why))
			return CB_EINVAL;
		ev->kind = EV_ENDED;
		ev_set(ev, hangup_cause, disp);
		ev->result = disp ? bn_result(disp, ev->dir) : RES_NONE;
		ev->talk_s = bill >= 0 ? (int32_t)bill : -1;
		bn_event_id(ev, bn_types[t], ev->extension[0] ?
		    ev->extension : NULL);
		break;
	case BN_COMPLETED:
	case BN__MAX:
	default:
		abort();
	}
	return CB_OK;
}

/* --- answering --- */

/* §3.3: {"customerData":{"name", "assignedToEmployeeNumber",
 * "linkToCrmUrl", "linkToCrmTitle"}}; {} for a caller we know nothing
 * about (never an error: the call must go on). */
static enum cb_err
bn_settings_json(const struct route_answer *ra, struct buf *out)
{
	struct json_object *o, *cd;
	const char *ext = NULL, *js;
	enum cb_err rc;

	if ((o = json_object_new_object()) == NULL)
		return CB_ENOMEM;
	if (ra != NULL) {
		if (ra->extension != NULL && *ra->extension != '\0')
			ext = ra->extension;
		else if (ra->fallback_kind != NULL &&
		    strcmp(ra->fallback_kind, "manager") == 0 &&
		    ra->fallback_target != NULL &&
		    *ra->fallback_target != '\0')
			ext = ra->fallback_target;
	}
	if (ra != NULL && (ext != NULL ||
	    (ra->customer_name != NULL && *ra->customer_name != '\0') ||
	    (ra->customer_url != NULL && *ra->customer_url != '\0'))) {
		cd = json_object_new_object();
		json_object_object_add(o, "customerData", cd);
		if (ra->customer_name != NULL && *ra->customer_name != '\0')
			json_object_object_add(cd, "name",
			    json_object_new_string(ra->customer_name));
		if (ext != NULL)
			json_object_object_add(cd, "assignedToEmployeeNumber",
			    json_object_new_string(ext));
		else if (ra->manager_email != NULL &&
		    *ra->manager_email != '\0')
			json_object_object_add(cd, "assignedToEmployeeEmail",
			    json_object_new_string(ra->manager_email));
		if (ra->customer_url != NULL && *ra->customer_url != '\0') {
			json_object_object_add(cd, "linkToCrmUrl",
			    json_object_new_string(ra->customer_url));
			json_object_object_add(cd, "linkToCrmTitle",
			    json_object_new_string(BN_CRM_LINK_TITLE));
		}
	}
	js = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	rc = js ? buf_puts(out, js) : CB_ENOMEM;
	json_object_put(o);
	return rc;
}

static enum cb_err
bn_answer(const struct prov_conf *c, const struct call_event *ev,
    const struct route_answer *ra, struct buf *out,
    const char **content_type)
{
	*content_type = "application/json";
	if (ev->wants_route)
		return bn_settings_json(ra, out);
	/* §3.2: exactly this, or Binotel retries (about 7 times in 38 h). */
	return buf_puts(out, "{\"status\":\"success\"}");
}

/* Binotel is a Ukrainian PBX (providers.md §3). */
static const char *const bn_countries[] = { "UA", NULL };

static const struct prov_field bn_fields[] = {
	{ "key", "API key", true, true, NULL },
	{ "secret", "API secret", true, true, NULL },
	{ NULL, NULL, false, false, NULL }
};

const struct provider binotel_provider = {
	.kind = "binotel",
	.label = "Binotel",
	.countries = bn_countries,
	.fields = bn_fields,
	.where = "WebHooks and \"API CALL SETTINGS\", with ?key=<your key> "
	    "added",
	.verify = bn_verify,
	.parse = bn_parse,
	.answer = bn_answer,
	.dial = &binotel_dial,
	.hangup = binotel_hangup_build,
	.recording = &binotel_recording,
	.test_event = binotel_test_event,
	.history = &binotel_history,
};
