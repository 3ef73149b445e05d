/* Binotel's call history: API 4.0 stats/incoming-calls-for-period and
 * stats/outgoing-calls-for-period (providers.md §3.4 [C]: POST JSON
 * {"key","secret","startTime","stopTime"} with unix seconds; the answer
 * {"status":"success","callDetails":{<generalCallID>: {…}, …}} holds the
 * same records as the apiCallCompleted webhook's callDetails, §3.1). Two
 * requests per window: incoming (cursor "") then outgoing ("out").
 *
 * Each record becomes the apiCallCompleted push Binotel sends at a call's
 * end (§3.1), so the adapter's event id "<generalCallID>:apiCallCompleted"
 * is the webhook's: Binotel retries that push for ~38 h (§3.2), then
 * gives up; this brings back what it gave up on, once. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "core/jsonget.h"
#include "core/strparse.h"
#include "reconcile/history.h"

#define BH_BASE "https://api.binotel.com"
#define BH_IN "/api/4.0/stats/incoming-calls-for-period.json"
#define BH_OUT "/api/4.0/stats/outgoing-calls-for-period.json"
#define BH_OUT_CURSOR "out"

static enum cb_err
bh_request(const struct prov_conf *c, const struct hist_window *w,
    const char *cursor, struct hist_request *rq, const char **why)
{
	const char *key = prov_secret(c, "key"), *secret = prov_secret(c,
	    "secret");
	struct json_object *o;
	const char *js;
	char base[512];
	enum cb_err rc;
	int n;

	memset(rq, 0, sizeof(*rq));
	if (key == NULL || secret == NULL || *key == '\0' || *secret == '\0') {
		*why = "the integration's secrets need \"key\" and \"secret\" "
		    "(Binotel's API key) to read the call history";
		return CB_EINVAL;
	}
	if (*cursor != '\0' && strcmp(cursor, BH_OUT_CURSOR) != 0) {
		*why = "bad page cursor";
		return CB_EINVAL;
	}
	if ((rc = hist_api_base(c, BH_BASE, base, sizeof(base), why)) != CB_OK)
		return rc;
	n = snprintf(rq->url, sizeof(rq->url), "%s%s", base,
	    *cursor ? BH_OUT : BH_IN);
	if (n < 0 || (size_t)n >= sizeof(rq->url)) {
		*why = "the setting api_base is too long";
		return CB_EINVAL;
	}
	/* §3.4: no signature; the key and secret travel in the body. */
	if ((o = json_object_new_object()) == NULL)
		return CB_ENOMEM;
	json_object_object_add(o, "key", json_object_new_string(key));
	json_object_object_add(o, "secret", json_object_new_string(secret));
	json_object_object_add(o, "startTime", json_object_new_int64(w->from_s));
	json_object_object_add(o, "stopTime", json_object_new_int64(w->to_s - 1));
	js = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	n = js ? snprintf(rq->body, sizeof(rq->body), "%s", js) : -1;
	json_object_put(o);
	if (n < 0 || (size_t)n >= sizeof(rq->body)) {
		hist_request_wipe(rq);
		*why = "the Binotel key or secret is too long";
		return CB_EINVAL;
	}
	rq->body_len = (size_t)n;
	rq->method = HTTPC_POST;
	rq->content_type = "application/json";
	hist_request_headers(rq);
	return CB_OK;
}

/* {"requestType":"apiCallCompleted","callDetails":<rec>} */
static enum cb_err
bh_event(struct json_object *rec, const char *id, struct arena *a,
    struct hist_event *ev)
{
	struct json_object *o = json_object_new_object();
	const char *js;

