/* Yeastar's call history (providers-2.md §5.9, developer guide
 * search-specific-cdr): GET {base}/openapi/v1.0/cdr/search?access_token=…
 * &start_time=<unix s>&end_time=<unix s>&page=N&page_size=1000, with the
 * prepare step's token (dial.c). The answer {"errcode":0,"total_number",
 * "data":[{id, time, uid, timestamp, call_from, call_to, duration,
 * ring_duration, talk_duration, disposition, call_type, did_number,
 * record_file, ...}]} pages until page × page_size reaches total_number.
 *
 * Each record becomes the 30012 "New CDR" webhook the PBX sends at a
 * call's end (§5.2): call_id = the record's uid (the CDR's unique id,
 * which newer builds also put in 30012 [U: that it equals 30012's call_id
 * is inferred]), time_start = its timestamp in the integration's time
 * zone, so the adapter's event id "<call_id>:30012" is the webhook's: a
 * call whose CDR arrived is a duplicate, one that only rang is
 * completed. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "core/buf.h"
#include "core/jsonget.h"
#include "core/strparse.h"
#include "core/timefmt.h"
#include "http/escape.h"
#include "providers/yeastar/yeastar.h"
#include "reconcile/history.h"

#define YH_PATH "/openapi/v1.0/cdr/search"
#define YH_PAGE_SIZE 1000
#define YH_MAX_SECONDS (10 * 24 * 3600)

static enum cb_err
yh_request(const struct prov_conf *c, const struct hist_window *w,
    const char *cursor, struct hist_request *rq, const char **why)
{
	struct dial_target t;
	char base[512], err[200];
	int64_t page = 1;
	struct buf u;
	enum cb_err rc;
	int n;

	memset(rq, 0, sizeof(*rq));
	memset(&t, 0, sizeof(t));
	t.kind = "yeastar";
	t.config = c->config;
	t.secrets = c->secrets;
	if (*cursor != '\0' && strparse_i64z(cursor, 2, 100000, &page) !=
	    CB_OK) {
		*why = "bad page cursor";
		return CB_EINVAL;
	}
	if (yeastar_base(&t, base, sizeof(base), err, sizeof(err)) != CB_OK) {
		*why = "the integration needs the PBX's API address "
		    "(https://host:port) to read the call history";
		return CB_EINVAL;
	}
	if (c->token == NULL || *c->token == '\0') {
		*why = "no access token: the integration needs the PBX's API "
		    "client ID and secret";
		return CB_EINVAL;
	}
	buf_init(&u, sizeof(rq->url));
	buf_printf(&u, "%s%s?access_token=", base, YH_PATH);
	url_component(&u, c->token, strlen(c->token));
	buf_printf(&u, "&start_time=%lld&end_time=%lld&page=%lld&page_size=%d",
	    (long long)w->from_s, (long long)(w->to_s - 1), (long long)page,
	    YH_PAGE_SIZE);
	rc = u.err;
	n = rc == CB_OK ? snprintf(rq->url, sizeof(rq->url), "%s",
	    buf_cstr(&u)) : -1;
	explicit_bzero(u.p, u.cap);
	buf_free(&u);
	if (n < 0 || (size_t)n >= sizeof(rq->url)) {
		hist_request_wipe(rq);
		*why = "the PBX's address is too long";
		return CB_EINVAL;
	}
	snprintf(rq->headers[0], sizeof(rq->headers[0]), "%s",
	    YEASTAR_USER_AGENT);
	rq->method = HTTPC_GET;
	hist_request_headers(rq);
	return CB_OK;
}

/* "Name<1005>" or "1005": the number. */
static const char *
yh_number(struct arena *a, const char *s)
{
	const char *lt = strrchr(s, '<'), *gt = strrchr(s, '>');

	if (lt != NULL && gt != NULL && gt > lt + 1 && gt[1] == '\0')
		return arena_printf(a, "%.*s", (int)(gt - lt - 1), lt + 1);
	return s;
}

static bool
yh_int(struct json_object *o, const char *key, int64_t lo, int64_t hi,
    int64_t *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return false;
	*out = json_object_get_int64(v);
	return *out >= lo && *out <= hi;
}

