/* Unit tests for the SMS gateways (lib/sms/): per gateway, the exact
 * request (method, URL, auth, fields) from platform-notes §a.1, Zadarma's
 * signature vectors (§a.6), the reading of success, refusal, 5xx and
 * unreadable answers (§a.3); number formats (§a.4), GSM 03.38 length
 * (§a.5) and the text template. The network part runs in
 * tests/http/sms_gateways.test.js against a stand-in. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "sms/registry.h"

#define VKEY "a248a6a984459935b569"
#define VSECRET "8a8e91d214fb728889c7"

struct built {
	struct sms_request rq;
	enum cb_err rc;
	char err[256];
};

static void
build(const char *kind, const char *settings, const char *secrets,
    const char *to, const char *text, struct built *b)
{
	const struct sms_gateway *g = sms_gateway_find(kind);
	struct json_object *s = json_tokener_parse(settings);
	struct json_object *k = json_tokener_parse(secrets);
	struct sms_send in;

	ck_assert_ptr_nonnull(g);
	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_nonnull(k);
	memset(&in, 0, sizeof(in));
	in.base = g->default_base;
	in.settings = s;
	in.secrets = k;
	in.to = to;
	in.text = text;
	memset(b, 0, sizeof(*b));
	sms_request_init(&b->rq);
	b->rc = g->build(&in, &b->rq, b->err, sizeof(b->err));
	json_object_put(s);
	json_object_put(k);
}

static struct sms_result
parse(const char *kind, long status, const char *body)
{
	struct sms_result r;

	memset(&r, 0, sizeof(r));
	sms_gateway_find(kind)->parse(status, body, strlen(body), &r);
	return r;
}

START_TEST(test_registry_lists_six_gateways_once)
{
	size_t n;

	for (n = 0; sms_gateways[n]; n++) {
		ck_assert_ptr_eq(sms_gateway_find(sms_gateways[n]->kind),
		    sms_gateways[n]);
		ck_assert_ptr_nonnull(sms_gateways[n]->fields);
	}
	ck_assert_uint_eq(n, 6);
	ck_assert_ptr_null(sms_gateway_find("nope"));
	ck_assert_ptr_null(sms_gateway_find(NULL));
}
END_TEST

START_TEST(test_twilio_request_and_answers)
{
	struct built b;
	struct sms_result r;

	build("twilio", "{\"account_sid\":\"AC123\",\"from\":\"+15005550006\"}",
	    "{\"auth_token\":\"tok\"}", "+380501234567", "Hi & bye", &b);
	ck_assert_int_eq(b.rc, CB_OK);
	ck_assert_int_eq(b.rq.method, HTTPC_POST);
	ck_assert_str_eq(b.rq.url, "https://api.twilio.com/2010-04-01/"
	    "Accounts/AC123/Messages.json");
	ck_assert_str_eq(b.rq.user, "AC123");
	ck_assert_str_eq(b.rq.password, "tok");
	ck_assert_str_eq(buf_cstr(&b.rq.body), "To=%2B380501234567&"
	    "From=%2B15005550006&Body=Hi%20%26%20bye");
	sms_request_wipe(&b.rq);

	build("twilio", "{\"account_sid\":\"AC123\",\"messaging_service_sid\":"
	    "\"MG9\"}", "{\"auth_token\":\"tok\"}", "+380501234567", "x", &b);
	ck_assert_str_eq(buf_cstr(&b.rq.body), "To=%2B380501234567&"
	    "MessagingServiceSid=MG9&Body=x");
	sms_request_wipe(&b.rq);
	build("twilio", "{\"account_sid\":\"AC/../x\",\"from\":\"+1\"}",
	    "{\"auth_token\":\"tok\"}", "+380501234567", "x", &b);
	ck_assert_int_eq(b.rc, CB_EINVAL);
	sms_request_wipe(&b.rq);
	build("twilio", "{\"account_sid\":\"AC1\"}", "{\"auth_token\":\"t\"}",
	    "+380501234567", "x", &b);
	ck_assert_int_eq(b.rc, CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(b.err, "from"));
	sms_request_wipe(&b.rq);

	r = parse("twilio", 201, "{\"sid\":\"SM0123\",\"status\":\"queued\"}");
	ck_assert_int_eq(r.outcome, SMS_SENT);
	ck_assert_str_eq(r.message_id, "SM0123");
	r = parse("twilio", 400, "{\"code\":21211,\"message\":\"The 'To' "
	    "number is not valid.\",\"status\":400}");
	ck_assert_int_eq(r.outcome, SMS_REJECTED);
	ck_assert_ptr_nonnull(strstr(r.error, "21211"));
	ck_assert_int_eq(parse("twilio", 500, "oops").outcome, SMS_RETRY);
	ck_assert_int_eq(parse("twilio", 429, "").outcome, SMS_RETRY);
	ck_assert_int_eq(parse("twilio", 200, "<html>").outcome, SMS_UNKNOWN);
}
END_TEST

/* platform-notes §a.6: both rows, byte for byte. */
START_TEST(test_zadarma_signature_vectors)
{
	struct built b;

	build("zadarma", "{\"key\":\"" VKEY "\"}", "{\"secret\":\"" VSECRET
	    "\"}", "380501234567", "Thanks for calling", &b);
	ck_assert_int_eq(b.rc, CB_OK);
	ck_assert_str_eq(b.rq.url, "https://api.zadarma.com/v1/sms/send/");
	ck_assert_str_eq(buf_cstr(&b.rq.body),
	    "format=json&message=Thanks+for+calling&number=380501234567");
	ck_assert_str_eq(b.rq.headers[0], "Authorization: " VKEY ":"
	    "NzQyYjM0MDI4MTRjZWIyNjBiMTdmNzgzN2VjM2IzZTliMjAwZTVhNw==");
	sms_request_wipe(&b.rq);

	build("zadarma", "{\"key\":\"" VKEY "\",\"caller_id\":\"380441234567\"}",
	    "{\"secret\":\"" VSECRET "\"}", "380501234567",
	    "Дякуємо за дзвінок", &b);
	ck_assert_int_eq(b.rc, CB_OK);
	ck_assert_str_eq(buf_cstr(&b.rq.body), "caller_id=380441234567&"
	    "format=json&message=%D0%94%D1%8F%D0%BA%D1%83%D1%94%D0%BC%D0%BE+"
	    "%D0%B7%D0%B0+%D0%B4%D0%B7%D0%B2%D1%96%D0%BD%D0%BE%D0%BA&"
	    "number=380501234567");
	ck_assert_str_eq(b.rq.headers[0], "Authorization: " VKEY ":"
	    "NDc2ZjRhYTc2OThiNzU3ODM0NDZlYzU1YjhjNzE2NzdmZGVmYjAxMA==");
	sms_request_wipe(&b.rq);
	build("zadarma", "{\"key\":\"k\"}", "{}", "380501234567", "x", &b);
	ck_assert_int_eq(b.rc, CB_EINVAL);
	sms_request_wipe(&b.rq);

	ck_assert_int_eq(parse("zadarma", 200, "{\"status\":\"success\","
	    "\"messages\":1}").outcome, SMS_SENT);
	ck_assert_int_eq(parse("zadarma", 200, "{\"status\":\"error\","
	    "\"message\":\"wrong number\"}").outcome, SMS_REJECTED);
	ck_assert_int_eq(parse("zadarma", 401, "{\"status\":\"error\"}")
	    .outcome, SMS_REJECTED);
	ck_assert_int_eq(parse("zadarma", 502, "").outcome, SMS_RETRY);
	ck_assert_int_eq(parse("zadarma", 200, "{}").outcome, SMS_UNKNOWN);
}
END_TEST

