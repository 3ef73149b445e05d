/* The second-wave providers' protocol vectors (STYLE §2.20): every
 * tests/vectors/<kind>/NN_case.json (kinds: phonet, unitalk, streamtelecom,
 * yeastar) is replayed through its adapter: verify, parse and answer of
 * each request, compared with the request's "expect" (the call_event
 * fields it names, and "verify", "parse", "why", "answer"). The same files
 * drive tests/http/hook_<kind>.test.js through the real stack, where
 * "call" is what the stored call must look like. The format is in
 * tests/vectors/README.md. */
#include "config.h"

#include <check.h>
#include <dirent.h>
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

static const char *const kinds[] = {
	"phonet", "unitalk", "streamtelecom", "yeastar",
};

/* The request's headers, for prov_req.header. */
static const char *
vec_header(const void *hctx, const char *name)
{
	struct json_object *h = (struct json_object *)(uintptr_t)hctx;

	if (h == NULL)
		return NULL;
	json_object_object_foreach(h, k, v)
		if (strcasecmp(k, name) == 0)
			return json_object_get_string(v);
	return NULL;
}

static struct json_object *
member(struct json_object *o, const char *k)
{
	struct json_object *v = NULL;

	if (o != NULL && json_object_object_get_ex(o, k, &v))
		return v;
	return NULL;
}

/* A request's setting, else the vector's. */
static struct json_object *
setting(struct json_object *vec, struct json_object *rq, const char *k)
{
	struct json_object *v = member(rq, k);

	return v != NULL ? v : member(vec, k);
}

static const char *
dir_name(enum call_dir d)
{
	static const char *const n[DIR__MAX] = {
		"unknown", "in", "out", "internal"
	};
	return n[d];
}

static const char *
result_name(enum call_result r)
{
	static const char *const n[RES__MAX] = {
		"none", "unknown", "failed", "busy", "no_answer", "missed",
		"answered"
	};
	return n[r];
}

/* Compares the event with every field expect names. */
static void
check_event(const char *where, const struct call_event *ev,
    struct json_object *expect)
{
	static const struct { const char *k; size_t off; } strs[] = {
#define S(f) { #f, offsetof(struct call_event, f) }
		S(type_name), S(call_id), S(leg_id), S(event_id), S(client),
		S(our_number), S(extension), S(caller_name), S(hangup_cause),
		S(recording_url), S(recording_ref),
#undef S
	};
	static const struct { const char *k; size_t off; int w; } nums[] = {
#define N(f, w) { #f, offsetof(struct call_event, f), w }
		N(at_ms, 8), N(started_ms, 8), N(answered_ms, 8),
		N(ended_ms, 8), N(talk_s, 4), N(wait_s, 4),
#undef N
	};
	struct json_object *v;
	size_t i;

	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if ((v = member(expect, strs[i].k)) != NULL)
			ck_assert_msg(strcmp((const char *)ev + strs[i].off,
			    json_object_get_string(v)) == 0,
			    "%s: %s is \"%s\", expected \"%s\"", where,
			    strs[i].k, (const char *)ev + strs[i].off,
			    json_object_get_string(v));
	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		int64_t got;
		if ((v = member(expect, nums[i].k)) == NULL)
			continue;
		if (nums[i].w == 8)
			memcpy(&got, (const char *)ev + nums[i].off, 8);
		else {
			int32_t g;
			memcpy(&g, (const char *)ev + nums[i].off, 4);
			got = g;
		}
		ck_assert_msg(got == json_object_get_int64(v),
		    "%s: %s is %lld, expected %lld", where, nums[i].k,
		    (long long)got, (long long)json_object_get_int64(v));
	}
	if ((v = member(expect, "kind")) != NULL)
		ck_assert_msg(strcmp(ev_kind_name(ev->kind),
		    json_object_get_string(v)) == 0, "%s: kind %s, expected %s",
		    where, ev_kind_name(ev->kind), json_object_get_string(v));
	if ((v = member(expect, "dir")) != NULL)
		ck_assert_msg(strcmp(dir_name(ev->dir),
		    json_object_get_string(v)) == 0, "%s: dir %s, expected %s",
		    where, dir_name(ev->dir), json_object_get_string(v));
	if ((v = member(expect, "result")) != NULL)
		ck_assert_msg(strcmp(result_name(ev->result),
		    json_object_get_string(v)) == 0,
		    "%s: result %s, expected %s", where,
		    result_name(ev->result), json_object_get_string(v));
	if ((v = member(expect, "wants_route")) != NULL)
		ck_assert_msg(ev->wants_route == json_object_get_boolean(v),
		    "%s: wants_route", where);
	if ((v = member(expect, "recording_absent")) != NULL)
		ck_assert_msg(ev->recording_absent ==
		    json_object_get_boolean(v), "%s: recording_absent", where);
	if ((v = member(expect, "client_withheld")) != NULL)
		ck_assert_msg(ev->client_withheld == json_object_get_boolean(v),
		    "%s: client_withheld", where);
}

/* One request of a vector through verify, parse and answer. */
static void
run_request(const struct provider *p, const char *where,
    struct json_object *vec, struct json_object *rq)
{
	struct arena *a = arena_new();
	struct json_object *body = member(rq, "body"), *v, *expect;
	struct json_object *json = NULL;
	struct kvlist form, query;
	struct prov_conf conf;
	struct prov_req req;
	struct call_event ev;
	const char *text, *why = NULL, *ct = NULL, *qs, *want;
	struct buf out;
	enum cb_err rc;

