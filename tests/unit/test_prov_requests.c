/* The second-wave providers' outgoing requests, built as plain functions
 * until the lead wires them into the provider descriptor (issue 17 §1):
 * Phonet's session, click-to-call, hang-up and recording link; UniTalk's
 * directCall; Yeastar's token, dial, hang-up and recording download; the
 * recording-link checks. Compared with providers-2.md's exact shapes. */
#include "config.h"

#include <check.h>
#include <string.h>

#include <json-c/json.h>

#include "calls/recfetch.h"
#include "core/arena.h"
#include "dial/dial.h"
#include "providers/registry.h"
#include "providers/test_event.h"
#include "providers/phonet/phonet.h"
#include "providers/streamtelecom/streamtelecom.h"
#include "providers/unitalk/unitalk.h"
#include "providers/yeastar/yeastar.h"

static struct dial_target t;
static struct dial_request r;
static char err[256];

static void
target(const char *kind, const char *config, const char *secrets)
{
	json_object_put(t.config);
	json_object_put(t.secrets);
	memset(&t, 0, sizeof(t));
	memset(&r, 0, sizeof(r));
	err[0] = '\0';
	t.kind = kind;
	t.config = config ? json_tokener_parse(config) : NULL;
	t.secrets = secrets ? json_tokener_parse(secrets) : NULL;
	t.extension = "101";
	t.number = "+380671234567";
}

static void
teardown(void)
{
	json_object_put(t.config);
	json_object_put(t.secrets);
	memset(&t, 0, sizeof(t));
}

START_TEST(test_phonet_requests)
{
	char url[256];

	target("phonet", "{\"domain\":\"acme.phonet.com.ua\"}",
	    "{\"api_key\":\"k1\"}");
	ck_assert_int_eq(phonet_dial_build_authorize(&t, &r, err,
	    sizeof(err)), CB_OK);
	ck_assert_str_eq(r.url,
	    "https://acme.phonet.com.ua/rest/security/authorize");
	ck_assert_str_eq(r.body,
	    "{\"domain\":\"acme.phonet.com.ua\",\"apiKey\":\"k1\"}");
	ck_assert_int_eq(r.method, HTTPC_POST);
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(phonet_dial_build(&t, "JSESSIONID=abc", &r, err,
	    sizeof(err)), CB_OK);
	ck_assert_str_eq(r.url, "https://acme.phonet.com.ua/rest/user/makeCall");
	ck_assert_str_eq(r.body,
	    "{\"legExt\":\"101\",\"otherLegNum\":\"+380671234567\"}");
	ck_assert_str_eq(r.header_ptrs[0], "Cookie: JSESSIONID=abc");
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(phonet_hangup_build(&t, "JSESSIONID=abc",
	    "562aa0bd-8d98", &r, err, sizeof(err)), CB_OK);
	ck_assert_str_eq(r.url, "https://acme.phonet.com.ua/rest/calls/"
	    "active/562aa0bd-8d98/hangup");
	ck_assert_int_eq(r.method, HTTPC_GET);
	/* No session, a bad uuid, a header injection, no domain, no key. */
	ck_assert_int_eq(phonet_dial_build(&t, NULL, &r, err, sizeof(err)),
	    CB_EINVAL);
	ck_assert_int_eq(phonet_dial_build(&t, "a\r\nX: y", &r, err,
	    sizeof(err)), CB_EINVAL);
	ck_assert_int_eq(phonet_hangup_build(&t, "JSESSIONID=abc",
	    "../x", &r, err, sizeof(err)), CB_EINVAL);
	target("phonet", "{\"domain\":\"evil/host\"}", "{\"api_key\":\"k1\"}");
	ck_assert_int_eq(phonet_dial_build_authorize(&t, &r, err,
	    sizeof(err)), CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "domain"));
	target("phonet", "{\"domain\":\"a.phonet.ua\"}", "{}");
	ck_assert_int_eq(phonet_dial_build_authorize(&t, &r, err,
	    sizeof(err)), CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "API key"));

	/* §1.6 */
	ck_assert_int_eq(phonet_recording_url("podium.betell.com.ua",
	    "d38f07d9-3b59-47aa-c711-94c6bebe1621", url, sizeof(url)), CB_OK);
	ck_assert_str_eq(url, "https://podium.betell.com.ua/rest/public/calls/"
	    "d38f07d9-3b59-47aa-c711-94c6bebe1621/audio");
	ck_assert_int_eq(phonet_recording_url("localhost", "abc", url,
	    sizeof(url)), CB_EINVAL);
	ck_assert_int_eq(phonet_recording_url("a.b", "a b", url, sizeof(url)),
	    CB_EINVAL);
	ck_assert(!phonet_domain_valid("a..b"));
	ck_assert(!phonet_domain_valid(".a.b"));
	ck_assert(phonet_domain_valid("my-co.phonet.com.ua"));
}
END_TEST

