/* Phonet's call history (providers-2.md §1.8, wearesho-team/phonet
 * src/Service.php [third-party code]): GET https://{domain}/rest/calls/
 * company.api with a JSON body {"timeFrom","timeTo","limit","offset"}
 * (a GET with a body, as that client sends it) and the session cookie of
 * the prepare step (dial.c); limit 1..50, paged by offset until a page
 * holds fewer than limit records. Times are sent in seconds, as that
 * client does (the PDF's text says milliseconds, its examples seconds).
 *
 * The answer is an array of records {uuid, endAt, lgDirection,
 * otherLegNum, otherLegName, leg{ext}, leg2{ext}, billSecs, duration,
 * disposition, ...}. Each becomes our own event "call.history" for the
 * adapter (phonet.c): call.hangup states no result or durations, the
 * record does; its event id "<uuid>:call.history" completes a call the
 * webhooks stored and is a duplicate on a second run. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "core/jsonget.h"
#include "core/strparse.h"
#include "providers/phonet/phonet.h"
#include "reconcile/history.h"

#define PHH_PATH "/rest/calls/company.api"
#define PHH_LIMIT 50
#define PHH_MAX_SPAN_S (10 * 24 * 3600)

static enum cb_err
phh_request(const struct prov_conf *c, const struct hist_window *w,
    const char *cursor, struct hist_request *rq, const char **why)
{
	struct dial_target t;
	struct json_object *o;
	const char *js;
	char base[512], err[200];
	int64_t offset = 0;
	int n;

	memset(rq, 0, sizeof(*rq));
	memset(&t, 0, sizeof(t));
	t.kind = "phonet";
	t.config = c->config;
	t.secrets = c->secrets;
	if (*cursor != '\0' && strparse_i64z(cursor, 1, 1000000, &offset) !=
	    CB_OK) {
		*why = "bad page cursor";
		return CB_EINVAL;
	}
	if (phonet_api_base(&t, base, sizeof(base), err, sizeof(err)) !=
	    CB_OK) {
		*why = "the integration needs its Phonet domain (and a valid "
		    "api_base, when set) to read the call history";
		return CB_EINVAL;
	}
	if (phonet_session_header(c->token, rq->headers[0],
	    sizeof(rq->headers[0])) != CB_OK) {
		*why = "no Phonet session: the integration needs its API key";
		return CB_EINVAL;
	}
	n = snprintf(rq->url, sizeof(rq->url), "%s%s", base, PHH_PATH);
	if (n < 0 || (size_t)n >= sizeof(rq->url)) {
		hist_request_wipe(rq);
		*why = "the Phonet address is too long";
		return CB_EINVAL;
	}
	if ((o = json_object_new_object()) == NULL)
		return CB_ENOMEM;
	json_object_object_add(o, "timeFrom", json_object_new_int64(w->from_s));
	json_object_object_add(o, "timeTo", json_object_new_int64(w->to_s));
	json_object_object_add(o, "limit", json_object_new_int(PHH_LIMIT));
	json_object_object_add(o, "offset", json_object_new_int64(offset));
	js = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	n = js ? snprintf(rq->body, sizeof(rq->body), "%s", js) : -1;
	json_object_put(o);
	if (n < 0 || (size_t)n >= sizeof(rq->body))
		return CB_ENOMEM;
	rq->body_len = (size_t)n;
	rq->method = HTTPC_GET;
	rq->content_type = "application/json";
	hist_request_headers(rq);
	return CB_OK;
}

/* An integer member within [lo, hi]. */
static bool
phh_int(struct json_object *o, const char *key, int64_t lo, int64_t hi,
    int64_t *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return false;
	*out = json_object_get_int64(v);
	return *out >= lo && *out <= hi;
}

