/* Unit tests for the click-to-call request builders (lib/dial/): each
 * provider's method, URL, parameters, headers and signature exactly as
 * providers.md gives them (§2.4 with the §5.2 vector, §3.4, §1.4, and our
 * own make_call_url format in docs/generic-format.md), the settings each
 * one needs, and the reading of the providers' answers into plain words.
 * The network part runs in tests/http/dial.test.js against stand-ins. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "dial/dial.h"
#include "http/dial_link.h"

#define VKEY "a248a6a984459935b569"
#define VSECRET "8a8e91d214fb728889c7"

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
	t.slug = "tw";
	t.name = "Office PBX";
	t.config = config ? obj(config) : NULL;
	t.secrets = secrets ? obj(secrets) : NULL;
	t.extension = "101";
	t.number = "+380671234567";
	t.public_url = "https://crm.example.com/";
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

/* providers.md §5.2 row 1: from=100, sip=100, to=442037691881. */
START_TEST(test_zadarma_callback_matches_the_vector)
{
	struct dial_target t = target("zadarma", NULL,
	    "{\"key\":\"" VKEY "\",\"secret\":\"" VSECRET "\"}");
	struct dial_request r;
	char err[256] = "";

	t.extension = "100";
	t.number = "+442037691881";
	ck_assert_int_eq(dial_build(&t, &r, err, sizeof(err)), CB_OK);
	ck_assert_int_eq(r.method, HTTPC_GET);
	ck_assert_str_eq(r.url, "https://api.zadarma.com/v1/request/callback/"
	    "?format=json&from=100&sip=100&to=442037691881");
	ck_assert_str_eq(r.header_ptrs[0], "Authorization: " VKEY ":"
	    "ZTgzNTNjMjgyZTgwOGQxMDVmYTU2NGE5YmVlZjcyZGU0MTllOTdkOA==");
	ck_assert_ptr_null(r.header_ptrs[1]);
	ck_assert_uint_eq(r.body_len, 0);
	done(&t);
}
END_TEST

START_TEST(test_zadarma_api_base_and_missing_secret)
{
	struct dial_target t = target("zadarma",
	    "{\"api_base\":\"http://127.0.0.1:9/\"}",
	    "{\"key\":\"" VKEY "\",\"secret\":\"" VSECRET "\"}");
	struct dial_request r;
	char err[256] = "";

	ck_assert_int_eq(dial_build(&t, &r, err, sizeof(err)), CB_OK);
	ck_assert_str_eq(r.url, "http://127.0.0.1:9/v1/request/callback/"
	    "?format=json&from=101&sip=101&to=380671234567");
	done(&t);
	/* credentials never go over plain http to another host */
	t = target("zadarma", "{\"api_base\":\"http://api.example.com\"}",
	    "{\"key\":\"k\",\"secret\":\"s\"}");
	ck_assert_int_eq(dial_build(&t, &r, err, sizeof(err)), CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "api_base"));
	done(&t);
	t = target("zadarma", NULL, "{\"key\":\"k\"}");
	ck_assert_int_eq(dial_build(&t, &r, err, sizeof(err)), CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "API key"));
	done(&t);
}
END_TEST

START_TEST(test_binotel_posts_key_secret_and_national_number)
{
	struct dial_target t = target("binotel", NULL,
	    "{\"key\":\"bk\",\"secret\":\"bs\"}");
	struct dial_request r;
	char err[256] = "";

	ck_assert_int_eq(dial_build(&t, &r, err, sizeof(err)), CB_OK);
	ck_assert_int_eq(r.method, HTTPC_POST);
	ck_assert_str_eq(r.url, "https://api.binotel.com/api/4.0/calls/"
	    "internal-number-to-external-number.json");
	ck_assert_str_eq(r.content_type, "application/json");
	ck_assert_str_eq(r.body, "{\"key\":\"bk\",\"secret\":\"bs\","
	    "\"internalNumber\":\"101\",\"externalNumber\":\"0671234567\"}");
	ck_assert_uint_eq(r.body_len, strlen(r.body));
	ck_assert_ptr_null(r.header_ptrs[0]);
	done(&t);
	/* outside Ukraine: international digits */
	t = target("binotel", NULL, "{\"key\":\"bk\",\"secret\":\"bs\"}");
	t.number = "+48601234567";
	ck_assert_int_eq(dial_build(&t, &r, err, sizeof(err)), CB_OK);
	ck_assert_ptr_nonnull(strstr(r.body, "\"externalNumber\":\"48601234567\""));
	done(&t);
}
END_TEST

