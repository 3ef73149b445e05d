/* Ringostat's call log for reconciliation (providers-2.md §3.8): GET
 * {api_base}/calls/list with "Auth-key: <key>" [official docs,
 * https://help.ringostat.com/uk/articles/6312678]: export_type=json,
 * from / to as "YYYY-MM-DD HH:MM:SS", fields= a comma list, at most 6,500
 * calls per request; order= (third-party clients) keeps them by time.
 *
 * Ringostat never resends a webhook that failed (§3.5), so this is how
 * its lost calls come back. Each log row (uniqueid; one row is one call,
 * §3.2) becomes the after-call webhook it stands for, with event=after:
 * the adapter's event id "<call_id>:after" is the webhook's, so a call
 * whose after-call webhook was stored is a duplicate, one that only rang
 * or was taken is completed, and a lost one is recovered. That holds if
 * the webhook's call_id is the log's uniqueid [U, §3.2]; README says to
 * check it on a real account.
 *
 * The log's dates are the account's local time [U, §3.3]: the window is
 * asked for in config "time_zone" (default Europe/Kyiv), one hour wider
 * on each side (a wider window only finds duplicates). A full answer
 * (6,500 rows) asks again from its latest calldate: the cursor is that
 * time in unix seconds. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "core/jsonget.h"
#include "core/strparse.h"
#include "core/timefmt.h"
#include "providers/adapt.h"
#include "providers/ringostat/ringostat.h"
#include "reconcile/history.h"

#define RH_PATH "/calls/list"
#define RH_LIMIT 6500
#define RH_WIDEN_S 3600
#define RH_MAX_SECONDS (10 * 24 * 3600)
#define RH_FIELDS "uniqueid,calldate,caller,dst,disposition,billsec," \
	"duration,waittime,call_type,employee_fio,employee_number," \
	"has_recording,recording_wav,recording"

/* "YYYY-MM-DD HH:MM" of unix time t in the account's zone. */
static enum cb_err
rh_local(const char *tz, int64_t t, char *out, size_t outsz)
{
	char utc[32];
	struct tm tm;
	time_t tt = (time_t)t;

	if (t < 0 || gmtime_r(&tt, &tm) == NULL ||
	    strftime(utc, sizeof(utc), "%Y-%m-%d %H:%M:%S", &tm) == 0)
		return CB_EINVAL;
	return time_utc_to_local(utc, tz, out, outsz);
}

static enum cb_err
rh_request(const struct prov_conf *c, const struct hist_window *w,
    const char *cursor, struct hist_request *rq, const char **why)
{
	const char *key = prov_secret(c, "api_key");
	const char *project = json_member_str(c->config, "project_id");
	const char *tz = adapt_time_zone(c->config, RINGOSTAT_DEFAULT_ZONE);
	char base[512], from[32], to[32], qfrom[80], qto[80];
	int64_t start = w->from_s - RH_WIDEN_S;
	enum cb_err rc;
	int n;

	memset(rq, 0, sizeof(*rq));
	if (key == NULL || *key == '\0' || strpbrk(key, "\r\n") != NULL) {
		*why = "the integration needs Ringostat's Auth-key (Settings › "
		    "Integrations, \"Auth-key\") to read the call log";
		return CB_EINVAL;
	}
	if (*cursor != '\0' && strparse_i64z(cursor, start, w->to_s +
	    RH_WIDEN_S, &start) != CB_OK) {
		*why = "bad page cursor";
		return CB_EINVAL;
	}
	if ((rc = hist_api_base(c, RINGOSTAT_API_BASE, base, sizeof(base),
	    why)) != CB_OK)
		return rc;
	if (rh_local(tz, start, from, sizeof(from)) != CB_OK ||
	    rh_local(tz, w->to_s + RH_WIDEN_S - 1, to, sizeof(to)) != CB_OK) {
		*why = "the window cannot be written in the account's time "
		    "zone";
		return CB_EINVAL;
	}
	/* "YYYY-MM-DD HH:MM" + ":SS", the space as %20. */
	snprintf(qfrom, sizeof(qfrom), "%.10s%%20%s:00", from, from + 11);
	snprintf(qto, sizeof(qto), "%.10s%%20%s:59", to, to + 11);
	n = snprintf(rq->url, sizeof(rq->url), "%s%s?export_type=json&from=%s"
	    "&to=%s&fields=%s&order=calldate%%20asc", base, RH_PATH, qfrom, qto,
	    RH_FIELDS);
	if (n < 0 || (size_t)n >= sizeof(rq->url)) {
		*why = "the setting api_base is too long";
		return CB_EINVAL;
	}
	n = snprintf(rq->headers[0], sizeof(rq->headers[0]), "Auth-key: %s",
	    key);
	if (n < 0 || (size_t)n >= sizeof(rq->headers[0])) {
		hist_request_wipe(rq);
		*why = "the Ringostat Auth-key is too long";
		return CB_EINVAL;
	}
	if (project != NULL && *project != '\0' &&
	    strspn(project, "0123456789") == strlen(project) &&
	    strlen(project) < 32)
		snprintf(rq->headers[1], sizeof(rq->headers[1]),
		    "Project-Id: %s", project);
	rq->method = HTTPC_GET;
	hist_request_headers(rq);
	return CB_OK;
}

