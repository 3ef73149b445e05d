/* Unit tests for the generic webhook adapter (lib/providers/generic/):
 * the providers.md §5.3 signature vectors, the replay window, bad and
 * missing signatures, JSON and form bodies (also a form without its
 * Content-Type), every event type, status mapping by direction, leg
 * folding, malformed fields, and the routing answer
 * (docs/generic-format.md). */
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
#include "providers/generic/generic.h"
#include "providers/provider.h"

/* providers.md §5.3 */
#define VEC_SECRET "asterisk-shared-secret-0123456789"
#define VEC_TS "1717495242"
#define VEC_NOW 1717495242
#define VEC_FORM "event=route.request&call_id=1717495200.42" \
	"&from=%2B380501234567&did=380441234567"
#define VEC_FORM_SIG \
	"sha256=446b5e532147814c0dc0199dfea762e5c7ca1d69e13e6e7d5a5f4cd26599e69f"
/* Our own JSON vector (docs/generic-format.md §4.2), computed with
 * `printf '%s' "1717495242.$BODY" | openssl dgst -sha256 -hmac ...`:
 * providers.md §5.3 gives a JSON signature without its body. */
#define VEC_JSON "{\"event\":\"call.end\",\"call_id\":\"1717495200.42\"," \
	"\"uniqueid\":\"1717495200.42\",\"direction\":\"in\"," \
	"\"from\":\"+380501234567\",\"did\":\"380441234567\",\"ext\":\"101\"," \
	"\"start\":1717495200,\"answer\":1717495205,\"end\":1717495242," \
	"\"duration\":42,\"billsec\":37,\"status\":\"answered\"," \
	"\"hangup_cause\":16}"
#define VEC_JSON_SIG \
	"sha256=03f28f9ce76afc37c9b15b0b8ece89d74f183f79daa64c08f4c185f03465168e"

#define DEMO_SECRET "demo-generic-secret"

static const struct provider *P = &generic_provider;
static struct arena *a;
static struct kvlist form, query;
static struct json_object *json;
static struct prov_req req;
static struct prov_conf conf;
static struct call_event ev;
static const char *why;

/* Request headers for the adapter's header() callback. */
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
	conf.slug = "generic";
	conf.default_country = "UA";
	set_secrets("{\"secret\":\"" DEMO_SECRET "\"}");
	req.method = HTTP_POST;
	req.url = "https://crm.example.com/hook/generic";
	req.remote_addr = "192.0.2.10";
	req.now = VEC_NOW;
	req.header = header_cb;
	req.hctx = NULL;
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

/* A body that came without Content-Type (dialplan CURL() with a header
 * set): the hook parses neither a form nor JSON. */
static void
body_raw(const char *body)
{
	req.json = NULL;
	req.form = NULL;
	req.body = arena_strdup(a, body);
	req.body_len = strlen(body);
	req.content_type = NULL;
}

/* Signs the current body at time ts with secret, as a PBX would. */
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

static void
sign(void)
{
	sign_at(DEMO_SECRET, VEC_NOW);
}

static enum cb_err
verify(void)
{
	why = NULL;
	return P->verify(&conf, &req, &why);
}

static enum cb_err
parse(void)
{
	why = NULL;
	ev_init(&ev);
	return P->parse(&conf, &req, &ev, &why);
}

static void
parse_ok(void)
{
	enum cb_err rc = parse();

	ck_assert_msg(rc == CB_OK, "parse: %s", why ? why : "?");
}

static void
parse_bad(const char *why_part)
{
	ck_assert_int_eq(parse(), CB_EINVAL);
	ck_assert_ptr_nonnull(why);
	if (why_part != NULL)
		ck_assert_msg(strstr(why, why_part) != NULL,
		    "why '%s' lacks '%s'", why, why_part);
}

static void
denied(const char *why_part)
{
	ck_assert_int_eq(verify(), CB_EDENIED);
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strstr(why, why_part) != NULL, "why '%s' lacks '%s'",
	    why, why_part);
}

/* The answer body for the current event. */
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

/* ------------------------------------------------ signature vectors -- */
/* The §5.3 form and JSON vectors, and the wrong secret, are data now:
 * tests/vectors/generic/ (tests/unit/test_vectors.c runs them). */

START_TEST(test_vector_uppercase_hex_verifies)
{
	char sig[80];
	size_t i;

	set_secrets("{\"secret\":\"" VEC_SECRET "\"}");
	body_form(VEC_FORM);
	snprintf(sig, sizeof(sig), "%s", VEC_FORM_SIG);
	for (i = 0; sig[i]; i++)
		sig[i] = (char)(sig[i] >= 'a' && sig[i] <= 'z' ?
		    sig[i] - 32 : sig[i]);
	set_header("X-Timestamp", VEC_TS);
	set_header("X-Signature", sig);
	ck_assert_int_eq(verify(), CB_OK);
}
END_TEST

START_TEST(test_bad_signature_one_digit_denied)
{
	char sig[80];

	set_secrets("{\"secret\":\"" VEC_SECRET "\"}");
	body_form(VEC_FORM);
	snprintf(sig, sizeof(sig), "%s", VEC_FORM_SIG);
	sig[20] = sig[20] == '0' ? '1' : '0';
	set_header("X-Timestamp", VEC_TS);
	set_header("X-Signature", sig);
	denied("does not match");
}
END_TEST

START_TEST(test_tampered_body_denied)
{
	set_secrets("{\"secret\":\"" VEC_SECRET "\"}");
	body_form("event=route.request&call_id=1717495200.42"
	    "&from=%2B380670000000&did=380441234567");
	set_header("X-Timestamp", VEC_TS);
	set_header("X-Signature", VEC_FORM_SIG);
	denied("does not match");
}
END_TEST