	expect = member(rq, "expect");
	memset(&conf, 0, sizeof(conf));
	conf.slug = p->kind;
	conf.secrets = setting(vec, rq, "secrets");
	conf.config = setting(vec, rq, "config");
	conf.default_country = (v = setting(vec, rq, "country")) ?
	    json_object_get_string(v) : "UA";
	memset(&req, 0, sizeof(req));
	req.method = HTTP_POST;
	req.url = "https://crm.example.com/hook/x";
	text = json_object_is_type(body, json_type_string) ?
	    json_object_get_string(body) :
	    json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN);
	req.body = text;
	req.body_len = strlen(text);
	req.content_type = (v = setting(vec, rq, "content_type")) ?
	    json_object_get_string(v) : "application/json";
	req.remote_addr = (v = setting(vec, rq, "remote_addr")) ?
	    json_object_get_string(v) : "127.0.0.1";
	req.now = (v = setting(vec, rq, "now")) ? json_object_get_int64(v) :
	    1717495300;
	req.header = vec_header;
	req.hctx = (const void *)setting(vec, rq, "headers");
	qs = (v = setting(vec, rq, "query")) ? json_object_get_string(v) : "";
	ck_assert_int_eq(http_parse_urlencoded(a, qs, strlen(qs), &query,
	    &why), CB_OK);
	req.query = &query;
	ck_assert_msg(http_parse_body(a, req.content_type, text, req.body_len,
	    &form, &json, &why) == CB_OK, "%s: body: %s", where, why);
	req.form = &form;
	req.json = json;

	want = (v = member(expect, "verify")) ? json_object_get_string(v) :
	    "ok";
	rc = p->verify(&conf, &req, &why);
	ck_assert_msg((rc == CB_OK) == (strcmp(want, "ok") == 0),
	    "%s: verify gave %d (%s), expected %s", where, rc,
	    why ? why : "", want);
	if (rc != CB_OK) {
		if ((v = member(expect, "why")) != NULL)
			ck_assert_msg(strstr(why, json_object_get_string(v)),
			    "%s: why \"%s\"", where, why);
		arena_free(a);
		return;
	}
	ev_init(&ev);
	rc = p->parse(&conf, &req, &ev, &why);
	/* What receive_event() refuses after parsing is a 400 as well. */
	if (rc == CB_OK && (why = ev_validate(&ev)) != NULL)
		rc = CB_EINVAL;
	want = (v = member(expect, "parse")) ? json_object_get_string(v) :
	    "ok";
	ck_assert_msg((rc == CB_OK) == (strcmp(want, "ok") == 0),
	    "%s: parse gave %d (%s), expected %s", where, rc,
	    why ? why : "", want);
	if (rc != CB_OK) {
		if ((v = member(expect, "why")) != NULL)
			ck_assert_msg(strstr(why, json_object_get_string(v)),
			    "%s: why \"%s\"", where, why);
		arena_free(a);
		return;
	}
	check_event(where, &ev, expect);
	buf_init(&out, 64 * 1024);
	ck_assert_int_eq(p->answer(&conf, &ev, NULL, &out, &ct), CB_OK);
	ck_assert_ptr_nonnull(ct);
	if ((v = member(expect, "answer")) != NULL)
		ck_assert_msg(strcmp(buf_cstr(&out),
		    json_object_get_string(v)) == 0, "%s: answer %s", where,
		    buf_cstr(&out));
	buf_free(&out);
	arena_free(a);
}

static int
by_name(const struct dirent **x, const struct dirent **y)
{
	return strcmp((*x)->d_name, (*y)->d_name);
}

START_TEST(test_vectors)
{
	const char *kind = kinds[_i];
	const struct provider *p = provider_find(kind);
	const char *src = getenv("CB_SRCDIR");
	struct dirent **names;
	char dir[4096], path[4200], where[4400];
	int n, i, files = 0;

	ck_assert_msg(p != NULL, "no adapter registered for %s", kind);
	snprintf(dir, sizeof(dir), "%s/tests/vectors/%s", src ? src : ".",
	    kind);
	n = scandir(dir, &names, NULL, by_name);
	ck_assert_msg(n >= 0, "cannot read %s", dir);
	for (i = 0; i < n; i++) {
		const char *f = names[i]->d_name;
		size_t l = strlen(f);
		struct json_object *vec, *reqs;
		size_t k;

		if (l < 6 || strcmp(f + l - 5, ".json") != 0) {
			free(names[i]);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, f);
		vec = json_object_from_file(path);
		ck_assert_msg(vec != NULL, "%s: not JSON", path);
		reqs = member(vec, "requests");
		ck_assert_msg(json_object_is_type(reqs, json_type_array),
		    "%s: no requests", path);
		for (k = 0; k < json_object_array_length(reqs); k++) {
			snprintf(where, sizeof(where), "%s/%s #%zu", kind, f,
			    k + 1);
			run_request(p, where, vec,
			    json_object_array_get_idx(reqs, k));
		}
		json_object_put(vec);
		free(names[i]);
		files++;
	}
	free(names);
	ck_assert_msg(files > 0, "no vectors in %s", dir);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("prov_vectors");
	TCase *tc = tcase_create("vectors");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_vectors, 0,
	    (int)(sizeof(kinds) / sizeof(kinds[0])));
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
