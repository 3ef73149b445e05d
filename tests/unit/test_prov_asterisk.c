/* Unit tests for the Asterisk adapter (lib/providers/asterisk/): the
 * dialplan's Bearer token and the AMI bridge's HMAC (providers.md §4.5,
 * vectors §5.3), query fields only for token-authenticated requests,
 * dialplan CURL() forms (no Content-Type, channel names, DIALSTATUS),
 * the bridge's ring-group event sequence, and the plain-text routing
 * answer CURL() reads (§4.4). The field parser itself is covered by
 * test_prov_generic.c. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "calls/event.h"
#include "core/arena.h"
#include "core/buf.h"
#include "http/request.h"
#include "net/sig.h"
#include "providers/provider.h"
#include "providers/asterisk/asterisk.h"

#define VEC_SECRET "asterisk-shared-secret-0123456789"
#define VEC_TS "1717495242"
#define VEC_NOW 1717495242
#define VEC_FORM "event=route.request&call_id=1717495200.42" \
	"&from=%2B380501234567&did=380441234567"
#define VEC_FORM_SIG \
	"sha256=446b5e532147814c0dc0199dfea762e5c7ca1d69e13e6e7d5a5f4cd26599e69f"
#define DEMO_SECRET "demo-generic-secret"

static const struct provider *P = &asterisk_provider;
static struct arena *a;
static struct kvlist form, query;
static struct json_object *json;
static struct prov_req req;
static struct prov_conf conf;
static struct call_event ev;
static const char *why;

static struct { const char *name, *value; } hdrs[8];
static size_t nhdrs;

static const char *
header_cb(const void *ctx, const char *name)
{
	size_t i;

	(void)ctx;
	for (i = 0; i < nhdrs; i++)
		if (strcasecmp(hdrs[i].name, name) == 0)
			return hdrs[i].value;
	return NULL;
}

static void
set_header(const char *name, const char *value)
{
	size_t i;

	for (i = 0; i < nhdrs; i++)
		if (strcasecmp(hdrs[i].name, name) == 0)
			break;
	if (value == NULL) {
		if (i < nhdrs)
			hdrs[i] = hdrs[--nhdrs];
		return;
	}
	ck_assert_uint_lt(i, sizeof(hdrs) / sizeof(hdrs[0]));
	hdrs[i].name = name;
	hdrs[i].value = arena_strdup(a, value);
	if (i == nhdrs)
		nhdrs++;
}

static void
set_secrets(const char *js)
{
	json_object_put(conf.secrets);
	conf.secrets = js ? json_tokener_parse(js) : NULL;
}

static void
setup(void)
{
	a = arena_new();
	memset(&req, 0, sizeof(req));
	memset(&conf, 0, sizeof(conf));
	json = NULL;
	nhdrs = 0;
	conf.slug = "asterisk";
	conf.default_country = "UA";
	set_secrets("{\"secret\":\"" DEMO_SECRET "\"}");
	req.method = HTTP_POST;
	req.url = "https://crm.example.com/hook/asterisk";
	req.remote_addr = "192.0.2.20";
	req.now = VEC_NOW;
	req.header = header_cb;
	why = NULL;
	ev_init(&ev);
	ck_assert_int_eq(http_parse_urlencoded(a, "", 0, &query, &why), CB_OK);
	req.query = &query;
}

static void
teardown(void)
{
	json_object_put(conf.secrets);
	arena_free(a);
}

static void
set_query(const char *qs)
{
	ck_assert_int_eq(http_parse_urlencoded(a, qs, strlen(qs), &query,
	    &why), CB_OK);
	req.query = &query;
}

static void
body_form(const char *body)
{
	ck_assert_msg(http_parse_urlencoded(a, body, strlen(body), &form,
	    &why) == CB_OK, "%s", why);
	req.form = &form;
	req.json = NULL;
	req.body = arena_strdup(a, body);
	req.body_len = strlen(body);
	req.content_type = "application/x-www-form-urlencoded";
}

static void
body_json(const char *body)
{
	ck_assert_msg(http_parse_json(a, body, strlen(body), &json, &why) ==
	    CB_OK, "%s", why);
	req.json = json;
	req.form = NULL;
	req.body = arena_strdup(a, body);
	req.body_len = strlen(body);
	req.content_type = "application/json";
}

/* What dialplan CURL() sends once CURLOPT(httpheader) is set and the
 * admin forgot the Content-Type line: a form without Content-Type. */
