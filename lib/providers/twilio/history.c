/* Twilio's call history: the Calls list resource, GET
 * /2010-04-01/Accounts/{AccountSid}/Calls.json with Basic auth (as for
 * click-to-call, providers.md §1.4; twilio-node's CallListInstance:
 * filters StartTime>= / StartTime< as ISO 8601, PageSize, and pages by
 * the answer's next_page_uri). The answer {"calls":[{sid,
 * parent_call_sid, from, to, status, direction, start_time, end_time,
 * duration, …}], "next_page_uri": …} lists every leg: parents and the
 * children <Dial> created.
 *
 * Each finished leg becomes the "completed" (or busy, no-answer, …)
 * status callback Twilio posts for it (§1.1), read by the adapter's own
 * rules (which leg, which outcome). Live legs (queued, ringing,
 * in-progress) are left for their webhooks or the next run. Status
 * callbacks carry a SequenceNumber that the list does not, so for a call
 * whose callbacks were stored the recovered one is one more event of the
 * same call, never another call; a second run is a duplicate. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "core/jsonget.h"
#include "core/strparse.h"
#include "reconcile/history.h"

#define TH_BASE "https://api.twilio.com"
#define TH_PAGE_SIZE "200"

static bool
th_sid_ok(const char *s)
{
	size_t n;

	if (s == NULL || (n = strlen(s)) == 0 || n > 64)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789") == n;
}

/* The list's path for this account, which next_page_uri must keep. */
static int
th_path(const char *sid, char *out, size_t outsz)
{
	return snprintf(out, outsz, "/2010-04-01/Accounts/%s/Calls.json", sid);
}

