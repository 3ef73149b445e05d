/* Unit tests for hang-up from the card (issue 19 §1, lib/dial/hangup.h):
 * each provider's request exactly (method, URL, headers, body, auth), the
 * settings and call ids each one needs, which providers offer none, and
 * the reading of answers (404/409/410 = the call has already ended). The
 * network part runs in tests/http/hangup.test.js against stand-ins. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "dial/hangup.h"
#include "providers/registry.h"

#define TW_SID "ACdemo00000000000000000000000000000"
#define CALL_SID "CA0123456789abcdef0123456789abcdef"

static struct json_object *
obj(const char *json)
{
	struct json_object *o = json_tokener_parse(json);

	ck_assert_ptr_nonnull(o);
	return o;
}

static struct dial_target
target(const char *kind, const char *config, const char *secrets)
{
	struct dial_target t;

	memset(&t, 0, sizeof(t));
	t.kind = kind;
	t.slug = "pbx";
	t.name = "Office PBX";
	t.config = config ? obj(config) : NULL;
	t.secrets = secrets ? obj(secrets) : NULL;
	t.extension = "101";
	t.number = "+380671234567";
	t.call_id = 42;
	t.now = 1717495242;
	return t;
}

static void
done(struct dial_target *t)
{
	json_object_put(t->config);
	json_object_put(t->secrets);
}

START_TEST(test_twilio_updates_the_call_to_completed)
{
	struct dial_target t = target("twilio", NULL, "{\"account_sid\":\""
	    TW_SID "\",\"auth_token\":\"tok\"}");
	struct dial_request r;
	char err[256] = "";

	ck_assert_int_eq(dial_hangup_build(&t, CALL_SID, &r, err,
	    sizeof(err)), CB_OK);
	ck_assert_int_eq(r.method, HTTPC_POST);
	ck_assert_str_eq(r.url, "https://api.twilio.com/2010-04-01/Accounts/"
	    TW_SID "/Calls/" CALL_SID ".json");
	ck_assert_str_eq(r.content_type, "application/x-www-form-urlencoded");
	ck_assert_str_eq(r.body, "Status=completed");
	ck_assert_uint_eq(r.body_len, 16);
	ck_assert_str_eq(r.user, TW_SID);
	ck_assert_str_eq(r.password, "tok");
	ck_assert_ptr_null(r.header_ptrs[0]);
	ck_assert(dial_hangup_capable(&t, CALL_SID));
	/* anything but a CallSid never reaches the path */
	ck_assert_int_eq(dial_hangup_build(&t, "CA0123/../x", &r, err,
	    sizeof(err)), CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "CallSid"));
	ck_assert(!dial_hangup_capable(&t, "CA01234567"));
	done(&t);
	/* api_base for the stand-ins; no token, no hang-up */
	t = target("twilio", "{\"api_base\":\"http://127.0.0.1:9\"}",
	    "{\"account_sid\":\"" TW_SID "\",\"auth_token\":\"tok\"}");
	ck_assert_int_eq(dial_hangup_build(&t, CALL_SID, &r, err,
	    sizeof(err)), CB_OK);
	ck_assert_str_eq(r.url, "http://127.0.0.1:9/2010-04-01/Accounts/"
	    TW_SID "/Calls/" CALL_SID ".json");
	done(&t);
	t = target("twilio", NULL, "{\"account_sid\":\"" TW_SID "\"}");
	ck_assert_int_eq(dial_hangup_build(&t, CALL_SID, &r, err,
	    sizeof(err)), CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "Auth Token"));
	ck_assert(!dial_hangup_capable(&t, CALL_SID));
	done(&t);
}
END_TEST