/* An optional printable member ("" when absent, null or a blank). */
static bool
yh_text(struct json_object *o, const char *key, size_t max, const char **out)
{
	struct json_object *v;

	*out = "";
	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		return true;
	if (!json_object_is_type(v, json_type_string))
		return false;
	*out = json_object_get_string(v);
	if (strcmp(*out, " ") == 0)
		*out = "";
	/* Names may be UTF-8 ("Олена<1005>"): no control bytes; the adapter
	 * checks what it keeps again. */
	for (const char *p = *out; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	return strlen(*out) <= max;
}

/* One record as a 30012 webhook body; NULL with *why when malformed. */
static const char *
yh_event(const struct prov_conf *c, struct json_object *rec, size_t row,
    struct arena *a, struct hist_event *ev, const char **why)
{
	const char *uid, *from, *to, *disp, *type, *did, *file, *js, *tz;
	struct json_object *msg, *o;
	char utc[32], local[40];
	int64_t ts, dur, talk;
	struct tm tm;
	time_t tt;

	if (!json_object_is_type(rec, json_type_object) ||
	    (uid = json_member_str(rec, "uid")) == NULL ||
	    !hist_token_ok(uid, 64)) {
		*why = arena_printf(a, "CDR %zu has no uid", row);
		return NULL;
	}
	if (!yh_int(rec, "timestamp", 1, INT32_MAX * 4LL, &ts) ||
	    !yh_int(rec, "duration", 0, YH_MAX_SECONDS, &dur) ||
	    !yh_int(rec, "talk_duration", 0, YH_MAX_SECONDS, &talk) ||
	    talk > dur ||
	    !yh_text(rec, "call_from", 128, &from) ||
	    !yh_text(rec, "call_to", 128, &to) ||
	    !yh_text(rec, "disposition", 32, &disp) || *disp == '\0' ||
	    !yh_text(rec, "call_type", 16, &type) ||
	    !yh_text(rec, "did_number", 64, &did) ||
	    !yh_text(rec, "record_file", 255, &file)) {
		*why = arena_printf(a, "CDR %zu (%.64s) is malformed", row, uid);
		return NULL;
	}
	/* The PBX's wall-clock time, as 30012 states it: the zone's minute
	 * and the second (zones differ from UTC by whole minutes). */
	tt = (time_t)ts;
	tz = yeastar_provider.time_zone(c->config, c->default_country);
	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(utc, sizeof(utc), "%Y-%m-%d %H:%M:%S", &tm) == 0 ||
	    time_utc_to_local(utc, tz, local, sizeof(local) - 3) != CB_OK) {
		*why = arena_printf(a, "CDR %zu: its time cannot be written in "
		    "the integration's time zone", row);
		return NULL;
	}
	snprintf(local + strlen(local), 4, ":%02d", tm.tm_sec);
	if ((msg = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(msg, "call_id", json_object_new_string(uid));
	json_object_object_add(msg, "time_start", json_object_new_string(local));
	json_object_object_add(msg, "call_from",
	    json_object_new_string(yh_number(a, from)));
	json_object_object_add(msg, "call_to",
	    json_object_new_string(yh_number(a, to)));
	json_object_object_add(msg, "call_duration", json_object_new_int64(dur));
	json_object_object_add(msg, "talk_duration", json_object_new_int64(talk));
	json_object_object_add(msg, "status", json_object_new_string(disp));
	json_object_object_add(msg, "type", json_object_new_string(type));
	json_object_object_add(msg, "recording", json_object_new_string(
	    *file ? file : " "));
	json_object_object_add(msg, "did_number", json_object_new_string(
	    *did ? did : " "));
	js = json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN);
	o = json_object_new_object();
	json_object_object_add(o, "type", json_object_new_int(30012));
	json_object_object_add(o, "sn", json_object_new_string(""));
	json_object_object_add(o, "msg", json_object_new_string(js ? js : ""));
	json_object_put(msg);
	js = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	ev->body = js ? arena_strdup(a, js) : NULL;
	ev->body_len = ev->body ? strlen(ev->body) : 0;
	ev->content_type = "application/json";
	ev->call_id = arena_strdup(a, uid);
	ev->at_ms = (ts + dur) * 1000;
	json_object_put(o);
	return ev->body;
}

static enum cb_err
yh_parse(const struct prov_conf *c, const struct hist_window *w,
    const char *cursor, const char *body, size_t len, struct arena *a,
    struct hist_page *out, const char **why)
{
	struct json_object *j, *data;
	char msg[160];
	int64_t code, total, page = 1;
	size_t i, n;

	(void)w;
	memset(out, 0, sizeof(*out));
	code = yeastar_errcode(body, len, msg, sizeof(msg));
	if (code != 0) {
		*why = code < 0 ? "the answer is not the PBX's JSON" :
		    arena_printf(a, "the PBX answered errcode %lld %s",
		    (long long)code, msg);
		return CB_EUPSTREAM;
	}
	if ((j = hist_json_parse(body, len)) == NULL) {
		*why = "the answer is not the PBX's JSON";
		return CB_EUPSTREAM;
	}
	total = 0;
	if (!json_object_object_get_ex(j, "data", &data) || data == NULL)
		data = NULL;      /* no calls in the window */
	else if (!json_object_is_type(data, json_type_array) ||
	    !yh_int(j, "total_number", 0, INT32_MAX, &total)) {
		*why = "the answer has no list of CDRs";
		json_object_put(j);
		return CB_EUPSTREAM;
	}
	n = data ? json_object_array_length(data) : 0;
	if (n > YH_PAGE_SIZE) {
		*why = "the answer holds more CDRs than asked for";
		json_object_put(j);
		return CB_EUPSTREAM;
	}
	out->ev = arena_alloc(a, (n ? n : 1) * sizeof(*out->ev));
	for (i = 0; i < n; i++) {
		memset(&out->ev[i], 0, sizeof(out->ev[i]));
		*why = NULL;
		if (yh_event(c, json_object_array_get_idx(data, i), i + 1, a,
		    &out->ev[i], why) == NULL) {
			json_object_put(j);
			return *why == NULL ? CB_ENOMEM : CB_EUPSTREAM;
		}
	}
	out->n = n;
	json_object_put(j);
	if (*cursor != '\0')
		strparse_i64z(cursor, 2, 100000, &page);
	if (n == YH_PAGE_SIZE && page * YH_PAGE_SIZE < total)
		snprintf(out->next, sizeof(out->next), "%lld",
		    (long long)(page + 1));
	return CB_OK;
}

const struct prov_history yeastar_history = {
	.request = yh_request,
	.parse = yh_parse,
};