START_TEST(test_twilio_creates_a_call_with_bridging_twiml)
{
	struct dial_target t = target("twilio",
	    "{\"caller_id\":\"+15557654321\"}",
	    "{\"account_sid\":\"AC00000000000000000000000000000001\","
	    "\"auth_token\":\"12345678901234567890123456789012\"}");
	struct dial_request r;
	char err[256] = "";

	ck_assert_int_eq(dial_build(&t, &r, err, sizeof(err)), CB_OK);
	ck_assert_int_eq(r.method, HTTPC_POST);
	ck_assert_str_eq(r.url, "https://api.twilio.com/2010-04-01/Accounts/"
	    "AC00000000000000000000000000000001/Calls.json");
	ck_assert_str_eq(r.user, "AC00000000000000000000000000000001");
	ck_assert_str_eq(r.password, "12345678901234567890123456789012");
	ck_assert_str_eq(r.content_type, "application/x-www-form-urlencoded");
	ck_assert_str_eq(r.body, "To=client%3A101&From=%2B15557654321&Twiml="
	    "%3CResponse%3E%3CDial%20callerId%3D%22%2B15557654321%22%3E"
	    "%3CNumber%3E%2B380671234567%3C%2FNumber%3E%3C%2FDial%3E"
	    "%3C%2FResponse%3E&StatusCallback=https%3A%2F%2Fcrm.example.com"
	    "%2Fhook%2Ftw&StatusCallbackMethod=POST&StatusCallbackEvent="
	    "initiated&StatusCallbackEvent=ringing&StatusCallbackEvent="
	    "answered&StatusCallbackEvent=completed");
	done(&t);
}
END_TEST

START_TEST(test_twilio_manager_to_template_and_required_caller_id)
{
	struct dial_target t = target("twilio", "{\"caller_id\":\"+15557654321\","
	    "\"manager_to\":\"sip:{extension}@office.sip.twilio.com\"}",
	    "{\"account_sid\":\"AC1\",\"auth_token\":\"tok\"}");
	struct dial_request r;
	char err[256] = "";

	ck_assert_int_eq(dial_build(&t, &r, err, sizeof(err)), CB_OK);
	ck_assert_int_eq(strncmp(r.body, "To=sip%3A101%40office.sip.twilio.com&",
	    37), 0);
	done(&t);
	t = target("twilio", "{\"caller_id\":\"<evil>\"}",
	    "{\"account_sid\":\"AC1\",\"auth_token\":\"tok\"}");
	ck_assert_int_eq(dial_build(&t, &r, err, sizeof(err)), CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "caller_id"));
	ck_assert(!dial_capable("twilio", NULL));
	done(&t);
}
END_TEST

START_TEST(test_generic_post_signed_like_the_webhooks)
{
	struct dial_target t = target("asterisk",
	    "{\"make_call_url\":\"http://pbx.lan:8088/call?ext={extension}"
	    "&to={number}&crm={call_id}\"}", "{\"secret\":\"pbx-secret\"}");
	struct dial_request r;
	char err[256] = "";

	ck_assert_int_eq(dial_build(&t, &r, err, sizeof(err)), CB_OK);
	ck_assert_int_eq(r.method, HTTPC_POST);
	ck_assert_str_eq(r.url,
	    "http://pbx.lan:8088/call?ext=101&to=%2B380671234567&crm=42");
	ck_assert_str_eq(r.body, "{\"extension\":\"101\",\"number\":"
	    "\"+380671234567\",\"call_id\":42}");
	ck_assert_str_eq(r.header_ptrs[0], "X-Timestamp: 1717495242");
	/* hex HMAC-SHA256("pbx-secret", "1717495242." + body), computed
	 * with Python's hmac module */
	ck_assert_str_eq(r.header_ptrs[1], "X-Signature: sha256="
	    "12642fe33bb48d6cc146f594fc0a8d700bf98f4f86db91f12df05e0c014ecab1");
	done(&t);
}
END_TEST