START_TEST(test_timestamp_is_signed_too)
{
	set_secrets("{\"secret\":\"" VEC_SECRET "\"}");
	body_form(VEC_FORM);
	set_header("X-Timestamp", "1717495243");
	set_header("X-Signature", VEC_FORM_SIG);
	denied("does not match");
}
END_TEST

START_TEST(test_missing_signature_denied)
{
	body_json(VEC_JSON);
	set_header("X-Timestamp", VEC_TS);
	denied("missing X-Signature");
}
END_TEST

START_TEST(test_missing_timestamp_denied)
{
	body_json(VEC_JSON);
	sign();
	set_header("X-Timestamp", NULL);
	denied("missing X-Timestamp");
}
END_TEST

START_TEST(test_no_headers_at_all_denied)
{
	body_json(VEC_JSON);
	req.header = NULL;
	ck_assert_int_eq(verify(), CB_EDENIED);
}
END_TEST

START_TEST(test_replay_window_edges)
{
	body_json(VEC_JSON);
	sign_at(DEMO_SECRET, VEC_NOW - 300);
	ck_assert_int_eq(verify(), CB_OK);
	sign_at(DEMO_SECRET, VEC_NOW + 300);
	ck_assert_int_eq(verify(), CB_OK);
	sign_at(DEMO_SECRET, VEC_NOW - 301);
	denied("more than 300 s old");
	sign_at(DEMO_SECRET, VEC_NOW + 301);
	denied("in the future");
}
END_TEST

START_TEST(test_timestamp_in_milliseconds_denied)
{
	body_json(VEC_JSON);
	sign_at(DEMO_SECRET, VEC_NOW * 1000LL);
	denied("not milliseconds");
}
END_TEST

START_TEST(test_timestamp_not_digits_denied)
{
	static const char *const bad[] = {
		"-1717495242", "+1717495242", "1717495242.5", " 1717495242",
		"0x66", "Tue, 04 Jun 2024 10:00:42 GMT", "1717495242000000",
	};
	size_t i;

	body_json(VEC_JSON);
	sign();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		set_header("X-Timestamp", bad[i]);
		ck_assert_int_eq(verify(), CB_EDENIED);
	}
}
END_TEST

START_TEST(test_signature_format_denied)
{
	static const char *const bad[] = {
		"446b5e532147814c0dc0199dfea762e5c7ca1d69e13e6e7d5a5f4cd26599e69f",
		"sha1=446b5e532147814c0dc0199dfea762e5c7ca1d69e13e6e7d5a5f4cd26599e69f",
		"sha256=446b5e53",
		"sha256=446b5e532147814c0dc0199dfea762e5c7ca1d69e13e6e7d5a5f4cd26599e69f0",
		"sha256=RGt1MjE0N2Q4MTRjMGRjMDE5OWRmZWE3NjJlNWM3Y2ExZDY5ZTEzZTZlN2Q1",
	};
	size_t i;

	set_secrets("{\"secret\":\"" VEC_SECRET "\"}");
	body_form(VEC_FORM);
	set_header("X-Timestamp", VEC_TS);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		set_header("X-Signature", bad[i]);
		ck_assert_int_eq(verify(), CB_EDENIED);
	}
}
END_TEST

START_TEST(test_no_secret_configured_denied)
{
	body_json(VEC_JSON);
	sign();
	set_secrets("{}");
	denied("no secret");
	set_secrets("{\"secret\":\"\"}");
	denied("no secret");
	set_secrets(NULL);
	denied("no secret");
	set_secrets("{\"secret\":42}");
	denied("no secret");
}
END_TEST

START_TEST(test_empty_body_signed_verifies)
{
	/* A signed GET: the signature covers "<ts>." only. */
	req.method = HTTP_GET;
	req.body = "";
	req.body_len = 0;
	req.content_type = NULL;
	sign();
	ck_assert_int_eq(verify(), CB_OK);
	parse_bad("missing event");
}
END_TEST

/* ------------------------------------------------------- the events -- */

START_TEST(test_call_start_incoming)
{
	body_json("{\"event\":\"call.start\",\"call_id\":\"1717495200.42\","
	    "\"uniqueid\":\"1717495200.42\",\"direction\":\"in\","
	    "\"from\":\"0501234567\",\"to\":\"380441234567\","
	    "\"start\":1717495200.25,\"caller_name\":\"Олена Коваленко\"}");
	parse_ok();
	ck_assert_int_eq(ev.kind, EV_RINGING);
	ck_assert(!ev.wants_route);
	ck_assert_str_eq(ev.type_name, "call.start");
	ck_assert_int_eq(ev.dir, DIR_IN);
	ck_assert_str_eq(ev.client, "0501234567");
	ck_assert_str_eq(ev.our_number, "380441234567");
	ck_assert_str_eq(ev.extension, "");
	ck_assert_str_eq(ev.leg_id, "");
	ck_assert_int_eq(ev.started_ms, 1717495200250LL);
	ck_assert_int_eq(ev.at_ms, 1717495200250LL);
	ck_assert_int_eq(ev.result, RES_NONE);
	ck_assert_str_eq(ev.caller_name, "Олена Коваленко");
	ck_assert_str_eq(ev.event_id, "");
}
END_TEST

