/* Unit tests for the pure parts of lib/automation: trigger conditions
 * (parsing, time windows in a zone, matching), the rules' words for a
 * call's outcome, e-mail address checks and the webhook signature
 * (docs/automation.md §Webhooks has the same vector for receivers). */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "automation/cond.h"
#include "automation/deliver.h"
#include "automation/engine.h"
#include "automation/triggers.h"

START_TEST(test_hhmm)
{
	ck_assert_int_eq(cond_parse_hhmm("00:00"), 0);
	ck_assert_int_eq(cond_parse_hhmm("09:30"), 570);
	ck_assert_int_eq(cond_parse_hhmm("23:59"), 1439);
	ck_assert_int_eq(cond_parse_hhmm("24:00"), 1440);
	ck_assert_int_eq(cond_parse_hhmm("24:01"), -1);
	ck_assert_int_eq(cond_parse_hhmm("9:30"), -1);
	ck_assert_int_eq(cond_parse_hhmm("09:60"), -1);
	ck_assert_int_eq(cond_parse_hhmm("0930"), -1);
	ck_assert_int_eq(cond_parse_hhmm(""), -1);
	ck_assert_int_eq(cond_parse_hhmm(NULL), -1);
}
END_TEST

START_TEST(test_window_plain_and_wrapping)
{
	/* 09:00-18:00: from inclusive, to exclusive. */
	ck_assert(cond_in_window(540, 1080, 540));
	ck_assert(cond_in_window(540, 1080, 1079));
	ck_assert(!cond_in_window(540, 1080, 1080));
	ck_assert(!cond_in_window(540, 1080, 539));
	/* 22:00-06:00 wraps midnight. */
	ck_assert(cond_in_window(1320, 360, 1320));
	ck_assert(cond_in_window(1320, 360, 0));
	ck_assert(cond_in_window(1320, 360, 359));
	ck_assert(!cond_in_window(1320, 360, 360));
	ck_assert(!cond_in_window(1320, 360, 720));
	/* from == to: the whole day. */
	ck_assert(cond_in_window(0, 0, 777));
}
END_TEST

START_TEST(test_local_minute_in_zones)
{
	/* 2024-01-15 07:30 UTC is 09:30 in Kyiv (UTC+2 in winter), 02:30 in
	 * New York; 2024-07-15 07:30 UTC is 10:30 in Kyiv (summer time). */
	ck_assert_int_eq(cond_local_minute("2024-01-15 07:30:00", "UTC"), 450);
	ck_assert_int_eq(cond_local_minute("2024-01-15 07:30:00",
	    "Europe/Kyiv"), 570);
	ck_assert_int_eq(cond_local_minute("2024-07-15 07:30:00",
	    "Europe/Kyiv"), 630);
	ck_assert_int_eq(cond_local_minute("2024-01-15 07:30:00",
	    "America/New_York"), 150);
	ck_assert_int_eq(cond_local_minute("not a time", "UTC"), -1);
}
END_TEST

START_TEST(test_parse_all_keys)
{
	struct trig_cond c;
	char err[200];

	ck_assert_int_eq(cond_parse("{\"direction\":\"in\",\"integration_id\":3,"
	    "\"customer\":\"known\",\"order_status\":\"new\",\"time_from\":"
	    "\"22:00\",\"time_to\":\"06:00\",\"time_zone\":\"Europe/Kyiv\"}",
	    &c, err, sizeof(err)), CB_OK);
	ck_assert_str_eq(c.direction, "in");
	ck_assert_int_eq(c.integration_id, 3);
	ck_assert_int_eq(c.customer, COND_KNOWN);
	ck_assert_str_eq(c.order_status, "new");
	ck_assert_int_eq(c.from_min, 1320);
	ck_assert_int_eq(c.to_min, 360);
	ck_assert_str_eq(c.time_zone, "Europe/Kyiv");
	/* Empty: any call, no window, UTC. */
	ck_assert_int_eq(cond_parse("{}", &c, err, sizeof(err)), CB_OK);
	ck_assert_str_eq(c.direction, "");
	ck_assert_int_eq(c.from_min, -1);
	ck_assert_str_eq(c.time_zone, "UTC");
}
END_TEST