static void
body_raw(const char *body)
{
	req.json = NULL;
	req.form = NULL;
	req.body = arena_strdup(a, body);
	req.body_len = strlen(body);
	req.content_type = NULL;
}

static void
get_query(const char *qs)
{
	req.method = HTTP_GET;
	req.json = NULL;
	req.form = NULL;
	req.body = "";
	req.body_len = 0;
	req.content_type = NULL;
	set_query(qs);
}

static void
sign_at(const char *secret, long long ts)
{
	char tsbuf[32], hex[2 * SIG_SHA256_LEN + 1], sig[80];
	unsigned char mac[SIG_SHA256_LEN];
	struct buf m;

	snprintf(tsbuf, sizeof(tsbuf), "%lld", ts);
	buf_init(&m, 2 * 1024 * 1024);
	buf_printf(&m, "%s.", tsbuf);
	buf_append(&m, req.body, req.body_len);
	ck_assert_int_eq(m.err, CB_OK);
	sig_hmac_sha256(secret, strlen(secret), m.p, m.len, mac);
	buf_free(&m);
	sig_hex(mac, sizeof(mac), hex);
	snprintf(sig, sizeof(sig), "sha256=%s", hex);
	set_header("X-Timestamp", tsbuf);
	set_header("X-Signature", sig);
}

static enum cb_err
verify(void)
{
	why = NULL;
	return P->verify(&conf, &req, &why);
}

static void
denied(const char *why_part)
{
	ck_assert_int_eq(verify(), CB_EDENIED);
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strstr(why, why_part) != NULL, "why '%s' lacks '%s'",
	    why, why_part);
}

static void
parse_ok(void)
{
	why = NULL;
	ev_init(&ev);
	ck_assert_msg(P->parse(&conf, &req, &ev, &why) == CB_OK, "parse: %s",
	    why ? why : "?");
}

static void
parse_bad(const char *why_part)
{
	why = NULL;
	ev_init(&ev);
	ck_assert_int_eq(P->parse(&conf, &req, &ev, &why), CB_EINVAL);
	ck_assert_msg(why && strstr(why, why_part), "why '%s' lacks '%s'",
	    why ? why : "(null)", why_part);
}

static const char *
answer(const struct route_answer *ra, const char **ct)
{
	struct buf out;
	const char *s;

	buf_init(&out, 64 * 1024);
	ck_assert_int_eq(P->answer(&conf, &ev, ra, &out, ct), CB_OK);
	s = arena_strdup(a, buf_cstr(&out));
	buf_free(&out);
	return s;
}

/* ---------------------------------------------------------- tokens -- */

START_TEST(test_bearer_token_verifies)
{
	body_form("event=call.start&call_id=1717495200.42");
	set_header("Authorization", "Bearer " DEMO_SECRET);
	ck_assert_int_eq(verify(), CB_OK);
	set_header("Authorization", "bearer  " DEMO_SECRET);
	ck_assert_int_eq(verify(), CB_OK);
}
END_TEST

START_TEST(test_wrong_bearer_token_denied)
{
	body_form("event=call.start&call_id=1717495200.42");
	set_header("Authorization", "Bearer demo-generic-secreT");
	denied("wrong Bearer token");
	set_header("Authorization", "Bearer ");
	denied("wrong Bearer token");
	set_header("Authorization", "Bearer " DEMO_SECRET "x");
	denied("wrong Bearer token");
}
END_TEST

START_TEST(test_missing_authentication_denied)
{
	body_form("event=call.start&call_id=1717495200.42");
	denied("missing Authorization");
	req.header = NULL;
	ck_assert_int_eq(verify(), CB_EDENIED);
}
END_TEST

