/* 3CX's CRM integration requests (providers-2.md §6), as our template
 * (template.c) makes 3CX send them: JSON POSTs to the callback URL with
 * ?key=<the integration's key>, "event" telling which scenario runs.
 *
 *   {"event":"lookup","number":"[Number]"}          the contact lookup
 *   {"event":"journal","call_type":"[CallType]","number","agent",
 *    "agent_email","agent_name","queue","duration":"[Duration]",
 *    "start_utc","answer_utc","end_utc","recording_url","entity_id"}
 *                                                    call journaling
 *
 * The lookup is answered with the caller's customer (name, link), for
 * 3CX's screen pop; it stores nothing but the raw request.
 *
 * The journal has no call id (§6.2: 3CX support says it is in the CDR
 * only). The call's key is derived from what identifies the physical
 * call in every entry 3CX may write about it: the start to the second,
 * the direction and the number (threecx_call_key()). The agent is not in
 * it: should 3CX journal a queue call once per agent [U, §6.2], those
 * entries are legs of one call (who answered wins, the others rang).
 * The event id is that key + the agent + the call type, and not the
 * duration, end, recording link or CRM entity: a re-sent entry that
 * differs only in those is the same entry, stored once (docs/providers.md
 * "3CX"). Retries are not documented (§6.5).
 *
 * CallType (§6.1): Inbound (answered), Missed, Outbound (answered),
 * Notanswered. Times are [..UTC] variables formatted by the template as
 * yyyy-MM-ddTHH:mm:ssZ (§6.3); 3CX writes DateTime.MinValue (year 1) for
 * a time that did not happen, read as absent. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "calls/event.h"
#include "calls/recfetch.h"
#include "core/buf.h"
#include "core/strparse.h"
#include "providers/adapt.h"
#include "providers/provider.h"
#include "providers/threecx/threecx.h"

#define TX_MAX_SPAN_S (10 * 24 * 3600)

static const struct {
	const char *word;
	bool out;
	enum call_result result;
} tx_types[] = {
	{ "Inbound", false, RES_ANSWERED },
	{ "Missed", false, RES_MISSED },
	{ "Outbound", true, RES_ANSWERED },
	{ "Notanswered", true, RES_NO_ANSWER },
};

static enum cb_err
tx_verify(const struct prov_conf *c, const struct prov_req *r,
    const char **why)
{
	/* The key rides in the template's URL (§6.4: compared in constant
	 * time); config "allowed_ips", when set, is the PBX's address. */
	return adapt_verify_url_key(c, r, why);
}

static enum cb_err
tx_field(const struct prov_req *r, const char *name, size_t cap,
    bool required, bool ascii, const char *bad, const char **out,
    const char **why)
{
	return adapt_text(adapt_json_path(r->json, name), cap, required,
	    ascii, false, bad, out, why);
}

/* A UTC time as the template writes it: 0 when absent, empty or 3CX's
 * DateTime.MinValue. */
static enum cb_err
tx_time(const struct prov_req *r, const char *name, int64_t *ms,
    const char *bad, const char **why)
{
	const char *v = adapt_json_path(r->json, name);
	char s[20];
	size_t n;

	*ms = 0;
	if (v == NULL || *v == '\0' || strncmp(v, "0001-", 5) == 0)
		return CB_OK;
	/* yyyy-MM-ddTHH:mm:ssZ (or a space for T, or no Z). */
	n = strlen(v);
	if ((n != 19 && !(n == 20 && (v[19] == 'Z' || v[19] == 'z'))) ||
	    (v[10] != 'T' && v[10] != ' ')) {
		*why = bad;
		return CB_EINVAL;
	}
	memcpy(s, v, 19);
	s[10] = ' ';
	s[19] = '\0';
	if (adapt_local_ms(s, "UTC", ms) != CB_OK) {
		*why = bad;
		return CB_EINVAL;
	}
	return CB_OK;
}