START_TEST(test_unitalk_requests)
{
	target("unitalk", NULL, "{\"api_key\":\"uk-1\"}");
	ck_assert_int_eq(unitalk_dial_build(&t, &r, err, sizeof(err)), CB_OK);
	ck_assert_str_eq(r.url, "https://cstat.nextel.com.ua:8443/tracking/"
	    "api/phones/directCall");
	ck_assert_str_eq(r.body, "sip=101&number=%2B380671234567");
	ck_assert_str_eq(r.header_ptrs[0], "Authorization: uk-1");
	ck_assert_str_eq(r.content_type, "application/x-www-form-urlencoded");
	target("unitalk", "{\"api_base\":\"https://api.unitalk.cloud/api\"}",
	    "{\"api_key\":\"uk-1\"}");
	ck_assert_int_eq(unitalk_dial_build(&t, &r, err, sizeof(err)), CB_OK);
	ck_assert_str_eq(r.url,
	    "https://api.unitalk.cloud/api/phones/directCall");
	target("unitalk", "{\"api_base\":\"http://example.com\"}",
	    "{\"api_key\":\"uk-1\"}");
	ck_assert_int_eq(unitalk_dial_build(&t, &r, err, sizeof(err)),
	    CB_EINVAL);
	target("unitalk", NULL, "{}");
	ck_assert_int_eq(unitalk_dial_build(&t, &r, err, sizeof(err)),
	    CB_EINVAL);

	ck_assert(unitalk_recording_link_ok(
	    "https://api.unitalk.cloud:8443/tracking/rec/a.mp3"));
	ck_assert(!unitalk_recording_link_ok("javascript:alert(1)"));
	ck_assert(!unitalk_recording_link_ok("https://"));
	ck_assert(streamtelecom_recording_link_ok(
	    "https://gate.streamtele.com/api/streamtele-v3/audio?abc-uuid"));
	ck_assert(!streamtelecom_recording_link_ok("http://10.0.0.1/x"));
}
END_TEST

START_TEST(test_yeastar_requests)
{
	target("yeastar", "{\"api_base\":\"https://pbx.example.com:8088\"}",
	    "{\"client_id\":\"cid\",\"client_secret\":\"cs\"}");
	ck_assert_int_eq(yeastar_token_request(&t, &r, err, sizeof(err)),
	    CB_OK);
	ck_assert_str_eq(r.url,
	    "https://pbx.example.com:8088/openapi/v1.0/get_token");
	ck_assert_str_eq(r.body, "{\"username\":\"cid\",\"password\":\"cs\"}");
	ck_assert_str_eq(r.header_ptrs[0], "User-Agent: OpenAPI");
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(yeastar_dial_build(&t, "tok&1", &r, err,
	    sizeof(err)), CB_OK);
	ck_assert_str_eq(r.url, "https://pbx.example.com:8088/openapi/v1.0/"
	    "call/dial?access_token=tok%261");
	ck_assert_str_eq(r.body, "{\"caller\":\"101\",\"callee\":"
	    "\"+380671234567\",\"auto_answer\":\"no\"}");
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(yeastar_hangup_build(&t, "tok", "PJSIP/1005-00000023",
	    &r, err, sizeof(err)), CB_OK);
	ck_assert_str_eq(r.body, "{\"channel_id\":\"PJSIP/1005-00000023\"}");
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(yeastar_recording_request(&t,
	    "20220427190445-1651057476.362-2005-2002-Internal.wav", "tok", &r,
	    err, sizeof(err)), CB_OK);
	ck_assert_str_eq(r.url, "https://pbx.example.com:8088/openapi/v1.0/"
	    "recording/download?file=20220427190445-1651057476.362-2005-2002-"
	    "Internal.wav&access_token=tok");
	ck_assert_int_eq(r.method, HTTPC_GET);
	ck_assert_int_eq(yeastar_recording_request(&t, "../x.wav", "tok", &r,
	    err, sizeof(err)), CB_EINVAL);
	ck_assert_int_eq(yeastar_dial_build(&t, "", &r, err, sizeof(err)),
	    CB_EINVAL);
	target("yeastar", NULL, "{\"client_id\":\"cid\",\"client_secret\":"
	    "\"cs\"}");
	ck_assert_int_eq(yeastar_token_request(&t, &r, err, sizeof(err)),
	    CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "api_base"));
	target("yeastar", "{\"api_base\":\"https://pbx.example.com\"}", "{}");
	ck_assert_int_eq(yeastar_token_request(&t, &r, err, sizeof(err)),
	    CB_EINVAL);
}
END_TEST

