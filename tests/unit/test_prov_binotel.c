/* Unit tests for the Binotel adapter (lib/providers/binotel/): the
 * server allow-list and the URL key (providers.md §3.2), nested form and
 * JSON bodies, every requestType, disposition mapping, "who talked last"
 * from historyData, leg folding and the answers (§3.3). */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "calls/event.h"
#include "core/arena.h"
#include "core/buf.h"
#include "http/request.h"
#include "providers/provider.h"
#include "providers/registry.h"
#include "providers/binotel/binotel.h"

#define KEY "demo-binotel-key"
#define BINOTEL_IP "194.88.218.116"

static const struct provider *P = &binotel_provider;
static struct arena *a;
static struct kvlist form, query;
static struct json_object *json;
static struct prov_req req;
static struct prov_conf conf;
static struct call_event ev;
static const char *why;

/* A completed incoming call: rang 101 (no answer), then 103 talked 42 s
 * (transferred from 104 who talked 10 s first); recorded. */
#define COMPLETED_FORM "requestType=apiCallCompleted" \
	"&callDetails[companyID]=7&callDetails[generalCallID]=2500000001" \
	"&callDetails[callID]=2500000009&callDetails[startTime]=1717495200" \
	"&callDetails[callType]=0&callDetails[internalNumber]=104" \
	"&callDetails[externalNumber]=0671234567" \
	"&callDetails[pbxNumberData][number]=0322900200" \
	"&callDetails[pbxNumberData][name]=Lviv" \
	"&callDetails[waitsec]=8&callDetails[billsec]=52" \
	"&callDetails[disposition]=ANSWER&callDetails[isNewCall]=0" \
	"&callDetails[recordingStatus]=uploaded" \
	"&callDetails[historyData][0][waitsec]=5" \
	"&callDetails[historyData][0][billsec]=0" \
	"&callDetails[historyData][0][disposition]=NOANSWER" \
	"&callDetails[historyData][0][internalNumber]=101" \
	"&callDetails[historyData][1][waitsec]=3" \
	"&callDetails[historyData][1][billsec]=10" \
	"&callDetails[historyData][1][disposition]=TRANSFER" \
	"&callDetails[historyData][1][internalNumber]=104" \
	"&callDetails[historyData][2][waitsec]=0" \
	"&callDetails[historyData][2][billsec]=42" \
	"&callDetails[historyData][2][disposition]=ANSWER" \
	"&callDetails[historyData][2][internalNumber]=103"

#define COMPLETED_JSON "{\"requestType\":\"apiCallCompleted\"," \
	"\"callDetails\":{\"companyID\":7,\"generalCallID\":2500000001," \
	"\"callID\":2500000009,\"startTime\":1717495200,\"callType\":0," \
	"\"internalNumber\":104,\"externalNumber\":\"0671234567\"," \
	"\"pbxNumberData\":{\"number\":\"0322900200\",\"name\":\"Lviv\"}," \
	"\"waitsec\":8,\"billsec\":52,\"disposition\":\"ANSWER\"," \
	"\"isNewCall\":0,\"recordingStatus\":\"uploaded\"," \
	"\"customerData\":{\"id\":1,\"name\":\"Олена\"}," \
	"\"historyData\":[" \
	"{\"waitsec\":5,\"billsec\":0,\"disposition\":\"NOANSWER\"," \
	"\"internalNumber\":\"101\"}," \
	"{\"waitsec\":3,\"billsec\":10,\"disposition\":\"TRANSFER\"," \
	"\"internalNumber\":\"104\"}," \
	"{\"waitsec\":0,\"billsec\":42,\"disposition\":\"ANSWER\"," \
	"\"internalNumber\":\"103\"}]}}"

static void
setup(void)
{
	a = arena_new();
	memset(&req, 0, sizeof(req));
	memset(&conf, 0, sizeof(conf));
	json = NULL;
	conf.slug = "binotel";
	conf.secrets = json_tokener_parse(
	    "{\"key\":\"" KEY "\",\"secret\":\"demo-binotel-secret\"}");
	conf.default_country = "UA";
	req.remote_addr = BINOTEL_IP;
	req.now = 1717495300;
	why = NULL;
	ev_init(&ev);
	ck_assert_int_eq(http_parse_urlencoded(a, "", 0, &query, &why), CB_OK);
}