static bool
rh_opt(const char *s, size_t max)
{
	return s == NULL || *s == '\0' || (strlen(s) <= max &&
	    adapt_printable(s));
}

/* A count of seconds, absent = -1. */
static bool
rh_secs(struct json_object *o, const char *k, int64_t *v)
{
	const char *s = hist_json_text(o, k);

	*v = -1;
	return s == NULL || *s == '\0' || strparse_i64z(s, 0, RH_MAX_SECONDS,
	    v) == CB_OK;
}

static void
rh_put(struct json_object *o, const char *k, const char *v)
{
	if (v != NULL && *v != '\0')
		json_object_object_add(o, k, json_object_new_string(v));
}

static void
rh_put_int(struct json_object *o, const char *k, int64_t v)
{
	if (v >= 0)
		json_object_object_add(o, k, json_object_new_int64(v));
}

/* One row → the after-call webhook; *start_s its calldate. NULL, or what
 * is wrong with the row. */
static const char *
rh_row(const char *tz, struct json_object *row, struct arena *a,
    struct hist_event *ev, int64_t *start_s)
{
	const char *id, *date, *disp, *caller, *dst, *type, *fio, *ext, *has;
	const char *wav, *mp3, *js;
	int64_t ms, bill, dur, wait;
	char micros[24];
	struct json_object *o;

	if (!json_object_is_type(row, json_type_object))
		return "a row is not an object";
	id = hist_json_text(row, "uniqueid");
	if (!hist_token_ok(id, 128))
		return "a row has no uniqueid";
	date = hist_json_text(row, "calldate");
	if (date == NULL || adapt_local_ms(date, tz, &ms) != CB_OK)
		return "a row has a missing or malformed calldate";
	disp = hist_json_text(row, "disposition");
	caller = hist_json_text(row, "caller");
	dst = hist_json_text(row, "dst");
	type = hist_json_text(row, "call_type");
	fio = hist_json_text(row, "employee_fio");
	ext = hist_json_text(row, "employee_number");
	has = hist_json_text(row, "has_recording");
	wav = hist_json_text(row, "recording_wav");
	mp3 = hist_json_text(row, "recording");
	if (!rh_secs(row, "billsec", &bill) ||
	    !rh_secs(row, "duration", &dur) ||
	    !rh_secs(row, "waittime", &wait))
		return "a row has a malformed billsec, duration or waittime";
	if (!rh_opt(disp, 63) || !rh_opt(caller, 199) || !rh_opt(dst, 199) ||
	    !rh_opt(type, 31) || !rh_opt(has, 7) || !rh_opt(wav, 1024) ||
	    !rh_opt(mp3, 1024))
		return "a row has a malformed disposition, caller, dst, "
		    "call_type or recording";
	/* A line the calls table cannot hold is left out, not a refusal. */
	if (ext != NULL && (strlen(ext) > EV_MAX_EXTENSION ||
	    !adapt_printable(ext)))
		ext = NULL;
	if ((o = json_object_new_object()) == NULL)
		return NULL;
	snprintf(micros, sizeof(micros), "%lld000", (long long)ms);
	rh_put(o, "event", "after");
	rh_put(o, "call_id", id);
	rh_put(o, "calldate_timestamp_micros", micros);
	rh_put(o, "caller", caller);
	rh_put(o, "callee", dst);
	rh_put(o, "status", disp);
	rh_put(o, "call_type", type);
	rh_put(o, "employee_fio", fio && adapt_printable(fio) ? fio : NULL);
	rh_put(o, "extension", ext);
	rh_put_int(o, "call_duration", dur);
	rh_put_int(o, "waiting", wait);
	rh_put_int(o, "dialog", bill);
	rh_put(o, "has_recording", has);
	rh_put(o, "recording_wav", wav);
	rh_put(o, "recording", mp3);
	js = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	ev->body = js ? arena_strdup(a, js) : NULL;
	json_object_put(o);
	if (ev->body == NULL)
		return NULL;
	ev->body_len = strlen(ev->body);
	ev->call_id = arena_strdup(a, id);
	ev->content_type = "application/json";
	ev->at_ms = ms + (dur > 0 ? dur : 0) * 1000;
	*start_s = ms / 1000;
	return "";
}

