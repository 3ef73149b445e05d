/* The second-wave providers' outgoing requests (issue 17 §1): Phonet's
 * session (the prepare step), click-to-call, hang-up and recording link;
 * UniTalk's
 * directCall; Yeastar's token, dial, hang-up and recording download; the
 * recording-link checks. Compared with providers-2.md's exact shapes. */
#include "config.h"

#include <check.h>
#include <stdio.h>
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
#include "reconcile/history.h"

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
	    "\"errmsg\":\"INVALID USERNAME OR PASSWORD\"}", 57, 1000, &tok,
	    err, sizeof(err)), CB_EDENIED);
	ck_assert_ptr_nonnull(strstr(err, "20004"));
	ck_assert_int_eq(p->prepare->read(200, "", "<html>", 6, 1000, &tok,
	    err, sizeof(err)), CB_EUPSTREAM);
	ck_assert_int_eq(p->prepare->read(200, "", "{\"errcode\":0,"
	    "\"access_token\":\"a b\"}", 34, 1000, &tok, err, sizeof(err)),
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
	    29, err, sizeof(err)));
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
	ck_assert_str_eq(plan.file_header, "User-Agent: OpenAPI");
	ck_assert_str_eq(plan.file_query, "access_token=tk");
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
	    "\"download_resource_url\":\"//evil/x\"}", 48, link, sizeof(link),
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


/* ---- history pulls (issue 17 §3) ---- */

/* The event the provider's webhook adapter reads from a history record. */
static void
hist_adapt(struct arena *a, const struct prov_conf *c,
    const struct hist_event *he, struct call_event *ev)
{
	struct prov_req q;
	const char *why = NULL;

	memset(&q, 0, sizeof(q));
	q.method = HTTP_POST;
	q.json = json_tokener_parse(he->body);
	ck_assert_ptr_nonnull(q.json);
	q.body = he->body;
	q.body_len = he->body_len;
	q.content_type = he->content_type;
	ev_init(ev);
	ck_assert_int_eq(provider_by_kind(c->slug)->parse(c, &q, ev, &why),
	    CB_OK);
	ck_assert_ptr_null(ev_validate(ev));
	json_object_put(q.json);
	(void)a;
}

/* §1.8: GET with a JSON body and the session; records become call.history
 * with Phonet's own result and durations. */
