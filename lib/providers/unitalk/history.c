/* UniTalk's call history (providers-2.md §2.8, from a test stub [third-
 * party code, source not named]): a POST (every UniTalk method is, §2.4)
 * of JSON {"limit": N, "offset": M} with "Authorization: <api key>",
 * answered {"count": …, "calls": [{…the call object of the events…}]},
 * newest first. The method's path was not found in any copy of the docs,
 * so the integration names it (config "history_path", a form field, from
 * UniTalk's support); without it reconciliation says so and asks
 * nothing. No window filter is documented either: pages are read newest
 * first until a call older than the window, and only the calls inside it
 * are kept. Billing counts request time (§2.4): pages of 100.
 *
 * Each call becomes the CALL_END UniTalk posts ({"event":"CALL_END",
 * "call":{…}}), so the adapter's event id is the webhook's. The webhooks
 * key a call by its temporary call.id (§2.2): a record without "id" (only
 * the lasting dbid) could not be matched with a call the webhooks stored,
 * so it is refused with that reason rather than risk a second copy. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "core/jsonget.h"
#include "core/strparse.h"
#include "providers/adapt.h"
#include "providers/unitalk/unitalk.h"
#include "reconcile/history.h"

#define UTH_LIMIT 100

bool
unitalk_history_path_ok(const char *p)
{
	size_t n = p ? strlen(p) : 0;

	return n > 1 && n <= 200 && p[0] == '/' && adapt_printable(p) &&
	    strpbrk(p, "?#% \\") == NULL && strstr(p, "..") == NULL &&
	    strstr(p, "//") == NULL;
}

static enum cb_err
uth_request(const struct prov_conf *c, const struct hist_window *w,
    const char *cursor, struct hist_request *rq, const char **why)
{
	const char *key = prov_secret(c, "api_key");
	const char *path = json_member_str(c->config, "history_path");
	char base[512];
	int64_t offset = 0;
	int n;

	(void)w;
	memset(rq, 0, sizeof(*rq));
	if (key == NULL || *key == '\0' || strpbrk(key, "\r\n") != NULL) {
		*why = "the integration needs UniTalk's API key (cabinet › API) "
		    "to read the call history";
		return CB_EINVAL;
	}
	if (!unitalk_history_path_ok(path)) {
		*why = "UniTalk does not publish its call-history method: set "
		    "the integration's history path (from UniTalk's support)";
		return CB_EINVAL;
	}
	if (*cursor != '\0' && strparse_i64z(cursor, 1, 1000000, &offset) !=
	    CB_OK) {
		*why = "bad page cursor";
		return CB_EINVAL;
	}
	if (hist_api_base(c, UNITALK_API_BASE, base, sizeof(base), why) !=
	    CB_OK)
		return CB_EINVAL;
	n = snprintf(rq->url, sizeof(rq->url), "%s%s", base, path);
	if (n < 0 || (size_t)n >= sizeof(rq->url)) {
		*why = "the UniTalk address is too long";
		return CB_EINVAL;
	}
	n = snprintf(rq->headers[0], sizeof(rq->headers[0]),
	    "Authorization: %s", key);
	if (n < 0 || (size_t)n >= sizeof(rq->headers[0])) {
		hist_request_wipe(rq);
		*why = "the UniTalk API key is too long";
		return CB_EINVAL;
	}
	n = snprintf(rq->body, sizeof(rq->body), "{\"limit\":%d,\"offset\":"
	    "%lld}", UTH_LIMIT, (long long)offset);
	rq->body_len = (size_t)n;
	rq->method = HTTPC_POST;
	rq->content_type = "application/json";
	hist_request_headers(rq);
	return CB_OK;
}

static enum cb_err
uth_parse(const struct prov_conf *c, const struct hist_window *w,
    const char *cursor, const char *body, size_t len, struct arena *a,
    struct hist_page *out, const char **why)
{
	struct json_object *j = hist_json_parse(body, len), *calls, *rec, *o;
	const char *st, *id, *date, *js;
	const char *tz = unitalk_provider.time_zone(c->config,
	    c->default_country);
	int64_t offset = 0, ms;
	bool older = false;
	size_t i, n;

	memset(out, 0, sizeof(*out));
	if (j == NULL || !json_object_is_type(j, json_type_object)) {
		*why = j == NULL ? "the answer is not JSON" :
		    "the answer is not UniTalk's object";
		json_object_put(j);
		return CB_EUPSTREAM;
	}
	if ((st = json_member_str(j, "status")) != NULL &&
	    strcasecmp(st, "Error") == 0) {
		*why = arena_printf(a, "UniTalk answered: %.200s",
		    json_member_str(j, "message") ? json_member_str(j,
		    "message") : "an error");
		json_object_put(j);
		return CB_EUPSTREAM;
	}
	if (!json_object_object_get_ex(j, "calls", &calls) ||
	    !json_object_is_type(calls, json_type_array) ||
	    (n = json_object_array_length(calls)) > UTH_LIMIT) {
		*why = "the answer has no list of calls";
		json_object_put(j);
		return CB_EUPSTREAM;
	}
	out->ev = arena_alloc(a, (n ? n : 1) * sizeof(*out->ev));
	for (i = 0; i < n && !older; i++) {
		rec = json_object_array_get_idx(calls, i);
		date = json_member_str(rec, "date");
		if (!json_object_is_type(rec, json_type_object) ||
		    date == NULL || adapt_local_ms(date, tz, &ms) != CB_OK) {
			*why = arena_printf(a, "call %zu has no date "
			    "(YYYY-MM-DD HH:MM:SS)", i + 1);
			json_object_put(j);
			return CB_EUPSTREAM;
		}
		/* Newest first: the first call before the window ends it. */
		if (ms < w->from_s * 1000) {
			older = true;
			break;
		}
		if (ms >= w->to_s * 1000)
			continue;
		id = hist_json_text(rec, "id");
		if (id == NULL || !hist_token_ok(id, 128)) {
			*why = arena_printf(a, "call %zu has no id (only the "
			    "webhooks' id matches a stored call)", i + 1);
			json_object_put(j);
			return CB_EUPSTREAM;
		}
		o = json_object_new_object();
		json_object_object_add(o, "event",
		    json_object_new_string("CALL_END"));
		json_object_object_add(o, "call", json_object_get(rec));
		js = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
		out->ev[out->n].body = js ? arena_strdup(a, js) : NULL;
		json_object_put(o);
		if (out->ev[out->n].body == NULL) {
			json_object_put(j);
			return CB_ENOMEM;
		}
		out->ev[out->n].body_len = strlen(out->ev[out->n].body);
		out->ev[out->n].content_type = "application/json";
		out->ev[out->n].call_id = arena_strdup(a, id);
		out->ev[out->n].at_ms = 0;      /* the record states its times */
		out->n++;
	}
	json_object_put(j);
	if (!older && n == UTH_LIMIT) {
		if (*cursor != '\0')
			strparse_i64z(cursor, 1, 1000000, &offset);
		snprintf(out->next, sizeof(out->next), "%lld",
		    (long long)(offset + UTH_LIMIT));
	}
	return CB_OK;
}

const struct prov_history unitalk_history = {
	.request = uth_request,
	.parse = uth_parse,
};