START_TEST(test_turbosms_request_and_answers)
{
	struct built b;
	struct sms_result r;

	build("turbosms", "{\"sender\":\"Shop\"}", "{\"token\":\"T0K\"}",
	    "380501234567", "Привіт \"x\"/y", &b);
	ck_assert_int_eq(b.rc, CB_OK);
	ck_assert_str_eq(b.rq.url, "https://api.turbosms.ua/message/send.json");
	ck_assert_str_eq(b.rq.headers[0], "Authorization: Bearer T0K");
	ck_assert_str_eq(b.rq.content_type, "application/json");
	ck_assert_str_eq(buf_cstr(&b.rq.body), "{\"recipients\":"
	    "[\"380501234567\"],\"sms\":{\"sender\":\"Shop\",\"text\":"
	    "\"Привіт \\\"x\\\"/y\"}}");
	sms_request_wipe(&b.rq);
	r = parse("turbosms", 200, "{\"response_code\":0,\"response_status\":"
	    "\"OK\",\"result\":[{\"phone\":\"380501234567\",\"message_id\":"
	    "\"f83f8868-5e46-c6cf-e4fb-615e5a293754\"}]}");
	ck_assert_int_eq(r.outcome, SMS_SENT);
	ck_assert_str_eq(r.message_id, "f83f8868-5e46-c6cf-e4fb-615e5a293754");
	r = parse("turbosms", 200, "{\"response_code\":103,\"response_status\":"
	    "\"REQUIRED_TOKEN\"}");
	ck_assert_int_eq(r.outcome, SMS_REJECTED);
	ck_assert_ptr_nonnull(strstr(r.error, "REQUIRED_TOKEN"));
	ck_assert_int_eq(parse("turbosms", 503, "").outcome, SMS_RETRY);
}
END_TEST