static void
th_iso(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static enum cb_err
th_request(const struct prov_conf *c, const struct hist_window *w,
    const char *cursor, struct hist_request *rq, const char **why)
{
	const char *sid = prov_secret(c, "account_sid");
	const char *token = prov_secret(c, "auth_token");
	char base[512], path[160], from[32], to[32];
	struct buf q;
	enum cb_err rc;
	int n;

	memset(rq, 0, sizeof(*rq));
	if (!th_sid_ok(sid) || token == NULL || *token == '\0') {
		*why = "the integration's secrets need \"account_sid\" and "
		    "\"auth_token\" to read the call history";
		return CB_EINVAL;
	}
	if ((rc = hist_api_base(c, TH_BASE, base, sizeof(base), why)) != CB_OK)
		return rc;
	th_path(sid, path, sizeof(path));
	if (*cursor != '\0') {
		/* Twilio's next_page_uri: the same list of the same account,
		 * nothing else (the cursor came from an answer). */
		if (strncmp(cursor, path, strlen(path)) != 0 ||
		    cursor[strlen(path)] != '?' || !hist_token_ok(cursor, 1000) ||
		    strpbrk(cursor, " #\\") != NULL) {
			*why = "Twilio's next_page_uri is not this account's "
			    "call list";
			return CB_EINVAL;
		}
		n = snprintf(rq->url, sizeof(rq->url), "%s%s", base, cursor);
	} else {
		th_iso(w->from_s, from);
		th_iso(w->to_s, to);
		buf_init(&q, 512);
		hist_form_add(&q, "StartTime>=", from);
		hist_form_add(&q, "StartTime<", to);
		hist_form_add(&q, "PageSize", TH_PAGE_SIZE);
		n = q.err == CB_OK ? snprintf(rq->url, sizeof(rq->url),
		    "%s%s?%s", base, path, buf_cstr(&q)) : -1;
		buf_free(&q);
	}
	if (n < 0 || (size_t)n >= sizeof(rq->url) ||
	    snprintf(rq->user, sizeof(rq->user), "%s", sid) >=
	    (int)sizeof(rq->user) ||
	    snprintf(rq->password, sizeof(rq->password), "%s", token) >=
	    (int)sizeof(rq->password)) {
		hist_request_wipe(rq);
		*why = "the Twilio account or token is too long";
		return CB_EINVAL;
	}
	rq->method = HTTPC_GET;
	hist_request_headers(rq);
	return CB_OK;
}

/* Text Twilio puts in a party or date: no control bytes, short. */
static bool
th_text_ok(const char *s, size_t max)
{
	size_t n;

	if (s == NULL)
		return true;
	if ((n = strlen(s)) > max)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* Final statuses (twilio-node CallStatus): what a leg ends with. */
static bool
th_final(const char *st)
{
	static const char *const fin[] = {
		"completed", "busy", "failed", "no-answer", "canceled"
	};
	size_t i;

	for (i = 0; i < sizeof(fin) / sizeof(fin[0]); i++)
		if (strcmp(st, fin[i]) == 0)
			return true;
	return false;
}

/* ev has room for two events; *extra says the second was filled. */
static const char *
th_event(const char *account, struct json_object *o, struct arena *a,
    struct hist_event *ev, bool *skip, bool *extra)
{
	const char *sid = json_member_str(o, "sid");
	const char *parent = json_member_str(o, "parent_call_sid");
	const char *st = json_member_str(o, "status");
	const char *from = json_member_str(o, "from");
	const char *to = json_member_str(o, "to");
	const char *dir = json_member_str(o, "direction");
	const char *end = json_member_str(o, "end_time");
	const char *dur = hist_json_text(o, "duration");
	int64_t d = 0;
	struct buf b;

	*skip = *extra = false;
	if (!json_object_is_type(o, json_type_object))
		return "a call is not an object";
	if (!th_sid_ok(sid) || (parent != NULL && !th_sid_ok(parent)))
		return "a call has no sid, or a malformed parent_call_sid";
	if (!hist_token_ok(st, 32))
		return "a call has no status";
	if (!th_text_ok(from, 64) || !th_text_ok(to, 64) ||
	    !th_text_ok(dir, 32) || !th_text_ok(end, 64))
		return "a call has a malformed from, to, direction or end_time";
	if (dur != NULL && strparse_i64z(dur, 0, 7 * 86400, &d) != CB_OK)
		return "a call has a malformed duration";
	if (!th_final(st)) {
		*skip = true;   /* still live: its webhooks, or the next run */
		return NULL;
	}
	buf_init(&b, 4096);
	hist_form_add(&b, "AccountSid", account);
	hist_form_add(&b, "ApiVersion", "2010-04-01");
	hist_form_add(&b, "CallSid", sid);
	hist_form_add(&b, "ParentCallSid", parent);
	hist_form_add(&b, "From", from);
	hist_form_add(&b, "To", to);
	hist_form_add(&b, "Direction", dir);
	hist_form_add(&b, "CallStatus", st);
	if (strcmp(st, "completed") == 0)
		hist_form_add(&b, "CallDuration", dur);
	hist_form_add(&b, "Timestamp", end);
	hist_form_add(&b, "CallbackSource", "call-progress-events");
	if (b.err != CB_OK) {
		buf_free(&b);
		return "out of memory";
	}
	ev->call_id = arena_strdup(a, parent ? parent : sid);
	ev->body = arena_strndup(a, b.p, b.len);
	ev->body_len = b.len;
	ev->content_type = "application/x-www-form-urlencoded";
	ev->at_ms = 0;  /* Timestamp states the end */
	buf_free(&b);
	if (parent != NULL && strcmp(st, "completed") == 0 && dur != NULL &&
	    d > 0) {
		/* The parent's <Dial action>: answered by this leg. */
		buf_init(&b, 1024);
		hist_form_add(&b, "AccountSid", account);
		hist_form_add(&b, "ApiVersion", "2010-04-01");
		hist_form_add(&b, "CallSid", parent);
		hist_form_add(&b, "DialCallSid", sid);
		hist_form_add(&b, "DialCallStatus", "completed");
		hist_form_add(&b, "DialCallDuration", dur);
		if (b.err != CB_OK) {
			buf_free(&b);
			return "out of memory";
		}
		ev[1].call_id = ev->call_id;
		ev[1].body = arena_strndup(a, b.p, b.len);
		ev[1].body_len = b.len;
		ev[1].content_type = "application/x-www-form-urlencoded";
		ev[1].at_ms = 0;
		*extra = true;
		buf_free(&b);
	}
	return NULL;
}

static enum cb_err
th_parse(const struct prov_conf *c, const struct hist_window *w,
    const char *cursor, const char *body, size_t len, struct arena *a,
    struct hist_page *out, const char **why)
{
	struct json_object *root, *calls, *v;
	const char *account = prov_secret(c, "account_sid"), *bad, *next;
	char path[160];
	size_t i, n;
	bool skip, extra;

	(void)w;
	(void)cursor;
	memset(out, 0, sizeof(*out));
	root = hist_json_parse(body, len);
	if (root == NULL || !json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		*why = "Twilio answered something that is not JSON";
		return CB_EUPSTREAM;
	}
	if (!json_object_object_get_ex(root, "calls", &calls) ||
	    !json_object_is_type(calls, json_type_array)) {
		const char *m = json_member_str(root, "message");
		*why = m ? arena_printf(a, "Twilio: %.200s", m) :
		    "Twilio's answer has no \"calls\" list";
		json_object_put(root);
		return CB_EUPSTREAM;
	}
	n = json_object_array_length(calls);
	if (n > HIST_MAX_RECORDS) {
		json_object_put(root);
		*why = "Twilio's answer has too many calls";
		return CB_EUPSTREAM;
	}
	out->ev = arena_alloc(a, (n ? 2 * n : 1) * sizeof(*out->ev));
	for (i = 0; i < n; i++) {
		bad = th_event(account ? account : "",
		    json_object_array_get_idx(calls, i), a, &out->ev[out->n],
		    &skip, &extra);
		if (bad != NULL) {
			*why = arena_printf(a, "Twilio's answer: %s (call %zu)",
			    bad, i + 1);
			json_object_put(root);
			return CB_EUPSTREAM;
		}
		if (!skip)
			out->n += extra ? 2 : 1;
	}
	next = NULL;
	if (json_object_object_get_ex(root, "next_page_uri", &v) &&
	    json_object_is_type(v, json_type_string))
		next = json_object_get_string(v);
	if (next != NULL && *next != '\0') {
		/* Checked again when the request is built; refused here too
		 * so a bad cursor is the answer's fault, said at once. */
		th_path(account ? account : "", path, sizeof(path));
		if (strncmp(next, path, strlen(path)) != 0 ||
		    strlen(next) >= sizeof(out->next)) {
			json_object_put(root);
			*why = "Twilio's next_page_uri is not this account's call "
			    "list";
			return CB_EUPSTREAM;
		}
		snprintf(out->next, sizeof(out->next), "%s", next);
	}
	json_object_put(root);
	return CB_OK;
}

const struct prov_history twilio_history = {
	.request = th_request,
	.parse = th_parse,
};