static enum cb_err
rh_parse(const struct prov_conf *c, const struct hist_window *w,
    const char *cursor, const char *body, size_t len, struct arena *a,
    struct hist_page *out, const char **why)
{
	const char *tz = adapt_time_zone(c->config, RINGOSTAT_DEFAULT_ZONE);
	struct json_object *root, *list = NULL;
	const char *bad, *m;
	int64_t start, latest = 0;
	size_t i, n;

	(void)w;
	memset(out, 0, sizeof(*out));
	root = hist_json_parse(body, len);
	if (root == NULL) {
		*why = "Ringostat answered something that is not JSON";
		return CB_EUPSTREAM;
	}
	/* A list of rows; an object is an error ({"error"/"message"}) unless
	 * it wraps the list in "data" or "calls". */
	if (json_object_is_type(root, json_type_array))
		list = root;
	else if (json_object_is_type(root, json_type_object) &&
	    ((json_object_object_get_ex(root, "data", &list) &&
	    json_object_is_type(list, json_type_array)) ||
	    (json_object_object_get_ex(root, "calls", &list) &&
	    json_object_is_type(list, json_type_array))))
		;
	else {
		m = json_object_is_type(root, json_type_object) ?
		    json_member_str(root, "message") : NULL;
		if (m == NULL && json_object_is_type(root, json_type_object))
			m = json_member_str(root, "error");
		*why = m ? arena_printf(a, "Ringostat answered an error: "
		    "%.200s", m) : "Ringostat's answer is not a list of calls";
		json_object_put(root);
		return CB_EUPSTREAM;
	}
	n = json_object_array_length(list);
	if (n > HIST_MAX_RECORDS) {
		json_object_put(root);
		*why = "Ringostat's answer has too many calls";
		return CB_EUPSTREAM;
	}
	out->ev = arena_alloc(a, (n ? n : 1) * sizeof(*out->ev));
	for (i = 0; i < n; i++) {
		bad = rh_row(tz, json_object_array_get_idx(list, i), a,
		    &out->ev[out->n], &start);
		if (bad == NULL) {
			json_object_put(root);
			return CB_ENOMEM;
		}
		if (*bad != '\0') {
			*why = arena_printf(a, "Ringostat's answer: %s "
			    "(row %zu)", bad, i + 1);
			json_object_put(root);
			return CB_EUPSTREAM;
		}
		out->n++;
		if (start > latest)
			latest = start;
	}
	json_object_put(root);
	/* A full answer may have left calls out (§3.8): ask again from the
	 * latest one's second (the rows of that second come twice: dupes). */
	if (n >= RH_LIMIT)
		snprintf(out->next, sizeof(out->next), "%lld",
		    (long long)latest);
	(void)cursor;
	return CB_OK;
}

const struct prov_history ringostat_history = {
	.request = rh_request,
	.parse = rh_parse,
};