START_TEST(test_binotel_posts_hangup_call_with_the_general_call_id)
{
	struct dial_target t = target("binotel", NULL,
	    "{\"key\":\"bk\",\"secret\":\"bs\"}");
	struct dial_request r;
	char err[256] = "";

	ck_assert_int_eq(dial_hangup_build(&t, "2500000001", &r, err,
	    sizeof(err)), CB_OK);
	ck_assert_int_eq(r.method, HTTPC_POST);
	ck_assert_str_eq(r.url, "https://api.binotel.com/api/4.0/calls/"
	    "hangup-call.json");
	ck_assert_str_eq(r.content_type, "application/json");
	ck_assert_str_eq(r.body, "{\"key\":\"bk\",\"secret\":\"bs\","
	    "\"generalCallID\":\"2500000001\"}");
	ck_assert_uint_eq(r.body_len, strlen(r.body));
	ck_assert_ptr_null(r.header_ptrs[0]);
	ck_assert_str_eq(r.user, "");
	done(&t);
	t = target("binotel", NULL, "{\"key\":\"bk\"}");
	ck_assert(!dial_hangup_capable(&t, "2500000001"));
	done(&t);
}
END_TEST

START_TEST(test_generic_post_signed_like_make_call)
{
	struct dial_target t = target("generic",
	    "{\"hangup_url\":\"https://pbx.example.com/hangup?c={call_id}"
	    "&e={extension}\"}", "{\"secret\":\"gs\"}");
	struct dial_request r;
	char err[256] = "";

	ck_assert_int_eq(dial_hangup_build(&t, "1717495200.42", &r, err,
	    sizeof(err)), CB_OK);
	ck_assert_int_eq(r.method, HTTPC_POST);
	ck_assert_str_eq(r.url, "https://pbx.example.com/hangup?"
	    "c=1717495200.42&e=101");
	ck_assert_str_eq(r.content_type, "application/json");
	ck_assert_str_eq(r.body,
	    "{\"call_id\":\"1717495200.42\",\"extension\":\"101\"}");
	ck_assert_str_eq(r.header_ptrs[0], "X-Timestamp: 1717495242");
	/* HMAC-SHA256("gs", "1717495242." + body), computed by Python */
	ck_assert_str_eq(r.header_ptrs[1], "X-Signature: sha256="
	    "d9fdfd99cd0e29a75e2763ec6857a411e09174677cc52f68197d48fbd897c639");
	ck_assert_ptr_null(r.header_ptrs[2]);
	done(&t);
	/* Asterisk: the same request (the bridge answers it) */
	t = target("asterisk", "{\"hangup_url\":\"http://127.0.0.1:8089/"
	    "hangup\"}", "{\"secret\":\"gs\"}");
	ck_assert_int_eq(dial_hangup_build(&t, "1717495200.42", &r, err,
	    sizeof(err)), CB_OK);
	ck_assert_str_eq(r.url, "http://127.0.0.1:8089/hangup");
	ck_assert_str_eq(r.header_ptrs[1], "X-Signature: sha256="
	    "d9fdfd99cd0e29a75e2763ec6857a411e09174677cc52f68197d48fbd897c639");
	done(&t);
}
END_TEST

START_TEST(test_generic_get_encodes_the_id_and_needs_a_url)
{
	struct dial_target t = target("generic",
	    "{\"hangup_url\":\"http://pbx.lan/h?id={call_id}\","
	    "\"hangup_method\":\"get\"}", "{\"secret\":\"gs\"}");
	struct dial_request r;
	char err[256] = "";

	ck_assert_int_eq(dial_hangup_build(&t, "a b&c=d", &r, err,
	    sizeof(err)), CB_OK);
	ck_assert_int_eq(r.method, HTTPC_GET);
	ck_assert_str_eq(r.url, "http://pbx.lan/h?id=a%20b%26c%3Dd");
	ck_assert_uint_eq(r.body_len, 0);
	ck_assert_str_eq(r.header_ptrs[1], "X-Signature: sha256="
	    "37679fd3a745788747f8288f15ff85381811a935d5eef1f7b6d304152a7d98de");
	done(&t);
	/* no secret: not signed */
	t = target("generic", "{\"hangup_url\":\"http://pbx.lan/h\"}", NULL);
	ck_assert_int_eq(dial_hangup_build(&t, "x", &r, err, sizeof(err)),
	    CB_OK);
	ck_assert_ptr_null(r.header_ptrs[0]);
	done(&t);
	/* make_call_url alone does not hang up; nor a bad method */
	t = target("generic", "{\"make_call_url\":\"http://pbx.lan/c\"}", NULL);
	ck_assert(!dial_hangup_capable(&t, "x"));
	ck_assert_int_eq(dial_hangup_build(&t, "x", &r, err, sizeof(err)),
	    CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "Office PBX: set hangup_url"));
	done(&t);
	t = target("generic", "{\"hangup_url\":\"http://pbx.lan/h\","
	    "\"hangup_method\":\"DELETE\"}", NULL);
	ck_assert(!dial_hangup_capable(&t, "x"));
	done(&t);
	t = target("generic", "{\"hangup_url\":\"ftp://pbx.lan/h\"}", NULL);
	ck_assert(!dial_hangup_capable(&t, "x"));
	done(&t);
	/* an empty call id: nothing to hang up */
	t = target("generic", "{\"hangup_url\":\"http://pbx.lan/h\"}", NULL);
	ck_assert(!dial_hangup_capable(&t, ""));
	ck_assert(!dial_hangup_capable(&t, NULL));
	done(&t);
}
END_TEST

