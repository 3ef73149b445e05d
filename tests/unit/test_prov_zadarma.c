/* Unit tests for the Zadarma adapter (lib/providers/zadarma/): the
 * providers.md §5.2 Signature vectors in both encodings, bad and missing
 * signatures, the zd_echo URL check, the IP allow-list, every event,
 * disposition mapping, time zones, leg folding and the routing answer. */
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
#include "providers/registry.h"
#include "providers/zadarma/zadarma.h"

/* providers.md §5.2 (made-up credentials). */
#define SECRET "8a8e91d214fb728889c7"
#define CALL "in_0123456789abcdef0123456789abcdef01234567"
#define START_FORM "event=NOTIFY_START&call_start=2024-06-04+10%3A00%3A00" \
	"&pbx_call_id=" CALL "&caller_id=442037691880&called_did=442037691881"
#define START_HEX "M2M4OTY3NGNhZjU1Y2RkZGNkNDE1YjNiMTcwZDRhNjg5NmU4M2U0Ng=="
#define START_RAW "PIlnTK9Vzd3NQVs7Fw1KaJboPkY="
#define T0 1717495200000LL  /* 2024-06-04 10:00:00 UTC */

static const struct provider *P = &zadarma_provider;
static struct arena *a;
static struct kvlist form, query;
static struct prov_req req;
static struct prov_conf conf;
static struct call_event ev;
static const char *sig_header;
static const char *why;

static const char *
header(const void *ctx, const char *name)
{
	(void)ctx;
	return strcasecmp(name, "Signature") == 0 ? sig_header : NULL;
}

static void
setup(void)
{
	a = arena_new();
	memset(&req, 0, sizeof(req));
	memset(&conf, 0, sizeof(conf));
	conf.slug = "zadarma";
	conf.secrets = json_tokener_parse(
	    "{\"key\":\"a248a6a984459935b569\",\"secret\":\"" SECRET "\"}");
	conf.default_country = "UA";
	req.header = header;
	req.remote_addr = "185.45.152.42";
	req.now = 1717495300;
	sig_header = NULL;
	why = NULL;
	ev_init(&ev);
	/* The §5.2 vectors are in UTC; the country's zone is tested below. */
	conf.config = json_tokener_parse("{\"time_zone\":\"UTC\"}");
}

static void
teardown(void)
{
	json_object_put(conf.secrets);
	json_object_put(conf.config);
	arena_free(a);
}

static void
set_config(const char *js)
{
	json_object_put(conf.config);
	conf.config = js ? json_tokener_parse(js) : NULL;
}

/* A POSTed form, with an optional query. */
static void
post(const char *body, const char *qs)
{
	ck_assert_int_eq(http_parse_urlencoded(a, body, strlen(body), &form,
	    &why), CB_OK);
	ck_assert_int_eq(http_parse_urlencoded(a, qs ? qs : "",
	    qs ? strlen(qs) : 0, &query, &why), CB_OK);
	req.method = HTTP_POST;
	req.form = &form;
	req.query = &query;
	req.body = body;
	req.body_len = strlen(body);
	req.content_type = "application/x-www-form-urlencoded";
	req.url = "https://crm.example.com/hook/zadarma";
}

static void
get(const char *qs)
{
	ck_assert_int_eq(http_parse_urlencoded(a, qs, strlen(qs), &query,
	    &why), CB_OK);
	req.method = HTTP_GET;
	req.form = NULL;
	req.query = &query;
	req.body = "";
	req.body_len = 0;
	req.content_type = NULL;
}

/* The documented encoding, base64(hex(HMAC-SHA1)), made here for
 * payloads outside the vectors. */
static const char *
sign(const char *msg)
{
	static char out[64];
	unsigned char mac[SIG_SHA1_LEN];
	char hex[41];

	sig_hmac_sha1(SECRET, strlen(SECRET), msg, strlen(msg), mac);
	sig_hex(mac, sizeof(mac), hex);
	sig_base64((const unsigned char *)hex, 40, out);
	return out;
}

static enum cb_err
verify(void)
{
	return P->verify(&conf, &req, &why);
}

static enum cb_err
parse(void)
{
	ev_init(&ev);
	return P->parse(&conf, &req, &ev, &why);
}

/* verify + parse must both succeed. */
static void
accept(const char *body, const char *sig)
{
	post(body, NULL);
	sig_header = sig;
	ck_assert_msg(verify() == CB_OK, "verify: %s", why);
	ck_assert_msg(parse() == CB_OK, "parse: %s", why);
}

static const char *
answer(const struct route_answer *ra, const char **ct)
{
	static char out[1024];
	struct buf b;

	buf_init(&b, sizeof(out) - 1);
	ck_assert_int_eq(P->answer(&conf, &ev, ra, &b, ct), CB_OK);
	snprintf(out, sizeof(out), "%s", buf_cstr(&b));
	buf_free(&b);
	return out;
}

/* --- §5.2 vectors --- */
/* NOTIFY_START in both signature encodings is data now:
 * tests/vectors/zadarma/001-*, 002-* (tests/unit/test_vectors.c). */