static void
teardown(void)
{
	json_object_put(conf.secrets);
	json_object_put(conf.config);
	json_object_put(json);
	arena_free(a);
}

static void
set_config(const char *js)
{
	json_object_put(conf.config);
	conf.config = js ? json_tokener_parse(js) : NULL;
}

static void
set_query(const char *qs)
{
	ck_assert_int_eq(http_parse_urlencoded(a, qs, strlen(qs), &query,
	    &why), CB_OK);
	req.query = &query;
}

static void
post_form(const char *body)
{
	ck_assert_msg(http_parse_urlencoded(a, body, strlen(body), &form,
	    &why) == CB_OK, "%s", why);
	json_object_put(json);
	json = NULL;
	req.method = HTTP_POST;
	req.form = &form;
	req.json = NULL;
	req.query = &query;
	req.body = body;
	req.body_len = strlen(body);
	req.content_type = "application/x-www-form-urlencoded";
}

static void
post_json(const char *body)
{
	json_object_put(json);
	json = json_tokener_parse(body);
	ck_assert_ptr_nonnull(json);
	req.method = HTTP_POST;
	req.form = NULL;
	req.json = json;
	req.query = &query;
	req.body = body;
	req.body_len = strlen(body);
	req.content_type = "application/json";
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

static void
ok(void)
{
	ck_assert_msg(verify() == CB_OK, "verify: %s", why);
	ck_assert_msg(parse() == CB_OK, "parse: %s", why);
}

static const char *
answer(const struct route_answer *ra, const char **ct)
{
	static char out[2048];
	struct buf b;

	buf_init(&b, sizeof(out) - 1);
	ck_assert_int_eq(P->answer(&conf, &ev, ra, &b, ct), CB_OK);
	snprintf(out, sizeof(out), "%s", buf_cstr(&b));
	buf_free(&b);
	return out;
}

/* --- authentication --- */

START_TEST(test_binotel_servers_allowed)
{
	static const char *const good[] = {
		"194.88.218.116", "194.88.218.114", "194.88.219.85",
		"194.88.219.92", "185.100.66.147", "::ffff:194.88.219.67",
	};
	static const char *const bad[] = {
		"194.88.218.115", "194.88.219.90", "127.0.0.1", "::1",
		"10.0.0.1", "", "garbage",
	};
	size_t i;

	post_form("requestType=receivedTheCall&generalCallID=1");
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		req.remote_addr = good[i];
		ck_assert_msg(verify() == CB_OK, "%s", good[i]);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		req.remote_addr = bad[i];
		ck_assert_msg(verify() == CB_EDENIED, "%s", bad[i]);
	}
	req.remote_addr = NULL;
	ck_assert_int_eq(verify(), CB_EDENIED);
}
END_TEST

START_TEST(test_key_in_url_allows_other_addresses)
{
	post_form("requestType=receivedTheCall&generalCallID=1");
	req.remote_addr = "127.0.0.1";
	ck_assert_int_eq(verify(), CB_EDENIED);
	ck_assert_str_eq(why, "source address is not a Binotel server and "
	    "the URL has no key");
	set_query("key=" KEY);
	ck_assert_int_eq(verify(), CB_OK);
	set_query("key=demo-binotel-kez");
	ck_assert_int_eq(verify(), CB_EDENIED);
	ck_assert_str_eq(why, "wrong key in the callback URL");
	set_query("key=");
	ck_assert_int_eq(verify(), CB_EDENIED);
	set_query("key=demo-binotel-secret");   /* the secret is not the key */
	ck_assert_int_eq(verify(), CB_EDENIED);
	/* The key in the body does not count: only the URL's. */
	set_query("");
	post_form("requestType=receivedTheCall&generalCallID=1&key=" KEY);
	ck_assert_int_eq(verify(), CB_EDENIED);
}
END_TEST