START_TEST(test_call_ringing_leg_on_extension)
{
	body_json("{\"event\":\"call.ringing\",\"call_id\":\"1717495200.42\","
	    "\"uniqueid\":\"1717495201.43\",\"direction\":\"in\","
	    "\"from\":\"+380501234567\",\"did\":\"380441234567\","
	    "\"ext\":\"103\",\"start\":1717495201}");
	parse_ok();
	ck_assert_int_eq(ev.kind, EV_RINGING);
	ck_assert_str_eq(ev.extension, "103");
	ck_assert_str_eq(ev.leg_id, "1717495201.43");
	ck_assert_str_eq(ev.call_id, "1717495200.42");
}
END_TEST

START_TEST(test_call_answer_by_extension)
{
	body_form("event=call.answer&call_id=1717495200.42"
	    "&uniqueid=1717495201.43&direction=in&from=%2B380501234567"
	    "&ext=103&answer=1717495205.5&start=1717495200");
	parse_ok();
	ck_assert_int_eq(ev.kind, EV_ANSWERED);
	ck_assert_int_eq(ev.result, RES_ANSWERED);
	ck_assert_str_eq(ev.extension, "103");
	ck_assert_str_eq(ev.leg_id, "1717495201.43");
	ck_assert_int_eq(ev.answered_ms, 1717495205500LL);
	ck_assert_int_eq(ev.at_ms, 1717495205500LL);
	ck_assert_int_eq(ev.started_ms, 1717495200000LL);
}
END_TEST

START_TEST(test_call_answer_without_times)
{
	body_json("{\"event\":\"call.answer\",\"call_id\":\"c1\",\"ext\":\"101\"}");
	parse_ok();
	ck_assert_int_eq(ev.kind, EV_ANSWERED);
	ck_assert_int_eq(ev.at_ms, 0);            /* the pipeline: "now" */
	ck_assert_int_eq(ev.answered_ms, 0);
}
END_TEST

START_TEST(test_call_end_missed_incoming)
{
	body_json("{\"event\":\"call.end\",\"call_id\":\"c2\","
	    "\"direction\":\"in\",\"from\":\"+380501234567\","
	    "\"start\":1717495200,\"end\":1717495218,\"duration\":18,"
	    "\"billsec\":0,\"status\":\"no-answer\",\"hangup_cause\":\"19\"}");
	parse_ok();
	ck_assert_int_eq(ev.kind, EV_ENDED);
	ck_assert_int_eq(ev.result, RES_MISSED);
	ck_assert_int_eq(ev.talk_s, 0);
	ck_assert_int_eq(ev.wait_s, 18);
	ck_assert_int_eq(ev.answered_ms, 0);
	ck_assert_int_eq(ev.ended_ms, 1717495218000LL);
	ck_assert_int_eq(ev.at_ms, 1717495218000LL);
	ck_assert_str_eq(ev.leg_id, "");
}
END_TEST

START_TEST(test_call_end_outgoing_no_answer)
{
	body_json("{\"event\":\"call.end\",\"call_id\":\"c3\","
	    "\"direction\":\"out\",\"from\":\"104\",\"to\":\"0671234567\","
	    "\"ext\":\"104\",\"duration\":25,\"status\":\"NOANSWER\"}");
	parse_ok();
	ck_assert_int_eq(ev.dir, DIR_OUT);
	ck_assert_int_eq(ev.result, RES_NO_ANSWER);
	ck_assert_str_eq(ev.client, "0671234567");
	/* "from" is the extension itself, not our line. */
	ck_assert_str_eq(ev.our_number, "");
	ck_assert_int_eq(ev.talk_s, 0);
	ck_assert_int_eq(ev.wait_s, 25);
}
END_TEST

START_TEST(test_call_end_outgoing_our_line_from_did)
{
	body_json("{\"event\":\"call.end\",\"call_id\":\"c3b\","
	    "\"direction\":\"outbound\",\"from\":\"380441234567\","
	    "\"to\":\"+48223900400\",\"ext\":\"104\",\"status\":\"BUSY\"}");
	parse_ok();
	ck_assert_int_eq(ev.result, RES_BUSY);
	ck_assert_str_eq(ev.client, "+48223900400");
	ck_assert_str_eq(ev.our_number, "380441234567");
}
END_TEST

START_TEST(test_call_end_without_status_says_nothing)
{
	/* DESIGN §3: simple integrations may send no result; never guess,
	 * even with talk time present. */
	body_json("{\"event\":\"call.end\",\"call_id\":\"c4\","
	    "\"billsec\":30,\"duration\":40}");
	parse_ok();
	ck_assert_int_eq(ev.result, RES_NONE);
	ck_assert_int_eq(ev.talk_s, 30);
	ck_assert_int_eq(ev.wait_s, 10);
	ck_assert_int_eq(ev.ended_ms, 0);        /* the pipeline: "now" */
}
END_TEST

START_TEST(test_call_end_times_derived)
{
	/* end from start + duration; talk from end - answer. */
	body_json("{\"event\":\"call.end\",\"call_id\":\"c5\","
	    "\"start\":1717495200,\"answer\":1717495210,\"duration\":50,"
	    "\"status\":\"ANSWERED\"}");
	parse_ok();
	ck_assert_int_eq(ev.ended_ms, 1717495250000LL);
	ck_assert_int_eq(ev.talk_s, 40);
	ck_assert_int_eq(ev.wait_s, 10);
	/* start from end - duration */
	body_json("{\"event\":\"call.end\",\"call_id\":\"c5\","
	    "\"end\":1717495250,\"duration\":50,\"status\":\"answered\","
	    "\"billsec\":40}");
	parse_ok();
	ck_assert_int_eq(ev.started_ms, 1717495200000LL);
	ck_assert_int_eq(ev.wait_s, 10);
}
END_TEST