START_TEST(test_vector_end_both_encodings)
{
	static const char body[] = "event=NOTIFY_END"
	    "&call_start=2024-06-04+10%3A00%3A00&pbx_call_id=" CALL
	    "&caller_id=442037691880&called_did=442037691881&internal=100"
	    "&duration=42&disposition=answered&status_code=16"
	    "&is_recorded=1&call_id_with_rec=1717495200.123456";

	accept(body, START_RAW);
	accept(body, START_HEX);
	ck_assert_int_eq(ev.kind, EV_ENDED);
	ck_assert_int_eq(ev.dir, DIR_IN);
	ck_assert_int_eq(ev.result, RES_ANSWERED);
	ck_assert_int_eq(ev.talk_s, 42);
	ck_assert_int_eq(ev.wait_s, -1);
	ck_assert_str_eq(ev.extension, "100");
	ck_assert_str_eq(ev.hangup_cause, "16");
	ck_assert_str_eq(ev.recording_ref, "1717495200.123456");
	ck_assert(!ev.recording_absent);
	ck_assert_str_eq(ev.event_id, CALL ":NOTIFY_END");
}
END_TEST

START_TEST(test_vector_answer_both_encodings)
{
	static const char body[] = "event=NOTIFY_ANSWER"
	    "&call_start=2024-06-04+10%3A00%3A00&pbx_call_id=" CALL
	    "&caller_id=442037691880&destination=100";

	accept(body, "OTFiNGE1NTQyN2Q3ZWZiZmNkNmQ1NzAxYzM3ZGUzOWFmZDEzMmE4OA==");
	accept(body, "kbSlVCfX77/NbVcBw33jmv0TKog=");
	ck_assert_int_eq(ev.kind, EV_ANSWERED);
	ck_assert_str_eq(ev.extension, "100");
	ck_assert_str_eq(ev.client, "442037691880");
	ck_assert_str_eq(ev.event_id, CALL ":NOTIFY_ANSWER:100");
	ck_assert_int_eq(ev.dir, DIR_IN);
	/* On an outgoing call the customer is the destination. */
	post("event=NOTIFY_ANSWER&pbx_call_id=out_7&caller_id=380443900100"
	    "&destination=380671234567&internal=104", NULL);
	ck_assert_int_eq(parse(), CB_OK);
	ck_assert_int_eq(ev.dir, DIR_OUT);
	ck_assert_str_eq(ev.client, "380671234567");
	ck_assert_str_eq(ev.extension, "104");
}
END_TEST

START_TEST(test_vector_out_start_both_encodings)
{
	static const char body[] = "event=NOTIFY_OUT_START"
	    "&call_start=2024-06-04+11%3A00%3A00"
	    "&pbx_call_id=out_0123456789abcdef0123456789abcdef01234567"
	    "&internal=100&destination=442037691882";

	accept(body, "NmZjNTIyY2MyMWM4ZTZmMzU2OWM3OTcxY2NkMWM3YmMzMzc1MTZjNw==");
	accept(body, "b8UizCHI5vNWnHlxzNHHvDN1Fsc=");
	ck_assert_int_eq(ev.kind, EV_RINGING);
	ck_assert(!ev.wants_route);
	ck_assert_int_eq(ev.dir, DIR_OUT);
	ck_assert_str_eq(ev.client, "442037691882");
	ck_assert_str_eq(ev.extension, "100");
	ck_assert_str_eq(ev.our_number, "");
	ck_assert(ev.started_ms == T0 + 3600000);
}
END_TEST

START_TEST(test_vector_record_both_encodings)
{
	static const char body[] = "event=NOTIFY_RECORD&pbx_call_id=" CALL
	    "&call_id_with_rec=1717495200.123456";

	accept(body, "ZmZlMDVhMThmZjhkMGYyZDI5ZTMwOGUzN2Y3M2ZmNjYyMmE0ZDM2Yg==");
	accept(body, "/+BaGP+NDy0p4wjjf3P/ZiKk02s=");
	ck_assert_int_eq(ev.kind, EV_RECORDING);
	ck_assert_str_eq(ev.call_id, CALL);
	ck_assert_str_eq(ev.recording_ref, "1717495200.123456");
	ck_assert_str_eq(ev.event_id, CALL ":NOTIFY_RECORD");
}
END_TEST

/* --- authentication failures --- */

START_TEST(test_bad_signature_denied)
{
	post(START_FORM, NULL);
	sig_header = "M2M4OTY3NGNhZjU1Y2RkZGNkNDE1YjNiMTcwZDRhNjg5NmU4M2U0Nw==";
	ck_assert_int_eq(verify(), CB_EDENIED);
	ck_assert_str_eq(why, "bad Signature");
	sig_header = "PIlnTK9Vzd3NQVs7Fw1KaJboPkY";   /* cut */
	ck_assert_int_eq(verify(), CB_EDENIED);
	sig_header = "m2m4oty3ngnhzju1y2rkzgnkndE1yjNiMTcwZDRhNjg5NmU4M2U0Ng==";
	ck_assert_int_eq(verify(), CB_EDENIED);
}
END_TEST

START_TEST(test_missing_signature_denied)
{
	post(START_FORM, NULL);
	sig_header = NULL;
	ck_assert_int_eq(verify(), CB_EDENIED);
	ck_assert_str_eq(why, "missing Signature header");
	sig_header = "";
	ck_assert_int_eq(verify(), CB_EDENIED);
	req.header = NULL;
	ck_assert_int_eq(verify(), CB_EDENIED);
}
END_TEST

START_TEST(test_tampered_field_denied)
{
	/* The vector's signature with another caller: refused. */
	post("event=NOTIFY_START&call_start=2024-06-04+10%3A00%3A00"
	    "&pbx_call_id=" CALL "&caller_id=380671234567"
	    "&called_did=442037691881", NULL);
	sig_header = START_HEX;
	ck_assert_int_eq(verify(), CB_EDENIED);
}
END_TEST