START_TEST(test_basic_auth_denied)
{
	body_form("event=call.start&call_id=1717495200.42");
	set_header("Authorization", "Basic ZGVtbzpkZW1vLWdlbmVyaWMtc2VjcmV0");
	denied("Bearer");
}
END_TEST

START_TEST(test_separate_token_secret)
{
	/* An admin may give the dialplan its own token, so the token in
	 * extensions.conf cannot sign bridge events. */
	set_secrets("{\"secret\":\"signing-secret\",\"token\":\"dialplan-token\"}");
	body_form("event=call.start&call_id=1717495200.42");
	set_header("Authorization", "Bearer dialplan-token");
	ck_assert_int_eq(verify(), CB_OK);
	set_header("Authorization", "Bearer signing-secret");
	denied("wrong Bearer token");
	set_header("Authorization", NULL);
	sign_at("signing-secret", VEC_NOW);
	ck_assert_int_eq(verify(), CB_OK);
}
END_TEST

START_TEST(test_no_secret_configured_denied)
{
	set_secrets("{}");
	body_form("event=call.start&call_id=1717495200.42");
	set_header("Authorization", "Bearer ");
	denied("no secret");
}
END_TEST

/* ----------------------------------------------------------- HMAC -- */

START_TEST(test_vector_signed_form_verifies)
{
	set_secrets("{\"secret\":\"" VEC_SECRET "\"}");
	body_form(VEC_FORM);
	set_header("X-Timestamp", VEC_TS);
	set_header("X-Signature", VEC_FORM_SIG);
	ck_assert_int_eq(verify(), CB_OK);
	parse_ok();
	ck_assert(ev.wants_route);
	ck_assert_str_eq(ev.call_id, "1717495200.42");
}
END_TEST

START_TEST(test_signed_but_stale_denied)
{
	set_secrets("{\"secret\":\"" VEC_SECRET "\"}");
	body_form(VEC_FORM);
	set_header("X-Timestamp", VEC_TS);
	set_header("X-Signature", VEC_FORM_SIG);
	req.now = VEC_NOW + 301;
	denied("300 s old");
}
END_TEST

START_TEST(test_bad_signature_denied)
{
	body_json("{\"event\":\"call.start\",\"call_id\":\"1717495200.42\"}");
	sign_at("not-the-secret", VEC_NOW);
	denied("does not match");
	set_header("X-Signature", NULL);
	denied("missing X-Signature");
}
END_TEST

START_TEST(test_wrong_bearer_but_valid_signature)
{
	/* A proxy's own Authorization must not hide a good signature. */
	body_json("{\"event\":\"call.start\",\"call_id\":\"1717495200.42\"}");
	sign_at(DEMO_SECRET, VEC_NOW);
	set_header("Authorization", "Bearer something-else");
	ck_assert_int_eq(verify(), CB_OK);
}
END_TEST

/* ------------------------------------------------------------ query -- */

START_TEST(test_get_route_request_from_query)
{
	get_query("event=route.request&call_id=1717495200.42"
	    "&from=0501234567&did=380441234567");
	set_header("Authorization", "Bearer " DEMO_SECRET);
	ck_assert_int_eq(verify(), CB_OK);
	parse_ok();
	ck_assert_int_eq(ev.kind, EV_RINGING);
	ck_assert(ev.wants_route);
	ck_assert_str_eq(ev.client, "0501234567");
	ck_assert_str_eq(ev.our_number, "380441234567");
}
END_TEST

START_TEST(test_signed_request_ignores_query)
{
	/* The signature covers the body, not the URL: a captured signed
	 * request must not be re-aimed with query fields. */
	get_query("event=route.request&call_id=1717495200.42&from=0501234567");
	sign_at(DEMO_SECRET, VEC_NOW);
	ck_assert_int_eq(verify(), CB_OK);
	parse_bad("missing event");
	body_json("{\"event\":\"call.start\"}");
	set_query("call_id=1717495200.42");
	sign_at(DEMO_SECRET, VEC_NOW);
	parse_bad("missing call_id");
}
END_TEST