START_TEST(test_generic_get_signs_an_empty_body_and_needs_a_url)
{
	struct dial_target t = target("generic",
	    "{\"make_call_url\":\"https://pbx.example.com/c/{extension}/{number}\","
	    "\"make_call_method\":\"GET\"}", "{\"secret\":\"pbx-secret\"}");
	struct dial_request r;
	char err[256] = "";

	ck_assert_int_eq(dial_build(&t, &r, err, sizeof(err)), CB_OK);
	ck_assert_int_eq(r.method, HTTPC_GET);
	ck_assert_str_eq(r.url, "https://pbx.example.com/c/101/%2B380671234567");
	ck_assert_uint_eq(r.body_len, 0);
	ck_assert_str_eq(r.header_ptrs[1], "X-Signature: sha256="
	    "030d22a4e7d205a932e1700fdcf9b6661960f4ae466ff512d9bbb22e0beee6ce");
	done(&t);
	t = target("generic", "{\"make_call_url\":\"ftp://pbx/x\"}", NULL);
	ck_assert_int_eq(dial_build(&t, &r, err, sizeof(err)), CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "Office PBX: set make_call_url"));
	ck_assert(!dial_capable("generic", NULL));
	done(&t);
	/* no secret: no signature headers */
	t = target("generic", "{\"make_call_url\":\"https://pbx/c\"}", NULL);
	ck_assert_int_eq(dial_build(&t, &r, err, sizeof(err)), CB_OK);
	ck_assert_ptr_null(r.header_ptrs[0]);
	done(&t);
}
END_TEST

START_TEST(test_answers_in_plain_words)
{
	struct dial_target z = target("zadarma", NULL, NULL);
	struct dial_target b = target("binotel", NULL, NULL);
	struct dial_target w = target("twilio", NULL, NULL);
	struct dial_target g = target("generic", NULL, NULL);
	char msg[256];
	const char *ok = "{\"status\":\"success\",\"from\":101,\"to\":380671234567}";
	const char *bad = "{\"status\":\"error\",\"message\":\"wrong key\"}";
	const char *tw = "{\"code\":21211,\"message\":\"Invalid 'To' Phone "
	    "Number\",\"status\":400}";

	ck_assert_int_eq(dial_read_answer(&z, 200, ok, strlen(ok), msg,
	    sizeof(msg)), CB_OK);
	ck_assert_int_eq(dial_read_answer(&z, 200, bad, strlen(bad), msg,
	    sizeof(msg)), CB_EUPSTREAM);
	ck_assert_str_eq(msg, "Zadarma refused the request: wrong key");
	ck_assert_int_eq(dial_read_answer(&b, 401, bad, strlen(bad), msg,
	    sizeof(msg)), CB_EUPSTREAM);
	ck_assert_str_eq(msg, "Binotel refused the request: wrong key");
	ck_assert_int_eq(dial_read_answer(&b, 200, "", 0, msg, sizeof(msg)),
	    CB_EUPSTREAM);
	ck_assert_str_eq(msg, "Binotel refused the request without saying why");
	ck_assert_int_eq(dial_read_answer(&w, 201, "{\"sid\":\"CA1\"}", 13, msg,
	    sizeof(msg)), CB_OK);
	ck_assert_int_eq(dial_read_answer(&w, 400, tw, strlen(tw), msg,
	    sizeof(msg)), CB_EUPSTREAM);
	ck_assert_str_eq(msg, "Twilio refused the request: Invalid 'To' Phone "
	    "Number");
	ck_assert_int_eq(dial_read_answer(&g, 204, "", 0, msg, sizeof(msg)),
	    CB_OK);
	ck_assert_int_eq(dial_read_answer(&g, 500, "oops", 4, msg, sizeof(msg)),
	    CB_EUPSTREAM);
	ck_assert_str_eq(msg, "Office PBX refused the request (HTTP 500)");
}
END_TEST

START_TEST(test_unknown_kind_cannot_dial)
{
	struct dial_target t = target("sipuni", NULL, NULL);
	struct dial_request r;
	char err[256] = "";

	ck_assert(!dial_capable("sipuni", NULL));
	ck_assert_int_eq(dial_build(&t, &r, err, sizeof(err)), CB_EINVAL);
	ck_assert_str_eq(err, "Office PBX cannot place calls");
}
END_TEST

/* lib/http/dial_link.c: the softphone link (issue 5 §3). */
static struct user
link_user(bool deep, const char *domain, bool may_dial)
{
	struct user u;

	memset(&u, 0, sizeof(u));
	u.id = 7;
	u.deep_link = deep;
	snprintf(u.sip_domain, sizeof(u.sip_domain), "%s", domain);
	u.perms[PERM_CALLS_DIAL] = may_dial ? SCOPE_ALL : SCOPE_NONE;
	return u;
}