START_TEST(test_empty_configured_key_never_matches)
{
	json_object_put(conf.secrets);
	conf.secrets = json_tokener_parse("{\"key\":\"\"}");
	post_form("requestType=receivedTheCall&generalCallID=1");
	req.remote_addr = "127.0.0.1";
	set_query("key=");
	ck_assert_int_eq(verify(), CB_EDENIED);
	json_object_put(conf.secrets);
	conf.secrets = NULL;
	ck_assert_int_eq(verify(), CB_EDENIED);
}
END_TEST

START_TEST(test_configured_allow_list_replaces_default)
{
	post_form("requestType=receivedTheCall&generalCallID=1");
	set_config("{\"allowed_ips\":[\"127.0.0.1\",\"10.8.0.0/16\"]}");
	req.remote_addr = "127.0.0.1";
	ck_assert_int_eq(verify(), CB_OK);
	req.remote_addr = "10.8.3.4";
	ck_assert_int_eq(verify(), CB_OK);
	req.remote_addr = BINOTEL_IP;
	ck_assert_int_eq(verify(), CB_EDENIED);
	set_query("key=" KEY);
	ck_assert_int_eq(verify(), CB_OK);
	set_query("");
	set_config("{\"allowed_ips\":[]}");
	ck_assert_int_eq(verify(), CB_EDENIED);
	set_config("{\"allowed_ips\":\"127.0.0.1\"}");
	req.remote_addr = "127.0.0.1";
	ck_assert_int_eq(verify(), CB_EDENIED);
	set_config("{\"time_zone\":\"UTC\"}");       /* no list: default */
	req.remote_addr = BINOTEL_IP;
	ck_assert_int_eq(verify(), CB_OK);
}
END_TEST

/* --- every requestType --- */

START_TEST(test_call_settings_asks_for_a_route)
{
	post_form("requestType=apiCallSettings&companyID=7&callType=0"
	    "&externalNumber=0671234567&pbxNumber=0322900200"
	    "&generalCallID=2500000001");
	ok();
	ck_assert_int_eq(ev.kind, EV_RINGING);
	ck_assert(ev.wants_route);
	ck_assert_int_eq(ev.dir, DIR_IN);
	ck_assert_str_eq(ev.call_id, "2500000001");
	ck_assert_str_eq(ev.client, "0671234567");
	ck_assert_str_eq(ev.our_number, "0322900200");
	ck_assert_str_eq(ev.extension, "");
	ck_assert_str_eq(ev.type_name, "apiCallSettings");
	ck_assert_str_eq(ev.event_id, "2500000001:apiCallSettings");
}
END_TEST

START_TEST(test_call_settings_without_call_id)
{
	post_form("requestType=apiCallSettings&companyID=7&callType=1"
	    "&externalNumber=0671234567&internalNumber=101");
	ok();
	ck_assert(ev.wants_route);
	ck_assert_int_eq(ev.dir, DIR_OUT);
	ck_assert_str_eq(ev.call_id, "");
	ck_assert_str_eq(ev.event_id, "");
	ck_assert_str_eq(ev.extension, "101");
}
END_TEST

START_TEST(test_received_is_a_leg)
{
	post_form("requestType=receivedTheCall&generalCallID=2500000001"
	    "&callType=0&companyID=7&method=event&didNumber=0322900200"
	    "&externalNumber=0671234567&internalNumber=103");
	ok();
	ck_assert_int_eq(ev.kind, EV_RINGING);
	ck_assert(!ev.wants_route);
	ck_assert_str_eq(ev.leg_id, "");
	ck_assert_str_eq(ev.extension, "103");
	ck_assert_str_eq(ev.our_number, "0322900200");
	ck_assert_str_eq(ev.event_id, "2500000001:receivedTheCall:103");
	post_form("requestType=receivedTheCall&generalCallID=2500000001"
	    "&did=0800500300&internalNumber=104");
	ok();
	ck_assert_str_eq(ev.our_number, "0800500300");
	ck_assert_int_eq(ev.dir, DIR_UNKNOWN);
}
END_TEST