START_TEST(test_call_end_unanswered_cdr_answer_zero)
{
	/* CDR(answer,u) of an unanswered call is 0: "not said". */
	body_form("event=call.end&call_id=c6&direction=in&start=1717495200"
	    "&answer=0.000000&end=1717495210.000000&billsec=0"
	    "&status=NO%20ANSWER");
	parse_ok();
	ck_assert_int_eq(ev.answered_ms, 0);
	ck_assert_int_eq(ev.result, RES_MISSED);
	ck_assert_int_eq(ev.wait_s, 10);
}
END_TEST

START_TEST(test_call_end_leg_folds_into_call)
{
	/* A ring-group member's leg ended: same call, its own leg. */
	body_json("{\"event\":\"call.end\",\"call_id\":\"1717495200.42\","
	    "\"uniqueid\":\"1717495201.44\",\"direction\":\"in\","
	    "\"ext\":\"PJSIP/104-0000001a\",\"status\":\"CANCEL\"}");
	parse_ok();
	ck_assert_int_eq(ev.kind, EV_ENDED);
	ck_assert_str_eq(ev.call_id, "1717495200.42");
	ck_assert_str_eq(ev.leg_id, "1717495201.44");
	ck_assert_str_eq(ev.extension, "104");
	ck_assert_int_eq(ev.result, RES_MISSED);
}
END_TEST

START_TEST(test_uniqueid_equal_to_call_id_is_the_call)
{
	body_json("{\"event\":\"call.end\",\"call_id\":\"1717495200.42\","
	    "\"uniqueid\":\"1717495200.42\",\"status\":\"answered\"}");
	parse_ok();
	ck_assert_str_eq(ev.leg_id, "");
}
END_TEST

START_TEST(test_route_request_never_a_leg)
{
	body_json("{\"event\":\"route.request\",\"call_id\":\"1717495200.42\","
	    "\"uniqueid\":\"1717495200.50\",\"from\":\"+380501234567\"}");
	parse_ok();
	ck_assert(ev.wants_route);
	ck_assert_str_eq(ev.leg_id, "");
}
END_TEST

START_TEST(test_route_request_without_call_id)
{
	body_json("{\"event\":\"route.request\",\"from\":\"0501234567\"}");
	parse_ok();
	ck_assert(ev.wants_route);
	ck_assert_int_eq(ev.kind, EV_RINGING);
	ck_assert_str_eq(ev.call_id, "");
	ck_assert_str_eq(ev.client, "0501234567");
}
END_TEST

START_TEST(test_recording_ready_relative_path)
{
	body_json("{\"event\":\"recording.ready\",\"call_id\":\"c7\","
	    "\"recording\":\"2024/06/04/in-0501234567-1717495200.42.wav\"}");
	parse_ok();
	ck_assert_int_eq(ev.kind, EV_RECORDING);
	ck_assert_str_eq(ev.recording_ref,
	    "2024/06/04/in-0501234567-1717495200.42.wav");
	ck_assert_str_eq(ev.recording_url, "");
}
END_TEST

START_TEST(test_recording_ready_url)
{
	body_json("{\"event\":\"recording.ready\",\"call_id\":\"c7\","
	    "\"recording_url\":\"https://pbx.example.com/rec/c7.mp3?t=1\"}");
	parse_ok();
	ck_assert_int_eq(ev.kind, EV_RECORDING);
	ck_assert_str_eq(ev.recording_url,
	    "https://pbx.example.com/rec/c7.mp3?t=1");
	ck_assert_str_eq(ev.recording_ref, "");
}
END_TEST

START_TEST(test_recording_on_call_end)
{
	body_form("event=call.end&call_id=c8&status=ANSWER"
	    "&recording=monitor%2F2024%2F06%2F04%2Fc8.wav");
	parse_ok();
	ck_assert_int_eq(ev.kind, EV_ENDED);
	ck_assert_str_eq(ev.recording_ref, "monitor/2024/06/04/c8.wav");
}
END_TEST

START_TEST(test_recording_ready_needs_a_reference)
{
	body_json("{\"event\":\"recording.ready\",\"call_id\":\"c7\"}");
	parse_bad("recording");
}
END_TEST

START_TEST(test_recording_path_refused)
{
	static const char *const bad[] = {
		"/var/spool/asterisk/monitor/x.wav", "../etc/passwd",
		"2024/../../x.wav", "2024//x.wav", "./x.wav", "a\\b.wav",
		"x.wav/", "dir/./x.wav",
	};
	char body[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "event",
		    json_object_new_string("recording.ready"));
		json_object_object_add(o, "call_id",
		    json_object_new_string("c7"));
		json_object_object_add(o, "recording",
		    json_object_new_string(bad[i]));
		snprintf(body, sizeof(body), "%s",
		    json_object_to_json_string(o));
		json_object_put(o);
		body_json(body);
		parse_bad("relative path");
	}
}
END_TEST

START_TEST(test_recording_url_must_be_http)
{
	body_json("{\"event\":\"recording.ready\",\"call_id\":\"c7\","
	    "\"recording_url\":\"javascript:alert(1)\"}");
	parse_bad("recording_url");
	body_json("{\"event\":\"recording.ready\",\"call_id\":\"c7\","
	    "\"recording_url\":\"file:///etc/passwd\"}");
	parse_bad("recording_url");
	body_json("{\"event\":\"recording.ready\",\"call_id\":\"c7\","
	    "\"recording_url\":\"https:///x\"}");
	parse_bad("recording_url");
	body_json("{\"event\":\"recording.ready\",\"call_id\":\"c7\","
	    "\"recording_url\":\"https://a b/x\"}");
	parse_bad("recording_url");
}
END_TEST