/* Up to two digits at *p, advancing it: -1 when there are none. */
static int
tx_two(const char **p)
{
	int v = -1, k;

	for (k = 0; k < 2 && **p >= '0' && **p <= '9'; k++, (*p)++)
		v = (v < 0 ? 0 : v * 10) + (**p - '0');
	return v;
}

enum cb_err
threecx_duration(const char *s, int32_t *secs)
{
	const char *p = s, *dot, *colon;
	int64_t days = 0, v;
	int f[3], n = 0;

	if (s == NULL || *s == '\0' || strlen(s) > 24)
		return CB_EINVAL;
	if (strspn(s, "0123456789") == strlen(s)) {
		if (strparse_i64z(s, 0, TX_MAX_SPAN_S, &v) != CB_OK)
			return CB_EINVAL;
		*secs = (int32_t)v;
		return CB_OK;
	}
	/* .NET TimeSpan: [d.]hh:mm:ss[.fffffff], or mm:ss. */
	if ((colon = strchr(s, ':')) == NULL)
		return CB_EINVAL;
	if ((dot = strchr(s, '.')) != NULL && dot < colon) {
		for (; p < dot; p++) {
			if (*p < '0' || *p > '9' || days > 10)
				return CB_EINVAL;
			days = days * 10 + (*p - '0');
		}
		p++;
	}
	for (;;) {
		if (n == 3 || (f[n] = tx_two(&p)) < 0)
			return CB_EINVAL;
		n++;
		if (*p == ':') {
			p++;
			continue;
		}
		if (*p == '.' && strspn(p + 1, "0123456789") == strlen(p + 1))
			break;
		if (*p == '\0')
			break;
		return CB_EINVAL;
	}
	if (n == 2) {
		f[2] = f[1];
		f[1] = f[0];
		f[0] = 0;
	} else if (n != 3)
		return CB_EINVAL;
	if (f[0] > 23 || f[1] > 59 || f[2] > 59)
		return CB_EINVAL;
	v = ((days * 24 + f[0]) * 60 + f[1]) * 60 + f[2];
	if (v > TX_MAX_SPAN_S)
		return CB_EINVAL;
	*secs = (int32_t)v;
	return CB_OK;
}

bool
threecx_call_key(int64_t start_ms, bool outgoing, const char *number,
    char *out, size_t outsz)
{
	char when[20], digits[65];
	time_t t = (time_t)(start_ms / 1000);
	struct tm tm;
	size_t k = 0;
	int n;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y%m%dT%H%M%SZ", &tm) == 0)
		return false;
	/* The digits only ("+380 67…", "380-67…" and "00380…" alike), so
	 * 3CX's formatting of [Number] cannot split one call in two. */
	for (; number != NULL && *number; number++)
		if (*number >= '0' && *number <= '9' &&
		    (k > 0 || *number != '0') && k + 1 < sizeof(digits))
			digits[k++] = *number;
	digits[k] = '\0';
	n = snprintf(out, outsz, "%s-%s-%s", when, outgoing ? "out" : "in",
	    k ? digits : "withheld");
	return n > 0 && (size_t)n < outsz;
}

/* The contact lookup: the caller's number, answered with the customer. */
static enum cb_err
tx_parse_lookup(const struct prov_req *r, struct call_event *ev,
    const char **why)
{
	const char *num;

	if (tx_field(r, "number", sizeof(ev->client), false, true,
	    "malformed number", &num, why))
		return CB_EINVAL;
	ev->kind = EV_IGNORED;          /* no call: 3CX only asks who */
	ev->wants_route = true;
	ev->dir = DIR_IN;
	ev_set_client(ev, num ? num : "", (size_t)-1);
	return CB_OK;
}

static enum cb_err
tx_parse(const struct prov_conf *c, const struct prov_req *r,
    struct call_event *ev, const char **why)
{
	const char *event, *type, *num, *agent, *dur, *rec;
	int64_t start, answer, end;
	int32_t secs = -1;
	size_t i;