START_TEST(test_body_wins_over_query)
{
	body_form("event=call.end&call_id=body-id&status=ANSWER");
	set_query("call_id=query-id&ext=105");
	set_header("Authorization", "Bearer " DEMO_SECRET);
	parse_ok();
	ck_assert_str_eq(ev.call_id, "body-id");
	ck_assert_str_eq(ev.extension, "105");
}
END_TEST

/* --------------------------------------------------------- dialplan -- */

START_TEST(test_dialplan_hangup_form_without_content_type)
{
	/* extensions_callboard.conf's h extension, with the §4.4 example's
	 * ${CDR(dstchannel)} as ext. */
	body_raw("event=call.end&call_id=1717495200.42&uniqueid=1717495200.42"
	    "&direction=in&from=0501234567&did=380441234567"
	    "&ext=PJSIP%2F103-0000001a&start=1717495200.123456"
	    "&answer=1717495206.5&end=1717495248.000000&duration=48"
	    "&billsec=42&status=ANSWER&hangup_cause=16");
	set_header("Authorization", "Bearer " DEMO_SECRET);
	ck_assert_int_eq(verify(), CB_OK);
	parse_ok();
	ck_assert_int_eq(ev.kind, EV_ENDED);
	ck_assert_int_eq(ev.result, RES_ANSWERED);
	ck_assert_str_eq(ev.extension, "103");
	ck_assert_str_eq(ev.leg_id, "");
	ck_assert_int_eq(ev.talk_s, 42);
	ck_assert_int_eq(ev.wait_s, 6);
	ck_assert_int_eq(ev.started_ms, 1717495200123LL);
	ck_assert_int_eq(ev.ended_ms, 1717495248000LL);
}
END_TEST

START_TEST(test_dialplan_dialstatus_values)
{
	static const struct { const char *st; enum call_result r; } cases[] = {
		{ "ANSWER", RES_ANSWERED }, { "NOANSWER", RES_MISSED },
		{ "CANCEL", RES_MISSED }, { "BUSY", RES_BUSY },
		{ "CONGESTION", RES_FAILED }, { "CHANUNAVAIL", RES_FAILED },
		{ "", RES_NONE },
	};
	char body[160];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(body, sizeof(body), "event=call.end&call_id=c"
		    "&direction=in&status=%s", cases[i].st);
		body_raw(body);
		parse_ok();
		ck_assert_msg(ev.result == cases[i].r, "%s", cases[i].st);
	}
}
END_TEST

START_TEST(test_dialplan_commas_escaped)
{
	/* §4.4: a comma would split CURL()'s arguments, so the dialplan
	 * sends caller names through URIENCODE(), which turns it to %2C. */
	body_raw("event=call.start&call_id=c&caller_name=Petrenko%2C+Ivan");
	parse_ok();
	ck_assert_str_eq(ev.caller_name, "Petrenko, Ivan");
}
END_TEST

/* ------------------------------------------------------- AMI bridge -- */