START_TEST(test_parse_rejects_with_reason)
{
	static const struct { const char *json, *why; } bad[] = {
		{ "[]", "not a JSON object" },
		{ "{\"direction\":\"sideways\"}", "direction" },
		{ "{\"direction\":1}", "direction" },
		{ "{\"integration_id\":\"3\"}", "integration_id" },
		{ "{\"integration_id\":0}", "integration_id" },
		{ "{\"customer\":\"vip\"}", "customer" },
		{ "{\"order_status\":\"\"}", "order_status" },
		{ "{\"time_from\":\"09:00\"}", "time_from and time_to" },
		{ "{\"time_from\":\"9am\",\"time_to\":\"18:00\"}", "HH:MM" },
		{ "{\"time_zone\":\"../../etc/passwd\"}", "time_zone" },
		{ "{\"time_zone\":\"/etc/localtime\"}", "time_zone" },
		{ "{", "not a JSON object" },
	};
	struct trig_cond c;
	char err[200];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		ck_assert_msg(cond_parse(bad[i].json, &c, err, sizeof(err)) ==
		    CB_EINVAL, "%s accepted", bad[i].json);
		ck_assert_msg(strstr(err, bad[i].why) != NULL, "%s: %s",
		    bad[i].json, err);
	}
}
END_TEST

START_TEST(test_match)
{
	struct trig_cond c;
	struct cond_facts f;
	char err[200];

	ck_assert_int_eq(cond_parse("{\"direction\":\"in\",\"customer\":"
	    "\"unknown\",\"time_from\":\"22:00\",\"time_to\":\"06:00\"}", &c,
	    err, sizeof(err)), CB_OK);
	memset(&f, 0, sizeof(f));
	f.direction = "in";
	f.integration_id = 1;
	f.local_minute = 23 * 60;
	ck_assert(cond_match(&c, &f));
	f.local_minute = 12 * 60;
	ck_assert(!cond_match(&c, &f));
	f.local_minute = 5 * 60;
	f.customer_known = true;
	ck_assert(!cond_match(&c, &f));
	f.customer_known = false;
	f.direction = "out";
	ck_assert(!cond_match(&c, &f));

	ck_assert_int_eq(cond_parse("{\"order_status\":\"new\","
	    "\"integration_id\":7}", &c, err, sizeof(err)), CB_OK);
	f.direction = "in";
	f.integration_id = 7;
	f.has_order_status = false;
	ck_assert(!cond_match(&c, &f));
	f.has_order_status = true;
	ck_assert(cond_match(&c, &f));
	f.integration_id = 8;
	ck_assert(!cond_match(&c, &f));
}
END_TEST

START_TEST(test_missed_and_reached)
{
	ck_assert(engine_is_missed("in", "missed"));
	ck_assert(engine_is_missed("in", "no_answer"));
	ck_assert(engine_is_missed("in", "busy"));
	ck_assert(!engine_is_missed("in", "unknown"));
	ck_assert(!engine_is_missed("in", "failed"));
	ck_assert(!engine_is_missed("in", "answered"));
	ck_assert(!engine_is_missed("out", "no_answer"));
	ck_assert(!engine_is_missed("internal", "missed"));
	ck_assert(engine_is_reached("in", "answered"));
	ck_assert(engine_is_reached("out", "answered"));
	ck_assert(!engine_is_reached("internal", "answered"));
	ck_assert(!engine_is_reached("out", "busy"));
}
END_TEST

START_TEST(test_email_addresses)
{
	ck_assert(triggers_valid_email("a@b.example"));
	ck_assert(triggers_valid_email("first.last+tag@sub.crm.example"));
	ck_assert(!triggers_valid_email("a@b"));
	ck_assert(!triggers_valid_email("@b.example"));
	ck_assert(!triggers_valid_email("a@@b.example"));
	ck_assert(!triggers_valid_email("a b@c.example"));
	ck_assert(!triggers_valid_email("a@b.example\r\nBcc: x@y.example"));
	ck_assert(!triggers_valid_email("<a@b.example>"));
	ck_assert(!triggers_valid_email("a@b.example,c@d.example"));
	ck_assert(!triggers_valid_email(NULL));
}
END_TEST

START_TEST(test_webhook_signature_vector)
{
	char sig[72];

	/* printf '%s' '1717495242.{"event":"missed_call"}' |
	 *   openssl dgst -sha256 -hmac 'whsec-demo' */
	deliver_sign("whsec-demo", "1717495242", "{\"event\":\"missed_call\"}",
	    sig);
	ck_assert_str_eq(sig, "sha256="
	    "1ec1b1a3360650312113dea37e0509ff090bb17caa1a0e0004895be4dcf582eb");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("automation");
	TCase *tc = tcase_create("automation");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_hhmm);
	tcase_add_test(tc, test_window_plain_and_wrapping);
	tcase_add_test(tc, test_local_minute_in_zones);
	tcase_add_test(tc, test_parse_all_keys);
	tcase_add_test(tc, test_parse_rejects_with_reason);
	tcase_add_test(tc, test_match);
	tcase_add_test(tc, test_missed_and_reached);
	tcase_add_test(tc, test_email_addresses);
	tcase_add_test(tc, test_webhook_signature_vector);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