START_TEST(test_phonet_history)
{
	struct json_object *cf = json_tokener_parse("{\"domain\":"
	    "\"acme.phonet.com.ua\"}");
	struct prov_conf c = { .slug = "phonet", .config = cf,
	    .default_country = "UA", .token = "JSESSIONID=s1" };
	const struct prov_history *h = provider_by_kind("phonet")->history;
	struct hist_window w = { 1435310000, 1435320000 };
	struct arena *a = arena_new();
	struct hist_request rq;
	struct hist_page pg;
	struct call_event ev;
	const char *why = NULL;
	struct buf full;
	static const char rec[] = "{\"uuid\":\"d38f07d9-3b59-47aa-c711-"
	    "94c6bebe1621\",\"endAt\":1435317888511,\"lgDirection\":4,"
	    "\"otherLegNum\":\"+380993034330\",\"otherLegName\":\"Васильев\","
	    "\"leg\":{\"id\":36,\"type\":1,\"displayName\":\"A\",\"ext\":\"001\"},"
	    "\"leg2\":null,\"billSecs\":4,\"duration\":15,\"disposition\":0,"
	    "\"transferHistory\":\"003 > 001\",\"audioRecUrl\":\"https://x/a \","
	    "\"trunk\":\"o=380442249895;\"}";
	int i;

	ck_assert_ptr_nonnull(h);
	ck_assert_int_eq(h->request(&c, &w, "", &rq, &why), CB_OK);
	ck_assert_str_eq(rq.url,
	    "https://acme.phonet.com.ua/rest/calls/company.api");
	ck_assert_int_eq(rq.method, HTTPC_GET);
	ck_assert_str_eq(rq.body, "{\"timeFrom\":1435310000,\"timeTo\":"
	    "1435320000,\"limit\":50,\"offset\":0}");
	ck_assert_str_eq(rq.header_ptrs[0], "Cookie: JSESSIONID=s1");
	ck_assert_int_eq(h->request(&c, &w, "50", &rq, &why), CB_OK);
	ck_assert_ptr_nonnull(strstr(rq.body, "\"offset\":50"));
	c.token = NULL;
	ck_assert_int_eq(h->request(&c, &w, "", &rq, &why), CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "session"));
	c.token = "JSESSIONID=s1";

	buf_init(&full, 1 << 20);
	buf_printf(&full, "[%s]", rec);
	ck_assert_int_eq(h->parse(&c, &w, "", buf_cstr(&full), full.len, a,
	    &pg, &why), CB_OK);
	ck_assert_uint_eq(pg.n, 1);
	ck_assert_str_eq(pg.next, "");
	ck_assert_str_eq(pg.ev[0].call_id,
	    "d38f07d9-3b59-47aa-c711-94c6bebe1621");
	ck_assert_int_eq(pg.ev[0].at_ms, 1435317888511LL);
	hist_adapt(a, &c, &pg.ev[0], &ev);
	ck_assert_int_eq(ev.kind, EV_ENDED);
	ck_assert_str_eq(ev.event_id,
	    "d38f07d9-3b59-47aa-c711-94c6bebe1621:call.history:001");
	ck_assert_int_eq(ev.result, RES_ANSWERED);
	ck_assert_int_eq(ev.talk_s, 4);
	ck_assert_int_eq(ev.wait_s, 11);
	ck_assert_int_eq(ev.dir, DIR_IN);
	ck_assert_str_eq(ev.extension, "001");
	ck_assert_str_eq(ev.client, "+380993034330");
	ck_assert_int_eq(ev.answered_ms, 1435317888511LL - 4000);
	ck_assert_str_eq(ev.recording_url, "https://acme.phonet.com.ua/rest/"
	    "public/calls/d38f07d9-3b59-47aa-c711-94c6bebe1621/audio");
	/* A busy outgoing call in seconds: no talk, no recording. */
	buf_reset(&full);
	buf_puts(&full, "[{\"uuid\":\"ab-1\",\"endAt\":1435317888,"
	    "\"lgDirection\":2,\"otherLegNum\":\"+380501112233\",\"leg\":"
	    "{\"ext\":\"002\"},\"billSecs\":0,\"duration\":7,"
	    "\"disposition\":4}]");
	ck_assert_int_eq(h->parse(&c, &w, "", buf_cstr(&full), full.len, a,
	    &pg, &why), CB_OK);
	hist_adapt(a, &c, &pg.ev[0], &ev);
	ck_assert_int_eq(ev.result, RES_BUSY);
	ck_assert_int_eq(ev.talk_s, 0);
	ck_assert_int_eq(ev.ended_ms, 1435317888000LL);
	ck_assert(ev.recording_absent);
	/* A full page asks for the next. */
	buf_reset(&full);
	buf_putc(&full, '[');
	for (i = 0; i < 50; i++)
		buf_printf(&full, "%s%s", i ? "," : "", rec);
	buf_putc(&full, ']');
	ck_assert_int_eq(h->parse(&c, &w, "50", buf_cstr(&full), full.len, a,
	    &pg, &why), CB_OK);
	ck_assert_str_eq(pg.next, "100");
	/* Garbage, an object, a malformed record: nothing of the page. */
	ck_assert_int_eq(h->parse(&c, &w, "", "<html>", 6, a, &pg, &why),
	    CB_EUPSTREAM);
	ck_assert_int_eq(h->parse(&c, &w, "", "{\"a\":1}", 7, a, &pg, &why),
	    CB_EUPSTREAM);
	ck_assert_int_eq(h->parse(&c, &w, "", "[{\"uuid\":\"ab\",\"endAt\":1,"
	    "\"lgDirection\":4,\"billSecs\":9,\"duration\":3,\"disposition\":0}"
	    "]", 83, a, &pg, &why), CB_EUPSTREAM);
	ck_assert_ptr_nonnull(strstr(why, "malformed"));
	buf_free(&full);
	json_object_put(cf);
	arena_free(a);
}
END_TEST