START_TEST(test_answered_and_transferred)
{
	post_form("requestType=answeredTheCall&generalCallID=2500000001"
	    "&callType=0&companyID=7&pbxNumber=0322900200"
	    "&externalNumber=0671234567&internalNumber=104");
	ok();
	ck_assert_int_eq(ev.kind, EV_ANSWERED);
	ck_assert_str_eq(ev.extension, "104");
	ck_assert_str_eq(ev.event_id, "2500000001:answeredTheCall:104");
	post_form("requestType=transferredTheCall&generalCallID=2500000001"
	    "&companyID=7&internalNumber=103");
	ok();
	ck_assert_int_eq(ev.kind, EV_ANSWERED);
	ck_assert_str_eq(ev.extension, "103");
	ck_assert_str_eq(ev.type_name, "transferredTheCall");
	ck_assert_str_eq(ev.event_id, "2500000001:transferredTheCall:103");
	post_form("requestType=transferredTheCall&generalCallID=2500000001");
	ck_assert_int_eq(parse(), CB_EINVAL);
}
END_TEST

START_TEST(test_hangup)
{
	post_form("requestType=hangupTheCall&generalCallID=2500000001"
	    "&billsec=42&disposition=ANSWER&method=event&callType=0");
	ok();
	ck_assert_int_eq(ev.kind, EV_ENDED);
	ck_assert_int_eq(ev.result, RES_ANSWERED);
	ck_assert_int_eq(ev.talk_s, 42);
	ck_assert_str_eq(ev.hangup_cause, "ANSWER");
	ck_assert_str_eq(ev.event_id, "2500000001:hangupTheCall");
	/* Without callType, NOANSWER could be missed or no answer: the
	 * event says nothing about the result then. */
	post_form("requestType=hangupTheCall&generalCallID=2500000001"
	    "&billsec=0&disposition=NOANSWER");
	ok();
	ck_assert_int_eq(ev.result, RES_NONE);
	post_form("requestType=hangupTheCall&generalCallID=2500000001"
	    "&billsec=0&disposition=BUSY&internalNumber=101");
	ok();
	ck_assert_int_eq(ev.result, RES_BUSY);
	ck_assert_str_eq(ev.event_id, "2500000001:hangupTheCall:101");
}
END_TEST

START_TEST(test_completed_form)
{
	post_form(COMPLETED_FORM);
	ok();
	ck_assert_int_eq(ev.kind, EV_ENDED);
	ck_assert_int_eq(ev.dir, DIR_IN);
	ck_assert_str_eq(ev.call_id, "2500000001");
	ck_assert_str_eq(ev.leg_id, "");
	ck_assert_str_eq(ev.client, "0671234567");
	ck_assert_str_eq(ev.our_number, "0322900200");
	ck_assert_str_eq(ev.extension, "103");       /* who talked last */
	ck_assert_int_eq(ev.result, RES_ANSWERED);
	ck_assert_int_eq(ev.wait_s, 8);
	ck_assert_int_eq(ev.talk_s, 52);
	ck_assert(ev.started_ms == 1717495200000LL);
	/* After the transfer, 103 picked up at end - 42 s, not at the
	 * call's first answer (start + waitsec). */
	ck_assert(ev.answered_ms == 1717495218000LL);
	ck_assert(ev.ended_ms == 1717495260000LL);
	ck_assert(ev.at_ms == ev.ended_ms);
	ck_assert_str_eq(ev.recording_ref, "2500000001");
	ck_assert(!ev.recording_absent);
	ck_assert_str_eq(ev.event_id, "2500000001:apiCallCompleted");
}
END_TEST