START_TEST(test_unknown_event_stored_raw)
{
	body_json("{\"event\":\"call.hold\",\"call_id\":\"c9\","
	    "\"start\":\"not a time\",\"event_id\":\"e-9\"}");
	parse_ok();
	ck_assert_int_eq(ev.kind, EV_UNKNOWN);
	ck_assert_str_eq(ev.type_name, "call.hold");
	ck_assert_str_eq(ev.call_id, "c9");
	ck_assert_str_eq(ev.event_id, "e-9");
}
END_TEST

START_TEST(test_unknown_event_with_bad_call_id)
{
	body_json("{\"event\":\"call.park\",\"call_id\":{\"x\":1}}");
	parse_ok();
	ck_assert_int_eq(ev.kind, EV_UNKNOWN);
	ck_assert_str_eq(ev.call_id, "");
}
END_TEST

START_TEST(test_event_id_passed_through)
{
	body_json("{\"event\":\"call.start\",\"call_id\":\"c10\","
	    "\"event_id\":\"c10:start:1\"}");
	parse_ok();
	ck_assert_str_eq(ev.event_id, "c10:start:1");
}
END_TEST

START_TEST(test_json_numbers_keep_their_text)
{
	/* Linkedid posted as a JSON number stays "1717495200.42". */
	body_json("{\"event\":\"call.start\",\"call_id\":1717495200.42,"
	    "\"from\":380501234567,\"ext\":101}");
	parse_ok();
	ck_assert_str_eq(ev.call_id, "1717495200.42");
	ck_assert_str_eq(ev.client, "380501234567");
	ck_assert_str_eq(ev.extension, "101");
}
END_TEST

START_TEST(test_json_null_is_not_said)
{
	body_json("{\"event\":\"call.end\",\"call_id\":\"c11\","
	    "\"status\":null,\"billsec\":null,\"ext\":null}");
	parse_ok();
	ck_assert_int_eq(ev.result, RES_NONE);
	ck_assert_int_eq(ev.talk_s, -1);
	ck_assert_str_eq(ev.extension, "");
}
END_TEST

START_TEST(test_empty_values_are_not_said)
{
	/* A dialplan sends "name=" for an unset variable. */
	body_form("event=call.end&call_id=c12&status=&billsec=&ext="
	    "&direction=&answer=");
	parse_ok();
	ck_assert_int_eq(ev.result, RES_NONE);
	ck_assert_int_eq(ev.dir, DIR_UNKNOWN);
	ck_assert_str_eq(ev.extension, "");
}
END_TEST

START_TEST(test_form_without_content_type)
{
	/* Dialplan CURL() drops the default Content-Type once any header
	 * is set (providers.md §4.4). */
	body_raw("event=call.end&call_id=1717495200.42&from=%2B380501234567"
	    "&ext=SIP%2F101-00000012&billsec=37&status=ANSWER"
	    "&caller_name=Ivan+Petrenko&call_id=ignored");
	parse_ok();
	ck_assert_int_eq(ev.kind, EV_ENDED);
	ck_assert_str_eq(ev.call_id, "1717495200.42");
	ck_assert_str_eq(ev.client, "+380501234567");
	ck_assert_str_eq(ev.extension, "101");
	ck_assert_str_eq(ev.caller_name, "Ivan Petrenko");
	ck_assert_int_eq(ev.talk_s, 37);
	ck_assert_int_eq(ev.result, RES_ANSWERED);
}
END_TEST

START_TEST(test_form_with_empty_content_type)
{
	/* nginx's $content_type is "" when the header is absent. */
	body_raw("event=call.start&call_id=c13&ext=103");
	req.content_type = "";
	parse_ok();
	ck_assert_str_eq(ev.call_id, "c13");
	ck_assert_str_eq(ev.extension, "103");
}
END_TEST

START_TEST(test_raw_form_bad_escape)
{
	body_raw("event=call.end&call_id=c%2");
	parse_bad("call_id");
	body_raw("ev%zzent=call.end&call_id=c");
	parse_bad("form body");
	body_raw("event=call.end&call_id=c%00d");
	parse_bad("call_id");
}
END_TEST

START_TEST(test_raw_json_without_content_type)
{
	body_raw("  {\"event\":\"call.end\",\"call_id\":\"c\"}");
	parse_bad("Content-Type: application/json");
}
END_TEST

START_TEST(test_other_content_type_refused)
{
	body_raw("event=call.end&call_id=c");
	req.content_type = "text/plain";
	parse_bad("expected");
}
END_TEST

START_TEST(test_query_ignored_when_signed)
{
	/* The signature covers the body only; generic never reads the URL. */
	set_query("event=call.start&call_id=q1");
	req.body = "";
	req.body_len = 0;
	parse_bad("missing event");
	body_json("{\"event\":\"call.start\"}");
	set_query("call_id=q1");
	parse_bad("missing call_id");
}
END_TEST

START_TEST(test_missing_event)
{
	body_json("{\"call_id\":\"c\"}");
	parse_bad("missing event");
	body_form("call_id=c");
	parse_bad("missing event");
}
END_TEST

START_TEST(test_missing_call_id)
{
	static const char *const events[] = {
		"call.start", "call.ringing", "call.answer", "call.end",
		"recording.ready",
	};
	char body[128];
	size_t i;

	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		snprintf(body, sizeof(body), "{\"event\":\"%s\"}", events[i]);
		body_json(body);
		parse_bad(i == 4 ? NULL : "missing call_id");
	}
}
END_TEST

