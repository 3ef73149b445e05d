/* Unit tests for the providers' history requests and parsers
 * (lib/reconcile/): the requests each API is asked (Zadarma's signed
 * statistics request against providers.md §5.2's vector), the reading of
 * answers, garbage and errors refused with a reason, paging, and — the
 * point of it all — that every record becomes the webhook event the
 * provider's own adapter reads with the webhook's event id, so the
 * pipeline's dedupe keys catch a call stored from webhooks. The network
 * and database parts run in tests/http/reconcile_*.test.js. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "calls/event.h"
#include "core/arena.h"
#include "http/request.h"
#include "providers/provider.h"
#include "providers/registry.h"
#include "reconcile/history.h"
#include "reconcile/run.h"

#define VKEY "a248a6a984459935b569"
#define VSECRET "8a8e91d214fb728889c7"

static struct arena *a;
static struct json_object *secrets, *config;

static void
setup(void)
{
	a = arena_new();
	secrets = json_tokener_parse("{\"key\":\"" VKEY "\",\"secret\":\""
	    VSECRET "\",\"account_sid\":\"AC0001\",\"auth_token\":\"tok\"}");
	config = json_tokener_parse("{\"time_zone\":\"UTC\"}");
}

static void
teardown(void)
{
	json_object_put(secrets);
	json_object_put(config);
	arena_free(a);
}

static struct prov_conf
conf(void)
{
	struct prov_conf c = { .slug = "x", .secrets = secrets,
	    .config = config, .default_country = "UA" };
	return c;
}

static enum cb_err
parse(const char *kind, const char *cursor, const char *body,
    struct hist_page *p, const char **why)
{
	struct prov_conf c = conf();
	struct hist_window w = { 1717200000, 1717545600 };

	*why = NULL;
	return reconcile_history_for(kind)->parse(&c, &w, cursor, body,
	    strlen(body), a, p, why);
}

/* The event the provider's webhook adapter reads from a rebuilt request. */
static void
adapt(const char *kind, const struct hist_event *he, struct call_event *ev)
{
	struct prov_conf c = conf();
	struct kvlist form;
	struct json_object *json = NULL;
	struct prov_req r;
	const char *why = NULL;

	ck_assert_int_eq(http_parse_body(a, he->content_type, he->body,
	    he->body_len, &form, &json, &why), CB_OK);
	memset(&r, 0, sizeof(r));
	r.method = HTTP_POST;
	r.form = &form;
	r.json = json;
	r.body = he->body;
	r.body_len = he->body_len;
	r.content_type = he->content_type;
	ev_init(ev);
	ck_assert_int_eq(provider_by_kind(kind)->parse(&c, &r, ev, &why), CB_OK);
	ck_assert_ptr_null(ev_validate(ev));

}

START_TEST(test_history_lookup)
{
	ck_assert_ptr_eq(reconcile_history_for("zadarma"), &zadarma_history);
	ck_assert_ptr_eq(reconcile_history_for("binotel"), &binotel_history);
	ck_assert_ptr_eq(reconcile_history_for("twilio"), &twilio_history);
	ck_assert_ptr_null(reconcile_history_for("asterisk"));
	ck_assert_ptr_null(reconcile_history_for("generic"));
	ck_assert_ptr_null(reconcile_history_for(NULL));
}
END_TEST

/* providers.md §5.2, row "/v1/statistics/pbx/": the first page asks with
 * the defaults of skip and limit, so it is the vector exactly. */