	(void)c;
	if (r->json == NULL || !json_object_is_type(r->json,
	    json_type_object)) {
		*why = "expected a JSON object (the Callboard CRM template's "
		    "requests)";
		return CB_EINVAL;
	}
	event = adapt_json_path(r->json, "event");
	if (event == NULL || *event == '\0' || !adapt_printable(event)) {
		*why = "no event field: upload the CRM template Callboard "
		    "gives for this integration";
		return CB_EINVAL;
	}
	adapt_type_name(ev, event);
	if (strcmp(event, "lookup") == 0)
		return tx_parse_lookup(r, ev, why);
	if (strcmp(event, "journal") != 0) {
		ev->kind = EV_UNKNOWN;  /* stored raw, 200 */
		return CB_OK;
	}
	if (tx_field(r, "call_type", 32, true, true, "no call_type", &type,
	    why))
		return CB_EINVAL;
	adapt_type_name(ev, type);
	for (i = 0; i < sizeof(tx_types) / sizeof(tx_types[0]); i++)
		if (strcasecmp(tx_types[i].word, type) == 0)
			break;
	if (i == sizeof(tx_types) / sizeof(tx_types[0])) {
		ev->kind = EV_UNKNOWN;  /* a call type 3CX may add */
		return CB_OK;
	}
	if (adapt_json_path(r->json, "number") == NULL) {
		*why = "no number";
		return CB_EINVAL;
	}
	if (tx_field(r, "number", sizeof(ev->client), false, true,
	    "malformed number", &num, why) ||
	    tx_field(r, "agent", EV_MAX_EXTENSION + 1, false, true,
	    "malformed agent (the extension, at most 16 characters)", &agent,
	    why) ||
	    tx_field(r, "duration", 24, false, true, "malformed duration",
	    &dur, why) ||
	    tx_field(r, "recording_url", sizeof(ev->recording_url), false, true,
	    "malformed recording_url", &rec, why) ||
	    tx_time(r, "start_utc", &start, "malformed start_utc (expected "
	    "yyyy-MM-ddTHH:mm:ssZ)", why) ||
	    tx_time(r, "answer_utc", &answer, "malformed answer_utc", why) ||
	    tx_time(r, "end_utc", &end, "malformed end_utc", why))
		return CB_EINVAL;
	if (start == 0) {
		*why = "no start_utc: the call cannot be told from others "
		    "without its start";
		return CB_EINVAL;
	}
	if (dur != NULL && threecx_duration(dur, &secs) != CB_OK) {
		*why = "malformed duration (expected hh:mm:ss)";
		return CB_EINVAL;
	}
	ev->dir = tx_types[i].out ? DIR_OUT : DIR_IN;
	ev->result = tx_types[i].result;
	if (!threecx_call_key(start, tx_types[i].out, num, ev->call_id,
	    sizeof(ev->call_id))) {
		*why = "malformed number";
		return CB_EINVAL;
	}
	ev_set_client(ev, num ? num : "", (size_t)-1);
	ev_set(ev, extension, agent);
	/* Entries per agent (a queue, a transfer) may come in any order:
	 * the call's manager is the latest to answer, not the latest entry. */
	ev->talker_by_answer = true;
	ev->kind = EV_ENDED;
	ev->started_ms = start;
	if (ev->result == RES_ANSWERED) {
		/* [Duration] of an answered call: its talk [U]; the times,
		 * when the template sends them, say the same or better. */
		if (answer >= start && end >= answer && answer > 0 &&
		    end - answer <= TX_MAX_SPAN_S * 1000LL)
			ev->talk_s = (int32_t)((end - answer) / 1000);
		else
			ev->talk_s = secs;
		if (answer == 0 && end > 0 && secs >= 0 &&
		    end - (int64_t)secs * 1000 >= start)
			answer = end - (int64_t)secs * 1000;
		ev->answered_ms = answer;
		if (answer > 0 && answer - start <= TX_MAX_SPAN_S * 1000LL)
			ev->wait_s = (int32_t)((answer - start) / 1000);
		if (rec != NULL && recfetch_is_http_url(rec))
			ev_set(ev, recording_url, rec);
	} else {
		ev->talk_s = 0;
		ev->recording_absent = true;
	}
	if (end == 0 && secs >= 0)
		end = (answer > 0 ? answer : start) + (int64_t)secs * 1000;
	ev->ended_ms = end;
	ev->at_ms = end;
	adapt_event_id(ev, ev->call_id, agent ? agent : "-", tx_types[i].word);
	return CB_OK;
}