/* Zadarma documents no hang-up; UniTalk, Stream Telecom, Ringostat, 3CX:
 * none found. (Phonet's and Yeastar's, after their login step, are in
 * test_prov_requests.c.) */
START_TEST(test_providers_without_hangup)
{
	static const char *const kinds[] = { "zadarma", "unitalk",
	    "streamtelecom", "ringostat", "3cx", "nosuchkind" };
	struct dial_request r;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct dial_target t = target(kinds[i], "{}",
		    "{\"key\":\"k\",\"secret\":\"s\",\"api_key\":\"k\"}");
		ck_assert_msg(!dial_hangup_capable(&t, "1"), "%s", kinds[i]);
		err[0] = '\0';
		ck_assert_int_eq(dial_hangup_build(&t, "1", &r, err,
		    sizeof(err)), CB_EINVAL);
		ck_assert_ptr_nonnull(strstr(err, "cannot hang up calls"));
		done(&t);
	}
}
END_TEST

/* Yeastar hangs up a channel (providers-2.md §5.8): read from the call's
 * latest stored 30011 (msg is JSON inside a JSON string). */
START_TEST(test_yeastar_channel_from_the_stored_30011)
{
	const struct provider *p = provider_by_kind("yeastar");
	static const char live[] = "{\"type\":30011,\"sn\":\"1\",\"msg\":"
	    "\"{\\\"call_id\\\":\\\"1651057476.362\\\",\\\"members\\\":["
	    "{\\\"extension\\\":{\\\"number\\\":\\\"1005\\\",\\\"channel_id\\\":"
	    "\\\"PJSIP/1005-00000023\\\",\\\"member_status\\\":\\\"ANSWER\\\"}},"
	    "{\\\"inbound\\\":{\\\"from\\\":\\\"5503301\\\",\\\"to\\\":\\\"2002\\\","
	    "\\\"channel_id\\\":\\\"PJSIP/trunk-41-000000b5\\\","
	    "\\\"member_status\\\":\\\"ANSWERED\\\"}}]}\"}";
	static const char ext_only[] = "{\"type\":30011,\"msg\":{\"call_id\":"
	    "\"1651057476.362\",\"members\":[{\"extension\":{\"number\":"
	    "\"1005\",\"channel_id\":\"PJSIP/1005-00000023\","
	    "\"member_status\":\"ANSWER\"}},{\"inbound\":{\"channel_id\":"
	    "\"PJSIP/trunk-41-000000b5\",\"member_status\":\"BYE\"}}]}}";
	static const char gone[] = "{\"type\":30011,\"msg\":{\"call_id\":"
	    "\"1651057476.362\",\"members\":[{\"extension\":{\"number\":"
	    "\"1005\",\"channel_id\":\"PJSIP/1005-00000023\","
	    "\"member_status\":\"BYE\"}}]}}";
	static const char cdr[] = "{\"type\":30012,\"msg\":{\"call_id\":"
	    "\"1651057476.362\"}}";
	static const char other[] = "{\"type\":30011,\"msg\":{\"call_id\":"
	    "\"9.9\",\"members\":[{\"extension\":{\"channel_id\":"
	    "\"PJSIP/1-1\",\"member_status\":\"ANSWER\"}}]}}";
	static const char bad_channel[] = "{\"type\":30011,\"msg\":{\"call_id\":"
	    "\"1651057476.362\",\"members\":[{\"inbound\":{\"channel_id\":"
	    "\"no slash\",\"member_status\":\"ANSWER\"}}]}}";
	struct dial_target t = target("yeastar",
	    "{\"api_base\":\"https://pbx.example.com:8088\"}", NULL);
	struct dial_request r;
	char out[128], err[256];

	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(p->hangup_id);
	/* the outside party's channel ends the call for everyone */
	ck_assert(p->hangup_id(live, "1651057476.362", out, sizeof(out)));
	ck_assert_str_eq(out, "PJSIP/trunk-41-000000b5");
	/* it has left: the extension's */
	ck_assert(p->hangup_id(ext_only, "1651057476.362", out, sizeof(out)));
	ck_assert_str_eq(out, "PJSIP/1005-00000023");
	/* every member gone: said, and nothing to hang up */
	ck_assert(p->hangup_id(gone, "1651057476.362", out, sizeof(out)));
	ck_assert_str_eq(out, "");
	/* events that do not say: another type, another call, junk */
	ck_assert(!p->hangup_id(cdr, "1651057476.362", out, sizeof(out)));
	ck_assert(!p->hangup_id(other, "1651057476.362", out, sizeof(out)));
	ck_assert(!p->hangup_id("not json", "1651057476.362", out,
	    sizeof(out)));
	ck_assert(!p->hangup_id("{\"type\":30011,\"msg\":\"[[[\"}",
	    "1651057476.362", out, sizeof(out)));
	ck_assert(p->hangup_id(bad_channel, "1651057476.362", out,
	    sizeof(out)));
	ck_assert_str_eq(out, "");
	/* the other providers hang up by call id */
	ck_assert_ptr_null(provider_by_kind("twilio")->hangup_id);
	/* with the channel the request builds; with "" the button is not
	 * offered */
	ck_assert(dial_hangup_capable(&t, "PJSIP/trunk-41-000000b5"));
	ck_assert(!dial_hangup_capable(&t, ""));
	ck_assert_int_eq(dial_hangup_build(&t, "", &r, err, sizeof(err)),
	    CB_EINVAL);
	dial_request_wipe(&r);
	done(&t);
}
END_TEST