START_TEST(test_zadarma_request_vector)
{
	struct prov_conf c = conf();
	struct hist_window w = { 1717200000, 1717545600 };
	struct hist_request rq;
	const char *why = NULL;

	ck_assert_int_eq(zadarma_history.request(&c, &w, "", &rq, &why), CB_OK);
	ck_assert_int_eq(rq.method, HTTPC_GET);
	ck_assert_str_eq(rq.url, "https://api.zadarma.com/v1/statistics/pbx/?"
	    "end=2024-06-04+23%3A59%3A59&format=json&"
	    "start=2024-06-01+00%3A00%3A00&version=2");
	ck_assert_str_eq(rq.header_ptrs[0], "Authorization: " VKEY ":"
	    "OGVjNDQ1ZTAxOTc0N2Q2YjMzZGRiMDhhMzUxNTJiMmU2ZjM1NDlmYg==");
	ck_assert_ptr_null(rq.header_ptrs[1]);
	hist_request_wipe(&rq);
	/* The next page: skip and limit, signed with them. */
	ck_assert_int_eq(zadarma_history.request(&c, &w, "1000", &rq, &why),
	    CB_OK);
	ck_assert_ptr_nonnull(strstr(rq.url, "&limit=1000&skip=1000&"));
	hist_request_wipe(&rq);
	ck_assert_int_eq(zadarma_history.request(&c, &w, "x", &rq, &why),
	    CB_EINVAL);
}
END_TEST

/* The account's zone: Kyiv is UTC+3 in June, so the window is asked in
 * Kyiv's time. */
START_TEST(test_zadarma_request_zone)
{
	struct json_object *kyiv = json_tokener_parse(
	    "{\"time_zone\":\"Europe/Kyiv\",\"api_base\":\"http://127.0.0.1:9\"}");
	struct prov_conf c = conf();
	struct hist_window w = { 1717200000, 1717545600 };
	struct hist_request rq;
	const char *why = NULL;

	c.config = kyiv;
	ck_assert_int_eq(zadarma_history.request(&c, &w, "", &rq, &why), CB_OK);
	ck_assert_ptr_nonnull(strstr(rq.url, "http://127.0.0.1:9/v1/statistics"));
	ck_assert_ptr_nonnull(strstr(rq.url, "start=2024-06-01+03%3A00%3A00"));
	ck_assert_ptr_nonnull(strstr(rq.url, "end=2024-06-05+02%3A59%3A59"));
	hist_request_wipe(&rq);
	json_object_put(kyiv);
}
END_TEST

START_TEST(test_zadarma_request_needs_key)
{
	struct json_object *s = json_tokener_parse("{\"secret\":\"x\"}");
	struct json_object *bad = json_tokener_parse(
	    "{\"api_base\":\"http://api.example.com\"}");
	struct prov_conf c = conf();
	struct hist_window w = { 1717200000, 1717545600 };
	struct hist_request rq;
	const char *why = NULL;

	c.secrets = s;
	ck_assert_int_eq(zadarma_history.request(&c, &w, "", &rq, &why),
	    CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "\"key\""));
	c.secrets = secrets;
	c.config = bad;   /* keys in clear text to another host: never */
	ck_assert_int_eq(zadarma_history.request(&c, &w, "", &rq, &why),
	    CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "api_base"));
	json_object_put(s);
	json_object_put(bad);
}
END_TEST

static const char zd_answer[] =
    "{\"status\":\"success\",\"start\":\"2024-06-01 00:00:00\","
    "\"end\":\"2024-06-04 23:59:59\",\"version\":2,\"stats\":["
    "{\"call_id\":1717495200.123456,\"sip\":\"101\",\"callstart\":"
    "\"2024-06-04 10:00:00\",\"clid\":\"380671234567\",\"destination\":101,"
    "\"disposition\":\"no answer\",\"seconds\":0,\"is_recorded\":false,"
    "\"pbx_call_id\":\"in_aaa\"},"
    "{\"call_id\":1717495201.5,\"sip\":\"102\",\"callstart\":"
    "\"2024-06-04 10:00:00\",\"clid\":\"380671234567\",\"destination\":102,"
    "\"disposition\":\"answered\",\"seconds\":60,\"is_recorded\":true,"
    "\"pbx_call_id\":\"in_aaa\"},"
    "{\"call_id\":1717495300.1,\"sip\":\"103\",\"callstart\":"
    "\"2024-06-04 10:01:40\",\"clid\":\"103\",\"destination\":"
    "\"380501112233\",\"disposition\":\"busy\",\"seconds\":0,"
    "\"is_recorded\":false,\"pbx_call_id\":\"out_bbb\"}]}\n";