START_TEST(test_json_body_not_an_object)
{
	body_json("[{\"event\":\"call.end\"}]");
	parse_bad("object");
	body_json("\"call.end\"");
	parse_bad("object");
}
END_TEST

START_TEST(test_malformed_fields)
{
	static const struct { const char *body, *why; } cases[] = {
		{ "{\"event\":\"call.end\",\"call_id\":{\"a\":1}}", "call_id" },
		{ "{\"event\":\"call.end\",\"call_id\":[1]}", "call_id" },
		{ "{\"event\":\"call.end\",\"call_id\":true}", "call_id" },
		{ "{\"event\":\"call.end\",\"call_id\":\"a b\"}", "call_id" },
		{ "{\"event\":\"call.end\",\"call_id\":\"a\\u0000b\"}", "call_id" },
		{ "{\"event\":\"call.end\",\"call_id\":\"c\",\"direction\":\"sideways\"}", "direction" },
		{ "{\"event\":\"call.end\",\"call_id\":\"c\",\"start\":\"yesterday\"}", "start" },
		{ "{\"event\":\"call.end\",\"call_id\":\"c\",\"start\":-5}", "start" },
		{ "{\"event\":\"call.end\",\"call_id\":\"c\",\"start\":1.7e9}", "start" },
		{ "{\"event\":\"call.end\",\"call_id\":\"c\",\"end\":99999999999}", "end" },
		{ "{\"event\":\"call.end\",\"call_id\":\"c\",\"answer\":\"1717495200.\"}", NULL },
		{ "{\"event\":\"call.end\",\"call_id\":\"c\",\"billsec\":-1}", "billsec" },
		{ "{\"event\":\"call.end\",\"call_id\":\"c\",\"billsec\":864001}", "billsec" },
		{ "{\"event\":\"call.end\",\"call_id\":\"c\",\"duration\":\"42s\"}", "duration" },
		{ "{\"event\":\"call.end\",\"call_id\":\"c\",\"from\":\"\\n050\"}", "from" },
		{ "{\"event\":\"call.end\",\"call_id\":\"c\",\"ext\":\"PJSIP/\"}", "ext" },
		{ "{\"event\":\"call.end\",\"call_id\":\"c\",\"ext\":\"123456789012345678901234567890123\"}", "ext" },
		{ "{\"event\":\"call.end\",\"call_id\":\"c\",\"caller_name\":\"\\u0007bell\"}", "caller_name" },
		{ "{\"event\":\"call.end\",\"call_id\":\"c\",\"status\":\"ANSWERED ANSWERED ANSWERED ANSWERED\"}", "status" },
		{ "{\"event\":\"call.e\\u00e9nd\",\"call_id\":\"c\"}", "event" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		body_json(cases[i].body);
		if (cases[i].why == NULL) {
			/* "1717495200." is a number with no decimals: fine. */
			parse_ok();
			continue;
		}
		ck_assert_msg(parse() == CB_EINVAL, "case %zu accepted", i);
		ck_assert_msg(why && strstr(why, cases[i].why), "case %zu: %s",
		    i, why ? why : "(null)");
	}
}
END_TEST

START_TEST(test_field_size_limits)
{
	char body[600], id[200];

	memset(id, 'x', 128);
	id[128] = '\0';
	snprintf(body, sizeof(body), "{\"event\":\"call.start\","
	    "\"call_id\":\"%s\"}", id);
	body_json(body);
	parse_ok();
	ck_assert_uint_eq(strlen(ev.call_id), 128);
	id[128] = 'x';
	id[129] = '\0';
	snprintf(body, sizeof(body), "{\"event\":\"call.start\","
	    "\"call_id\":\"%s\"}", id);
	body_json(body);
	parse_bad("at most 128 bytes");
	/* The same in a raw form. */
	snprintf(body, sizeof(body), "event=call.start&call_id=%s", id);
	body_raw(body);
	parse_bad("at most 128 bytes");
}
END_TEST

START_TEST(test_invalid_utf8_caller_name)
{
	body_form("event=call.start&call_id=c&caller_name=%C0%AF");
	parse_bad("caller_name");
	body_form("event=call.start&call_id=c&caller_name=%ED%A0%80");
	parse_bad("caller_name");
	body_form("event=call.start&call_id=c&caller_name=%F0%9F%9A");
	parse_bad("caller_name");
	body_form("event=call.start&call_id=c"
	    "&caller_name=Caf%C3%A9+Ol%C3%A9+%F0%9F%9A%80");
	parse_ok();
	ck_assert_str_eq(ev.caller_name, "Café Olé 🚀");
}
END_TEST

START_TEST(test_extension_from_channel_names)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "101", "101" },
		{ "PJSIP/101-0000001a", "101" },
		{ "SIP/manager-00000012", "manager" },
		{ "Local/103@from-queue-00000012;1", "103" },
		{ "IAX2/104", "104" },
		{ "PJSIP/105-abc", "105-abc" },
		{ "*98", "*98" },
	};
	char body[200];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(body, sizeof(body), "{\"event\":\"call.answer\","
		    "\"call_id\":\"c\",\"ext\":\"%s\"}", cases[i].in);
		body_json(body);
		parse_ok();
		ck_assert_str_eq(ev.extension, cases[i].out);
	}
	body_json("{\"event\":\"call.answer\",\"call_id\":\"c\","
	    "\"ext\":\"PJSIP/trunk/0501234567\"}");
	parse_bad("ext");
}
END_TEST