START_TEST(test_completed_json_same_as_form)
{
	struct call_event f;

	post_form(COMPLETED_FORM);
	ok();
	f = ev;
	post_json(COMPLETED_JSON);
	ok();
	ck_assert_str_eq(ev.call_id, f.call_id);
	ck_assert_str_eq(ev.client, f.client);
	ck_assert_str_eq(ev.our_number, f.our_number);
	ck_assert_str_eq(ev.extension, f.extension);
	ck_assert_str_eq(ev.event_id, f.event_id);
	ck_assert_str_eq(ev.recording_ref, f.recording_ref);
	ck_assert_int_eq(ev.result, f.result);
	ck_assert_int_eq(ev.dir, f.dir);
	ck_assert_int_eq(ev.talk_s, f.talk_s);
	ck_assert_int_eq(ev.wait_s, f.wait_s);
	ck_assert(ev.started_ms == f.started_ms);
	ck_assert(ev.ended_ms == f.ended_ms);
	/* PHP's json_encode of a sparse array: an object keyed "0", "1". */
	post_json("{\"requestType\":\"apiCallCompleted\",\"callDetails\":{"
	    "\"generalCallID\":\"9\",\"disposition\":\"ANSWER\","
	    "\"historyData\":{\"0\":{\"billsec\":3,\"internalNumber\":105}}}}");
	ok();
	ck_assert_str_eq(ev.extension, "105");
}
END_TEST

START_TEST(test_completed_missed_with_no_talker)
{
	post_form("requestType=apiCallCompleted"
	    "&callDetails[generalCallID]=2500000002"
	    "&callDetails[startTime]=1717495200&callDetails[callType]=0"
	    "&callDetails[internalNumber]=101"
	    "&callDetails[externalNumber]=0671234567"
	    "&callDetails[waitsec]=25&callDetails[billsec]=0"
	    "&callDetails[disposition]=NOANSWER"
	    "&callDetails[recordingStatus]=notRecorded"
	    "&callDetails[historyData][0][billsec]=0"
	    "&callDetails[historyData][0][internalNumber]=101"
	    "&callDetails[historyData][1][billsec]=0"
	    "&callDetails[historyData][1][internalNumber]=103");
	ok();
	ck_assert_int_eq(ev.result, RES_MISSED);
	ck_assert_int_eq(ev.talk_s, 0);
	ck_assert_int_eq(ev.wait_s, 25);
	ck_assert_str_eq(ev.extension, "101");
	ck_assert(ev.answered_ms == 0);
	ck_assert(ev.ended_ms == 1717495225000LL);
	ck_assert(ev.recording_absent);
	ck_assert_str_eq(ev.recording_ref, "");
}
END_TEST

/* Issue 15 §2.5: an incoming caller with no number (empty) or a word
 * for it is withheld, never a number; an outgoing call's empty
 * externalNumber says nothing. */
START_TEST(test_completed_withheld_caller)
{
	post_form("requestType=apiCallCompleted"
	    "&callDetails[generalCallID]=2500000009"
	    "&callDetails[startTime]=1717495200&callDetails[callType]=0"
	    "&callDetails[internalNumber]=101&callDetails[externalNumber]="
	    "&callDetails[waitsec]=5&callDetails[billsec]=0"
	    "&callDetails[disposition]=CANCEL");
	ok();
	ck_assert(ev.client_withheld);
	ck_assert_str_eq(ev.client, "");
	post_form("requestType=receivedTheCall&generalCallID=2500000009"
	    "&callType=0&externalNumber=anonymous&internalNumber=101");
	ok();
	ck_assert(ev.client_withheld);
	post_form("requestType=receivedTheCall&generalCallID=2500000009"
	    "&callType=1&externalNumber=&internalNumber=101");
	ok();
	ck_assert(!ev.client_withheld);
	post_form("requestType=receivedTheCall&generalCallID=2500000009"
	    "&callType=0&externalNumber=0671234567&internalNumber=101");
	ok();
	ck_assert(!ev.client_withheld);
	ck_assert_str_eq(ev.client, "0671234567");
}
END_TEST

START_TEST(test_completed_outgoing_no_answer)
{
	post_form("requestType=apiCallCompleted"
	    "&callDetails[generalCallID]=2500000003"
	    "&callDetails[callType]=1&callDetails[internalNumber]=105"
	    "&callDetails[externalNumber]=0671234567"
	    "&callDetails[disposition]=CANCEL");
	ok();
	ck_assert_int_eq(ev.dir, DIR_OUT);
	ck_assert_int_eq(ev.result, RES_NO_ANSWER);
	ck_assert_str_eq(ev.extension, "105");
	ck_assert(ev.started_ms == 0);
	ck_assert_int_eq(ev.talk_s, -1);
}
END_TEST