START_TEST(test_signature_of_other_form_denied)
{
	/* NOTIFY_ANSWER signs caller . destination . start; the START
	 * signature (caller . did . start) must not pass for it. */
	post("event=NOTIFY_ANSWER&call_start=2024-06-04+10%3A00%3A00"
	    "&pbx_call_id=" CALL "&caller_id=442037691880"
	    "&called_did=442037691881&destination=100", NULL);
	sig_header = START_HEX;
	ck_assert_int_eq(verify(), CB_EDENIED);
}
END_TEST

START_TEST(test_no_secret_configured_denied)
{
	json_object_put(conf.secrets);
	conf.secrets = json_tokener_parse("{\"key\":\"k\",\"secret\":\"\"}");
	post(START_FORM, NULL);
	sig_header = START_HEX;
	ck_assert_int_eq(verify(), CB_EDENIED);
	json_object_put(conf.secrets);
	conf.secrets = NULL;
	ck_assert_int_eq(verify(), CB_EDENIED);
}
END_TEST

START_TEST(test_ip_allow_list)
{
	post(START_FORM, NULL);
	sig_header = START_HEX;
	set_config("{\"allowed_ips\":[\"185.45.152.42\",\"10.1.0.0/16\","
	    "\"2001:db8::/32\"]}");
	req.remote_addr = "185.45.152.42";
	ck_assert_int_eq(verify(), CB_OK);
	req.remote_addr = "::ffff:185.45.152.42";
	ck_assert_int_eq(verify(), CB_OK);
	req.remote_addr = "10.1.200.3";
	ck_assert_int_eq(verify(), CB_OK);
	req.remote_addr = "2001:db8:1::5";
	ck_assert_int_eq(verify(), CB_OK);
	req.remote_addr = "10.2.0.1";
	ck_assert_int_eq(verify(), CB_EDENIED);
	ck_assert_str_eq(why, "source address not in allowed_ips");
	req.remote_addr = "185.45.152.43";
	ck_assert_int_eq(verify(), CB_EDENIED);
	req.remote_addr = "not an address";
	ck_assert_int_eq(verify(), CB_EDENIED);
	req.remote_addr = NULL;
	ck_assert_int_eq(verify(), CB_EDENIED);
	/* A list is required. */
	req.remote_addr = "185.45.152.42";
	set_config("{\"allowed_ips\":\"185.45.152.42\"}");
	ck_assert_int_eq(verify(), CB_EDENIED);
	set_config("{\"allowed_ips\":[\"185.45.152.42/33\",\"x\"]}");
	ck_assert_int_eq(verify(), CB_EDENIED);
	/* The echo stores nothing and answers its own token: from any
	 * address (Zadarma's URL check, the page's test event). */
	set_config("{\"allowed_ips\":[\"127.0.0.1\"]}");
	get("zd_echo=abc");
	ck_assert_int_eq(verify(), CB_OK);
	/* Without allowed_ips only Zadarma's networks may send (issue 16
	 * §7); an empty list is the admin turning the check off. */
	set_config("{\"time_zone\":\"UTC\"}");
	post(START_FORM, NULL);
	req.remote_addr = "203.0.113.9";
	ck_assert_int_eq(verify(), CB_EDENIED);
	req.remote_addr = "127.0.0.1";
	ck_assert_int_eq(verify(), CB_EDENIED);
	req.remote_addr = "185.45.152.42";
	ck_assert_int_eq(verify(), CB_OK);
	req.remote_addr = "195.122.19.7";
	ck_assert_int_eq(verify(), CB_OK);
	set_config("{\"allowed_ips\":[]}");
	req.remote_addr = "203.0.113.9";
	ck_assert_int_eq(verify(), CB_OK);
}
END_TEST

/* --- zd_echo --- */

START_TEST(test_echo_needs_no_signature)
{
	const char *ct, *body;

	get("zd_echo=Xy12_z-9");
	sig_header = NULL;
	ck_assert_int_eq(verify(), CB_OK);
	ck_assert_int_eq(parse(), CB_OK);
	ck_assert_int_eq(ev.kind, EV_ECHO);
	ck_assert_str_eq(ev.echo, "Xy12_z-9");
	body = answer(NULL, &ct);
	ck_assert_str_eq(body, "Xy12_z-9");
	ck_assert_str_eq(ct, "text/plain");
}
END_TEST

START_TEST(test_echo_rejects_long_or_unprintable)
{
	char qs[300];

	get("zd_echo=a%0Ab");
	ck_assert_int_eq(parse(), CB_EINVAL);
	get("zd_echo=%C3%A9");
	ck_assert_int_eq(parse(), CB_EINVAL);
	memset(qs, 'x', sizeof(qs));
	memcpy(qs, "zd_echo=", 8);
	qs[8 + 129] = '\0';
	get(qs);
	ck_assert_int_eq(parse(), CB_EINVAL);
	qs[8 + 128] = '\0';
	get(qs);
	ck_assert_int_eq(parse(), CB_OK);
	ck_assert_uint_eq(strlen(ev.echo), 128);
}
END_TEST

/* --- malformed bodies --- */