START_TEST(test_direction_synonyms)
{
	static const struct { const char *in; enum call_dir d; } cases[] = {
		{ "in", DIR_IN }, { "INBOUND", DIR_IN }, { "incoming", DIR_IN },
		{ "out", DIR_OUT }, { "Outbound", DIR_OUT },
		{ "outgoing", DIR_OUT }, { "internal", DIR_INTERNAL },
		{ "local", DIR_INTERNAL },
	};
	char body[200];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(body, sizeof(body), "{\"event\":\"call.start\","
		    "\"call_id\":\"c\",\"direction\":\"%s\"}", cases[i].in);
		body_json(body);
		parse_ok();
		ck_assert_int_eq(ev.dir, cases[i].d);
	}
}
END_TEST

START_TEST(test_internal_call_parties)
{
	body_json("{\"event\":\"call.start\",\"call_id\":\"c\","
	    "\"direction\":\"internal\",\"from\":\"101\",\"to\":\"103\","
	    "\"ext\":\"103\"}");
	parse_ok();
	ck_assert_str_eq(ev.client, "101");
	ck_assert_str_eq(ev.our_number, "");
}
END_TEST

START_TEST(test_incoming_to_is_not_ours_when_it_is_the_extension)
{
	body_json("{\"event\":\"call.ringing\",\"call_id\":\"c\","
	    "\"direction\":\"in\",\"from\":\"0501234567\",\"to\":\"103\","
	    "\"ext\":\"103\"}");
	parse_ok();
	ck_assert_str_eq(ev.our_number, "");
}
END_TEST

/* ------------------------------------------------- status mapping -- */

START_TEST(test_status_mapping_table)
{
	static const struct {
		const char *status;
		enum call_result in, out;
	} cases[] = {
		{ "answered", RES_ANSWERED, RES_ANSWERED },
		{ "ANSWER", RES_ANSWERED, RES_ANSWERED },
		{ "ANSWERED", RES_ANSWERED, RES_ANSWERED },
		{ "no-answer", RES_MISSED, RES_NO_ANSWER },
		{ "NOANSWER", RES_MISSED, RES_NO_ANSWER },
		{ "NO ANSWER", RES_MISSED, RES_NO_ANSWER },
		{ "no_answer", RES_MISSED, RES_NO_ANSWER },
		{ "canceled", RES_MISSED, RES_NO_ANSWER },
		{ "cancelled", RES_MISSED, RES_NO_ANSWER },
		{ "CANCEL", RES_MISSED, RES_NO_ANSWER },
		{ "busy", RES_BUSY, RES_BUSY },
		{ "BUSY", RES_BUSY, RES_BUSY },
		{ "failed", RES_FAILED, RES_FAILED },
		{ "FAILED", RES_FAILED, RES_FAILED },
		{ "CONGESTION", RES_FAILED, RES_FAILED },
		{ "CHANUNAVAIL", RES_FAILED, RES_FAILED },
		{ "CONTINUE", RES_NONE, RES_NONE },
		{ "", RES_NONE, RES_NONE },
		{ "SOMETHING-NEW", RES_UNKNOWN, RES_UNKNOWN },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_msg(prov_generic_result(cases[i].status, DIR_IN) ==
		    cases[i].in, "in %s", cases[i].status);
		ck_assert_msg(prov_generic_result(cases[i].status, DIR_OUT) ==
		    cases[i].out, "out %s", cases[i].status);
		ck_assert_msg(prov_generic_result(cases[i].status,
		    DIR_INTERNAL) == cases[i].out, "internal %s",
		    cases[i].status);
		/* Unsaid direction is stored as incoming. */
		ck_assert_msg(prov_generic_result(cases[i].status,
		    DIR_UNKNOWN) == cases[i].in, "unknown %s",
		    cases[i].status);
	}
	ck_assert_int_eq(prov_generic_result(NULL, DIR_IN), RES_NONE);
}
END_TEST

START_TEST(test_status_through_parse_by_direction)
{
	body_form("event=call.end&call_id=c&direction=out&status=canceled");
	parse_ok();
	ck_assert_int_eq(ev.result, RES_NO_ANSWER);
	body_form("event=call.end&call_id=c&direction=in&status=canceled");
	parse_ok();
	ck_assert_int_eq(ev.result, RES_MISSED);
	body_form("event=call.end&call_id=c&status=NOANSWER");
	parse_ok();
	ck_assert_int_eq(ev.result, RES_MISSED);
	body_form("event=call.end&call_id=c&status=weird");
	parse_ok();
	ck_assert_int_eq(ev.result, RES_UNKNOWN);
}
END_TEST

/* -------------------------------------------------------- answers -- */

START_TEST(test_answer_ack_json)
{
	const char *ct, *body;

	body_json("{\"event\":\"call.end\",\"call_id\":\"c\"}");
	parse_ok();
	body = answer(NULL, &ct);
	ck_assert_str_eq(ct, "application/json");
	ck_assert_str_eq(body, "{\"status\":\"ok\"}");
	body_json("{\"event\":\"call.hold\",\"call_id\":\"c\"}");
	parse_ok();
	ck_assert_str_eq(answer(NULL, &ct), "{\"status\":\"ok\"}");
}
END_TEST

