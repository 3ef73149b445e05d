/* Zadarma's call history: GET /v1/statistics/pbx/ (version 2), signed like
 * every Zadarma API call (providers.md §2.4, §5.2; the official OpenAPI
 * spec/v1/openapi.json: params start, end "YYYY-MM-DD HH:MM:SS" in the
 * account's time zone, version, skip, limit <= 1000; answer
 * {"status":"success","stats":[{call_id, sip, callstart, clid,
 * destination, disposition, seconds, is_recorded, pbx_call_id}]}). The
 * statistics methods allow 3 requests a minute: one run asks for at most
 * a few pages.
 *
 * Each call (pbx_call_id; several rows when several extensions rang) is
 * turned into the NOTIFY_END (incoming) or NOTIFY_OUT_END ("out_…") the
 * PBX posts when the call ends (§2.1): the adapter's event id
 * "<pbx_call_id>:NOTIFY_END" is the webhook's, so a call whose END was
 * stored is a duplicate and one that only rang is completed. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <json-c/json.h>

#include "core/jsonget.h"
#include "core/strparse.h"
#include "core/timefmt.h"
#include "providers/registry.h"
#include "providers/zadarma/zadarma.h"
#include "reconcile/history.h"

#define ZH_BASE "https://api.zadarma.com"
#define ZH_PATH "/v1/statistics/pbx/"
#define ZH_LIMIT 1000
#define ZH_MAX_SECONDS (10 * 24 * 3600)

/* "YYYY-MM-DD HH:MM" of unix time t in the account's zone. */
static enum cb_err
zh_local(const struct prov_conf *c, int64_t t, char *out, size_t outsz)
{
	char utc[32];
	struct tm tm;
	time_t tt = (time_t)t;

	if (t < 0 || gmtime_r(&tt, &tm) == NULL ||
	    strftime(utc, sizeof(utc), "%Y-%m-%d %H:%M:%S", &tm) == 0)
		return CB_EINVAL;
	return time_utc_to_local(utc, zadarma_time_zone(c->config,
	    c->default_country), out, outsz);
}

static enum cb_err
zh_request(const struct prov_conf *c, const struct hist_window *w,
    const char *cursor, struct hist_request *rq, const char **why)
{
	const char *key = prov_secret(c, "key"), *secret = prov_secret(c,
	    "secret");
	char base[512], from[32], to[32], start[40], end[40], auth[192];
	const char *kv[12];
	size_t n = 0;
	int64_t skip = 0;
	struct buf q;
	enum cb_err rc;
	int k;

	memset(rq, 0, sizeof(*rq));
	if (key == NULL || secret == NULL || *key == '\0' || *secret == '\0') {
		*why = "the integration's secrets need \"key\" and \"secret\" "
		    "(Zadarma's API key) to read the call history";
		return CB_EINVAL;
	}
	if (*cursor != '\0' && strparse_i64z(cursor, 1, 1000000000, &skip) !=
	    CB_OK) {
		*why = "bad page cursor";
		return CB_EINVAL;
	}
	if ((rc = hist_api_base(c, ZH_BASE, base, sizeof(base), why)) != CB_OK)
		return rc;
	/* The account keeps local time: the window in its zone, widened to
	 * whole minutes (a wider window only finds duplicates). */
	if (zh_local(c, w->from_s, from, sizeof(from)) != CB_OK ||
	    zh_local(c, w->to_s - 1, to, sizeof(to)) != CB_OK) {
		*why = "the window cannot be written in the account's time zone";
		return CB_EINVAL;
	}
	snprintf(start, sizeof(start), "%s:00", from);
	snprintf(end, sizeof(end), "%s:59", to);
	kv[n * 2] = "start"; kv[n * 2 + 1] = start; n++;
	kv[n * 2] = "end"; kv[n * 2 + 1] = end; n++;
	kv[n * 2] = "format"; kv[n * 2 + 1] = "json"; n++;
	kv[n * 2] = "version"; kv[n * 2 + 1] = "2"; n++;
	/* The first page leaves skip and limit at their defaults (0, 1000),
	 * which is providers.md §5.2's signed example exactly. */
	if (skip > 0) {
		kv[n * 2] = "skip"; kv[n * 2 + 1] = cursor; n++;
		kv[n * 2] = "limit"; kv[n * 2 + 1] = "1000"; n++;
	}
	buf_init(&q, 1024);
	rc = zadarma_api_query(kv, n, &q);
	if (rc == CB_OK)
		rc = zadarma_api_auth(key, secret, ZH_PATH, buf_cstr(&q),
		    auth, sizeof(auth));
	if (rc == CB_OK) {
		k = snprintf(rq->url, sizeof(rq->url), "%s%s?%s", base, ZH_PATH,
		    buf_cstr(&q));
		if (k < 0 || (size_t)k >= sizeof(rq->url))
			rc = CB_EINVAL;
		k = snprintf(rq->headers[0], sizeof(rq->headers[0]),
		    "Authorization: %s", auth);
		if (k < 0 || (size_t)k >= sizeof(rq->headers[0]))
			rc = CB_EINVAL;
	}
	buf_free(&q);
	explicit_bzero(auth, sizeof(auth));
	if (rc != CB_OK) {
		hist_request_wipe(rq);
		*why = "the Zadarma key is too long";
		return CB_EINVAL;
	}
	rq->method = HTTPC_GET;
	hist_request_headers(rq);
	return CB_OK;
}