START_TEST(test_malformed_bodies)
{
	static const char *const bad[] = {
		"",
		"caller_id=1",
		"event=",
		"event=NOTIFY_START&caller_id=1",                   /* no id */
		"event=NOTIFY_START&pbx_call_id=" CALL "&call_start=2024-06-04",
		"event=NOTIFY_START&pbx_call_id=" CALL
		    "&call_start=2024-02-31+10%3A00%3A00",
		"event=NOTIFY_START&pbx_call_id=" CALL
		    "&call_start=2024-06-04+10%3A00%3A00x",
		"event=NOTIFY_START&pbx_call_id=" CALL
		    "&call_start=2024-06-04T10%3A00%3A00",
		"event=NOTIFY_START&pbx_call_id=in%01x",
		"event=NOTIFY_INTERNAL&pbx_call_id=" CALL,           /* no ext */
		"event=NOTIFY_INTERNAL&pbx_call_id=" CALL
		    "&internal=123456789012345678901234567890123",
		"event=NOTIFY_END&pbx_call_id=" CALL "&duration=-1",
		"event=NOTIFY_END&pbx_call_id=" CALL "&duration=4x",
		"event=NOTIFY_END&pbx_call_id=" CALL "&duration=99999999999",
		"event=NOTIFY_END&pbx_call_id=" CALL "&is_recorded=yes",
		"event=NOTIFY_RECORD&pbx_call_id=" CALL,
		"event=NOTIFY_ANSWER&pbx_call_id=" CALL
		    "&destination=1234567890123456789012345678901234567890",
		"event=NOTIFY_START&pbx_call_id=" CALL "&caller_id=%E2%98%8E",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		post(bad[i], NULL);
		why = NULL;
		ck_assert_msg(parse() == CB_EINVAL, "accepted: %s", bad[i]);
		ck_assert_ptr_nonnull(why);
	}
	get("");
	ck_assert_int_eq(parse(), CB_EINVAL);
	ck_assert_str_eq(why, "no event field");
}
END_TEST

/* --- every event type --- */

START_TEST(test_internal_is_a_leg_of_the_call)
{
	accept("event=NOTIFY_INTERNAL&call_start=2024-06-04+10%3A00%3A00"
	    "&pbx_call_id=" CALL "&caller_id=442037691880"
	    "&called_did=442037691881&internal=103", START_HEX);
	ck_assert_int_eq(ev.kind, EV_RINGING);
	ck_assert(!ev.wants_route);
	ck_assert_str_eq(ev.call_id, CALL);
	ck_assert_str_eq(ev.leg_id, "");
	ck_assert_str_eq(ev.extension, "103");
	ck_assert_str_eq(ev.event_id, CALL ":NOTIFY_INTERNAL:103");
	ck_assert(ev.at_ms == 0);
}
END_TEST

START_TEST(test_ivr_asks_for_a_route)
{
	accept("event=NOTIFY_IVR&call_start=2024-06-04+10%3A00%3A00"
	    "&pbx_call_id=" CALL "&caller_id=442037691880"
	    "&called_did=442037691881&wait_dtmf%5Bname%5D=menu1"
	    "&wait_dtmf%5Bdigits%5D=2", START_HEX);
	ck_assert_int_eq(ev.kind, EV_RINGING);
	ck_assert(ev.wants_route);
	ck_assert_str_eq(ev.event_id, CALL ":NOTIFY_IVR:menu1");
}
END_TEST

START_TEST(test_internal_end_is_kept_but_changes_nothing)
{
	accept("event=NOTIFY_INTERNAL_END&call_start=2024-06-04+10%3A00%3A00"
	    "&pbx_call_id=" CALL "&caller_id=442037691880"
	    "&called_did=442037691881&internal=104", START_HEX);
	ck_assert_int_eq(ev.kind, EV_IGNORED);
	ck_assert_str_eq(ev.extension, "104");
	ck_assert_str_eq(ev.event_id, CALL ":NOTIFY_INTERNAL_END:104");
	/* Its signed fields are undocumented: the out-form works too. */
	post("event=NOTIFY_INTERNAL_END&call_start=2024-06-04+11%3A00%3A00"
	    "&pbx_call_id=" CALL "&internal=100&destination=442037691882",
	    NULL);
	sig_header = "b8UizCHI5vNWnHlxzNHHvDN1Fsc=";
	ck_assert_int_eq(verify(), CB_OK);
}
END_TEST

START_TEST(test_unknown_event_is_kept_raw)
{
	accept("event=NOTIFY_SOMETHING_NEW&call_start=2024-06-04+10%3A00%3A00"
	    "&pbx_call_id=" CALL "&caller_id=442037691880"
	    "&called_did=442037691881", START_HEX);
	ck_assert_int_eq(ev.kind, EV_UNKNOWN);
	ck_assert_str_eq(ev.type_name, "NOTIFY_SOMETHING_NEW");
	ck_assert_str_eq(ev.call_id, CALL);
	ck_assert_str_eq(ev.event_id, "");
	/* Unsigned unknown events are still refused. */
	post("event=NOTIFY_SOMETHING_NEW&pbx_call_id=" CALL, NULL);
	sig_header = START_HEX;
	ck_assert_int_eq(verify(), CB_EDENIED);
	/* A very long name is cut, not an error. */
	post("event=NOTIFY_0123456789012345678901234567890123456789", NULL);
	ck_assert_int_eq(parse(), CB_OK);
	ck_assert_int_eq(ev.kind, EV_UNKNOWN);
	ck_assert_uint_eq(strlen(ev.type_name), 40);
}
END_TEST