START_TEST(test_unknown_request_type_kept_raw)
{
	post_form("requestType=somethingNew&generalCallID=77&x=1");
	ok();
	ck_assert_int_eq(ev.kind, EV_UNKNOWN);
	ck_assert_str_eq(ev.type_name, "somethingNew");
	ck_assert_str_eq(ev.call_id, "77");
	ck_assert_str_eq(ev.event_id, "");
	post_form("requestType=somethingNew");
	ok();
	ck_assert_int_eq(ev.kind, EV_UNKNOWN);
}
END_TEST

/* --- mappings --- */

START_TEST(test_disposition_mapping)
{
	static const struct {
		const char *disp;
		enum call_result in, out;
	} m[] = {
		{ "ANSWER", RES_ANSWERED, RES_ANSWERED },
		{ "TRANSFER", RES_ANSWERED, RES_ANSWERED },
		{ "BUSY", RES_BUSY, RES_BUSY },
		{ "NOANSWER", RES_MISSED, RES_NO_ANSWER },
		{ "CANCEL", RES_MISSED, RES_NO_ANSWER },
		{ "VM", RES_MISSED, RES_NO_ANSWER },
		{ "VM-SUCCESS", RES_MISSED, RES_NO_ANSWER },
		{ "CONGESTION", RES_FAILED, RES_FAILED },
		{ "CHANUNAVAIL", RES_FAILED, RES_FAILED },
		{ "FAILED", RES_FAILED, RES_FAILED },
		{ "ONLINE", RES_UNKNOWN, RES_UNKNOWN },  /* final record */
		{ "SMS-SUCCESS", RES_UNKNOWN, RES_UNKNOWN },
		{ "SUCCESS", RES_UNKNOWN, RES_UNKNOWN },
		{ "whatever", RES_UNKNOWN, RES_UNKNOWN },
		{ "", RES_UNKNOWN, RES_UNKNOWN },
	};
	char body[256];
	size_t i;
	int dir;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		for (dir = 0; dir < 2; dir++) {
			snprintf(body, sizeof(body), "requestType="
			    "apiCallCompleted&callDetails[generalCallID]=1"
			    "&callDetails[callType]=%d"
			    "&callDetails[disposition]=%s", dir, m[i].disp);
			post_form(body);
			ck_assert_int_eq(parse(), CB_OK);
			ck_assert_msg(ev.result == (dir ? m[i].out : m[i].in),
			    "%s dir %d: %d", m[i].disp, dir, ev.result);
		}
	/* Live pushes: in progress says nothing. */
	post_form("requestType=hangupTheCall&generalCallID=1&callType=0"
	    "&disposition=ONLINE");
	ck_assert_int_eq(parse(), CB_OK);
	ck_assert_int_eq(ev.result, RES_NONE);
}
END_TEST

/* --- malformed --- */