/* An optional text member: absent or null is "", a string is checked. */
static bool
phh_text(struct json_object *o, const char *key, size_t max,
    const char **out)
{
	struct json_object *v;

	*out = "";
	if (o == NULL || !json_object_object_get_ex(o, key, &v) || v == NULL)
		return true;
	if (!json_object_is_type(v, json_type_string))
		return false;
	*out = json_object_get_string(v);
	/* Names are UTF-8 ("Васильев Андрей"): no control bytes, and the
	 * adapter checks the text again. */
	for (const char *p = *out; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	return strlen(*out) <= max;
}

/* A leg's extension ({"ext": "001"}), or "" for a null leg. */
static bool
phh_leg(struct json_object *rec, const char *key, const char **ext)
{
	struct json_object *leg;

	*ext = "";
	if (!json_object_object_get_ex(rec, key, &leg) || leg == NULL)
		return true;
	return json_object_is_type(leg, json_type_object) &&
	    phh_text(leg, "ext", 32, ext);
}

/* One record as the event call.history; NULL with *why when malformed. */
static const char *
phh_event(struct json_object *rec, size_t row, struct arena *a,
    struct hist_event *ev, const char **why)
{
	struct json_object *o, *leg, *others, *other;
	const char *uuid, *num, *name, *ext, *ext2, *js;
	int64_t end, dir, disp, bill, dur, end_ms;

	if (!json_object_is_type(rec, json_type_object) ||
	    (uuid = json_member_str(rec, "uuid")) == NULL || *uuid == '\0' ||
	    strlen(uuid) > 64 ||
	    strspn(uuid, "0123456789abcdefABCDEF-") != strlen(uuid)) {
		*why = arena_printf(a, "record %zu has no uuid", row);
		return NULL;
	}
	if (!phh_int(rec, "endAt", 1, INT64_MAX / 2, &end) ||
	    !phh_int(rec, "lgDirection", 0, 1 << 20, &dir) ||
	    !phh_int(rec, "disposition", 0, 4, &disp) ||
	    !phh_int(rec, "billSecs", 0, PHH_MAX_SPAN_S, &bill) ||
	    !phh_int(rec, "duration", 0, PHH_MAX_SPAN_S, &dur) || bill > dur ||
	    !phh_text(rec, "otherLegNum", 64, &num) ||
	    !phh_text(rec, "otherLegName", 128, &name) ||
	    !phh_leg(rec, "leg", &ext) || !phh_leg(rec, "leg2", &ext2)) {
		*why = arena_printf(a, "record %zu (%.64s) is malformed", row,
		    uuid);
		return NULL;
	}
	/* §1.3: below 10^12 seconds, else milliseconds. */
	end_ms = end < 1000000000000LL ? end * 1000 : end;
	if ((o = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(o, "event",
	    json_object_new_string("call.history"));
	json_object_object_add(o, "uuid", json_object_new_string(uuid));
	json_object_object_add(o, "dialAt",
	    json_object_new_int64(end_ms - dur * 1000));
	json_object_object_add(o, "bridgeAt", disp == 0 && bill > 0 ?
	    json_object_new_int64(end_ms - bill * 1000) : NULL);
	json_object_object_add(o, "serverTime", json_object_new_int64(end_ms));
	json_object_object_add(o, "lgDirection", json_object_new_int64(dir));
	leg = json_object_new_object();
	json_object_object_add(leg, "ext", json_object_new_string(ext));
	json_object_object_add(o, "leg", leg);
	if (*ext2 != '\0') {
		leg = json_object_new_object();
		json_object_object_add(leg, "ext", json_object_new_string(ext2));
		json_object_object_add(o, "leg2", leg);
	}
	others = json_object_new_array();
	other = json_object_new_object();
	json_object_object_add(other, "num", json_object_new_string(num));
	json_object_object_add(other, "name", json_object_new_string(name));
	json_object_array_add(others, other);
	json_object_object_add(o, "otherLegs", others);
	json_object_object_add(o, "disposition", json_object_new_int64(disp));
	json_object_object_add(o, "billSecs", json_object_new_int64(bill));
	json_object_object_add(o, "duration", json_object_new_int64(dur));
	js = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	ev->body = js ? arena_strdup(a, js) : NULL;
	ev->body_len = ev->body ? strlen(ev->body) : 0;
	ev->content_type = "application/json";
	ev->call_id = arena_strdup(a, uuid);
	ev->at_ms = end_ms;
	json_object_put(o);
	return ev->body;
}

static enum cb_err
phh_parse(const struct prov_conf *c, const struct hist_window *w,
    const char *cursor, const char *body, size_t len, struct arena *a,
    struct hist_page *out, const char **why)
{
	struct json_object *j = hist_json_parse(body, len);
	int64_t offset = 0;
	size_t i, n;

	(void)c;
	(void)w;
	memset(out, 0, sizeof(*out));
	if (j == NULL || !json_object_is_type(j, json_type_array)) {
		*why = j == NULL ? "the answer is not JSON" :
		    "the answer is not a list of calls";
		json_object_put(j);
		return CB_EUPSTREAM;
	}
	n = json_object_array_length(j);
	if (n > PHH_LIMIT) {
		*why = "the answer holds more calls than asked for";
		json_object_put(j);
		return CB_EUPSTREAM;
	}
	out->ev = arena_alloc(a, (n ? n : 1) * sizeof(*out->ev));
	for (i = 0; i < n; i++) {
		memset(&out->ev[i], 0, sizeof(out->ev[i]));
		*why = NULL;
		if (phh_event(json_object_array_get_idx(j, i), i + 1, a,
		    &out->ev[i], why) == NULL) {
			json_object_put(j);
			if (*why == NULL)
				return CB_ENOMEM;
			return CB_EUPSTREAM;
		}
	}
	out->n = n;
	json_object_put(j);
	if (n == PHH_LIMIT) {
		if (*cursor != '\0')
			strparse_i64z(cursor, 1, 1000000, &offset);
		snprintf(out->next, sizeof(out->next), "%lld",
		    (long long)(offset + PHH_LIMIT));
	}
	return CB_OK;
}

const struct prov_history phonet_history = {
	.request = phh_request,
	.parse = phh_parse,
};