START_TEST(test_bridge_ring_group_sequence)
{
	/* What callboard-ami-bridge posts for a call to a ring group of
	 * 101 and 103 where 103 answers (contrib/asterisk/sample-ami.txt). */
	static const char *const events[] = {
		"{\"event\":\"call.start\",\"call_id\":\"1717495200.42\","
		"\"uniqueid\":\"1717495200.42\",\"direction\":\"in\","
		"\"from\":\"0501234567\",\"did\":\"380441234567\","
		"\"start\":1717495200.1}",
		"{\"event\":\"call.ringing\",\"call_id\":\"1717495200.42\","
		"\"uniqueid\":\"1717495201.43\",\"direction\":\"in\","
		"\"from\":\"0501234567\",\"ext\":\"101\",\"start\":1717495201}",
		"{\"event\":\"call.ringing\",\"call_id\":\"1717495200.42\","
		"\"uniqueid\":\"1717495201.44\",\"direction\":\"in\","
		"\"from\":\"0501234567\",\"ext\":\"103\",\"start\":1717495201}",
		"{\"event\":\"call.answer\",\"call_id\":\"1717495200.42\","
		"\"uniqueid\":\"1717495201.44\",\"direction\":\"in\","
		"\"ext\":\"103\",\"answer\":1717495206}",
		"{\"event\":\"call.end\",\"call_id\":\"1717495200.42\","
		"\"uniqueid\":\"1717495201.43\",\"direction\":\"in\","
		"\"ext\":\"101\",\"status\":\"CANCEL\",\"end\":1717495206}",
		"{\"event\":\"call.end\",\"call_id\":\"1717495200.42\","
		"\"uniqueid\":\"1717495200.42\",\"direction\":\"in\","
		"\"from\":\"0501234567\",\"did\":\"380441234567\","
		"\"status\":\"answered\",\"start\":1717495200.1,"
		"\"answer\":1717495206,\"end\":1717495248,\"hangup_cause\":16}",
	};
	static const struct {
		enum ev_kind kind;
		const char *leg, *ext;
		enum call_result result;
	} want[] = {
		{ EV_RINGING, "", "", RES_NONE },
		{ EV_RINGING, "1717495201.43", "101", RES_NONE },
		{ EV_RINGING, "1717495201.44", "103", RES_NONE },
		{ EV_ANSWERED, "1717495201.44", "103", RES_ANSWERED },
		{ EV_ENDED, "1717495201.43", "101", RES_MISSED },
		{ EV_ENDED, "", "", RES_ANSWERED },
	};
	size_t i;

	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		body_json(events[i]);
		sign_at(DEMO_SECRET, VEC_NOW);
		ck_assert_int_eq(verify(), CB_OK);
		parse_ok();
		ck_assert_str_eq(ev.call_id, "1717495200.42");
		ck_assert_int_eq(ev.kind, want[i].kind);
		ck_assert_str_eq(ev.leg_id, want[i].leg);
		ck_assert_str_eq(ev.extension, want[i].ext);
		ck_assert_int_eq(ev.result, want[i].result);
	}
	ck_assert_int_eq(ev.talk_s, 42);
	ck_assert_int_eq(ev.wait_s, 5);
}
END_TEST

START_TEST(test_bridge_transfer_target_leg_and_internal_call)
{
	/* An attended transfer as the bridge posts it (issue 15 §2): the
	 * target's leg in the customer's call is Uniqueid@Linkedid, a leg of
	 * its own, apart from the target's leg in the consultation call. An
	 * internal call names its extensions in ext and to, never in from:
	 * it has no customer. */
	body_json("{\"event\":\"call.answer\",\"call_id\":\"1717503000.400\","
	    "\"uniqueid\":\"1717503020.403@1717503000.400\",\"direction\":\"in\","
	    "\"ext\":\"103\",\"answer\":1717503040}");
	sign_at(DEMO_SECRET, VEC_NOW);
	ck_assert_int_eq(verify(), CB_OK);
	parse_ok();
	ck_assert_str_eq(ev.call_id, "1717503000.400");
	ck_assert_str_eq(ev.leg_id, "1717503020.403@1717503000.400");
	ck_assert_str_eq(ev.extension, "103");
	ck_assert_int_eq(ev.kind, EV_ANSWERED);

	body_json("{\"event\":\"call.start\",\"call_id\":\"1717503020.402\","
	    "\"uniqueid\":\"1717503020.402\",\"direction\":\"internal\","
	    "\"to\":\"103\",\"ext\":\"101\",\"start\":1717503020}");
	sign_at(DEMO_SECRET, VEC_NOW);
	ck_assert_int_eq(verify(), CB_OK);
	parse_ok();
	ck_assert_int_eq(ev.dir, DIR_INTERNAL);
	ck_assert_str_eq(ev.client, "");
	ck_assert_str_eq(ev.extension, "101");
	ck_assert_str_eq(ev.leg_id, "");
}
END_TEST

/* -------------------------------------------------------- answers -- */

START_TEST(test_answer_route_extension_plain_text)
{
	struct route_answer ra = { .extension = "101",
	    .customer_name = "Mallory", .fallback_kind = "queue",
	    .fallback_target = "600" };
	const char *ct;

	get_query("event=route.request&from=0671234567");
	parse_ok();
	ck_assert_str_eq(answer(&ra, &ct), "101");
	ck_assert_str_eq(ct, "text/plain");
}
END_TEST