START_TEST(test_malformed_bodies)
{
	static const char *const bad[] = {
		"x=1",
		"requestType=",
		"requestType=receivedTheCall",                   /* no id */
		"requestType=receivedTheCall&generalCallID=1%0A2",
		"requestType=receivedTheCall&generalCallID=1&callType=x",
		"requestType=receivedTheCall&generalCallID=1&callType=-1",
		"requestType=receivedTheCall&generalCallID=1"
		    "&internalNumber=123456789012345678901234567890123",
		"requestType=receivedTheCall&generalCallID=1"
		    "&externalNumber=%E2%98%8E",
		"requestType=hangupTheCall&generalCallID=1&billsec=1.5",
		"requestType=hangupTheCall&generalCallID=1&billsec=99999999",
		"requestType=apiCallCompleted",
		"requestType=apiCallCompleted&callDetails=1",
		"requestType=apiCallCompleted&callDetails[generalCallID]=1"
		    "&callDetails[startTime]=yesterday",
		"requestType=apiCallCompleted&callDetails[generalCallID]=1"
		    "&callDetails[startTime]=99999999999",
		"requestType=apiCallCompleted&callDetails[generalCallID]=1"
		    "&callDetails[waitsec]=-3",
		"requestType=apiCallCompleted&callDetails[generalCallID]=1"
		    "&callDetails[historyData][0][billsec]=x",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		post_form(bad[i]);
		why = NULL;
		ck_assert_msg(parse() == CB_EINVAL, "accepted: %s", bad[i]);
		ck_assert_ptr_nonnull(why);
	}
	/* No body at all. */
	req.form = NULL;
	req.json = NULL;
	ck_assert_int_eq(parse(), CB_EINVAL);
	ck_assert_str_eq(why, "expected a form or JSON body");
	/* JSON: wrong shapes and an embedded NUL. */
	post_json("[1,2]");
	ck_assert_int_eq(parse(), CB_EINVAL);
	post_json("{\"requestType\":{\"a\":1}}");
	ck_assert_int_eq(parse(), CB_EINVAL);
	post_json("{\"requestType\":\"apiCallCompleted\",\"callDetails\":"
	    "{\"generalCallID\":\"1\\u00002\"}}");
	ck_assert_int_eq(parse(), CB_EINVAL);
	post_json("{\"requestType\":\"apiCallCompleted\",\"callDetails\":"
	    "[{\"generalCallID\":\"1\"}]}");
	ck_assert_int_eq(parse(), CB_EINVAL);
}
END_TEST

/* --- one physical call --- */

START_TEST(test_ring_group_folds_into_one_call)
{
	static const char *const exts[] = { "101", "103", "104" };
	char body[256], ids[3][129];
	size_t i;

	for (i = 0; i < 3; i++) {
		snprintf(body, sizeof(body), "requestType=receivedTheCall"
		    "&generalCallID=2500000005&callType=0"
		    "&externalNumber=0671234567&internalNumber=%s", exts[i]);
		post_form(body);
		ok();
		ck_assert_str_eq(ev.call_id, "2500000005");
		ck_assert_str_eq(ev.extension, exts[i]);
		snprintf(ids[i], sizeof(ids[i]), "%s", ev.event_id);
	}
	ck_assert_str_ne(ids[0], ids[1]);
	ck_assert_str_ne(ids[1], ids[2]);
	post_form("requestType=answeredTheCall&generalCallID=2500000005"
	    "&callType=0&externalNumber=0671234567&internalNumber=103");
	ok();
	ck_assert_str_eq(ev.call_id, "2500000005");
	ck_assert_str_eq(ev.extension, "103");
	post_form("requestType=apiCallCompleted"
	    "&callDetails[generalCallID]=2500000005&callDetails[callType]=0"
	    "&callDetails[disposition]=ANSWER&callDetails[billsec]=30"
	    "&callDetails[startTime]=1717495200&callDetails[waitsec]=6"
	    "&callDetails[internalNumber]=101"
	    "&callDetails[historyData][0][billsec]=0"
	    "&callDetails[historyData][0][internalNumber]=101"
	    "&callDetails[historyData][1][billsec]=30"
	    "&callDetails[historyData][1][internalNumber]=103"
	    "&callDetails[historyData][2][billsec]=0"
	    "&callDetails[historyData][2][internalNumber]=104");
	ok();
	ck_assert_str_eq(ev.call_id, "2500000005");
	ck_assert_int_eq(ev.result, RES_ANSWERED);
	ck_assert_str_eq(ev.extension, "103");
	/* No transfer: the answer is start + waitsec. */
	ck_assert(ev.answered_ms == 1717495206000LL);
	ck_assert(ev.ended_ms == 1717495236000LL);
}
END_TEST

/* --- answers --- */