START_TEST(test_zadarma_parse)
{
	struct hist_page p;
	struct call_event ev;
	const char *why;

	ck_assert_int_eq(parse("zadarma", "", zd_answer, &p, &why), CB_OK);
	ck_assert_uint_eq(p.n, 2);            /* one per call */
	ck_assert_str_eq(p.next, "");
	ck_assert_str_eq(p.ev[0].call_id, "in_aaa");
	/* The answered row speaks for the call: the webhook's END. */
	adapt("zadarma", &p.ev[0], &ev);
	ck_assert_int_eq(ev.kind, EV_ENDED);
	ck_assert_int_eq(ev.dir, DIR_IN);
	ck_assert_str_eq(ev.call_id, "in_aaa");
	ck_assert_str_eq(ev.event_id, "in_aaa:NOTIFY_END");
	ck_assert_str_eq(ev.extension, "102");
	ck_assert_str_eq(ev.client, "380671234567");
	ck_assert_int_eq(ev.result, RES_ANSWERED);
	ck_assert_int_eq(ev.talk_s, 60);
	ck_assert_str_eq(ev.recording_ref, "1717495201.5");
	ck_assert_int_eq(ev.started_ms, 1717495200000LL);
	/* Sent when it ended: start + duration. */
	ck_assert_int_eq(p.ev[0].at_ms, 1717495260000LL);

	adapt("zadarma", &p.ev[1], &ev);
	ck_assert_str_eq(ev.event_id, "out_bbb:NOTIFY_OUT_END");
	ck_assert_int_eq(ev.dir, DIR_OUT);
	ck_assert_str_eq(ev.client, "380501112233");
	ck_assert_str_eq(ev.extension, "103");
	ck_assert_int_eq(ev.result, RES_BUSY);
	ck_assert(ev.recording_absent);
}
END_TEST

START_TEST(test_zadarma_parse_refuses_garbage)
{
	struct hist_page p;
	const char *why;

	ck_assert_int_eq(parse("zadarma", "", "<html>502 Bad Gateway</html>",
	    &p, &why), CB_EUPSTREAM);
	ck_assert_ptr_nonnull(strstr(why, "not JSON"));
	ck_assert_int_eq(parse("zadarma", "", "{\"status\":\"success\"} x", &p,
	    &why), CB_EUPSTREAM);
	ck_assert_int_eq(parse("zadarma", "", "{\"status\":\"error\","
	    "\"message\":\"Wrong signature\"}", &p, &why), CB_EUPSTREAM);
	ck_assert_ptr_nonnull(strstr(why, "Wrong signature"));
	ck_assert_int_eq(parse("zadarma", "", "{\"status\":\"success\"}", &p,
	    &why), CB_EUPSTREAM);
	ck_assert_ptr_nonnull(strstr(why, "stats"));
	/* One bad row spoils the page: nothing of it is used. */
	ck_assert_int_eq(parse("zadarma", "", "{\"status\":\"success\","
	    "\"stats\":[{\"pbx_call_id\":\"in_a\",\"callstart\":"
	    "\"2024-06-04 10:00:00\",\"disposition\":\"answered\","
	    "\"seconds\":5},{\"pbx_call_id\":\"in_b\",\"callstart\":"
	    "\"yesterday\",\"disposition\":\"answered\",\"seconds\":5}]}", &p,
	    &why), CB_EUPSTREAM);
	ck_assert_ptr_nonnull(strstr(why, "row 2"));
	ck_assert_int_eq(p.n, 0);
	ck_assert_int_eq(parse("zadarma", "", "", &p, &why), CB_EUPSTREAM);
}
END_TEST