/* §5.9: cdr/search with the token and unix seconds; a CDR becomes 30012
 * with the webhook's event id. */
START_TEST(test_yeastar_history)
{
	struct json_object *cf = json_tokener_parse("{\"api_base\":"
	    "\"https://pbx.example.com:8088\",\"time_zone\":\"Europe/Kyiv\"}");
	struct prov_conf c = { .slug = "yeastar", .config = cf,
	    .default_country = "UA", .token = "tk+1" };
	const struct prov_history *h = provider_by_kind("yeastar")->history;
	struct hist_window w = { 1651050000, 1651060000 };
	struct arena *a = arena_new();
	struct hist_request rq;
	struct hist_page pg;
	struct call_event ev;
	const char *why = NULL;
	static const char ans[] = "{\"errcode\":0,\"errmsg\":\"SUCCESS\","
	    "\"total_number\":1,\"data\":[{\"id\":7,\"time\":\"04/27/2022 "
	    "19:04:36\",\"uid\":\"1651057476.362\",\"timestamp\":1651075476,"
	    "\"call_from\":\"Олена<2005>\",\"call_to\":\"2002\",\"duration\":24,"
	    "\"ring_duration\":3,\"talk_duration\":21,\"disposition\":"
	    "\"ANSWERED\",\"call_type\":\"Internal\",\"did_number\":\"\","
	    "\"record_file\":\"20220427190445-1651057476.362-2005-2002-"
	    "Internal.wav\"}]}";

	ck_assert_ptr_nonnull(h);
	ck_assert_int_eq(h->request(&c, &w, "", &rq, &why), CB_OK);
	ck_assert_str_eq(rq.url, "https://pbx.example.com:8088/openapi/v1.0/"
	    "cdr/search?access_token=tk%2B1&start_time=1651050000&end_time="
	    "1651059999&page=1&page_size=1000");
	ck_assert_str_eq(rq.header_ptrs[0], "User-Agent: OpenAPI");
	ck_assert_int_eq(h->request(&c, &w, "2", &rq, &why), CB_OK);
	ck_assert_ptr_nonnull(strstr(rq.url, "&page=2&"));
	c.token = NULL;
	ck_assert_int_eq(h->request(&c, &w, "", &rq, &why), CB_EINVAL);
	c.token = "tk+1";

	ck_assert_int_eq(h->parse(&c, &w, "", ans, strlen(ans), a, &pg, &why),
	    CB_OK);
	ck_assert_uint_eq(pg.n, 1);
	ck_assert_str_eq(pg.next, "");
	ck_assert_str_eq(pg.ev[0].call_id, "1651057476.362");
	hist_adapt(a, &c, &pg.ev[0], &ev);
	ck_assert_int_eq(ev.kind, EV_ENDED);
	ck_assert_str_eq(ev.event_id, "1651057476.362:30012");
	ck_assert_int_eq(ev.dir, DIR_INTERNAL);
	ck_assert_int_eq(ev.result, RES_ANSWERED);
	ck_assert_int_eq(ev.talk_s, 21);
	ck_assert_int_eq(ev.wait_s, 3);
	/* 1651075476 = 2022-04-27 16:04:36Z = 19:04:36 in Kyiv (EEST). */
	ck_assert_int_eq(ev.started_ms, 1651075476000LL);
	ck_assert_str_eq(ev.recording_ref,
	    "20220427190445-1651057476.362-2005-2002-Internal.wav");
	/* No calls; an error; garbage; a malformed CDR. */
	ck_assert_int_eq(h->parse(&c, &w, "", "{\"errcode\":0,\"errmsg\":"
	    "\"SUCCESS\",\"total_number\":0}", 49, a, &pg, &why), CB_OK);
	ck_assert_uint_eq(pg.n, 0);
	ck_assert_int_eq(h->parse(&c, &w, "", "{\"errcode\":10004,\"errmsg\":"
	    "\"TOKEN EXPIRED\"}", 42, a, &pg, &why), CB_EUPSTREAM);
	ck_assert_ptr_nonnull(strstr(why, "10004"));
	ck_assert_int_eq(h->parse(&c, &w, "", "<html>", 6, a, &pg, &why),
	    CB_EUPSTREAM);
	ck_assert_int_eq(h->parse(&c, &w, "", "{\"errcode\":0,\"total_number\":"
	    "1,\"data\":[{\"uid\":\"1.2\",\"timestamp\":\"x\"}]}", 69, a, &pg,
	    &why), CB_EUPSTREAM);
	ck_assert_ptr_nonnull(strstr(why, "malformed"));
	json_object_put(cf);
	arena_free(a);
}
END_TEST