/* A row's fields, checked. */
struct zh_row {
	const char *pbx, *start, *disp, *secs, *clid, *dest, *sip, *recid;
	bool recorded, answered;
	int64_t seconds;
};

static bool
zh_opt(const char *s, size_t max)
{
	return s == NULL || *s == '\0' || hist_token_ok(s, max);
}

static const char *
zh_row_read(struct json_object *o, struct zh_row *r)
{
	static const char pat[] = "dddd-dd-dd dd:dd:dd";
	const char *rec;
	size_t i;

	memset(r, 0, sizeof(*r));
	if (!json_object_is_type(o, json_type_object))
		return "a stats row is not an object";
	r->pbx = json_member_str(o, "pbx_call_id");
	if (!hist_token_ok(r->pbx, 128))
		return "a stats row has no pbx_call_id";
	r->start = json_member_str(o, "callstart");
	if (r->start == NULL || strlen(r->start) != sizeof(pat) - 1)
		return "a stats row has a missing or malformed callstart";
	for (i = 0; pat[i]; i++)
		if (pat[i] == 'd' ? (r->start[i] < '0' || r->start[i] > '9') :
		    r->start[i] != pat[i])
			return "a stats row has a missing or malformed callstart";
	r->disp = json_member_str(o, "disposition");
	if (!hist_token_ok(r->disp, 64))
		return "a stats row has no disposition";
	r->secs = hist_json_text(o, "seconds");
	if (r->secs == NULL || strparse_i64z(r->secs, 0, ZH_MAX_SECONDS,
	    &r->seconds) != CB_OK)
		return "a stats row has no seconds";
	r->clid = hist_json_text(o, "clid");
	r->dest = hist_json_text(o, "destination");
	r->sip = hist_json_text(o, "sip");
	r->recid = hist_json_text(o, "call_id");
	if (!zh_opt(r->clid, 64) || !zh_opt(r->dest, 64) ||
	    !zh_opt(r->sip, 32) || !zh_opt(r->recid, 128))
		return "a stats row has a malformed clid, destination, sip "
		    "or call_id";
	rec = hist_json_text(o, "is_recorded");
	r->recorded = rec != NULL && (strcmp(rec, "true") == 0 ||
	    strcmp(rec, "1") == 0);
	r->answered = strcasecmp(r->disp, "answered") == 0;
	return NULL;
}

/* An extension as NOTIFY_END's `internal` carries it: digits, short. */
static bool
zh_ext(const char *s)
{
	size_t n;

	if (s == NULL || (n = strlen(s)) == 0 || n > 16)
		return false;
	return strspn(s, "0123456789") == n;
}

/* The END notification the row stands for (§2.1). */
static enum cb_err
zh_event(const struct prov_conf *c, const struct zh_row *r,
    struct arena *a, struct hist_event *ev)
{
	char utc[32], n[24];
	struct buf b;
	struct tm tm;
	bool out = strncmp(r->pbx, "out_", 4) == 0;
	const char *tz = zadarma_time_zone(c->config, c->default_country);