START_TEST(test_out_end_no_answer)
{
	static const char body[] = "event=NOTIFY_OUT_END"
	    "&call_start=2024-06-04+11%3A00%3A00"
	    "&pbx_call_id=out_42&caller_id=380443900100&internal=101"
	    "&destination=380671234567&duration=0&disposition=no+answer"
	    "&status_code=19&is_recorded=0&call_id_with_rec=";
	char s[128];

	snprintf(s, sizeof(s), "101380671234567%s", "2024-06-04 11:00:00");
	accept(body, sign(s));
	ck_assert_int_eq(ev.kind, EV_ENDED);
	ck_assert_int_eq(ev.dir, DIR_OUT);
	ck_assert_int_eq(ev.result, RES_NO_ANSWER);
	ck_assert_int_eq(ev.talk_s, 0);
	ck_assert_str_eq(ev.client, "380671234567");
	ck_assert_str_eq(ev.our_number, "380443900100");
	ck_assert_str_eq(ev.extension, "101");
	ck_assert(ev.recording_absent);
	ck_assert_str_eq(ev.recording_ref, "");
	ck_assert_str_eq(ev.event_id, "out_42:NOTIFY_OUT_END");
}
END_TEST

START_TEST(test_end_missed_incoming)
{
	accept("event=NOTIFY_END&call_start=2024-06-04+10%3A00%3A00"
	    "&pbx_call_id=" CALL "&caller_id=442037691880"
	    "&called_did=442037691881&duration=17&disposition=cancel"
	    "&is_recorded=0", START_HEX);
	ck_assert_int_eq(ev.result, RES_MISSED);
	ck_assert_int_eq(ev.talk_s, 0);
	ck_assert_str_eq(ev.extension, "");
}
END_TEST

/* --- mappings --- */

START_TEST(test_disposition_mapping)
{
	static const struct {
		const char *disp;
		enum call_result in, out;
	} m[] = {
		{ "answered", RES_ANSWERED, RES_ANSWERED },
		{ "busy", RES_BUSY, RES_BUSY },
		{ "cancel", RES_MISSED, RES_NO_ANSWER },
		{ "no+answer", RES_MISSED, RES_NO_ANSWER },
		{ "failed", RES_FAILED, RES_FAILED },
		{ "call+failed", RES_FAILED, RES_FAILED },
		{ "no+money", RES_FAILED, RES_FAILED },
		{ "unallocated+number", RES_FAILED, RES_FAILED },
		{ "no+limit", RES_FAILED, RES_FAILED },
		{ "no+day+limit", RES_FAILED, RES_FAILED },
		{ "line+limit", RES_FAILED, RES_FAILED },
		{ "no+money%2C+no+limit", RES_FAILED, RES_FAILED },
		{ "something+else", RES_UNKNOWN, RES_UNKNOWN },
		{ "", RES_UNKNOWN, RES_UNKNOWN },
	};
	char body[256];
	size_t i;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		snprintf(body, sizeof(body), "event=NOTIFY_END&pbx_call_id=x"
		    "&disposition=%s&duration=5", m[i].disp);
		post(body, NULL);
		ck_assert_int_eq(parse(), CB_OK);
		ck_assert_msg(ev.result == m[i].in, "in %s", m[i].disp);
		ck_assert_int_eq(ev.talk_s, m[i].in == RES_ANSWERED ? 5 : 0);
		snprintf(body, sizeof(body), "event=NOTIFY_OUT_END"
		    "&pbx_call_id=x&disposition=%s", m[i].disp);
		post(body, NULL);
		ck_assert_int_eq(parse(), CB_OK);
		ck_assert_msg(ev.result == m[i].out, "out %s", m[i].disp);
	}
}
END_TEST

START_TEST(test_call_start_in_account_time_zone)
{
	set_config("{\"time_zone\":\"Europe/Kyiv\"}");
	post("event=NOTIFY_START&pbx_call_id=x"
	    "&call_start=2024-06-04+13%3A00%3A00", NULL);
	ck_assert_int_eq(parse(), CB_OK);
	ck_assert(ev.started_ms == T0);                  /* EEST, +3 */
	post("event=NOTIFY_START&pbx_call_id=x"
	    "&call_start=2024-01-15+12%3A00%3A00", NULL);
	ck_assert_int_eq(parse(), CB_OK);
	ck_assert(ev.started_ms == 1705312800000LL);     /* EET, +2 */
	set_config("{\"time_zone\":\"UTC\"}");
	ck_assert_int_eq(parse(), CB_OK);
	ck_assert(ev.started_ms == 1705320000000LL);     /* UTC */
}
END_TEST

/* Issue 15 §2.2: with no zone set, the account keeps its country's time
 * (before: UTC, so a Kyiv call started 2-3 hours in the future). */
START_TEST(test_call_start_zone_defaults_from_country)
{
	set_config(NULL);
	post("event=NOTIFY_START&pbx_call_id=x"
	    "&call_start=2024-01-15+12%3A00%3A00", NULL);
	ck_assert_int_eq(parse(), CB_OK);
	ck_assert(ev.started_ms == 1705312800000LL);     /* Kyiv, +2 */
	conf.default_country = "PL";
	ck_assert_int_eq(parse(), CB_OK);
	ck_assert(ev.started_ms == 1705316400000LL);     /* Warsaw, +1 */
	ck_assert_str_eq(zadarma_time_zone(NULL, "UA"), "Europe/Kyiv");
	ck_assert_str_eq(zadarma_time_zone(NULL, "ru"), "Europe/Moscow");
	ck_assert_str_eq(zadarma_time_zone(NULL, "XX"), "UTC");
	ck_assert_str_eq(zadarma_time_zone(NULL, NULL), "UTC");
	set_config("{\"time_zone\":\"\"}");
	ck_assert_str_eq(zadarma_time_zone(conf.config, "UA"), "Europe/Kyiv");
	set_config("{\"time_zone\":\"Asia/Almaty\"}");
	ck_assert_str_eq(zadarma_time_zone(conf.config, "UA"), "Asia/Almaty");
}
END_TEST