/* §2.6 and §4.6: UniTalk's key goes with its links (only to its hosts or
 * the configured api_base) and a 404 is "not yet"; Stream Telecom asks
 * without, then with Bearer (only to its hosts). */
START_TEST(test_recording_auth)
{
	static const char *const ut_hosts[] = { "unitalk.cloud", NULL };
	struct json_object *sec = json_tokener_parse("{\"api_key\":\"k-9\","
	    "\"token\":\"t\",\"key\":\"u\"}");
	struct json_object *cf = json_tokener_parse("{\"api_base\":"
	    "\"http://127.0.0.1:9/tracking/api\"}");
	struct recfetch_plan plan;

	ck_assert(recfetch_creds_host("https://api.unitalk.cloud:8443/rec/a",
	    NULL, ut_hosts));
	ck_assert(recfetch_creds_host("https://unitalk.cloud/a", NULL,
	    ut_hosts));
	ck_assert(!recfetch_creds_host("https://evilunitalk.cloud/a", NULL,
	    ut_hosts));
	ck_assert(!recfetch_creds_host("https://unitalk.cloud.evil.com/a",
	    NULL, ut_hosts));
	ck_assert(!recfetch_creds_host("http://api.unitalk.cloud/a", NULL,
	    ut_hosts));
	ck_assert(!recfetch_creds_host("https://x@unitalk.cloud/a", NULL,
	    ut_hosts));
	ck_assert(recfetch_creds_host("http://127.0.0.1:9/rec/a",
	    "http://127.0.0.1:9/tracking/api", ut_hosts));
	ck_assert(!recfetch_creds_host("http://127.0.0.1:10/rec/a",
	    "http://127.0.0.1:9/tracking/api", ut_hosts));

	ck_assert_int_eq(recfetch_plan("unitalk",
	    "https://api.unitalk.cloud:8443/tracking/rec/a.mp3", NULL, sec,
	    &plan, err, sizeof(err)), CB_OK);
	ck_assert_str_eq(plan.file_header, "Authorization: k-9");
	ck_assert(plan.missing_is_late);
	ck_assert_int_eq(recfetch_plan("unitalk", "https://other.example/a.mp3",
	    NULL, sec, &plan, err, sizeof(err)), CB_OK);
	ck_assert_str_eq(plan.file_header, "");
	ck_assert_int_eq(recfetch_plan("unitalk", "http://127.0.0.1:9/rec/a",
	    cf, sec, &plan, err, sizeof(err)), CB_OK);
	ck_assert_str_eq(plan.file_header, "Authorization: k-9");

	ck_assert_int_eq(recfetch_plan("streamtelecom",
	    "https://gate.streamtele.com/api/streamtele-v3/audio?abc", NULL,
	    sec, &plan, err, sizeof(err)), CB_OK);
	ck_assert_str_eq(plan.file_header, "");
	ck_assert_str_eq(plan.retry_header, "Authorization: Bearer k-9");
	ck_assert(!plan.missing_is_late);
	ck_assert_int_eq(recfetch_plan("streamtelecom",
	    "https://elsewhere.example/audio?abc", NULL, sec, &plan, err,
	    sizeof(err)), CB_OK);
	ck_assert_str_eq(plan.retry_header, "");
	json_object_put(sec);
	json_object_put(cf);
}
END_TEST


/* §2.8: POST {limit, offset} with the key to the configured path; newest
 * first, read until a call older than the window; records become
 * CALL_END with the webhooks' key (call.id). */
