/* Unit tests for Ringostat and 3CX beyond what their vectors say
 * (tests/vectors/{ringostat,3cx}/): Ringostat's display strings, its
 * click-to-call request, recording links and call log (the request asked,
 * rows read back as the after-call webhook with the webhook's event id,
 * garbage refused with a reason, paging past 6,500 rows); 3CX's
 * durations, its derived call key and the CRM template (well-formed XML
 * whatever the name and key hold, the URL and key filled in, both
 * scenarios). */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "calls/event.h"
#include "calls/recfetch.h"
#include "core/arena.h"
#include "core/buf.h"
#include "dial/dial.h"
#include "http/request.h"
#include "providers/provider.h"
#include "providers/registry.h"
#include "providers/ringostat/ringostat.h"
#include "providers/test_event.h"
#include "providers/threecx/threecx.h"
#include "reconcile/history.h"

static struct arena *a;
static struct json_object *secrets, *config;

static void
setup(void)
{
	a = arena_new();
	secrets = json_tokener_parse("{\"key\":\"k-1\",\"api_key\":\"AK-1\"}");
	config = json_tokener_parse("{\"time_zone\":\"Europe/Kyiv\","
	    "\"project_id\":\"42\"}");
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
	struct prov_conf c = { .slug = "ringostat", .secrets = secrets,
	    .config = config, .default_country = "UA",
	    .hook_url = "https://crm.example.com/hook/ringostat" };
	return c;
}

START_TEST(test_ringostat_party)
{
	char num[65], name[129];

	ck_assert(ringostat_party("\"Ivan Petrenko\" <380671234567>", num,
	    sizeof(num), name, sizeof(name)));
	ck_assert_str_eq(num, "380671234567");
	ck_assert_str_eq(name, "Ivan Petrenko");
	ck_assert(ringostat_party(" 380671234567 ", num, sizeof(num), name,
	    sizeof(name)));
	ck_assert_str_eq(num, "380671234567");
	ck_assert_str_eq(name, "");
	ck_assert(ringostat_party("<380671234567>", num, sizeof(num), name,
	    sizeof(name)));
	ck_assert_str_eq(num, "380671234567");
	ck_assert(!ringostat_party("\"x\" <3806", num, sizeof(num), name,
	    sizeof(name)));
	ck_assert(!ringostat_party("<12345678901234567890>", num, 8, name,
	    sizeof(name)));
}
END_TEST

START_TEST(test_ringostat_dial)
{
	struct dial_target t;
	struct dial_request r;
	char err[200];

	memset(&t, 0, sizeof(t));
	t.kind = "ringostat";
	t.secrets = secrets;
	t.config = config;
	t.extension = "101";
	t.number = "+380671234567";
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(ringostat_dial_build(&t, &r, err, sizeof(err)), CB_OK);
	ck_assert_str_eq(r.url,
	    "https://api.ringostat.net/callback/outward_call");
	ck_assert_str_eq(r.body, "extension=101&destination=%2B380671234567");
	ck_assert_str_eq(r.header_ptrs[0], "Auth-key: AK-1");
	ck_assert_str_eq(r.header_ptrs[1], "Project-Id: 42");
	ck_assert_int_eq(r.method, HTTPC_POST);
	t.secrets = NULL;
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(ringostat_dial_build(&t, &r, err, sizeof(err)),
	    CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "Auth-key"));
}
END_TEST