/* call_id_with_rec carries the unix time: a zone that is off by hours is
 * corrected from it on NOTIFY_END (rounded to the quarter hour). */
START_TEST(test_end_cross_checks_zone_with_unix_time)
{
	static const char body[] = "event=NOTIFY_END"
	    "&call_start=2024-06-04+13%3A00%3A00&pbx_call_id=" CALL
	    "&caller_id=442037691880&called_did=442037691881&internal=100"
	    "&duration=42&disposition=answered&status_code=16"
	    "&is_recorded=1&call_id_with_rec=1717495207.123456";

	/* Configured UTC, but the account is in Kyiv (EEST, +3). */
	post(body, NULL);
	ck_assert_int_eq(parse(), CB_OK);
	ck_assert(ev.started_ms == T0);
	/* The right zone: nothing to correct. */
	set_config("{\"time_zone\":\"Europe/Kyiv\"}");
	ck_assert_int_eq(parse(), CB_OK);
	ck_assert(ev.started_ms == T0);
	/* Not a time of this call (or not a number): the zone stands. */
	set_config("{\"time_zone\":\"UTC\"}");
	post("event=NOTIFY_END&call_start=2024-06-04+13%3A00%3A00"
	    "&pbx_call_id=x&caller_id=1&called_did=2&disposition=cancel"
	    "&is_recorded=1&call_id_with_rec=17.5", NULL);
	ck_assert_int_eq(parse(), CB_OK);
	ck_assert(ev.started_ms == T0 + 3 * 3600 * 1000LL);
}
END_TEST

/* ev_sane_times (lib/calls/event.c), run on every event before it
 * becomes a call: nothing in the future, the start first. */
START_TEST(test_event_times_made_possible)
{
	struct call_event e;
	int64_t now = T0 + 3600 * 1000LL;

	ev_init(&e);
	e.started_ms = now + 3 * 3600 * 1000LL;   /* a zone hours off */
	e.at_ms = e.started_ms;
	ev_sane_times(&e, now);
	ck_assert(e.started_ms == now && e.at_ms == now);
	ev_init(&e);
	e.started_ms = T0 + 60000;
	e.answered_ms = T0 + 30000;
	e.ended_ms = T0 + 10000;
	ev_sane_times(&e, now);
	ck_assert(e.answered_ms == T0 + 10000);
	ck_assert(e.started_ms == T0 + 10000);
	/* A little clock skew is not the future. */
	ev_init(&e);
	e.started_ms = now + 1000;
	ev_sane_times(&e, now);
	ck_assert(e.started_ms == now + 1000);
}
END_TEST

/* Issue 15 §2.3: after a transfer NOTIFY_END names who talked last. */
START_TEST(test_end_last_internal_talked_last)
{
	post("event=NOTIFY_END&call_start=2024-06-04+10%3A00%3A00"
	    "&pbx_call_id=" CALL "&caller_id=442037691880"
	    "&called_did=442037691881&internal=100&last_internal=102"
	    "&duration=95&disposition=answered&status_code=16"
	    "&is_recorded=0", NULL);
	ck_assert_int_eq(parse(), CB_OK);
	ck_assert_str_eq(ev.extension, "102");
	ck_assert_int_eq(ev.result, RES_ANSWERED);
	post("event=NOTIFY_END&call_start=2024-06-04+10%3A00%3A00"
	    "&pbx_call_id=" CALL "&caller_id=442037691880"
	    "&called_did=442037691881&internal=100&last_internal="
	    "&duration=95&disposition=answered", NULL);
	ck_assert_int_eq(parse(), CB_OK);
	ck_assert_str_eq(ev.extension, "100");
	post("event=NOTIFY_END&pbx_call_id=x&last_internal=%01", NULL);
	ck_assert_int_eq(parse(), CB_EINVAL);
}
END_TEST

/* Issue 15 §2.5: a withheld caller is no number at all. */
START_TEST(test_withheld_caller)
{
	static const char *const ids[] = {
		"anonymous", "Anonymous", "", "0", "restricted", "unknown",
		"sip%3Aanonymous%40anonymous.invalid",
	};
	char body[256];
	size_t i;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		snprintf(body, sizeof(body), "event=NOTIFY_START&pbx_call_id="
		    "x&call_start=2024-06-04+10%%3A00%%3A00&caller_id=%s"
		    "&called_did=442037691881", ids[i]);
		post(body, NULL);
		ck_assert_int_eq(parse(), CB_OK);
		ck_assert_msg(ev.client_withheld, "%s", ids[i]);
		ck_assert_str_eq(ev.client, "");
	}
	post(START_FORM, NULL);
	ck_assert_int_eq(parse(), CB_OK);
	ck_assert(!ev.client_withheld);
	/* No caller_id at all (NOTIFY_RECORD) says nothing. */
	post("event=NOTIFY_RECORD&pbx_call_id=x&call_id_with_rec=1.2", NULL);
	ck_assert_int_eq(parse(), CB_OK);
	ck_assert(!ev.client_withheld);
}
END_TEST