START_TEST(test_answer_route_empty_for_queue_fallback)
{
	struct route_answer ra = { .fallback_kind = "queue",
	    .fallback_target = "600" };
	const char *ct;

	get_query("event=route.request&from=0990000000");
	parse_ok();
	ck_assert_str_eq(answer(&ra, &ct), "");
	ck_assert_str_eq(ct, "text/plain");
	ck_assert_str_eq(answer(NULL, &ct), "");
	ra.fallback_kind = "voicemail";
	ck_assert_str_eq(answer(&ra, &ct), "");
}
END_TEST

START_TEST(test_answer_route_manager_fallback)
{
	struct route_answer ra = { .fallback_kind = "manager",
	    .fallback_target = "105" };
	const char *ct;

	get_query("event=route.request&from=0990000000");
	parse_ok();
	ck_assert_str_eq(answer(&ra, &ct), "105");
}
END_TEST

START_TEST(test_answer_route_never_unsafe_for_goto)
{
	static const char *const bad[] = {
		"101,1", "101)", "_X.", "10 1", "101\n", "${EXTEN}",
		"123456789012345678901234567890123",
	};
	struct route_answer ra = { 0 };
	const char *ct;
	size_t i;

	get_query("event=route.request&from=0990000000");
	parse_ok();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ra.extension = bad[i];
		ck_assert_msg(strcmp(answer(&ra, &ct), "") == 0, "%s", bad[i]);
	}
	ra.extension = "*98";
	ck_assert_str_eq(answer(&ra, &ct), "*98");
	ra.extension = "manager-2";
	ck_assert_str_eq(answer(&ra, &ct), "manager-2");
}
END_TEST

START_TEST(test_answer_ack_ok)
{
	const char *ct;

	body_raw("event=call.end&call_id=c&status=ANSWER");
	parse_ok();
	ck_assert_str_eq(answer(NULL, &ct), "OK");
	ck_assert_str_eq(ct, "text/plain");
	body_raw("event=call.transfer&call_id=c");
	parse_ok();
	ck_assert_int_eq(ev.kind, EV_UNKNOWN);
	ck_assert_str_eq(answer(NULL, &ct), "OK");
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("prov_asterisk");
	TCase *t = tcase_create("auth");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_bearer_token_verifies);
	tcase_add_test(t, test_wrong_bearer_token_denied);
	tcase_add_test(t, test_missing_authentication_denied);
	tcase_add_test(t, test_basic_auth_denied);
	tcase_add_test(t, test_separate_token_secret);
	tcase_add_test(t, test_no_secret_configured_denied);
	tcase_add_test(t, test_vector_signed_form_verifies);
	tcase_add_test(t, test_signed_but_stale_denied);
	tcase_add_test(t, test_bad_signature_denied);
	tcase_add_test(t, test_wrong_bearer_but_valid_signature);
	suite_add_tcase(s, t);

	t = tcase_create("fields");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_get_route_request_from_query);
	tcase_add_test(t, test_signed_request_ignores_query);
	tcase_add_test(t, test_body_wins_over_query);
	tcase_add_test(t, test_dialplan_hangup_form_without_content_type);
	tcase_add_test(t, test_dialplan_dialstatus_values);
	tcase_add_test(t, test_dialplan_commas_escaped);
	tcase_add_test(t, test_bridge_ring_group_sequence);
	tcase_add_test(t, test_bridge_transfer_target_leg_and_internal_call);
	suite_add_tcase(s, t);

	t = tcase_create("answers");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_answer_route_extension_plain_text);
	tcase_add_test(t, test_answer_route_empty_for_queue_fallback);
	tcase_add_test(t, test_answer_route_manager_fallback);
	tcase_add_test(t, test_answer_route_never_unsafe_for_goto);
	tcase_add_test(t, test_answer_ack_ok);
	suite_add_tcase(s, t);
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