static void
tx_put(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v ? v : ""));
}

/* The lookup's answer (read by the template's Variables): the customer as
 * {"contact":{"id","first_name","last_name","url"}}, or {"contact":null}
 * for a caller we do not know (3CX then shows no contact). */
static enum cb_err
tx_answer(const struct prov_conf *c, const struct call_event *ev,
    const struct route_answer *ra, struct buf *out,
    const char **content_type)
{
	struct json_object *o, *ct = NULL;
	const char *js;
	enum cb_err rc;

	(void)c;
	*content_type = "application/json";
	if (!ev->wants_route)
		return buf_puts(out, "{}");
	if ((o = json_object_new_object()) == NULL)
		return CB_ENOMEM;
	if (ra != NULL && ra->customer_name != NULL &&
	    *ra->customer_name != '\0') {
		ct = json_object_new_object();
		/* Our customer's page is its identity for 3CX's EntityId. */
		tx_put(ct, "id", ra->customer_url ? ra->customer_url :
		    ev->client);
		tx_put(ct, "first_name", ra->customer_name);
		tx_put(ct, "last_name", "");
		tx_put(ct, "url", ra->customer_url);
	}
	json_object_object_add(o, "contact", ct);
	js = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	rc = js ? buf_puts(out, js) : CB_ENOMEM;
	json_object_put(o);
	return rc;
}

static const struct prov_field tx_fields[] = {
	{ "key", "URL key", true, true, "Part of the callback URL in the CRM "
	    "template (download it below after saving)" },
	{ "api_base", "PBX address", false, false, "https://FQDN of the 3CX "
	    "web client (V20, for click-to-call)" },
	{ "client_id", "API Client ID", true, false, "3CX Admin › "
	    "Integrations › API: the Client ID (a DN) of an API client with "
	    "Call Control API access" },
	{ "client_secret", "API key", true, false, "shown once when the API "
	    "client is created" },
	{ NULL, NULL, false, false, NULL }
};

/* The one non-secret field: the PBX's address, checked as every request
 * checks it (https, or http to this machine). */
static const char *
tx_check_setting(const char *name, const char *value)
{
	char out[512];

	if (strcmp(name, "api_base") == 0 &&
	    recfetch_api_base(value, out, sizeof(out)) != CB_OK)
		return "An https address such as https://pbx.example.com "
		    "(no path or query; http only on this machine).";
	return NULL;
}

/* The PBX is the customer's: the form's list starts empty (no check, the
 * key is); the admin may put the PBX's address in it (§6.4). */
static const char *const tx_networks[] = { NULL };

const struct provider threecx_provider = {
	.kind = "3cx",
	.label = "3CX",
	.countries = NULL,
	.fields = tx_fields,
	.where = "3CX Admin Console › Settings › CRM › Server side: upload "
	    "the CRM template downloaded here (it holds this URL and the key), "
	    "then restart 3CX's services; for click-to-call (V20), Admin › "
	    "Integrations › API: a client with Call Control API access and "
	    "the managers' extensions, its Client ID and API key here",
	.networks = tx_networks,
	.verify = tx_verify,
	.parse = tx_parse,
	.answer = tx_answer,
	.check_setting = tx_check_setting,
	.prepare = &threecx_prepare,
	.dial = &threecx_dial,
	.recording = &threecx_recording,
	.test_event = threecx_test_event,
	.panel_file = &threecx_template,
};