	snprintf(n, sizeof(n), "%lld", (long long)r->seconds);
	buf_init(&b, 4096);
	hist_form_add(&b, "event", out ? "NOTIFY_OUT_END" : "NOTIFY_END");
	hist_form_add(&b, "call_start", r->start);
	hist_form_add(&b, "pbx_call_id", r->pbx);
	if (out) {
		/* From an extension (`sip`) to the customer. */
		hist_form_add(&b, "caller_id", r->clid);
		hist_form_add(&b, "destination", r->dest);
		hist_form_add(&b, "internal", zh_ext(r->sip) ? r->sip : NULL);
	} else {
		/* `destination` is the extension or scenario that took it. */
		hist_form_add(&b, "caller_id", r->clid ? r->clid : "");
		hist_form_add(&b, "internal", zh_ext(r->dest) ? r->dest :
		    zh_ext(r->sip) ? r->sip : NULL);
	}
	hist_form_add(&b, "duration", n);
	hist_form_add(&b, "disposition", r->disp);
	hist_form_add(&b, "is_recorded", r->recorded && r->recid ? "1" : "0");
	if (r->recorded && r->recid)
		hist_form_add(&b, "call_id_with_rec", r->recid);
	if (b.err != CB_OK) {
		buf_free(&b);
		return CB_ENOMEM;
	}
	ev->call_id = arena_strdup(a, r->pbx);
	ev->body = arena_strndup(a, b.p, b.len);
	ev->body_len = b.len;
	ev->content_type = "application/x-www-form-urlencoded";
	buf_free(&b);
	/* Sent when the call ended: its start (account time) + duration. */
	ev->at_ms = 0;
	if (time_local_to_utc(r->start, tz, utc, sizeof(utc)) == CB_OK) {
		memset(&tm, 0, sizeof(tm));
		if (sscanf(utc, "%4d-%2d-%2d %2d:%2d:%2d", &tm.tm_year,
		    &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
		    &tm.tm_sec) == 6) {
			tm.tm_year -= 1900;
			tm.tm_mon -= 1;
			ev->at_ms = ((int64_t)timegm(&tm) + r->seconds) * 1000;
		}
	}
	return CB_OK;
}

static enum cb_err
zh_parse(const struct prov_conf *c, const struct hist_window *w,
    const char *cursor, const char *body, size_t len, struct arena *a,
    struct hist_page *out, const char **why)
{
	struct json_object *root, *stats;
	struct zh_row *rows;
	size_t i, j, n, k;
	const char *s, *bad;
	int64_t skip = 0;

	(void)w;
	memset(out, 0, sizeof(*out));
	if (*cursor != '\0' && strparse_i64z(cursor, 1, 1000000000, &skip) !=
	    CB_OK) {
		*why = "bad page cursor";
		return CB_EUPSTREAM;
	}
	root = hist_json_parse(body, len);
	if (root == NULL || !json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		*why = "Zadarma answered something that is not JSON";
		return CB_EUPSTREAM;
	}
	s = json_member_str(root, "status");
	if (s == NULL || strcmp(s, "success") != 0) {
		const char *m = json_member_str(root, "message");
		*why = arena_printf(a, "Zadarma answered status \"%.40s\"%s%.200s",
		    s ? s : "(none)", m ? ": " : "", m ? m : "");
		json_object_put(root);
		return CB_EUPSTREAM;
	}
	if (!json_object_object_get_ex(root, "stats", &stats) ||
	    !json_object_is_type(stats, json_type_array)) {
		json_object_put(root);
		*why = "Zadarma's answer has no \"stats\" list";
		return CB_EUPSTREAM;
	}
	n = json_object_array_length(stats);
	if (n > HIST_MAX_RECORDS) {
		json_object_put(root);
		*why = "Zadarma's answer has too many rows";
		return CB_EUPSTREAM;
	}
	rows = arena_alloc(a, (n ? n : 1) * sizeof(*rows));
	out->ev = arena_alloc(a, (n ? n : 1) * sizeof(*out->ev));
	/* One event per call: a call that rang several extensions has a row
	 * each; the answered one (the longest) speaks for the call. */
	for (i = 0, k = 0; i < n; i++) {
		struct zh_row r;
		if ((bad = zh_row_read(json_object_array_get_idx(stats, i),
		    &r)) != NULL) {
			*why = arena_printf(a, "Zadarma's answer: %s (row %zu)",
			    bad, i + 1);
			json_object_put(root);
			return CB_EUPSTREAM;
		}
		for (j = 0; j < k; j++)
			if (strcmp(rows[j].pbx, r.pbx) == 0)
				break;
		if (j == k)
			rows[k++] = r;
		else if ((r.answered && !rows[j].answered) ||
		    (r.answered == rows[j].answered &&
		    r.seconds > rows[j].seconds))
			rows[j] = r;
	}
	for (j = 0; j < k; j++)
		if (zh_event(c, &rows[j], a, &out->ev[out->n++]) != CB_OK) {
			json_object_put(root);
			return CB_ENOMEM;
		}
	/* The strings of out->ev are copies; the JSON can go. */
	json_object_put(root);
	if (n == ZH_LIMIT)
		snprintf(out->next, sizeof(out->next), "%lld",
		    (long long)(skip + ZH_LIMIT));
	return CB_OK;
}

const struct prov_history zadarma_history = {
	.request = zh_request,
	.parse = zh_parse,
};