START_TEST(test_ringostat_recording)
{
	struct recfetch_plan p;
	char err[200];

	memset(&p, 0, sizeof(p));
	ck_assert_int_eq(recfetch_plan("ringostat",
	    "https://api.ringostat.net/rec/a.wav?sig=1", NULL, secrets, &p, err,
	    sizeof(err)), CB_OK);
	ck_assert_int_eq(p.step, RECFETCH_FILE);
	ck_assert_str_eq(p.ext, "wav");
	memset(&p, 0, sizeof(p));
	ck_assert_int_eq(recfetch_plan("ringostat",
	    "https://api.ringostat.net/rec/a.mp3", NULL, secrets, &p, err,
	    sizeof(err)), CB_OK);
	ck_assert_str_eq(p.ext, "mp3");
	memset(&p, 0, sizeof(p));
	ck_assert_int_eq(recfetch_plan("ringostat", "http://10.0.0.1/a.wav",
	    NULL, secrets, &p, err, sizeof(err)), CB_EINVAL);
	/* 3CX's [RecordingUrl], fetched as it is. */
	memset(&p, 0, sizeof(p));
	ck_assert_int_eq(recfetch_plan("3cx",
	    "https://pbx.example.com/rec/a.wav", NULL, secrets, &p, err,
	    sizeof(err)), CB_OK);
	ck_assert_int_eq(p.step, RECFETCH_FILE);
	memset(&p, 0, sizeof(p));
	ck_assert_int_eq(recfetch_plan("3cx", "ftp://pbx/a.wav", NULL, secrets,
	    &p, err, sizeof(err)), CB_EINVAL);
}
END_TEST

/* The request: GET calls/list, Auth-key, the window one hour wider on
 * each side in the account's zone (Kyiv, EEST +03:00 in June). */
START_TEST(test_ringostat_history_request)
{
	struct prov_conf c = conf();
	struct hist_window w = { 1717495200, 1717498800 }; /* 10:00–11:00Z */
	struct hist_request rq;
	const char *why = NULL;

	ck_assert_int_eq(ringostat_history.request(&c, &w, "", &rq, &why),
	    CB_OK);
	ck_assert_int_eq(rq.method, HTTPC_GET);
	ck_assert_ptr_nonnull(strstr(rq.url,
	    "https://api.ringostat.net/calls/list?export_type=json"));
	ck_assert_ptr_nonnull(strstr(rq.url, "&from=2024-06-04%2012:00:00"));
	ck_assert_ptr_nonnull(strstr(rq.url, "&to=2024-06-04%2014:59:59"));
	ck_assert_ptr_nonnull(strstr(rq.url, "uniqueid,calldate"));
	ck_assert_str_eq(rq.header_ptrs[0], "Auth-key: AK-1");
	ck_assert_str_eq(rq.header_ptrs[1], "Project-Id: 42");
	ck_assert_ptr_nonnull(reconcile_history_for("ringostat"));
	ck_assert_ptr_null(reconcile_history_for("3cx"));
	c.secrets = NULL;
	ck_assert_int_eq(ringostat_history.request(&c, &w, "", &rq, &why),
	    CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "Auth-key"));
}
END_TEST

/* A row read back by the webhook adapter: the after-call webhook's event
 * id, the times from the local calldate, the employee as extension. */