/* The four descriptors carry their members (issue 17 §1): the form's
 * fields, zones and address lists, click-to-call where one request does
 * it, recordings fetched from the events' links, and test events the hook
 * accepts. */
START_TEST(test_descriptors)
{
	static const char *const kinds[] = { "phonet", "unitalk",
	    "streamtelecom", "yeastar" };
	static const char *const links[] = {
		"https://demo.phonet.com.ua/rest/public/calls/562aa0bd/audio",
		"https://api.unitalk.cloud:8443/tracking/rec/a.mp3",
		"https://gate.streamtele.com/api/streamtele-v3/audio?abc",
	};
	struct json_object *sec = json_tokener_parse("{\"key\":\"k-1\","
	    "\"token\":\"t-1\"}");
	struct recfetch_plan plan;
	struct test_event ev;
	const struct provider *p;
	const char *why;
	size_t i;

	for (i = 0; i < 4; i++) {
		struct arena *a = arena_new();

		p = provider_by_kind(kinds[i]);
		ck_assert_ptr_nonnull(p);
		ck_assert_ptr_nonnull(p->label);
		ck_assert_ptr_nonnull(p->where);
		ck_assert_ptr_nonnull(p->fields);
		ck_assert_ptr_nonnull(p->fields[0].name);
		ck_assert(p->fields[0].secret);
		ck_assert_ptr_nonnull(p->test_event);
		ck_assert_int_eq(test_event_build(a, kinds[i],
		    "https://crm.example.com/hook/x", NULL, sec, "380440000000",
		    1717495300, &ev, &why), CB_OK);
		ck_assert_ptr_nonnull(ev.external_id);
		ck_assert_ptr_nonnull(strstr(ev.body, ev.external_id));
		if (i != 1)
			ck_assert_str_eq(ev.url,
			    "https://crm.example.com/hook/x?key=k-1");
		else
			ck_assert_str_eq(ev.headers[0],
			    "Authorization: Bearer t-1");
		arena_free(a);
		if (i < 3) {
			memset(&plan, 0, sizeof(plan));
			ck_assert_int_eq(recfetch_plan(kinds[i], links[i], NULL,
			    sec, &plan, err, sizeof(err)), CB_OK);
			ck_assert_int_eq(plan.step, RECFETCH_FILE);
			ck_assert_str_eq(plan.url, links[i]);
			memset(&plan, 0, sizeof(plan));
			ck_assert_int_eq(recfetch_plan(kinds[i],
			    "javascript:alert(1)", NULL, sec, &plan, err,
			    sizeof(err)), CB_EINVAL);
		}
	}
	ck_assert(provider_serves(provider_by_kind("phonet"), "UA"));
	ck_assert(!provider_serves(provider_by_kind("unitalk"), "PL"));
	ck_assert(provider_serves(provider_by_kind("yeastar"), "PL"));
	ck_assert_str_eq(provider_by_kind("unitalk")->time_zone(NULL, "PL"),
	    "Europe/Kyiv");
	ck_assert_str_eq(provider_by_kind("yeastar")->time_zone(NULL, "PL"),
	    "Europe/Warsaw");
	ck_assert_ptr_nonnull(provider_by_kind("phonet")->networks);
	ck_assert_ptr_null(provider_by_kind("phonet")->time_zone);
	/* Click-to-call through the descriptor where one request does it. */
	p = provider_by_kind("unitalk");
	ck_assert_ptr_nonnull(p->dial);
	target("unitalk", NULL, "{\"api_key\":\"uk-1\"}");
	ck_assert_int_eq(p->dial->build(&t, &r, err, sizeof(err)), CB_OK);
	ck_assert_str_eq(r.body, "sip=101&number=%2B380671234567");
	json_object_put(sec);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("prov_requests");
	TCase *tc = tcase_create("requests");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_phonet_requests);
	tcase_add_test(tc, test_unitalk_requests);
	tcase_add_test(tc, test_yeastar_requests);
	tcase_add_test(tc, test_descriptors);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