/* Issue 16 §7: the key that binds a signature to its call. */
START_TEST(test_sig_key_of_signed_fields)
{
	char start_key[65];

	accept(START_FORM, START_HEX);
	ck_assert_uint_eq(strlen(ev.sig_key), 64);
	snprintf(start_key, sizeof(start_key), "%s", ev.sig_key);
	/* The same signed fields in either encoding: the same key. */
	accept(START_FORM, START_RAW);
	ck_assert_str_eq(ev.sig_key, start_key);
	/* The call's END signs the same three values: the same key. */
	accept("event=NOTIFY_END&call_start=2024-06-04+10%3A00%3A00"
	    "&pbx_call_id=" CALL "&caller_id=442037691880"
	    "&called_did=442037691881&internal=100&duration=0"
	    "&disposition=cancel", START_HEX);
	ck_assert_str_eq(ev.sig_key, start_key);
	/* NOTIFY_RECORD signs pbx_call_id itself: nothing to bind. */
	accept("event=NOTIFY_RECORD&pbx_call_id=in_0123456789abcdef0123456789"
	    "abcdef01234567&call_id_with_rec=1717495200.123456",
	    "ZmZlMDVhMThmZjhkMGYyZDI5ZTMwOGUzN2Y3M2ZmNjYyMmE0ZDM2Yg==");
	ck_assert_str_eq(ev.sig_key, "");
}
END_TEST

/* --- one physical call, many events --- */

START_TEST(test_ring_group_folds_into_one_call)
{
	static const char *const exts[] = { "101", "103", "104" };
	char body[512], ids[3][129];
	size_t i;

	for (i = 0; i < 3; i++) {
		snprintf(body, sizeof(body), "event=NOTIFY_INTERNAL"
		    "&call_start=2024-06-04+10%%3A00%%3A00&pbx_call_id=" CALL
		    "&caller_id=442037691880&called_did=442037691881"
		    "&internal=%s", exts[i]);
		accept(body, START_HEX);
		ck_assert_str_eq(ev.call_id, CALL);
		ck_assert_str_eq(ev.extension, exts[i]);
		snprintf(ids[i], sizeof(ids[i]), "%s", ev.event_id);
	}
	ck_assert_str_ne(ids[0], ids[1]);
	ck_assert_str_ne(ids[1], ids[2]);
	accept("event=NOTIFY_ANSWER&call_start=2024-06-04+10%3A00%3A00"
	    "&pbx_call_id=" CALL "&caller_id=442037691880&destination=103"
	    "&internal=103", sign("4420376918801032024-06-04 10:00:00"));
	ck_assert_int_eq(ev.kind, EV_ANSWERED);
	ck_assert_str_eq(ev.call_id, CALL);
	ck_assert_str_eq(ev.extension, "103");
	accept("event=NOTIFY_END&call_start=2024-06-04+10%3A00%3A00"
	    "&pbx_call_id=" CALL "&caller_id=442037691880"
	    "&called_did=442037691881&internal=103&duration=30"
	    "&disposition=answered&is_recorded=0", START_HEX);
	ck_assert_str_eq(ev.call_id, CALL);
	ck_assert_int_eq(ev.result, RES_ANSWERED);
	ck_assert_str_eq(ev.extension, "103");
}
END_TEST

START_TEST(test_retry_has_same_event_id)
{
	char first[129];

	accept(START_FORM, START_HEX);
	snprintf(first, sizeof(first), "%s", ev.event_id);
	accept(START_FORM, START_RAW);
	ck_assert_str_eq(ev.event_id, first);
}
END_TEST

START_TEST(test_long_call_id_drops_event_id)
{
	char body[512], id[129];

	memset(id, 'a', 128);
	id[128] = '\0';
	snprintf(body, sizeof(body), "event=NOTIFY_START&pbx_call_id=%s", id);
	post(body, NULL);
	ck_assert_int_eq(parse(), CB_OK);
	ck_assert_str_eq(ev.call_id, id);
	ck_assert_str_eq(ev.event_id, "");   /* payload hash instead */
	id[0] = 'b';
	snprintf(body, sizeof(body), "event=NOTIFY_START&pbx_call_id=%sb", id);
	post(body, NULL);
	ck_assert_int_eq(parse(), CB_EINVAL);
}
END_TEST

/* --- answers --- */

START_TEST(test_answer_routes_to_responsible_manager)
{
	struct route_answer ra = { .extension = "101",
	    .customer_name = "ACME Ltd / John", .fallback_kind = "queue",
	    .fallback_target = "500" };
	const char *ct;

	accept(START_FORM, START_HEX);
	ck_assert_str_eq(answer(&ra, &ct), "{\"redirect\":\"101\","
	    "\"return_timeout\":20,\"caller_name\":\"ACME Ltd / John\"}");
	ck_assert_str_eq(ct, "application/json");
}
END_TEST