START_TEST(test_smsc_request_and_answers)
{
	struct built b;
	struct sms_result r;

	build("smsc", "{\"login\":\"shop\",\"sender\":\"Shop\"}",
	    "{\"psw\":\"p w\"}", "380501234567", "Hi", &b);
	ck_assert_int_eq(b.rc, CB_OK);
	ck_assert_str_eq(b.rq.url, "https://smsc.ua/sys/send.php");
	ck_assert_str_eq(buf_cstr(&b.rq.body), "login=shop&psw=p%20w&"
	    "phones=380501234567&mes=Hi&sender=Shop&charset=utf-8&fmt=3");
	sms_request_wipe(&b.rq);
	r = parse("smsc", 200, "{\"id\":42,\"cnt\":1}");
	ck_assert_int_eq(r.outcome, SMS_SENT);
	ck_assert_str_eq(r.message_id, "42");
	r = parse("smsc", 200, "{\"error\":\"authorise error\","
	    "\"error_code\":2}");
	ck_assert_int_eq(r.outcome, SMS_REJECTED);
	ck_assert_ptr_nonnull(strstr(r.error, "authorise error"));
}
END_TEST

START_TEST(test_smsru_request_and_answers)
{
	struct built b;
	struct sms_result r;

	build("smsru", "{}", "{\"api_id\":\"K-1\"}", "79251234567", "Hi there",
	    &b);
	ck_assert_int_eq(b.rc, CB_OK);
	ck_assert_int_eq(b.rq.method, HTTPC_GET);
	ck_assert_str_eq(b.rq.url, "https://sms.ru/sms/send?api_id=K-1&"
	    "to=79251234567&msg=Hi%20there&json=1");
	sms_request_wipe(&b.rq);
	r = parse("smsru", 200, "{\"status\":\"OK\",\"status_code\":100,"
	    "\"sms\":{\"79251234567\":{\"status\":\"OK\",\"status_code\":100,"
	    "\"sms_id\":\"000000-10000000\"}},\"balance\":4122.56}");
	ck_assert_int_eq(r.outcome, SMS_SENT);
	ck_assert_str_eq(r.message_id, "000000-10000000");
	r = parse("smsru", 200, "{\"status\":\"OK\",\"sms\":{\"79251234567\":"
	    "{\"status\":\"ERROR\",\"status_code\":207,\"status_text\":"
	    "\"no route\"}}}");
	ck_assert_int_eq(r.outcome, SMS_REJECTED);
	ck_assert_ptr_nonnull(strstr(r.error, "no route"));
	ck_assert_int_eq(parse("smsru", 200, "{\"status\":\"ERROR\","
	    "\"status_text\":\"bad api_id\"}").outcome, SMS_REJECTED);
}
END_TEST

START_TEST(test_smsapi_request_and_answers)
{
	struct built b;
	struct sms_result r;

	build("smsapi", "{\"from\":\"Shop\",\"test\":\"1\"}",
	    "{\"token\":\"oauth\"}", "48500123456", "Dzięki", &b);
	ck_assert_int_eq(b.rc, CB_OK);
	ck_assert_str_eq(b.rq.url, "https://api.smsapi.pl/sms.do");
	ck_assert_str_eq(b.rq.headers[0], "Authorization: Bearer oauth");
	ck_assert_str_eq(buf_cstr(&b.rq.body), "to=48500123456&"
	    "message=Dzi%C4%99ki&from=Shop&format=json&encoding=utf-8&test=1");
	sms_request_wipe(&b.rq);
	r = parse("smsapi", 200, "{\"count\":1,\"list\":[{\"id\":\"5F0C\","
	    "\"points\":0.16,\"number\":\"48500123456\",\"status\":\"QUEUE\"}]}");
	ck_assert_int_eq(r.outcome, SMS_SENT);
	ck_assert_str_eq(r.message_id, "5F0C");
	r = parse("smsapi", 200, "{\"error\":13,\"message\":\"No correct "
	    "phone numbers\"}");
	ck_assert_int_eq(r.outcome, SMS_REJECTED);
	ck_assert_ptr_nonnull(strstr(r.error, "13"));
}
END_TEST