	if (o == NULL)
		return CB_ENOMEM;
	json_object_object_add(o, "requestType",
	    json_object_new_string("apiCallCompleted"));
	json_object_object_add(o, "callDetails", json_object_get(rec));
	js = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	if (js == NULL) {
		json_object_put(o);
		return CB_ENOMEM;
	}
	ev->body = arena_strdup(a, js);
	ev->body_len = strlen(ev->body);
	ev->call_id = arena_strdup(a, id);
	ev->content_type = "application/json";
	ev->at_ms = 0;  /* startTime + waitsec + billsec: the adapter's */
	json_object_put(o);
	return CB_OK;
}

static enum cb_err
bh_parse(const struct prov_conf *c, const struct hist_window *w,
    const char *cursor, const char *body, size_t len, struct arena *a,
    struct hist_page *out, const char **why)
{
	struct json_object *root, *list, *rec;
	const char *s, *id;
	int64_t t;
	size_t i, n;
	struct json_object_iterator it, end;
	struct json_object **recs;

	(void)c;
	(void)w;
	memset(out, 0, sizeof(*out));
	if (*cursor != '\0' && strcmp(cursor, BH_OUT_CURSOR) != 0) {
		*why = "bad page cursor";
		return CB_EUPSTREAM;
	}
	root = hist_json_parse(body, len);
	if (root == NULL || !json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		*why = "Binotel answered something that is not JSON";
		return CB_EUPSTREAM;
	}
	s = json_member_str(root, "status");
	if (s == NULL || strcmp(s, "success") != 0) {
		const char *m = json_member_str(root, "message");
		*why = arena_printf(a, "Binotel answered status \"%.40s\"%s%.200s",
		    s ? s : "(none)", m ? ": " : "", m ? m : "");
		json_object_put(root);
		return CB_EUPSTREAM;
	}
	/* An object keyed by generalCallID; a list is read the same way. */
	if (!json_object_object_get_ex(root, "callDetails", &list) ||
	    !(json_object_is_type(list, json_type_object) ||
	    json_object_is_type(list, json_type_array))) {
		json_object_put(root);
		*why = "Binotel's answer has no \"callDetails\"";
		return CB_EUPSTREAM;
	}
	n = json_object_is_type(list, json_type_array) ?
	    json_object_array_length(list) :
	    (size_t)json_object_object_length(list);
	if (n > HIST_MAX_RECORDS) {
		json_object_put(root);
		*why = "Binotel's answer has too many calls";
		return CB_EUPSTREAM;
	}
	recs = arena_alloc(a, (n ? n : 1) * sizeof(*recs));
	if (json_object_is_type(list, json_type_array)) {
		for (i = 0; i < n; i++)
			recs[i] = json_object_array_get_idx(list, i);
	} else {
		it = json_object_iter_begin(list);
		end = json_object_iter_end(list);
		for (i = 0; i < n && !json_object_iter_equal(&it, &end); i++) {
			recs[i] = json_object_iter_peek_value(&it);
			json_object_iter_next(&it);
		}
		n = i;
	}
	out->ev = arena_alloc(a, (n ? n : 1) * sizeof(*out->ev));
	for (i = 0; i < n; i++) {
		rec = recs[i];
		id = hist_json_text(rec, "generalCallID");
		s = hist_json_text(rec, "startTime");
		if (!json_object_is_type(rec, json_type_object) ||
		    !hist_token_ok(id, 128) || s == NULL ||
		    strparse_i64z(s, 1, 253402300799LL, &t) != CB_OK) {
			*why = arena_printf(a, "Binotel's answer: call %zu has no "
			    "generalCallID or startTime", i + 1);
			json_object_put(root);
			return CB_EUPSTREAM;
		}
		if (bh_event(rec, id, a, &out->ev[out->n++]) != CB_OK) {
			json_object_put(root);
			return CB_ENOMEM;
		}
	}
	json_object_put(root);
	if (*cursor == '\0')
		snprintf(out->next, sizeof(out->next), "%s", BH_OUT_CURSOR);
	return CB_OK;
}

const struct prov_history binotel_history = {
	.request = bh_request,
	.parse = bh_parse,
};