/* A full page (1000 rows) has a next page. */
START_TEST(test_zadarma_paging)
{
	struct buf b;
	struct hist_page p;
	const char *why;
	int i;

	buf_init(&b, 1 << 20);
	buf_puts(&b, "{\"status\":\"success\",\"stats\":[");
	for (i = 0; i < 1000; i++)
		buf_printf(&b, "%s{\"pbx_call_id\":\"in_%d\",\"callstart\":"
		    "\"2024-06-04 10:00:00\",\"disposition\":\"answered\","
		    "\"seconds\":5,\"clid\":\"380671234567\"}", i ? "," : "", i);
	buf_puts(&b, "]}");
	ck_assert_int_eq(parse("zadarma", "", buf_cstr(&b), &p, &why), CB_OK);
	ck_assert_uint_eq(p.n, 1000);
	ck_assert_str_eq(p.next, "1000");
	ck_assert_int_eq(parse("zadarma", "1000", buf_cstr(&b), &p, &why),
	    CB_OK);
	ck_assert_str_eq(p.next, "2000");
	buf_free(&b);
}
END_TEST

START_TEST(test_binotel_request)
{
	struct prov_conf c = conf();
	struct hist_window w = { 1717200000, 1717545600 };
	struct hist_request rq;
	const char *why = NULL;

	ck_assert_int_eq(binotel_history.request(&c, &w, "", &rq, &why), CB_OK);
	ck_assert_int_eq(rq.method, HTTPC_POST);
	ck_assert_str_eq(rq.url, "https://api.binotel.com/api/4.0/stats/"
	    "incoming-calls-for-period.json");
	ck_assert_str_eq(rq.body, "{\"key\":\"" VKEY "\",\"secret\":\""
	    VSECRET "\",\"startTime\":1717200000,\"stopTime\":1717545599}");
	ck_assert_str_eq(rq.content_type, "application/json");
	hist_request_wipe(&rq);
	ck_assert_int_eq(binotel_history.request(&c, &w, "out", &rq, &why),
	    CB_OK);
	ck_assert_str_eq(rq.url, "https://api.binotel.com/api/4.0/stats/"
	    "outgoing-calls-for-period.json");
	hist_request_wipe(&rq);
}
END_TEST

static const char bn_answer[] =
    "{\"status\":\"success\",\"callDetails\":{\"555001\":{"
    "\"companyID\":\"1\",\"generalCallID\":\"555001\",\"callID\":\"9\","
    "\"startTime\":1717495200,\"callType\":\"0\",\"internalNumber\":\"901\","
    "\"externalNumber\":\"0671234567\",\"waitsec\":\"5\",\"billsec\":\"40\","
    "\"disposition\":\"ANSWER\",\"recordingStatus\":\"uploaded\","
    "\"pbxNumberData\":{\"number\":\"0441112233\"}}}}";

START_TEST(test_binotel_parse)
{
	struct hist_page p;
	struct call_event ev;
	const char *why;

	ck_assert_int_eq(parse("binotel", "", bn_answer, &p, &why), CB_OK);
	ck_assert_uint_eq(p.n, 1);
	ck_assert_str_eq(p.next, "out");
	ck_assert_str_eq(p.ev[0].call_id, "555001");
	adapt("binotel", &p.ev[0], &ev);
	ck_assert_int_eq(ev.kind, EV_ENDED);
	ck_assert_str_eq(ev.event_id, "555001:apiCallCompleted");
	ck_assert_int_eq(ev.result, RES_ANSWERED);
	ck_assert_int_eq(ev.talk_s, 40);
	ck_assert_int_eq(ev.wait_s, 5);
	ck_assert_str_eq(ev.extension, "901");
	ck_assert_int_eq(ev.ended_ms, (1717495200LL + 45) * 1000);
	ck_assert_str_eq(ev.recording_ref, "555001");
	/* The outgoing page is the last. */
	ck_assert_int_eq(parse("binotel", "out", "{\"status\":\"success\","
	    "\"callDetails\":[]}", &p, &why), CB_OK);
	ck_assert_uint_eq(p.n, 0);
	ck_assert_str_eq(p.next, "");
	ck_assert_int_eq(parse("binotel", "", "{\"status\":\"error\","
	    "\"code\":\"120\",\"message\":\"Wrong key\"}", &p, &why),
	    CB_EUPSTREAM);
	ck_assert_ptr_nonnull(strstr(why, "Wrong key"));
	ck_assert_int_eq(parse("binotel", "", "{\"status\":\"success\","
	    "\"callDetails\":{\"1\":{\"startTime\":5}}}", &p, &why),
	    CB_EUPSTREAM);
	ck_assert_ptr_nonnull(strstr(why, "generalCallID"));
}
END_TEST

