/* The second-wave providers' outgoing requests (issue 17 §1): Phonet's
 * session (the prepare step), click-to-call, hang-up and recording link;
 * UniTalk's
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

/* The descriptor's members (issue 17): the prepare step's login and its
 * answer, then click-to-call and hang-up with the session as t.token. */
START_TEST(test_phonet_requests)
{
	const struct provider *p = provider_by_kind("phonet");
	struct prov_token tok;
	char url[256];

	ck_assert_ptr_eq(p->prepare, &phonet_prepare);
	target("phonet", "{\"domain\":\"acme.phonet.com.ua\"}",
	    "{\"api_key\":\"k1\"}");
	ck_assert_int_eq(p->prepare->build(&t, &r, err, sizeof(err)), CB_OK);
	ck_assert_str_eq(r.url,
	    "https://acme.phonet.com.ua/rest/security/authorize");
	ck_assert_str_eq(r.body,
	    "{\"domain\":\"acme.phonet.com.ua\",\"apiKey\":\"k1\"}");
	ck_assert_str_eq(r.content_type, "application/json");
	ck_assert_int_eq(r.method, HTTPC_POST);
	/* The answer: the JSESSIONID cookie; 403 = wrong key (an admin's
	 * fix); a 2xx without the cookie or a 5xx = try again later. */
	memset(&tok, 0, sizeof(tok));
	ck_assert_int_eq(p->prepare->read(200, "JSESSIONID=abc", "", 0, 100,
	    &tok, err, sizeof(err)), CB_OK);
	ck_assert_str_eq(tok.value, "JSESSIONID=abc");
	ck_assert_int_eq(tok.expires_s, 0);
	ck_assert_int_eq(p->prepare->read(403, "", "", 0, 100, &tok, err,
	    sizeof(err)), CB_EDENIED);
	ck_assert_int_eq(p->prepare->read(200, "other=1", "", 0, 100, &tok,
	    err, sizeof(err)), CB_EUPSTREAM);
	ck_assert_int_eq(p->prepare->read(502, "", "", 0, 100, &tok, err,
	    sizeof(err)), CB_EUPSTREAM);
	ck_assert(p->prepare->refused(403, "", 0));
	ck_assert(!p->prepare->refused(200, "", 0));
	ck_assert(!p->prepare->refused(500, "", 0));

	memset(&r, 0, sizeof(r));
	t.token = "JSESSIONID=abc";
	ck_assert_int_eq(p->dial->build(&t, &r, err, sizeof(err)), CB_OK);
	ck_assert_str_eq(r.url, "https://acme.phonet.com.ua/rest/user/makeCall");
	ck_assert_str_eq(r.body,
	    "{\"legExt\":\"101\",\"otherLegNum\":\"+380671234567\"}");
	ck_assert_str_eq(r.headers[0], "Cookie: JSESSIONID=abc");
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(p->hangup(&t, "562aa0bd-8d98", &r, err, sizeof(err)),
	    CB_OK);
	ck_assert_str_eq(r.url, "https://acme.phonet.com.ua/rest/calls/"
	    "active/562aa0bd-8d98/hangup");
	ck_assert_str_eq(r.headers[0], "Cookie: JSESSIONID=abc");
	ck_assert_int_eq(r.method, HTTPC_GET);
	ck_assert_uint_eq(r.body_len, 0);
	/* No session, a header injection, a bad uuid. */
	t.token = NULL;
	ck_assert_int_eq(p->dial->build(&t, &r, err, sizeof(err)), CB_EINVAL);
	t.token = "JSESSIONID=a\r\nX: y";
	ck_assert_int_eq(p->dial->build(&t, &r, err, sizeof(err)), CB_EINVAL);
	t.token = "JSESSIONID=abc";
	ck_assert_int_eq(p->hangup(&t, "../x", &r, err, sizeof(err)),
	    CB_EINVAL);
	/* api_base replaces https://{domain} (a local stand-in). */
	target("phonet", "{\"domain\":\"acme.phonet.com.ua\",\"api_base\":"
	    "\"http://127.0.0.1:9/ph\"}", "{\"api_key\":\"k1\"}");
	ck_assert_int_eq(p->prepare->build(&t, &r, err, sizeof(err)), CB_OK);
	ck_assert_str_eq(r.url, "http://127.0.0.1:9/ph/rest/security/authorize");
	ck_assert_str_eq(r.body,
	    "{\"domain\":\"acme.phonet.com.ua\",\"apiKey\":\"k1\"}");
	/* No domain, a bad domain, no key. */
	target("phonet", "{\"domain\":\"evil/host\"}", "{\"api_key\":\"k1\"}");
	ck_assert_int_eq(p->prepare->build(&t, &r, err, sizeof(err)),
	    CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "domain"));
	ck_assert(!p->dial->capable(t.config));
	target("phonet", "{\"domain\":\"a.phonet.ua\"}", "{}");
	ck_assert_int_eq(p->prepare->build(&t, &r, err, sizeof(err)),
	    CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "API key"));
	ck_assert(p->dial->capable(t.config));
	/* The form's non-secret field. */
	ck_assert_ptr_null(p->check_setting("domain", "my-co.phonet.com.ua"));
	ck_assert_ptr_nonnull(p->check_setting("domain", "evil/host"));

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
	const struct provider *p = provider_by_kind("yeastar");
	struct recfetch_plan plan;
	struct prov_token tok;
	char link[256], file[512];

	target("yeastar", "{\"api_base\":\"https://pbx.example.com:8088\"}",
	    "{\"client_id\":\"cid\",\"client_secret\":\"cs\"}");
	ck_assert_int_eq(p->prepare->build(&t, &r, err, sizeof(err)), CB_OK);
	ck_assert_str_eq(r.url,
	    "https://pbx.example.com:8088/openapi/v1.0/get_token");
	ck_assert_str_eq(r.body, "{\"username\":\"cid\",\"password\":\"cs\"}");
	ck_assert_str_eq(r.headers[0], "User-Agent: OpenAPI");
	/* §5.1's answer: 30 minutes from now. */
	memset(&tok, 0, sizeof(tok));