START_TEST(test_number_formats)
{
	char out[24];

	ck_assert_int_eq(sms_format_number(SMS_NUM_E164, "+380501234567", out,
	    sizeof(out)), CB_OK);
	ck_assert_str_eq(out, "+380501234567");
	ck_assert_int_eq(sms_format_number(SMS_NUM_DIGITS, "+380501234567", out,
	    sizeof(out)), CB_OK);
	ck_assert_str_eq(out, "380501234567");
	ck_assert_int_eq(sms_format_number(SMS_NUM_DIGITS, "0501234567", out,
	    sizeof(out)), CB_EINVAL);
	ck_assert_int_eq(sms_format_number(SMS_NUM_DIGITS, "+38050 123", out,
	    sizeof(out)), CB_EINVAL);
	ck_assert_int_eq(sms_format_number(SMS_NUM_DIGITS, "+1234567", out,
	    sizeof(out)), CB_EINVAL);
	ck_assert_int_eq(sms_format_number(SMS_NUM_DIGITS, "", out,
	    sizeof(out)), CB_EINVAL);
	ck_assert_int_eq(sms_format_number(SMS_NUM_E164, "+380501234567", out,
	    5), CB_EINVAL);
}
END_TEST

static struct sms_length
len_of(const char *s)
{
	struct sms_length l;

	sms_length(s, strlen(s), &l);
	return l;
}

START_TEST(test_length_gsm7_and_ucs2)
{
	char buf[400];
	struct sms_length l;

	memset(buf, 'a', 160);
	buf[160] = '\0';
	l = len_of(buf);
	ck_assert(!l.ucs2);
	ck_assert_int_eq(l.chars, 160);
	ck_assert_uint_eq(l.segments, 1);
	buf[160] = 'a';
	buf[161] = '\0';
	ck_assert_uint_eq(len_of(buf).segments, 2);
	l = len_of("{€}");             /* three extension characters */
	ck_assert(!l.ucs2);
	ck_assert_int_eq(l.chars, 6);
	l = len_of("Ça coûte 5 €");    /* û is not GSM-7 */
	ck_assert(l.ucs2);
	ck_assert_int_eq(l.chars, 12);
	memset(buf, 0, sizeof(buf));
	for (int i = 0; i < 71; i++)
		strcat(buf, "ї");
	l = len_of(buf);
	ck_assert(l.ucs2);
	ck_assert_int_eq(l.chars, 71);
	ck_assert_uint_eq(l.segments, 2);
	ck_assert_uint_eq(len_of("").segments, 0);
	ck_assert_int_eq(len_of("\xff").ucs2, 1);
}
END_TEST

START_TEST(test_render_plain_text)
{
	struct sms_vars v = { "Ann\r\nSTOP", "+380501234567",
	    "2026-12-06 10:15", NULL };
	struct buf b;

	buf_init(&b, 1000);
	ck_assert_int_eq(sms_render("Hi {name}, we missed {number} at {time}."
	    " {manager}{unknown} {", &v, &b), CB_OK);
	ck_assert_str_eq(buf_cstr(&b), "Hi AnnSTOP, we missed +380501234567 "
	    "at 2026-12-06 10:15. {unknown} {");
	buf_free(&b);
	buf_init(&b, 10);
	ck_assert_int_eq(sms_render("{number}{number}", &v, &b), CB_ETOOBIG);
	buf_free(&b);
}
END_TEST

START_TEST(test_clean_cuts_on_utf8_boundary)
{
	char out[4];

	sms_clean("aї\"b", out, sizeof(out));
	ck_assert_str_eq(out, "aї");
	sms_clean("abї", out, sizeof(out));
	ck_assert_str_eq(out, "ab");
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("sms");
	TCase *tc = tcase_create("gateways");

	tcase_add_test(tc, test_registry_lists_six_gateways_once);
	tcase_add_test(tc, test_twilio_request_and_answers);
	tcase_add_test(tc, test_zadarma_signature_vectors);
	tcase_add_test(tc, test_turbosms_request_and_answers);
	tcase_add_test(tc, test_smsc_request_and_answers);
	tcase_add_test(tc, test_smsru_request_and_answers);
	tcase_add_test(tc, test_smsapi_request_and_answers);
	suite_add_tcase(s, tc);
	tc = tcase_create("text");
	tcase_add_test(tc, test_number_formats);
	tcase_add_test(tc, test_length_gsm7_and_ucs2);
	tcase_add_test(tc, test_render_plain_text);
	tcase_add_test(tc, test_clean_cuts_on_utf8_boundary);
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