START_TEST(test_twilio_request)
{
	struct prov_conf c = conf();
	struct hist_window w = { 1717200000, 1717545600 };
	struct hist_request rq;
	const char *why = NULL;

	ck_assert_int_eq(twilio_history.request(&c, &w, "", &rq, &why), CB_OK);
	ck_assert_str_eq(rq.url, "https://api.twilio.com/2010-04-01/Accounts/"
	    "AC0001/Calls.json?StartTime%3E%3D=2024-06-01T00%3A00%3A00Z&"
	    "StartTime%3C=2024-06-05T00%3A00%3A00Z&PageSize=200");
	ck_assert_str_eq(rq.user, "AC0001");
	ck_assert_str_eq(rq.password, "tok");
	hist_request_wipe(&rq);
	ck_assert_int_eq(twilio_history.request(&c, &w,
	    "/2010-04-01/Accounts/AC0001/Calls.json?Page=1&PageToken=PA1", &rq,
	    &why), CB_OK);
	ck_assert_str_eq(rq.url, "https://api.twilio.com/2010-04-01/Accounts/"
	    "AC0001/Calls.json?Page=1&PageToken=PA1");
	hist_request_wipe(&rq);
	/* A cursor that leaves the account's list is refused. */
	ck_assert_int_eq(twilio_history.request(&c, &w,
	    "/2010-04-01/Accounts/AC0002/Calls.json?Page=1", &rq, &why),
	    CB_EINVAL);
	ck_assert_int_eq(twilio_history.request(&c, &w, "https://evil/", &rq,
	    &why), CB_EINVAL);
}
END_TEST

static const char tw_answer[] =
    "{\"calls\":[{\"sid\":\"CA1\",\"parent_call_sid\":null,\"from\":"
    "\"+380671234567\",\"to\":\"+380441112233\",\"status\":\"completed\","
    "\"direction\":\"inbound\",\"start_time\":\"Tue, 04 Jun 2024 10:00:00 "
    "+0000\",\"end_time\":\"Tue, 04 Jun 2024 10:01:05 +0000\",\"duration\":"
    "\"65\"},{\"sid\":\"CA2\",\"parent_call_sid\":\"CA1\",\"from\":"
    "\"+380441112233\",\"to\":\"client:manager_101\",\"status\":"
    "\"completed\",\"direction\":\"outbound-dial\",\"start_time\":\"Tue, 04 "
    "Jun 2024 10:00:05 +0000\",\"end_time\":\"Tue, 04 Jun 2024 10:01:05 "
    "+0000\",\"duration\":\"60\"},{\"sid\":\"CA3\",\"parent_call_sid\":null,"
    "\"from\":\"+380671234567\",\"to\":\"+380441112233\",\"status\":"
    "\"in-progress\",\"direction\":\"inbound\",\"start_time\":null,"
    "\"end_time\":null,\"duration\":null}],\"next_page_uri\":"
    "\"/2010-04-01/Accounts/AC0001/Calls.json?Page=1&PageToken=PA1\"}";