#define YS_TOKEN_OK "{\"errcode\":0,\"errmsg\":\"SUCCESS\"," \
	"\"access_token_expire_time\":1800,\"access_token\":\"Ey7Ty0kL\"," \
	"\"refresh_token_expire_time\":86400,\"refresh_token\":\"r\"}"
	ck_assert_int_eq(p->prepare->read(200, "", YS_TOKEN_OK,
	    strlen(YS_TOKEN_OK), 1000, &tok, err, sizeof(err)), CB_OK);
	ck_assert_str_eq(tok.value, "Ey7Ty0kL");
	ck_assert_int_eq(tok.expires_s, 2800);
	/* Wrong ID or secret: a non-zero errcode (an admin's fix). */
	ck_assert_int_eq(p->prepare->read(200, "", "{\"errcode\":20004,"
	    "\"errmsg\":\"INVALID USERNAME OR PASSWORD\"}", 59, 1000, &tok,
	    err, sizeof(err)), CB_EDENIED);
	ck_assert_ptr_nonnull(strstr(err, "20004"));
	ck_assert_int_eq(p->prepare->read(200, "", "<html>", 6, 1000, &tok,
	    err, sizeof(err)), CB_EUPSTREAM);
	ck_assert_int_eq(p->prepare->read(200, "", "{\"errcode\":0,"
	    "\"access_token\":\"a b\"}", 35, 1000, &tok, err, sizeof(err)),
	    CB_EUPSTREAM);
	ck_assert(p->prepare->refused(200, "{\"errcode\":10004,\"errmsg\":"
	    "\"TOKEN EXPIRED\"}", 42));
	ck_assert(!p->prepare->refused(200, "{\"errcode\":0}", 13));

	memset(&r, 0, sizeof(r));
	t.token = "tok&1";
	ck_assert_int_eq(p->dial->build(&t, &r, err, sizeof(err)), CB_OK);
	ck_assert_str_eq(r.url, "https://pbx.example.com:8088/openapi/v1.0/"
	    "call/dial?access_token=tok%261");
	ck_assert_str_eq(r.body, "{\"caller\":\"101\",\"callee\":"
	    "\"+380671234567\",\"auto_answer\":\"no\"}");
	ck_assert_str_eq(r.headers[0], "User-Agent: OpenAPI");
	/* Success is errcode 0, whatever the HTTP status says. */
	ck_assert(p->dial->accepted(200, "{\"errcode\":0,\"call_id\":\"1.2\"}",
	    30, err, sizeof(err)));
	ck_assert(!p->dial->accepted(200, "{\"errcode\":10001,\"errmsg\":"
	    "\"NO PERMISSION\"}", 42, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "NO PERMISSION"));
	ck_assert(!p->dial->accepted(200, "{}", 2, err, sizeof(err)));
	memset(&r, 0, sizeof(r));
	t.token = "tok";
	ck_assert_int_eq(p->hangup(&t, "PJSIP/1005-00000023", &r, err,
	    sizeof(err)), CB_OK);
	ck_assert_str_eq(r.url, "https://pbx.example.com:8088/openapi/v1.0/"
	    "call/hangup?access_token=tok");
	ck_assert_str_eq(r.body, "{\"channel_id\":\"PJSIP/1005-00000023\"}");
	ck_assert_int_eq(p->hangup(&t, "1651057476.362", &r, err,
	    sizeof(err)), CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "channel"));
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
	t.token = "";
	ck_assert_int_eq(p->dial->build(&t, &r, err, sizeof(err)), CB_EINVAL);

	/* §5.7 through the descriptor: the link step with the token, then
	 * the file on the PBX's origin with the token again. */
	ck_assert_int_eq(recfetch_plan_token("yeastar", "ref:20220427-1.wav",
	    t.config, t.secrets, "tk", &plan, err, sizeof(err)), CB_OK);
	ck_assert_int_eq(plan.step, RECFETCH_LINK);
	ck_assert_str_eq(plan.url, "https://pbx.example.com:8088/openapi/v1.0/"
	    "recording/download?file=20220427-1.wav&access_token=tk");
	ck_assert_str_eq(plan.auth_header, "User-Agent: OpenAPI");