START_TEST(test_ringostat_history_parse)
{
	static const char body[] = "[{\"uniqueid\":\"ua-1.1\",\"calldate\":"
	    "\"2024-06-04 13:00:00\",\"caller\":\"380671234567\",\"dst\":"
	    "\"380442223344\",\"disposition\":\"ANSWERED\",\"billsec\":\"30\","
	    "\"duration\":\"35\",\"waittime\":5,\"employee_number\":\"101\","
	    "\"has_recording\":\"1\",\"recording_wav\":"
	    "\"https://api.ringostat.net/r/1.wav\"},{\"uniqueid\":\"ua-1.2\","
	    "\"calldate\":\"2024-06-04 13:05:00\",\"caller\":\"380671110000\","
	    "\"disposition\":\"NO ANSWER\",\"billsec\":0,\"duration\":20,"
	    "\"employee_number\":\"a-very-long-sip-login-x\"}]";
	struct prov_conf c = conf();
	struct hist_window w = { 1717495200, 1717498800 };
	struct hist_page p;
	struct call_event ev;
	struct kvlist form, query;
	struct json_object *json = NULL;
	struct prov_req r;
	const char *why = NULL;
	size_t i;

	ck_assert_int_eq(ringostat_history.parse(&c, &w, "", body,
	    strlen(body), a, &p, &why), CB_OK);
	ck_assert_int_eq(p.n, 2);
	ck_assert_str_eq(p.next, "");
	ck_assert_int_eq(p.ev[0].at_ms, 1717495235000LL);
	for (i = 0; i < p.n; i++) {
		ck_assert_int_eq(http_parse_body(a, p.ev[i].content_type,
		    p.ev[i].body, p.ev[i].body_len, &form, &json, &why), CB_OK);
		memset(&query, 0, sizeof(query));
		memset(&r, 0, sizeof(r));
		r.method = HTTP_POST;
		r.form = &form;
		r.json = json;
		r.query = &query;
		ev_init(&ev);
		ck_assert_int_eq(ringostat_provider.parse(&c, &r, &ev, &why),
		    CB_OK);
		ck_assert_ptr_null(ev_validate(&ev));
		ck_assert_int_eq(ev.kind, EV_ENDED);
		if (i == 0) {
			ck_assert_str_eq(ev.event_id, "ua-1.1:after");
			ck_assert_int_eq(ev.started_ms, 1717495200000LL);
			ck_assert_int_eq(ev.answered_ms, 1717495205000LL);
			ck_assert_int_eq(ev.ended_ms, 1717495235000LL);
			ck_assert_int_eq(ev.result, RES_ANSWERED);
			ck_assert_int_eq(ev.talk_s, 30);
			ck_assert_str_eq(ev.extension, "101");
			ck_assert_str_eq(ev.recording_url,
			    "https://api.ringostat.net/r/1.wav");
		} else {
			ck_assert_int_eq(ev.result, RES_MISSED);
			/* A line the column cannot hold is left out. */
			ck_assert_str_eq(ev.extension, "");
		}
	}
}
END_TEST

START_TEST(test_ringostat_history_garbage)
{
	static const char *const bad[][2] = {
		{ "<html>Service unavailable</html>", "not JSON" },
		{ "{\"error\":\"Invalid Auth-key\"}", "Invalid Auth-key" },
		{ "{\"status\":\"ok\"}", "not a list of calls" },
		{ "[{\"calldate\":\"2024-06-04 13:00:00\"}]",
		    "uniqueid (row 1)" },
		{ "[{\"uniqueid\":\"u1\",\"calldate\":\"2024-06-04 13:00:00\"},"
		    "{\"uniqueid\":\"u2\",\"calldate\":\"yesterday\"}]",
		    "calldate (row 2)" },
		{ "[{\"uniqueid\":\"u1\",\"calldate\":\"2024-06-04 13:00:00\","
		    "\"billsec\":\"-4\"}]", "billsec" },
		{ "[1]", "not an object" },
	};
	struct prov_conf c = conf();
	struct hist_window w = { 1717495200, 1717498800 };
	struct hist_page p;
	const char *why;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		ck_assert_int_eq(ringostat_history.parse(&c, &w, "", bad[i][0],
		    strlen(bad[i][0]), a, &p, &why), CB_EUPSTREAM);
		ck_assert_msg(why != NULL && strstr(why, bad[i][1]) != NULL,
		    "%s: %s", bad[i][0], why ? why : "(null)");
	}
}
END_TEST

/* 6,500 rows (the documented cap): the next request starts at the
 * latest row's second. */
START_TEST(test_ringostat_history_paging)
{
	struct prov_conf c = conf();
	struct hist_window w = { 1717495200, 1717498800 };
	struct hist_request rq;
	struct hist_page p;
	struct buf b;
	const char *why = NULL;
	int i;

	buf_init(&b, 4 * 1024 * 1024);
	buf_puts(&b, "[");
	for (i = 0; i < 6500; i++)
		buf_printf(&b, "%s{\"uniqueid\":\"u%d\",\"calldate\":"
		    "\"2024-06-04 13:%02d:%02d\"}", i ? "," : "", i,
		    i / 60 % 60, i % 60);
	buf_puts(&b, "]");
	ck_assert_int_eq(ringostat_history.parse(&c, &w, "", b.p, b.len, a, &p,
	    &why), CB_OK);
	ck_assert_int_eq(p.n, 6500);
	ck_assert_str_eq(p.next, "1717498799");
	buf_free(&b);
	ck_assert_int_eq(ringostat_history.request(&c, &w, p.next, &rq, &why),
	    CB_OK);
	ck_assert_ptr_nonnull(strstr(rq.url, "&from=2024-06-04%2013:59:00"));
	ck_assert_int_eq(ringostat_history.request(&c, &w, "99", &rq, &why),
	    CB_EINVAL);
}
END_TEST