START_TEST(test_dial_href_sip_tel_provider_or_none)
{
	struct arena *a = arena_new();
	struct user sip = link_user(true, "pbx.example.com:5060", true);
	struct user tel = link_user(true, "", false);
	struct user prov = link_user(false, "pbx.example.com", true);
	struct user none = link_user(false, "", false);

	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(dial_href(a, &sip, "+380 (67) 123-45-67", 5),
	    "sip:+380671234567@pbx.example.com:5060");
	/* '#' is not allowed as it is in a SIP URI's user part. */
	ck_assert_str_eq(dial_href(a, &sip, "*21#", 0),
	    "sip:*21%23@pbx.example.com:5060");
	ck_assert_str_eq(dial_href(a, &tel, "+380 (67) 123-45-67", 5),
	    "tel:+380671234567");
	ck_assert_str_eq(dial_href(a, &tel, "1+2", 0), "tel:12");
	ck_assert_str_eq(dial_href(a, &prov, "+380 67", 9),
	    "/dial?number=%2B380%2067&call=9");
	ck_assert_ptr_null(dial_href(a, &none, "+380671234567", 0));
	ck_assert_ptr_null(dial_href(a, &sip, "", 0));
	ck_assert_ptr_null(dial_href(a, &sip, NULL, 0));
	arena_free(a);
}
END_TEST

START_TEST(test_sip_domain_parse_accepts_hostport_only)
{
	static const struct { const char *in, *out; } good[] = {
		{ "pbx.example.com", "pbx.example.com" },
		{ "  SIP.Example.COM:5060 ", "sip.example.com:5060" },
		{ "pbx", "pbx" },
		{ "10.0.0.5:65535", "10.0.0.5:65535" },
		{ "a-b.c1.example", "a-b.c1.example" },
		{ "", "" },
		{ "   ", "" },
	};
	static const char *const bad[] = {
		"sip:pbx.example.com", "user@pbx.example.com", "pbx.example.com/",
		"pbx example.com", "-pbx.example.com", "pbx-.example.com",
		"pbx..example.com", ".example.com", "example.com.", "pbx.example.com:",
		"pbx.example.com:0", "pbx.example.com:65536", "pbx.example.com:5o60",
		"pbx.example.com:050600", "pbx.example.com:5060:1", "[::1]:5060",
		"pbx\"><script>", "pbx.example.com;transport=tcp", "p\x01bx",
		":5060", "\xd0\xbf\xd0\xb1\xd1\x85.example",
	};
	char out[DIAL_SIP_DOMAIN_MAX + 1], label[70], big[300];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ck_assert_msg(dial_sip_domain_parse(good[i].in, out,
		    sizeof(out)) == CB_OK, "%s", good[i].in);
		ck_assert_str_eq(out, good[i].out);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(dial_sip_domain_parse(bad[i], out,
		    sizeof(out)) == CB_EINVAL, "%s", bad[i]);
	/* Labels of 63 pass, 64 do not; a name of 253 passes, 254 not. */
	memset(label, 'a', 63);
	label[63] = '\0';
	ck_assert_int_eq(dial_sip_domain_parse(label, out, sizeof(out)), CB_OK);
	label[63] = 'a';
	label[64] = '\0';
	ck_assert_int_eq(dial_sip_domain_parse(label, out, sizeof(out)),
	    CB_EINVAL);
	for (i = 0; i < 253; i++)
		big[i] = i % 2 ? '.' : 'a';
	big[253] = '\0';
	ck_assert_int_eq(dial_sip_domain_parse(big, out, sizeof(out)), CB_OK);
	snprintf(big + 253, sizeof(big) - 253, "a:5060");
	ck_assert_int_eq(dial_sip_domain_parse(big, out, sizeof(out)),
	    CB_EINVAL);
	/* Too small an output buffer is refused, not truncated. */
	ck_assert_int_eq(dial_sip_domain_parse("pbx", out, 10), CB_EINVAL);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("dial");
	TCase *tc = tcase_create("builders");

	tcase_add_test(tc, test_zadarma_callback_matches_the_vector);
	tcase_add_test(tc, test_zadarma_api_base_and_missing_secret);
	tcase_add_test(tc, test_binotel_posts_key_secret_and_national_number);
	tcase_add_test(tc, test_twilio_creates_a_call_with_bridging_twiml);
	tcase_add_test(tc, test_twilio_manager_to_template_and_required_caller_id);
	tcase_add_test(tc, test_generic_post_signed_like_the_webhooks);
	tcase_add_test(tc, test_generic_get_signs_an_empty_body_and_needs_a_url);
	tcase_add_test(tc, test_answers_in_plain_words);
	tcase_add_test(tc, test_unknown_kind_cannot_dial);
	suite_add_tcase(s, tc);
	tc = tcase_create("softphone link");
	tcase_add_test(tc, test_dial_href_sip_tel_provider_or_none);
	tcase_add_test(tc, test_sip_domain_parse_accepts_hostport_only);
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