#define YS_LINK "{\"errcode\":0,\"errmsg\":\"SUCCESS\",\"file\":\"x.wav\"," \
	"\"download_resource_url\":\"/api/download/Recording-x.wav\"}"
	ck_assert_int_eq(p->recording->link(YS_LINK, strlen(YS_LINK), link,
	    sizeof(link), err, sizeof(err)), CB_OK);
	ck_assert_int_eq(recfetch_file_url(&plan, link, file, sizeof(file)),
	    CB_OK);
	ck_assert_str_eq(file, "https://pbx.example.com:8088/api/download/"
	    "Recording-x.wav?access_token=tk");
	ck_assert_int_eq(p->recording->link("{\"errcode\":10004}", 17, link,
	    sizeof(link), err, sizeof(err)), CB_EUPSTREAM);
	ck_assert_int_eq(p->recording->link("{\"errcode\":0,"
	    "\"download_resource_url\":\"//evil/x\"}", 50, link, sizeof(link),
	    err, sizeof(err)), CB_EUPSTREAM);
	/* Without a token the plan cannot work. */
	ck_assert_int_eq(recfetch_plan_token("yeastar", "ref:a.wav", t.config,
	    t.secrets, NULL, &plan, err, sizeof(err)), CB_EINVAL);
	ck_assert_int_eq(recfetch_plan_token("yeastar", "https://x/a.wav",
	    t.config, t.secrets, "tk", &plan, err, sizeof(err)), CB_EINVAL);

	target("yeastar", NULL, "{\"client_id\":\"cid\",\"client_secret\":"
	    "\"cs\"}");
	ck_assert_int_eq(p->prepare->build(&t, &r, err, sizeof(err)),
	    CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "API address"));
	ck_assert(!p->dial->capable(t.config));
	target("yeastar", "{\"api_base\":\"https://pbx.example.com\"}", "{}");
	ck_assert_int_eq(p->prepare->build(&t, &r, err, sizeof(err)),
	    CB_EINVAL);
	ck_assert_ptr_null(p->check_setting("api_base",
	    "https://pbx.example.com:8088"));
	ck_assert_ptr_nonnull(p->check_setting("api_base",
	    "http://pbx.example.com"));
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