START_TEST(test_threecx_duration)
{
	int32_t s = -1;

	ck_assert_int_eq(threecx_duration("00:01:30", &s), CB_OK);
	ck_assert_int_eq(s, 90);
	ck_assert_int_eq(threecx_duration("01:30", &s), CB_OK);
	ck_assert_int_eq(s, 90);
	ck_assert_int_eq(threecx_duration("1:02:03", &s), CB_OK);
	ck_assert_int_eq(s, 3723);
	ck_assert_int_eq(threecx_duration("2.00:00:01.5", &s), CB_OK);
	ck_assert_int_eq(s, 172801);
	ck_assert_int_eq(threecx_duration("75", &s), CB_OK);
	ck_assert_int_eq(s, 75);
	ck_assert_int_eq(threecx_duration("", &s), CB_EINVAL);
	ck_assert_int_eq(threecx_duration("00:60:00", &s), CB_EINVAL);
	ck_assert_int_eq(threecx_duration("1:2:3:4", &s), CB_EINVAL);
	ck_assert_int_eq(threecx_duration("11.00:00:00", &s), CB_EINVAL);
	ck_assert_int_eq(threecx_duration("-1:00", &s), CB_EINVAL);
	ck_assert_int_eq(threecx_duration("00:00:0x", &s), CB_EINVAL);
}
END_TEST

START_TEST(test_threecx_call_key)
{
	char k[128];

	ck_assert(threecx_call_key(1717495200999LL, false,
	    "+380 (67) 123-45-67", k, sizeof(k)));
	ck_assert_str_eq(k, "20240604T100000Z-in-380671234567");
	ck_assert(threecx_call_key(1717495200000LL, false, "00380671234567", k,
	    sizeof(k)));
	ck_assert_str_eq(k, "20240604T100000Z-in-380671234567");
	ck_assert(threecx_call_key(1717495200000LL, true, "", k, sizeof(k)));
	ck_assert_str_eq(k, "20240604T100000Z-out-withheld");
	ck_assert(!threecx_call_key(1717495200000LL, true, "1", k, 10));
}
END_TEST

static xmlChar *
xp(xmlDocPtr doc, const char *path)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST path, ctx);
	xmlChar *s = NULL;

	if (o != NULL && o->nodesetval != NULL && o->nodesetval->nodeNr > 0)
		s = xmlNodeGetContent(o->nodesetval->nodeTab[0]);
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(ctx);
	return s;
}

static void
eq(xmlDocPtr doc, const char *path, const char *want)
{
	xmlChar *s = xp(doc, path);

	ck_assert_msg(s != NULL, "%s: missing", path);
	ck_assert_msg(strcmp((const char *)s, want) == 0, "%s = \"%s\", want "
	    "\"%s\"", path, s, want);
	xmlFree(s);
}

/* Every value escaped: a name and a key holding XML's and URLs' special
 * characters still give a well-formed template that says them exactly. */