START_TEST(test_twilio_parse)
{
	struct hist_page p;
	struct call_event ev;
	const char *why;

	ck_assert_int_eq(parse("twilio", "", tw_answer, &p, &why), CB_OK);
	/* The parent, its answered leg and the <Dial action> that leg means;
	 * the live CA3 waits for its hooks. */
	ck_assert_uint_eq(p.n, 3);
	ck_assert_str_eq(p.next,
	    "/2010-04-01/Accounts/AC0001/Calls.json?Page=1&PageToken=PA1");
	adapt("twilio", &p.ev[0], &ev);
	ck_assert_int_eq(ev.kind, EV_ENDED);
	ck_assert_str_eq(ev.call_id, "CA1");
	ck_assert_str_eq(ev.leg_id, "");
	ck_assert_int_eq(ev.dir, DIR_IN);
	ck_assert_int_eq(ev.ended_ms, 1717495265000LL);
	adapt("twilio", &p.ev[1], &ev);
	ck_assert_str_eq(ev.call_id, "CA1");
	ck_assert_str_eq(ev.leg_id, "CA2");
	ck_assert_str_eq(ev.extension, "101");
	ck_assert_int_eq(ev.result, RES_ANSWERED);
	ck_assert_int_eq(ev.talk_s, 60);
	ck_assert_str_eq(ev.event_id, "CA2:completed");
	adapt("twilio", &p.ev[2], &ev);
	ck_assert_int_eq(ev.kind, EV_ENDED);
	ck_assert_str_eq(ev.call_id, "CA1");
	ck_assert_str_eq(ev.leg_id, "");
	ck_assert_int_eq(ev.result, RES_ANSWERED);
	ck_assert_int_eq(ev.talk_s, 60);
	ck_assert_int_eq(parse("twilio", "", "{\"code\":20003,\"message\":"
	    "\"Authenticate\",\"status\":401}", &p, &why), CB_EUPSTREAM);
	ck_assert_ptr_nonnull(strstr(why, "Authenticate"));
	ck_assert_int_eq(parse("twilio", "", "{\"calls\":[],\"next_page_uri\":"
	    "\"/2010-04-01/Accounts/OTHER/Calls.json?Page=1\"}", &p, &why),
	    CB_EUPSTREAM);
	ck_assert_int_eq(parse("twilio", "", "{\"calls\":[{\"sid\":\"C A\"}]}",
	    &p, &why), CB_EUPSTREAM);
}
END_TEST

/* The schedule's choice: kinds with a history, unless the integration's
 * config says "reconcile": false (the demo accounts). */
START_TEST(test_schedule_enabled)
{
	struct json_object *off = json_tokener_parse("{\"reconcile\":false}");
	struct json_object *on = json_tokener_parse("{\"reconcile\":true}");

	ck_assert(reconcile_enabled("zadarma", NULL));
	ck_assert(reconcile_enabled("twilio", on));
	ck_assert(!reconcile_enabled("binotel", off));
	ck_assert(!reconcile_enabled("generic", NULL));
	ck_assert(!reconcile_enabled("asterisk", on));
	json_object_put(off);
	json_object_put(on);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("reconcile_history");
	TCase *tc = tcase_create("history");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_history_lookup);
	tcase_add_test(tc, test_zadarma_request_vector);
	tcase_add_test(tc, test_zadarma_request_zone);
	tcase_add_test(tc, test_zadarma_request_needs_key);
	tcase_add_test(tc, test_zadarma_parse);
	tcase_add_test(tc, test_zadarma_parse_refuses_garbage);
	tcase_add_test(tc, test_zadarma_paging);
	tcase_add_test(tc, test_binotel_request);
	tcase_add_test(tc, test_binotel_parse);
	tcase_add_test(tc, test_twilio_request);
	tcase_add_test(tc, test_twilio_parse);
	tcase_add_test(tc, test_schedule_enabled);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
