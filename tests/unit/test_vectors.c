/* One runner for every provider's test vectors (issue 17 §1; STYLE.md
 * practice 20): each tests/vectors/<kind>/NNN-<case>.json is a request as
 * the provider sends it, the integration's settings and what must come
 * out. The runner looks the provider up in the registry by the folder's
 * name and runs the request through its descriptor with the steps of the
 * receive pipeline (lib/calls/receive.c): parse query and body with the
 * front line's functions → verify (403) → parse (400) → ev_validate (400)
 * → answer (200). Files of other shapes in those folders (the AMI
 * sequences, Twilio's signature vectors) are skipped: only names starting
 * with a digit and ending in ".json" are vectors.
 *
 * A vector:
 *   {
 *     "about":   "what the case shows, and its source",
 *     "secrets": {...}, "config": {...}, "country": "UA",
 *     "request": { "method": "POST", "url": "https://crm.example.com/hook/x?q",
 *                  "content_type": "...", "headers": { "Name": "value" },
 *                  "remote_addr": "...", "now": <unix seconds>,
 *                  "body": "raw body" },
 *     "route":   { "extension", "manager_email", "customer_name",
 *                  "customer_url", "fallback_kind", "fallback_target" },
 *     "expect":  { "status": 200 | 400 | 403, "why": "part of the reason",
 *                  "event": { field: value, ... only the fields to check },
 *                  "answer": "the exact body", "answer_type": "..." }
 *   }
 * A sequence (one call's requests in order) has "requests": [ { "request":
 * {...}, "expect": {...} }, ... ] beside a "request" that gives the
 * defaults: each step's request members replace the vector's (url,
 * headers, body, ...), and a step may carry its own "secrets", "config",
 * "country" and "route". Sequences may also carry "ids" and "call" for the
 * stack replay (tests/lib/vectors.js): the runner ignores them.
 * "route" (optional) is the routing answer passed to the provider's
 * answer(); without it, answer() gets NULL. Event fields are compared by
 * name (see fields[] below); kinds, directions and results by their names
 * ("ringing", "in", "answered"). */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "calls/event.h"
#include "core/arena.h"
#include "core/buf.h"
#include "http/request.h"
#include "providers/provider.h"
#include "providers/registry.h"

#define VECTORS_MAX 512

/* Every vector found: "<kind>/<file>". */
static char *vectors[VECTORS_MAX];
static size_t nvectors;
static char root[1024];

/* ----------------------------------------------------- the event fields */

enum ftype { F_STR, F_BOOL, F_I64, F_I32, F_KIND, F_DIR, F_RESULT };

#define FS(name) { #name, F_STR, offsetof(struct call_event, name) }
static const struct field {
	const char *name;
	enum ftype type;
	size_t off;
} fields[] = {
	{ "kind", F_KIND, offsetof(struct call_event, kind) },
	{ "wants_route", F_BOOL, offsetof(struct call_event, wants_route) },
	FS(type_name), FS(call_id), FS(leg_id), FS(event_id),
	{ "dir", F_DIR, offsetof(struct call_event, dir) },
	FS(client),
	{ "client_withheld", F_BOOL, offsetof(struct call_event,
	    client_withheld) },
	FS(our_number), FS(extension), FS(caller_name),
	{ "at_ms", F_I64, offsetof(struct call_event, at_ms) },
	{ "started_ms", F_I64, offsetof(struct call_event, started_ms) },
	{ "answered_ms", F_I64, offsetof(struct call_event, answered_ms) },
	{ "ended_ms", F_I64, offsetof(struct call_event, ended_ms) },
	{ "talk_s", F_I32, offsetof(struct call_event, talk_s) },
	{ "wait_s", F_I32, offsetof(struct call_event, wait_s) },
	{ "result", F_RESULT, offsetof(struct call_event, result) },
	FS(hangup_cause), FS(recording_url), FS(recording_ref),
	{ "recording_absent", F_BOOL, offsetof(struct call_event,
	    recording_absent) },
	FS(echo),
	{ "seq", F_I32, offsetof(struct call_event, seq) },
	FS(sig_key),
};