START_TEST(test_threecx_template)
{
	struct buf b;
	xmlDocPtr doc;

	buf_init(&b, 1 << 20);
	ck_assert_int_eq(threecx_template_build(
	    "https://crm.example.com/hook/3cx", "k&<\"'>=1",
	    "Shop \"A&B\" <main>", &b), CB_OK);
	doc = xmlReadMemory(b.p, (int)b.len, "t.xml", NULL, XML_PARSE_NONET);
	ck_assert_msg(doc != NULL, "not well-formed: %s", buf_cstr(&b));
	eq(doc, "/Crm/@Name", "Shop \"A&B\" <main>");
	eq(doc, "/Crm/Parameters/Parameter[@Name='CallbackUrl']/@Default",
	    "https://crm.example.com/hook/3cx?key=k%26%3C%22%27%3E%3D1");
	eq(doc, "/Crm/Scenarios/Scenario[not(@Id)]/Request/@Url",
	    "[CallbackUrl]");
	eq(doc, "/Crm/Scenarios/Scenario[not(@Id)]/Request/PostValues/"
	    "Value[@Key='event']", "lookup");
	eq(doc, "/Crm/Scenarios/Scenario[not(@Id)]/Rules/Rule", "contact.id");
	eq(doc, "/Crm/Scenarios/Scenario[@Id='ReportCall']/Request/@SkipIf",
	    "[JournalingEnabled]!=True");
	eq(doc, "/Crm/Scenarios/Scenario[@Id='ReportCall']/Request/PostValues/"
	    "Value[@Key='event']", "journal");
	eq(doc, "/Crm/Scenarios/Scenario[@Id='ReportCall']/Request/PostValues/"
	    "Value[@Key='start_utc']",
	    "[[CallStartTimeUTC].ToString(\"yyyy-MM-ddTHH:mm:ssZ\")]");
	eq(doc, "/Crm/Scenarios/Scenario[@Id='ReportCall']/Request/PostValues/"
	    "Value[@Key='start_utc']/@Passes", "2");
	eq(doc, "/Crm/Scenarios/Scenario[@Id='ReportCall']/Request/PostValues/"
	    "Value[@Key='call_type']", "[CallType]");
	xmlFreeDoc(doc);
	buf_free(&b);
}
END_TEST

/* The descriptors: forms, test events the hook accepts, the panel file. */
START_TEST(test_descriptors)
{
	static const char *const kinds[] = { "ringostat", "3cx" };
	struct json_object *sec = json_tokener_parse("{\"key\":\"k-1\"}");
	struct prov_conf c = conf();
	struct test_event ev;
	const struct provider *p;
	const char *why = NULL;
	struct buf b;
	size_t i;

	for (i = 0; i < 2; i++) {
		p = provider_by_kind(kinds[i]);
		ck_assert_ptr_nonnull(p);
		ck_assert_ptr_nonnull(p->label);
		ck_assert_ptr_nonnull(p->where);
		ck_assert(p->fields[0].secret);
		ck_assert_int_eq(test_event_build(a, kinds[i],
		    "https://crm.example.com/hook/x", NULL, sec, "380440000000",
		    1717495300, &ev, &why), CB_OK);
		ck_assert_str_eq(ev.url,
		    "https://crm.example.com/hook/x?key=k-1");
	}
	ck_assert_ptr_nonnull(provider_by_kind("ringostat")->history);
	ck_assert_ptr_nonnull(provider_by_kind("ringostat")->dial);
	ck_assert_ptr_null(provider_by_kind("ringostat")->panel_file);
	p = provider_by_kind("3cx");
	ck_assert_ptr_nonnull(p->panel_file);
	buf_init(&b, 1 << 20);
	c.secrets = sec;
	c.hook_url = "https://crm.example.com/hook/pbx";
	ck_assert_int_eq(p->panel_file->build(&c, "PBX", &b, &why), CB_OK);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&b),
	    "https://crm.example.com/hook/pbx?key=k-1"));
	c.secrets = NULL;
	ck_assert_int_eq(p->panel_file->build(&c, "PBX", &b, &why), CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "URL key"));
	/* generic stays last: the form's default (registry.c). */
	ck_assert_str_eq(provider_at(provider_count() - 1)->kind, "generic");
	buf_free(&b);
	json_object_put(sec);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("prov_ringostat_3cx");
	TCase *tc = tcase_create("wave3");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_ringostat_party);
	tcase_add_test(tc, test_ringostat_dial);
	tcase_add_test(tc, test_ringostat_recording);
	tcase_add_test(tc, test_ringostat_history_request);
	tcase_add_test(tc, test_ringostat_history_parse);
	tcase_add_test(tc, test_ringostat_history_garbage);
	tcase_add_test(tc, test_ringostat_history_paging);
	tcase_add_test(tc, test_threecx_duration);
	tcase_add_test(tc, test_threecx_call_key);
	tcase_add_test(tc, test_threecx_template);
	tcase_add_test(tc, test_descriptors);
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