START_TEST(test_answers)
{
	struct dial_target t = target("binotel", NULL, NULL);
	char msg[256];

	ck_assert_int_eq(dial_hangup_read_answer(&t, 200,
	    "{\"status\":\"success\"}", 20, msg, sizeof(msg)), CB_OK);
	ck_assert_int_eq(dial_hangup_read_answer(&t, 200,
	    "{\"status\":\"error\",\"message\":\"no such call\"}", 44, msg,
	    sizeof(msg)), CB_EUPSTREAM);
	ck_assert_str_eq(msg, "Binotel refused the request: no such call");
	done(&t);
	t = target("twilio", NULL, NULL);
	ck_assert_int_eq(dial_hangup_read_answer(&t, 404,
	    "{\"code\":20404}", 14, msg, sizeof(msg)), CB_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(msg, "Twilio says this call is no longer "
	    "in progress"));
	ck_assert_int_eq(dial_hangup_read_answer(&t, 401,
	    "{\"message\":\"Authenticate\"}", 26, msg, sizeof(msg)),
	    CB_EUPSTREAM);
	ck_assert_str_eq(msg, "Twilio refused the request: Authenticate");
	done(&t);
	t = target("generic", NULL, NULL);
	ck_assert_int_eq(dial_hangup_read_answer(&t, 409, "", 0, msg,
	    sizeof(msg)), CB_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(msg, "Office PBX says"));
	ck_assert_int_eq(dial_hangup_read_answer(&t, 204, "", 0, msg,
	    sizeof(msg)), CB_OK);
	done(&t);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("hangup");
	TCase *tc = tcase_create("builders");

	tcase_add_test(tc, test_twilio_updates_the_call_to_completed);
	tcase_add_test(tc, test_binotel_posts_hangup_call_with_the_general_call_id);
	tcase_add_test(tc, test_generic_post_signed_like_make_call);
	tcase_add_test(tc, test_generic_get_encodes_the_id_and_needs_a_url);
	tcase_add_test(tc, test_providers_without_hangup);
	tcase_add_test(tc, test_answers);
	tcase_add_test(tc, test_yeastar_channel_from_the_stored_30011);
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
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