/* The event's field as text, the way vectors write it. */
static const char *
field_text(const struct call_event *ev, const struct field *f, char *tmp,
    size_t tmpsz)
{
	const char *p = (const char *)ev + f->off;

	switch (f->type) {
	case F_STR:
		return p;
	case F_BOOL:
		return *(const bool *)(const void *)p ? "true" : "false";
	case F_I64:
		snprintf(tmp, tmpsz, "%lld", (long long)*(const int64_t *)
		    (const void *)p);
		return tmp;
	case F_I32:
		snprintf(tmp, tmpsz, "%d", (int)*(const int32_t *)
		    (const void *)p);
		return tmp;
	case F_KIND:
		return ev_kind_name(*(const enum ev_kind *)(const void *)p);
	case F_DIR:
		return call_dir_name(*(const enum call_dir *)(const void *)p);
	case F_RESULT:
		return call_result_name(*(const enum call_result *)
		    (const void *)p);
	}
	return "";
}

/* ------------------------------------------------------------ loading */

static const char *
str_of(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    json_object_is_type(v, json_type_null))
		return NULL;
	return json_object_get_string(v);
}

static struct json_object *
obj_of(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_object))
		return NULL;
	return v;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Walks tests/vectors/<kind>/ for every kind folder. */
static void
find_vectors(void)
{
	const char *src = getenv("CB_SRCDIR");
	struct dirent *d, *e;
	DIR *top, *sub;
	char path[1300];

	snprintf(root, sizeof(root), "%s/tests/vectors", src ? src : ".");
	if ((top = opendir(root)) == NULL)
		return;
	while ((d = readdir(top)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", root, d->d_name);
		if ((sub = opendir(path)) == NULL)
			continue;
		while ((e = readdir(sub)) != NULL && nvectors < VECTORS_MAX) {
			size_t n = strlen(e->d_name);

			if (e->d_name[0] < '0' || e->d_name[0] > '9' || n < 6 ||
			    strcmp(e->d_name + n - 5, ".json") != 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", d->d_name,
			    e->d_name);
			if ((vectors[nvectors++] = strdup(path)) == NULL)
				abort();
		}
		closedir(sub);
	}
	closedir(top);
	qsort(vectors, nvectors, sizeof(vectors[0]), by_name);
}

/* --------------------------------------------------------- one vector */

static struct json_object *headers;

static const char *
header(const void *hctx, const char *name)
{
	(void)hctx;
	json_object_object_foreach(headers, k, v)
		if (strcasecmp(k, name) == 0)
			return json_object_get_string(v);
	return NULL;
}

/* A route_answer from the vector's "route", or NULL. */
static const struct route_answer *
route_of(struct json_object *r, struct route_answer *ra)
{
	if (r == NULL)
		return NULL;
	memset(ra, 0, sizeof(*ra));
	ra->extension = str_of(r, "extension");
	ra->manager_email = str_of(r, "manager_email");
	ra->customer_name = str_of(r, "customer_name");
	ra->customer_url = str_of(r, "customer_url");
	ra->fallback_kind = str_of(r, "fallback_kind");
	ra->fallback_target = str_of(r, "fallback_target");
	return ra;
}

/* A member of the step's request, else of the vector's "request". */
static const char *
req_str(struct json_object *step, struct json_object *top, const char *key)
{
	const char *s = str_of(step, key);

	return s != NULL ? s : str_of(top, key);
}

/* A member of the step (secrets, config, country), else of the vector. */
static struct json_object *
step_obj(struct json_object *step, struct json_object *v, const char *key)
{
	struct json_object *o = obj_of(step, key);

	return o != NULL ? o : obj_of(v, key);
}

/* One request through the receive pipeline: rq and ex are the step's
 * "request" and "expect", top the vector's "request" (defaults), st the
 * step itself (NULL for a single-request vector; it may override
 * "secrets", "config" and "country"). */
static void
run_request(const char *name, const struct provider *p, const char *kind,
    struct json_object *v, struct json_object *st, struct json_object *rq,
    struct json_object *top, struct json_object *ex)
{
	char tmp[32];
	struct json_object *evx;
	struct arena *a = arena_new();
	struct kvlist query, form;
	struct json_object *json = NULL;
	struct prov_req pr;
	struct prov_conf pc;
	struct call_event ev;
	struct route_answer ra;
	struct buf out;
	const char *why = NULL, *url, *q, *body, *ct, *actype = NULL;
	int status, want;
	enum cb_err rc;
	size_t i;

	ck_assert_msg(ex != NULL, "%s: needs expect", name);
	/* The front line's parsing, as receive_event() does it. */
	url = req_str(rq, top, "url");
	ck_assert_msg(url != NULL, "%s: request.url", name);
	q = strchr(url, '?');
	q = q != NULL ? q + 1 : "";
	body = req_str(rq, top, "body");
	body = body != NULL ? body : "";
	ct = req_str(rq, top, "content_type");
	memset(&query, 0, sizeof(query));
	memset(&form, 0, sizeof(form));
	status = 0;
	if (http_parse_urlencoded(a, q, strlen(q), &query, &why) != CB_OK ||
	    http_parse_body(a, ct, body, strlen(body), &form, &json, &why) !=
	    CB_OK)
		status = 400;
	headers = obj_of(rq, "headers") != NULL ? obj_of(rq, "headers") :
	    obj_of(top, "headers");
	memset(&pr, 0, sizeof(pr));
	pr.method = http_method_parse(req_str(rq, top, "method") ?
	    req_str(rq, top, "method") : "POST");
	pr.url = url;
	pr.query = &query;
	pr.form = &form;
	pr.json = json;
	pr.body = body;
	pr.body_len = strlen(body);
	pr.content_type = http_media_type(a, ct);
	pr.remote_addr = req_str(rq, top, "remote_addr") ? req_str(rq, top,
	    "remote_addr") : "203.0.113.9";
	pr.now = req_str(rq, top, "now") ? strtoll(req_str(rq, top, "now"),
	    NULL, 10) : 0;
	pr.header = header;
	memset(&pc, 0, sizeof(pc));
	pc.slug = kind;
	pc.hook_url = arena_printf(a, "%.*s", (int)strcspn(url, "?"), url);
	pc.secrets = step_obj(st, v, "secrets");
	pc.config = step_obj(st, v, "config");
	pc.default_country = str_of(st, "country") ? str_of(st, "country") :
	    str_of(v, "country") ? str_of(v, "country") : "UA";

	ev_init(&ev);
	buf_init(&out, 64 * 1024);
	if (status == 0 && p->verify(&pc, &pr, &why) != CB_OK)
		status = 403;
	if (status == 0 && ((rc = p->parse(&pc, &pr, &ev, &why)) != CB_OK ||
	    (why = ev_validate(&ev)) != NULL))
		status = 400;
	if (status == 0) {
		rc = p->answer(&pc, &ev, route_of(obj_of(st != NULL ? st : v,
		    "route"), &ra), &out, &actype);
		ck_assert_msg(rc == CB_OK, "%s: answer: %s", name,
		    cb_strerror(rc));
		status = 200;
	}

	want = json_object_get_int(json_object_object_get(ex, "status"));
	ck_assert_msg(status == want, "%s: HTTP %d, expected %d (%s)", name,
	    status, want, why ? why : "");
	if (str_of(ex, "why") != NULL)
		ck_assert_msg(why != NULL && strstr(why, str_of(ex, "why")) !=
		    NULL, "%s: reason \"%s\", expected \"%s\"", name,
		    why ? why : "", str_of(ex, "why"));
	if ((evx = obj_of(ex, "event")) != NULL) {
		json_object_object_foreach(evx, k, val) {
			const struct field *f = NULL;

			for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
				if (strcmp(fields[i].name, k) == 0)
					f = &fields[i];
			ck_assert_msg(f != NULL, "%s: no event field %s", name,
			    k);
			ck_assert_msg(strcmp(field_text(&ev, f, tmp,
			    sizeof(tmp)), json_object_get_string(val)) == 0,
			    "%s: event.%s = \"%s\", expected \"%s\"", name, k,
			    field_text(&ev, f, tmp, sizeof(tmp)),
			    json_object_get_string(val));
		}
	}
	if (str_of(ex, "answer") != NULL)
		ck_assert_msg(strcmp(buf_cstr(&out), str_of(ex, "answer")) ==
		    0, "%s: answered \"%s\", expected \"%s\"", name,
		    buf_cstr(&out), str_of(ex, "answer"));
	if (str_of(ex, "answer_type") != NULL)
		ck_assert_msg(actype != NULL && strcmp(actype, str_of(ex,
		    "answer_type")) == 0, "%s: answer type %s", name,
		    actype ? actype : "(none)");
	buf_free(&out);
	arena_free(a);
}

START_TEST(test_vector)
{
	const char *name = vectors[_i];
	char path[1400], kind[64], step[1500], *slash;
	struct json_object *v, *rq, *steps, *st;
	const struct provider *p;
	size_t i;

	snprintf(path, sizeof(path), "%s/%s", root, name);
	v = json_object_from_file(path);
	ck_assert_msg(v != NULL, "%s: not JSON", name);
	snprintf(kind, sizeof(kind), "%s", name);
	if ((slash = strchr(kind, '/')) != NULL)
		*slash = '\0';
	p = provider_by_kind(kind);
	ck_assert_msg(p != NULL, "%s: tests/vectors/%s/ is not a provider's "
	    "kind", name, kind);
	rq = obj_of(v, "request");
	ck_assert_msg(rq != NULL, "%s: needs request", name);
	/* A sequence: each step's request over the vector's, in order. */
	if (json_object_object_get_ex(v, "requests", &steps)) {
		ck_assert_msg(json_object_is_type(steps, json_type_array) &&
		    json_object_array_length(steps) > 0, "%s: requests is "
		    "not a list of steps", name);
		for (i = 0; i < json_object_array_length(steps); i++) {
			st = json_object_array_get_idx(steps, i);
			snprintf(step, sizeof(step), "%s #%zu", name, i + 1);
			run_request(step, p, kind, v, st, obj_of(st,
			    "request"), rq, obj_of(st, "expect"));
		}
	} else
		run_request(name, p, kind, v, NULL, rq, NULL,
		    obj_of(v, "expect"));
	json_object_put(v);
}
END_TEST

/* Every provider in the registry has vectors, and every folder is a
 * provider: a provider is added with its vectors. */
START_TEST(test_every_provider_has_vectors)
{
	size_t i, j, n;

	ck_assert_uint_gt(nvectors, 0);
	for (i = 0; i < provider_count(); i++) {
		const char *k = provider_at(i)->kind;

		for (j = 0, n = 0; j < nvectors; j++)
			if (strncmp(vectors[j], k, strlen(k)) == 0 &&
			    vectors[j][strlen(k)] == '/')
				n++;
		ck_assert_msg(n >= 3, "tests/vectors/%s/ has %zu vectors "
		    "(at least 3: one accepted, one refused, one malformed)",
		    k, n);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("vectors");
	TCase *tc = tcase_create("vectors");
	SRunner *sr;
	int failed;
	size_t i;

	find_vectors();
	tcase_add_test(tc, test_every_provider_has_vectors);
	if (nvectors > 0)
		tcase_add_loop_test(tc, test_vector, 0, (int)nvectors);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	for (i = 0; i < nvectors; i++)
		free(vectors[i]);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