START_TEST(test_unitalk_history)
{
	struct json_object *cf = json_tokener_parse("{\"history_path\":"
	    "\"/calls/history\",\"time_zone\":\"UTC\"}");
	struct json_object *sec = json_tokener_parse("{\"api_key\":\"uk-1\"}");
	struct prov_conf c = { .slug = "unitalk", .config = cf, .secrets = sec,
	    .default_country = "UA" };
	const struct prov_history *h = provider_by_kind("unitalk")->history;
	struct hist_window w = { 1717495200, 1717498800 };  /* 10:00-11:00Z */
	struct arena *a = arena_new();
	struct hist_request rq;
	struct hist_page pg;
	struct call_event ev;
	const char *why = NULL;
	static const char ans[] = "{\"count\":3,\"calls\":["
	    "{\"id\":\"late\",\"date\":\"2024-06-04 11:30:00\",\"from\":\"1\"},"
	    "{\"id\":\"a1b2\",\"dbid\":77,\"from\":\"+380671112233\",\"to\":"
	    "[\"101\"],\"direction\":\"IN\",\"date\":\"2024-06-04 10:15:00\","
	    "\"secondsFullTime\":40,\"secondsTalk\":30,\"state\":\"ANSWER\"},"
	    "{\"id\":\"old\",\"date\":\"2024-06-04 09:00:00\"}],\"warning\":null}";

	ck_assert_int_eq(h->request(&c, &w, "", &rq, &why), CB_OK);
	ck_assert_str_eq(rq.url, "https://cstat.nextel.com.ua:8443/tracking/api"
	    "/calls/history");
	ck_assert_int_eq(rq.method, HTTPC_POST);
	ck_assert_str_eq(rq.body, "{\"limit\":100,\"offset\":0}");
	ck_assert_str_eq(rq.header_ptrs[0], "Authorization: uk-1");
	json_object_object_del(cf, "history_path");
	ck_assert_int_eq(h->request(&c, &w, "", &rq, &why), CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "history path"));
	ck_assert(!unitalk_history_path_ok("/a/../b"));
	ck_assert(!unitalk_history_path_ok("/a?x=1"));
	ck_assert(!unitalk_history_path_ok("a"));

	ck_assert_int_eq(h->parse(&c, &w, "", ans, strlen(ans), a, &pg, &why),
	    CB_OK);
	ck_assert_uint_eq(pg.n, 1);
	ck_assert_str_eq(pg.next, "");
	ck_assert_str_eq(pg.ev[0].call_id, "a1b2");
	hist_adapt(a, &c, &pg.ev[0], &ev);
	ck_assert_int_eq(ev.kind, EV_ENDED);
	ck_assert_str_eq(ev.call_id, "a1b2");
	ck_assert_int_eq(ev.talk_s, 30);
	ck_assert_int_eq(ev.result, RES_ANSWERED);
	ck_assert_int_eq(h->parse(&c, &w, "", "{\"status\":\"Error\","
	    "\"message\":\"Authorization invalid\"}", 52, a, &pg, &why),
	    CB_EUPSTREAM);
	ck_assert_ptr_nonnull(strstr(why, "Authorization invalid"));
	ck_assert_int_eq(h->parse(&c, &w, "", "{\"calls\":[{\"dbid\":5,"
	    "\"date\":\"2024-06-04 10:15:00\"}]}", 51, a, &pg, &why),
	    CB_EUPSTREAM);
	ck_assert_ptr_nonnull(strstr(why, "no id"));
	ck_assert_int_eq(h->parse(&c, &w, "", "<html>", 6, a, &pg, &why),
	    CB_EUPSTREAM);
	ck_assert_ptr_nonnull(provider_by_kind("unitalk")->check_setting(
	    "api_base", "http://api.unitalk.cloud/api"));
	ck_assert_ptr_null(provider_by_kind("unitalk")->check_setting(
	    "history_path", "/calls/history"));
	json_object_put(cf);
	json_object_put(sec);
	arena_free(a);
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
	tcase_add_test(tc, test_phonet_history);
	tcase_add_test(tc, test_yeastar_history);
	tcase_add_test(tc, test_recording_auth);
	tcase_add_test(tc, test_unitalk_history);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