START_TEST(test_answer_fallbacks)
{
	struct route_answer ra = { 0 };
	const char *ct;

	accept(START_FORM, START_HEX);
	ck_assert_str_eq(answer(NULL, &ct), "{}");
	ck_assert_str_eq(ct, "application/json");
	ck_assert_str_eq(answer(&ra, &ct), "{}");
	ra.fallback_kind = "queue";
	ra.fallback_target = "0-1";
	ck_assert_str_eq(answer(&ra, &ct), "{\"redirect\":\"0-1\"}");
	ra.fallback_kind = "voicemail";
	ra.fallback_target = "0-main";
	ck_assert_str_eq(answer(&ra, &ct), "{\"redirect\":\"0-main\"}");
	ra.fallback_kind = "manager";
	ra.fallback_target = "103";
	ck_assert_str_eq(answer(&ra, &ct), "{\"redirect\":\"103\"}");
	ra.fallback_kind = "queue";
	ra.fallback_target = NULL;
	ck_assert_str_eq(answer(&ra, &ct), "{}");
	ra.fallback_kind = "teleport";
	ra.fallback_target = "9";
	ck_assert_str_eq(answer(&ra, &ct), "{}");
	/* A known customer with no responsible manager: name + fallback. */
	ra.fallback_kind = "queue";
	ra.fallback_target = "500";
	ra.customer_name = "Café Olé";
	ck_assert_str_eq(answer(&ra, &ct),
	    "{\"redirect\":\"500\",\"caller_name\":\"Café Olé\"}");
}
END_TEST

START_TEST(test_answer_cuts_caller_name_on_utf8_boundary)
{
	/* 45 Cyrillic letters (2 bytes each) → 40 letters, 80 bytes. */
	char name[256] = "", want[256];
	struct route_answer ra = { .extension = "101" };
	struct json_object *o, *v;
	const char *ct;
	int i;

	for (i = 0; i < 45; i++)
		strcat(name, "Ж");
	ra.customer_name = name;
	accept(START_FORM, START_HEX);
	o = json_tokener_parse(answer(&ra, &ct));
	ck_assert_ptr_nonnull(o);
	ck_assert(json_object_object_get_ex(o, "caller_name", &v));
	snprintf(want, sizeof(want), "%.*s", 80, name);
	ck_assert_str_eq(json_object_get_string(v), want);
	json_object_put(o);
	/* Invalid UTF-8 is cut where it starts. */
	ra.customer_name = "Ann\xff\xfe";
	o = json_tokener_parse(answer(&ra, &ct));
	ck_assert(json_object_object_get_ex(o, "caller_name", &v));
	ck_assert_str_eq(json_object_get_string(v), "Ann");
	json_object_put(o);
	/* Escaping is json-c's: quotes and controls cannot break out. */
	ra.customer_name = "A\"}\n";
	o = json_tokener_parse(answer(&ra, &ct));
	ck_assert_ptr_nonnull(o);
	json_object_put(o);
}
END_TEST

START_TEST(test_answer_other_events_empty)
{
	struct route_answer ra = { .extension = "101" };
	const char *ct;

	accept("event=NOTIFY_RECORD&pbx_call_id=" CALL
	    "&call_id_with_rec=1717495200.123456",
	    "/+BaGP+NDy0p4wjjf3P/ZiKk02s=");
	ck_assert_str_eq(answer(&ra, &ct), "");
	ck_assert_str_eq(ct, "text/plain");
}
END_TEST

START_TEST(test_registry_finds_adapter)
{
	ck_assert_ptr_eq(provider_by_kind("zadarma"), &zadarma_provider);
	ck_assert_str_eq(zadarma_provider.kind, "zadarma");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("prov_zadarma");
	TCase *tc = tcase_create("zadarma");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_vector_end_both_encodings);
	tcase_add_test(tc, test_vector_answer_both_encodings);
	tcase_add_test(tc, test_vector_out_start_both_encodings);
	tcase_add_test(tc, test_vector_record_both_encodings);
	tcase_add_test(tc, test_bad_signature_denied);
	tcase_add_test(tc, test_missing_signature_denied);
	tcase_add_test(tc, test_tampered_field_denied);
	tcase_add_test(tc, test_signature_of_other_form_denied);
	tcase_add_test(tc, test_no_secret_configured_denied);
	tcase_add_test(tc, test_ip_allow_list);
	tcase_add_test(tc, test_echo_needs_no_signature);
	tcase_add_test(tc, test_echo_rejects_long_or_unprintable);
	tcase_add_test(tc, test_malformed_bodies);
	tcase_add_test(tc, test_internal_is_a_leg_of_the_call);
	tcase_add_test(tc, test_ivr_asks_for_a_route);
	tcase_add_test(tc, test_internal_end_is_kept_but_changes_nothing);
	tcase_add_test(tc, test_unknown_event_is_kept_raw);
	tcase_add_test(tc, test_out_end_no_answer);
	tcase_add_test(tc, test_end_missed_incoming);
	tcase_add_test(tc, test_disposition_mapping);
	tcase_add_test(tc, test_call_start_in_account_time_zone);
	tcase_add_test(tc, test_call_start_zone_defaults_from_country);
	tcase_add_test(tc, test_end_cross_checks_zone_with_unix_time);
	tcase_add_test(tc, test_event_times_made_possible);
	tcase_add_test(tc, test_end_last_internal_talked_last);
	tcase_add_test(tc, test_withheld_caller);
	tcase_add_test(tc, test_sig_key_of_signed_fields);
	tcase_add_test(tc, test_ring_group_folds_into_one_call);
	tcase_add_test(tc, test_retry_has_same_event_id);
	tcase_add_test(tc, test_long_call_id_drops_event_id);
	tcase_add_test(tc, test_answer_routes_to_responsible_manager);
	tcase_add_test(tc, test_answer_fallbacks);
	tcase_add_test(tc, test_answer_cuts_caller_name_on_utf8_boundary);
	tcase_add_test(tc, test_answer_other_events_empty);
	tcase_add_test(tc, test_registry_finds_adapter);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