START_TEST(test_answer_customer_data)
{
	struct route_answer ra = { .extension = "101",
	    .customer_name = "ТОВ «Сонячний Дім»",
	    .customer_url = "https://crm.example.com/customers/42",
	    .fallback_kind = "queue", .fallback_target = "900" };
	const char *ct;

	post_form("requestType=apiCallSettings&callType=0"
	    "&externalNumber=0672900002&pbxNumber=0322900200");
	ok();
	ck_assert_str_eq(answer(&ra, &ct), "{\"customerData\":{"
	    "\"name\":\"ТОВ «Сонячний Дім»\","
	    "\"assignedToEmployeeNumber\":\"101\","
	    "\"linkToCrmUrl\":\"https://crm.example.com/customers/42\","
	    "\"linkToCrmTitle\":\"Open in Callboard\"}}");
	ck_assert_str_eq(ct, "application/json");
}
END_TEST

START_TEST(test_answer_fallbacks)
{
	struct route_answer ra = { 0 };
	const char *ct;

	post_form("requestType=apiCallSettings&callType=0"
	    "&externalNumber=0671111111");
	ok();
	ck_assert_str_eq(answer(NULL, &ct), "{}");
	ck_assert_str_eq(answer(&ra, &ct), "{}");
	ra.fallback_kind = "queue";
	ra.fallback_target = "900";
	ck_assert_str_eq(answer(&ra, &ct), "{}");
	ra.fallback_kind = "manager";
	ra.fallback_target = "105";
	ck_assert_str_eq(answer(&ra, &ct),
	    "{\"customerData\":{\"assignedToEmployeeNumber\":\"105\"}}");
	ra.fallback_kind = "voicemail";
	ra.fallback_target = "1";
	ra.customer_name = "Anna \"Q\"";
	ra.manager_email = "olena@callboard.example";
	ck_assert_str_eq(answer(&ra, &ct), "{\"customerData\":{"
	    "\"name\":\"Anna \\\"Q\\\"\","
	    "\"assignedToEmployeeEmail\":\"olena@callboard.example\"}}");
}
END_TEST

START_TEST(test_answer_every_push_success)
{
	static const char *const bodies[] = {
		COMPLETED_FORM,
		"requestType=receivedTheCall&generalCallID=1&internalNumber=1",
		"requestType=answeredTheCall&generalCallID=1&internalNumber=1",
		"requestType=hangupTheCall&generalCallID=1",
		"requestType=somethingNew",
	};
	struct route_answer ra = { .extension = "101" };
	const char *ct;
	size_t i;

	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		post_form(bodies[i]);
		ok();
		ck_assert_str_eq(answer(&ra, &ct), "{\"status\":\"success\"}");
		ck_assert_str_eq(ct, "application/json");
	}
}
END_TEST

START_TEST(test_registry_finds_adapter)
{
	ck_assert_ptr_eq(provider_by_kind("binotel"), &binotel_provider);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("prov_binotel");
	TCase *tc = tcase_create("binotel");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_binotel_servers_allowed);
	tcase_add_test(tc, test_key_in_url_allows_other_addresses);
	tcase_add_test(tc, test_empty_configured_key_never_matches);
	tcase_add_test(tc, test_configured_allow_list_replaces_default);
	tcase_add_test(tc, test_call_settings_asks_for_a_route);
	tcase_add_test(tc, test_call_settings_without_call_id);
	tcase_add_test(tc, test_received_is_a_leg);
	tcase_add_test(tc, test_answered_and_transferred);
	tcase_add_test(tc, test_hangup);
	tcase_add_test(tc, test_completed_form);
	tcase_add_test(tc, test_completed_json_same_as_form);
	tcase_add_test(tc, test_completed_missed_with_no_talker);
	tcase_add_test(tc, test_completed_withheld_caller);
	tcase_add_test(tc, test_completed_outgoing_no_answer);
	tcase_add_test(tc, test_unknown_request_type_kept_raw);
	tcase_add_test(tc, test_disposition_mapping);
	tcase_add_test(tc, test_malformed_bodies);
	tcase_add_test(tc, test_ring_group_folds_into_one_call);
	tcase_add_test(tc, test_answer_customer_data);
	tcase_add_test(tc, test_answer_fallbacks);
	tcase_add_test(tc, test_answer_every_push_success);
	tcase_add_test(tc, test_registry_finds_adapter);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