START_TEST(test_answer_route_known_customer)
{
	struct route_answer ra = {
		.extension = "101",
		.customer_name = "Mallory <script>alert(1)</script>",
		.customer_url = "https://crm.example.com/customers/7/calls",
		.fallback_kind = "queue", .fallback_target = "600",
	};
	const char *ct, *body;
	struct json_object *o, *v, *c;

	body_json("{\"event\":\"route.request\",\"call_id\":\"c\","
	    "\"from\":\"0671234567\"}");
	parse_ok();
	body = answer(&ra, &ct);
	ck_assert_str_eq(ct, "application/json");
	o = json_tokener_parse(body);
	ck_assert_ptr_nonnull(o);
	ck_assert(json_object_object_get_ex(o, "extension", &v));
	ck_assert_str_eq(json_object_get_string(v), "101");
	ck_assert(json_object_object_get_ex(o, "customer", &c));
	ck_assert(json_object_object_get_ex(c, "name", &v));
	ck_assert_str_eq(json_object_get_string(v), ra.customer_name);
	ck_assert(json_object_object_get_ex(c, "url", &v));
	ck_assert_str_eq(json_object_get_string(v), ra.customer_url);
	ck_assert(json_object_object_get_ex(o, "fallback", &c));
	ck_assert(json_object_object_get_ex(c, "kind", &v));
	ck_assert_str_eq(json_object_get_string(v), "queue");
	ck_assert(json_object_object_get_ex(c, "target", &v));
	ck_assert_str_eq(json_object_get_string(v), "600");
	json_object_put(o);
}
END_TEST

START_TEST(test_answer_route_unknown_caller)
{
	struct route_answer ra = { .fallback_kind = "voicemail" };
	const char *ct;

	body_json("{\"event\":\"route.request\",\"from\":\"0990000000\"}");
	parse_ok();
	ck_assert_str_eq(answer(&ra, &ct), "{\"extension\":null,"
	    "\"customer\":null,\"fallback\":{\"kind\":\"voicemail\","
	    "\"target\":null}}");
	ck_assert_str_eq(answer(NULL, &ct), "{\"extension\":null,"
	    "\"customer\":null,\"fallback\":null}");
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("prov_generic");
	TCase *t = tcase_create("signature");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_vector_uppercase_hex_verifies);
	tcase_add_test(t, test_bad_signature_one_digit_denied);
	tcase_add_test(t, test_tampered_body_denied);
	tcase_add_test(t, test_timestamp_is_signed_too);
	tcase_add_test(t, test_missing_signature_denied);
	tcase_add_test(t, test_missing_timestamp_denied);
	tcase_add_test(t, test_no_headers_at_all_denied);
	tcase_add_test(t, test_replay_window_edges);
	tcase_add_test(t, test_timestamp_in_milliseconds_denied);
	tcase_add_test(t, test_timestamp_not_digits_denied);
	tcase_add_test(t, test_signature_format_denied);
	tcase_add_test(t, test_no_secret_configured_denied);
	tcase_add_test(t, test_empty_body_signed_verifies);
	suite_add_tcase(s, t);

	t = tcase_create("events");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_call_start_incoming);
	tcase_add_test(t, test_call_ringing_leg_on_extension);
	tcase_add_test(t, test_call_answer_by_extension);
	tcase_add_test(t, test_call_answer_without_times);
	tcase_add_test(t, test_call_end_missed_incoming);
	tcase_add_test(t, test_call_end_outgoing_no_answer);
	tcase_add_test(t, test_call_end_outgoing_our_line_from_did);
	tcase_add_test(t, test_call_end_without_status_says_nothing);
	tcase_add_test(t, test_call_end_times_derived);
	tcase_add_test(t, test_call_end_unanswered_cdr_answer_zero);
	tcase_add_test(t, test_call_end_leg_folds_into_call);
	tcase_add_test(t, test_uniqueid_equal_to_call_id_is_the_call);
	tcase_add_test(t, test_route_request_never_a_leg);
	tcase_add_test(t, test_route_request_without_call_id);
	tcase_add_test(t, test_recording_ready_relative_path);
	tcase_add_test(t, test_recording_ready_url);
	tcase_add_test(t, test_recording_on_call_end);
	tcase_add_test(t, test_recording_ready_needs_a_reference);
	tcase_add_test(t, test_unknown_event_stored_raw);
	tcase_add_test(t, test_unknown_event_with_bad_call_id);
	tcase_add_test(t, test_event_id_passed_through);
	tcase_add_test(t, test_json_numbers_keep_their_text);
	tcase_add_test(t, test_json_null_is_not_said);
	tcase_add_test(t, test_empty_values_are_not_said);
	tcase_add_test(t, test_form_without_content_type);
	tcase_add_test(t, test_form_with_empty_content_type);
	tcase_add_test(t, test_extension_from_channel_names);
	tcase_add_test(t, test_direction_synonyms);
	tcase_add_test(t, test_internal_call_parties);
	tcase_add_test(t, test_incoming_to_is_not_ours_when_it_is_the_extension);
	suite_add_tcase(s, t);

	t = tcase_create("malformed");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_recording_path_refused);
	tcase_add_test(t, test_recording_url_must_be_http);
	tcase_add_test(t, test_raw_form_bad_escape);
	tcase_add_test(t, test_raw_json_without_content_type);
	tcase_add_test(t, test_other_content_type_refused);
	tcase_add_test(t, test_query_ignored_when_signed);
	tcase_add_test(t, test_missing_event);
	tcase_add_test(t, test_missing_call_id);
	tcase_add_test(t, test_json_body_not_an_object);
	tcase_add_test(t, test_malformed_fields);
	tcase_add_test(t, test_field_size_limits);
	tcase_add_test(t, test_invalid_utf8_caller_name);
	suite_add_tcase(s, t);

	t = tcase_create("results");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_status_mapping_table);
	tcase_add_test(t, test_status_through_parse_by_direction);
	suite_add_tcase(s, t);

	t = tcase_create("answers");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_answer_ack_json);
	tcase_add_test(t, test_answer_route_known_customer);
	tcase_add_test(t, test_answer_route_unknown_caller);
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
