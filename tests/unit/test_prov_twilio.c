/* Unit tests for the Twilio Voice adapter (lib/providers/twilio/):
 * X-Twilio-Signature against the providers.md §5.1 vectors and the ones
 * the real twilio npm package prints (tests/vectors/twilio/
 * make-vectors.mjs → vectors.json), every callback kind, result mapping,
 * leg folding and the TwiML routing answer. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "core/arena.h"
#include "providers/provider.h"
#include "providers/registry.h"
#include "providers/twilio/twilio.h"

#define T5   "12345678901234567890123456789012" /* providers.md §5.1 */
#define DEMO "demo-twilio-token"

/* One request as the hook would hand it to the adapter. */
struct treq {
	struct arena *a;
	struct prov_req r;
	struct kvlist query, form;
	const char *sig;
	struct json_object *secrets, *config;
	struct prov_conf c;
};

static const char *
theader(const void *hctx, const char *name)
{
	const struct treq *t = hctx;

	return strcasecmp(name, "X-Twilio-Signature") == 0 ? t->sig : NULL;
}

/* Builds the request: the query from the URL, the body parsed as the hook
 * does (form or JSON by content type). */
static void
treq_init(struct treq *t, const char *token, const char *url,
    const char *ctype, const char *body, const char *sig)
{
	const char *why = NULL, *q;

	memset(t, 0, sizeof(*t));
	t->a = arena_new();
	t->sig = sig;
	t->r.method = body ? HTTP_POST : HTTP_GET;
	t->r.url = url;
	if ((q = strchr(url, '?')) != NULL)
		ck_assert_int_eq(http_parse_urlencoded(t->a, q + 1,
		    strcspn(q + 1, "#"), &t->query, &why), CB_OK);
	t->r.query = &t->query;
	t->r.form = &t->form;
	t->r.body = body ? body : "";
	t->r.body_len = body ? strlen(body) : 0;
	t->r.content_type = ctype;
	if (body && ctype && strcmp(ctype, "application/json") == 0)
		ck_assert_int_eq(http_parse_json(t->a, body, strlen(body),
		    &t->r.json, &why), CB_OK);
	else if (body)
		ck_assert_int_eq(http_parse_urlencoded(t->a, body,
		    strlen(body), &t->form, &why), CB_OK);
	t->r.header = theader;
	t->r.hctx = t;
	t->r.now = 1717495242;
	t->secrets = json_object_new_object();
	if (token)
		json_object_object_add(t->secrets, "auth_token",
		    json_object_new_string(token));
	json_object_object_add(t->secrets, "account_sid",
	    json_object_new_string("AC00000000000000000000000000000001"));
	t->c.slug = "twilio";
	t->c.secrets = t->secrets;
	t->c.default_country = "UA";
}

static void
treq_free(struct treq *t)
{
	json_object_put(t->secrets);
	json_object_put(t->config);
	arena_free(t->a);
}

static enum cb_err
verify(const char *token, const char *url, const char *ctype,
    const char *body, const char *sig)
{
	struct treq t;
	const char *why = NULL;
	enum cb_err rc;

	treq_init(&t, token, url, ctype, body, sig);
	rc = twilio_provider.verify(&t.c, &t.r, &why);
	if (rc != CB_OK)
		ck_assert_ptr_nonnull(why);
	treq_free(&t);
	return rc;
}

#define FORM "application/x-www-form-urlencoded"

/* Parses a form body (or, with url containing '?', a GET) into ev. */
static enum cb_err
parse_form(const char *body, struct call_event *ev, const char **why)
{
	struct treq t;
	enum cb_err rc;

	treq_init(&t, T5, "https://crm.example.com/hook/twilio", FORM, body,
	    NULL);
	ev_init(ev);
	*why = NULL;
	rc = twilio_provider.parse(&t.c, &t.r, ev, why);
	treq_free(&t);
	return rc;
}

static void
parse_ok(const char *body, struct call_event *ev)
{
	const char *why;

	ck_assert_msg(parse_form(body, ev, &why) == CB_OK, "%s: %s", body,
	    why ? why : "");
}

/* ------------------------------------------------------------ vectors */

/* Values printed by tests/vectors/twilio/make-vectors.mjs with twilio
 * 5.4.0 (see vectors.json); the §5.1 ones equal providers.md's, made with
 * 6.2.0. */
static const struct vec {
	const char *name, *token, *url, *ctype, *body, *sig;
} vectors[] = {
	{ "5.1#1 status callback", T5, "https://crm.example.com/tw/status",
	  FORM, "AccountSid=AC00000000000000000000000000000001&ApiVersion="
	  "2010-04-01&CallDuration=42&CallSid=CA111111111111111111111111111"
	  "11111&CallStatus=completed&CallbackSource=call-progress-events&"
	  "Called=%2B15557654321&Caller=%2B15551234567&Direction=inbound&"
	  "Duration=1&From=%2B15551234567&SequenceNumber=3&Timestamp=Tue%2C+"
	  "04+Jun+2024+10%3A00%3A42+%2B0000&To=%2B15557654321",
	  "OrcSE7T2ZT9us0kaE5g1NjpCp3w=" },
	{ "5.1#1 signed at :443", T5, "https://crm.example.com/tw/status",
	  FORM, "AccountSid=AC00000000000000000000000000000001&ApiVersion="
	  "2010-04-01&CallDuration=42&CallSid=CA111111111111111111111111111"
	  "11111&CallStatus=completed&CallbackSource=call-progress-events&"
	  "Called=%2B15557654321&Caller=%2B15551234567&Direction=inbound&"
	  "Duration=1&From=%2B15551234567&SequenceNumber=3&Timestamp=Tue%2C+"
	  "04+Jun+2024+10%3A00%3A42+%2B0000&To=%2B15557654321",
	  "ceSc5R/fIoEOBV3n2fGXz7iGBxA=" },
	{ "5.1#1 requested at :443", T5,
	  "https://crm.example.com:443/tw/status",
	  FORM, "AccountSid=AC00000000000000000000000000000001&ApiVersion="
	  "2010-04-01&CallDuration=42&CallSid=CA111111111111111111111111111"
	  "11111&CallStatus=completed&CallbackSource=call-progress-events&"
	  "Called=%2B15557654321&Caller=%2B15551234567&Direction=inbound&"
	  "Duration=1&From=%2B15551234567&SequenceNumber=3&Timestamp=Tue%2C+"
	  "04+Jun+2024+10%3A00%3A42+%2B0000&To=%2B15557654321",
	  "OrcSE7T2ZT9us0kaE5g1NjpCp3w=" },
	{ "5.1#2 voice URL with a query", T5,
	  "https://crm.example.com/tw/voice?tenant=7&route=inbound", FORM,
	  "AccountSid=AC00000000000000000000000000000001&ApiVersion=2010-04-"
	  "01&CallSid=CA22222222222222222222222222222222&CallStatus=ringing&"
	  "CallerName=John+Doe&Direction=inbound&From=%2B15551234567&To=%2B"
	  "15557654321", "lxW8YpFw0x9GWl+c0OTjQRfGZGw=" },
	{ "5.1#3 JSON body", T5, "https://crm.example.com/tw/events?"
	  "bodySHA256=8ae24614c90d59bd8d6c1cc4864d05381429f72a7be5807ff3eded5"
	  "a812e91d7", "application/json",
	  "{\"CallSid\":\"CA33333333333333333333333333333333\",\"CallStatus\":"
	  "\"completed\",\"Duration\":\"42\"}",
	  "pi0IBZbryW0oCE0wXlhXpyCW08o=" },
	{ "5.1#4 docs example", "12345",
	  "https://mycompany.com/myapp.php?foo=1&bar=2", FORM,
	  "CallSid=CA1234567890ABCDE&Caller=%2B12349013030&Digits=1234&From="
	  "%2B12349013030&To=%2B18005551212", "0/KCTR6DLpKmkAf8muzZqo1nDgQ=" },
	{ "npm duplicate names", T5, "https://crm.example.com/tw/status", FORM,
	  "StatusCallbackEvent=ringing&CallSid=CA444444444444444444444444444"
	  "44444&StatusCallbackEvent=initiated&StatusCallbackEvent=ringing&"
	  "AccountSid=AC00000000000000000000000000000001&CallStatus=ringing",
	  "pOVY6yW2gLlDxQC3tR4R4HkjguY=" },
	{ "npm decoded values", T5, "https://crm.example.com/tw/voice", FORM,
	  "CallSid=CA55555555555555555555555555555555&CallerName=%D0%9E%D0%BB"
	  "%D0%B5%D0%BD%D0%B0+%26+Co+%3D+100%25+%2B1&CallStatus=ringing&"
	  "Digits=&Direction=inbound&From=%2B380671234567&To=%2B14155550123",
	  "vbuuJVLh70t7OSR3a8VQ19IOTlA=" },
	{ "npm non-default port", DEMO, "http://127.0.0.1:18080/hook/twilio",
	  FORM, "AccountSid=ACdemo00000000000000000000000000000&CallSid=CA666"
	  "66666666666666666666666666666&CallStatus=ringing&Direction=inbound"
	  "&From=%2B380671234567&To=%2B14155550123",
	  "LCe02IyRf1DzUy0swikpbz9ePyA=" },
	{ "npm port dropped (validateRequest's removePort)", DEMO,
	  "http://127.0.0.1:18080/hook/twilio",
	  FORM, "AccountSid=ACdemo00000000000000000000000000000&CallSid=CA666"
	  "66666666666666666666666666666&CallStatus=ringing&Direction=inbound"
	  "&From=%2B380671234567&To=%2B14155550123",
	  "Gaf+1nIj7upj+YWgdvBLT5XwtyY=" },
	{ "npm http default port", DEMO,
	  "http://crm.example.com/hook/twilio?x=1", FORM,
	  "CallSid=CA77777777777777777777777777777777&CallStatus=completed",
	  "lovHKjoiYEiQYp9Jq+w2Umoi/6g=" },
	{ "npm http signed at :80", DEMO,
	  "http://crm.example.com/hook/twilio?x=1", FORM,
	  "CallSid=CA77777777777777777777777777777777&CallStatus=completed",
	  "hJTQUEY+pdLB5LAmHPBOEk7W5YE=" },
};

START_TEST(test_twilio_signature_vectors)
{
	const struct vec *v = &vectors[_i];

	ck_assert_msg(verify(v->token, v->url, v->ctype, v->body, v->sig) ==
	    CB_OK, "vector %s", v->name);
}
END_TEST

START_TEST(test_twilio_bad_signature)
{
	const struct vec *v = &vectors[0];
	char sig[64], body[1024];

	/* One character of the signature off. */
	snprintf(sig, sizeof(sig), "%s", v->sig);
	sig[3] ^= 1;
	ck_assert_int_eq(verify(v->token, v->url, v->ctype, v->body, sig),
	    CB_EDENIED);
	/* The right signature under another token. */
	ck_assert_int_eq(verify(DEMO, v->url, v->ctype, v->body, v->sig),
	    CB_EDENIED);
	/* A changed value, an added parameter, another path or query. */
	snprintf(body, sizeof(body), "%s", v->body);
	*strstr(body, "CallDuration=42") = 'c';
	ck_assert_int_eq(verify(v->token, v->url, v->ctype, body, v->sig),
	    CB_EDENIED);
	snprintf(body, sizeof(body), "%s&Digits=1", v->body);
	ck_assert_int_eq(verify(v->token, v->url, v->ctype, body, v->sig),
	    CB_EDENIED);
	ck_assert_int_eq(verify(v->token, "https://crm.example.com/tw/other",
	    v->ctype, v->body, v->sig), CB_EDENIED);
	ck_assert_int_eq(verify(v->token, "https://crm.example.com/tw/status?"
	    "a=1", v->ctype, v->body, v->sig), CB_EDENIED);
	/* A non-default port is not the default one. */
	ck_assert_int_eq(verify(v->token, "https://crm.example.com:8443/tw/"
	    "status", v->ctype, v->body, "ceSc5R/fIoEOBV3n2fGXz7iGBxA="),
	    CB_EDENIED);
	/* Signature-shaped garbage and a prefix of the right one. */
	ck_assert_int_eq(verify(v->token, v->url, v->ctype, v->body,
	    "OrcSE7T2ZT9us0kaE5g1NjpCp3w"), CB_EDENIED);
	ck_assert_int_eq(verify(v->token, v->url, v->ctype, v->body,
	    "OrcSE7T2ZT9us0kaE5g1NjpCp3w==="), CB_EDENIED);
}
END_TEST

START_TEST(test_twilio_missing_signature_or_token)
{
	const struct vec *v = &vectors[0];
	struct treq t;
	const char *why = NULL;

	ck_assert_int_eq(verify(v->token, v->url, v->ctype, v->body, NULL),
	    CB_EDENIED);
	ck_assert_int_eq(verify(v->token, v->url, v->ctype, v->body, ""),
	    CB_EDENIED);
	ck_assert_int_eq(verify(NULL, v->url, v->ctype, v->body, v->sig),
	    CB_EDENIED);
	ck_assert_int_eq(verify("", v->url, v->ctype, v->body, v->sig),
	    CB_EDENIED);
	/* No secrets object at all, and no header callback at all. */
	treq_init(&t, v->token, v->url, v->ctype, v->body, v->sig);
	t.c.secrets = NULL;
	ck_assert_int_eq(twilio_provider.verify(&t.c, &t.r, &why), CB_EDENIED);
	t.c.secrets = t.secrets;
	t.r.header = NULL;
	ck_assert_int_eq(twilio_provider.verify(&t.c, &t.r, &why), CB_EDENIED);
	t.r.header = theader;
	t.r.url = NULL;
	ck_assert_int_eq(twilio_provider.verify(&t.c, &t.r, &why), CB_EDENIED);
	treq_free(&t);
}
END_TEST

START_TEST(test_twilio_json_body_must_match_hash)
{
	const struct vec *v = &vectors[4];
	char url[256];

	/* Another body under the same signed URL. */
	ck_assert_int_eq(verify(v->token, v->url, v->ctype,
	    "{\"CallSid\":\"CA33333333333333333333333333333333\","
	    "\"CallStatus\":\"completed\",\"Duration\":\"43\"}", v->sig),
	    CB_EDENIED);
	/* The hash in upper case is not what Twilio signs. */
	snprintf(url, sizeof(url), "https://crm.example.com/tw/events?"
	    "bodySHA256=8AE24614C90D59BD8D6C1CC4864D05381429F72A7BE5807FF3EDED5"
	    "A812E91D7");
	ck_assert_int_eq(verify(v->token, url, v->ctype, v->body, v->sig),
	    CB_EDENIED);
}
END_TEST

START_TEST(test_twilio_port_toggle_edge_urls)
{
	/* Nothing to toggle: no scheme, or a scheme with no default port:
	 * only the URL as requested can match. */
	ck_assert_int_eq(verify(DEMO, "/hook/twilio", FORM, "CallSid=CA1",
	    "x"), CB_EDENIED);
	ck_assert_int_eq(verify(DEMO, "ftp://h/hook", FORM, "CallSid=CA1",
	    "x"), CB_EDENIED);
	ck_assert_int_eq(verify(DEMO, "https://[::1]:8443/hook?x", FORM,
	    "CallSid=CA1", "x"), CB_EDENIED);
	ck_assert_int_eq(verify(DEMO, "https://u:p@[::1/hook", FORM,
	    "CallSid=CA1", "x"), CB_EDENIED);
}
END_TEST

/* -------------------------------------------------------------- parse */

#define INB "AccountSid=AC1&Direction=inbound&From=%2B380501234567&" \
	"To=%2B14155550123&"
#define CHILD "AccountSid=AC1&Direction=outbound-dial&" \
	"ParentCallSid=CAparent&From=%2B380501234567&"
#define TS "Timestamp=Tue%2C+04+Jun+2024+10%3A00%3A42+%2B0000&"
#define TS_MS 1717495242000LL

START_TEST(test_twilio_voice_url_wants_route)
{
	struct call_event ev;

	parse_ok(vectors[3].body, &ev);
	ck_assert_int_eq(ev.kind, EV_RINGING);
	ck_assert(ev.wants_route);
	ck_assert_int_eq(ev.dir, DIR_IN);
	ck_assert_str_eq(ev.call_id, "CA22222222222222222222222222222222");
	ck_assert_str_eq(ev.leg_id, "");
	ck_assert_str_eq(ev.event_id, "");
	ck_assert_str_eq(ev.client, "+15551234567");
	ck_assert_str_eq(ev.our_number, "+15557654321");
	ck_assert_str_eq(ev.caller_name, "John Doe");
	ck_assert_str_eq(ev.extension, "");
	ck_assert_int_eq(ev.result, RES_NONE);
	ck_assert_str_eq(ev.type_name, "voice:ringing");
	ck_assert_int_eq(ev.seq, -1);
}
END_TEST

/* Issue 15 §2.5: Twilio puts a keypad spelling in From for a withheld
 * caller (+266696687 = ANONYMOUS); it is no number. */
START_TEST(test_twilio_withheld_caller)
{
	static const char *const froms[] = {
		"%2B266696687", "Anonymous", "%2B7378742833", "anonymous",
	};
	struct call_event ev;
	char body[256];
	size_t i;

	for (i = 0; i < sizeof(froms) / sizeof(froms[0]); i++) {
		snprintf(body, sizeof(body), "AccountSid=AC1&CallSid=CAw&"
		    "CallStatus=ringing&Direction=inbound&From=%s&"
		    "To=%%2B14155550123", froms[i]);
		parse_ok(body, &ev);
		ck_assert_msg(ev.client_withheld, "%s", froms[i]);
		ck_assert_str_eq(ev.client, "");
		ck_assert(ev.wants_route);
	}
	parse_ok("AccountSid=AC1&CallSid=CAw&CallStatus=ringing&"
	    "Direction=inbound&From=%2B26669668&To=%2B14155550123", &ev);
	ck_assert(!ev.client_withheld);
	ck_assert_str_eq(ev.client, "+26669668");
}
END_TEST

START_TEST(test_twilio_status_completed_inbound_parent_says_no_result)
{
	struct call_event ev;

	parse_ok(vectors[0].body, &ev);
	ck_assert_int_eq(ev.kind, EV_ENDED);
	ck_assert(!ev.wants_route);
	ck_assert_int_eq(ev.result, RES_NONE);
	ck_assert_int_eq(ev.dir, DIR_IN);
	ck_assert_str_eq(ev.event_id,
	    "CA11111111111111111111111111111111:completed:3");
	ck_assert_int_eq(ev.seq, 3);
	ck_assert(ev.at_ms == TS_MS);
	ck_assert(ev.ended_ms == TS_MS);
	/* The parent's CallDuration includes ringing: not talk. */
	ck_assert_int_eq(ev.talk_s, -1);
	ck_assert_str_eq(ev.hangup_cause, "");
	ck_assert_str_eq(ev.type_name, "status:completed");
}
END_TEST

START_TEST(test_twilio_parent_inbound_statuses)
{
	static const struct {
		const char *status;
		enum ev_kind kind;
		enum call_result res;
	} cases[] = {
		{ "queued", EV_RINGING, RES_NONE },
		{ "initiated", EV_RINGING, RES_NONE },
		{ "ringing", EV_RINGING, RES_NONE },
		/* Twilio picking up (or the bridge) is not a manager. */
		{ "in-progress", EV_RINGING, RES_NONE },
		{ "completed", EV_ENDED, RES_NONE },
		{ "busy", EV_ENDED, RES_MISSED },
		{ "failed", EV_ENDED, RES_MISSED },
		{ "no-answer", EV_ENDED, RES_MISSED },
		{ "canceled", EV_ENDED, RES_MISSED },
	};
	struct call_event ev;
	char body[512];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(body, sizeof(body), "%sCallbackSource=call-progress-"
		    "events&SequenceNumber=%zu&%sCallSid=CAp&CallStatus=%s",
		    INB, i, TS, cases[i].status);
		parse_ok(body, &ev);
		ck_assert_msg(ev.kind == cases[i].kind &&
		    ev.result == cases[i].res, "status %s", cases[i].status);
		ck_assert(!ev.wants_route);
		ck_assert_int_eq(ev.dir, DIR_IN);
		ck_assert_str_eq(ev.client, "+380501234567");
		if (cases[i].kind == EV_RINGING && i < 3)
			ck_assert(ev.started_ms == TS_MS);
		if (cases[i].res == RES_MISSED)
			ck_assert_str_eq(ev.hangup_cause, cases[i].status);
	}
}
END_TEST

START_TEST(test_twilio_child_leg_folds_into_parent_call)
{
	struct call_event ev;

	parse_ok(CHILD "To=client%3Amanager_101&CallbackSource=call-progress-"
	    "events&SequenceNumber=0&" TS "CallSid=CAchild1&CallStatus=ringing",
	    &ev);
	ck_assert_int_eq(ev.kind, EV_RINGING);
	ck_assert_str_eq(ev.call_id, "CAparent");
	ck_assert_str_eq(ev.leg_id, "CAchild1");
	ck_assert_str_eq(ev.extension, "101");
	ck_assert_str_eq(ev.event_id, "CAchild1:ringing:0");
	/* The call's direction and customer come from the parent. */
	ck_assert_int_eq(ev.dir, DIR_UNKNOWN);
	ck_assert_str_eq(ev.client, "");
	ck_assert_str_eq(ev.our_number, "");
	ck_assert(!ev.wants_route);
	ck_assert(ev.started_ms == 0);

	parse_ok(CHILD "To=client%3Amanager_101&CallbackSource=call-progress-"
	    "events&SequenceNumber=1&" TS "CallSid=CAchild1&CallStatus=in-"
	    "progress", &ev);
	ck_assert_int_eq(ev.kind, EV_ANSWERED);
	ck_assert_int_eq(ev.result, RES_ANSWERED);
	ck_assert(ev.answered_ms == TS_MS);
	ck_assert_str_eq(ev.event_id, "CAchild1:in-progress:1");

	parse_ok(CHILD "To=client%3Amanager_101&CallbackSource=call-progress-"
	    "events&SequenceNumber=2&" TS "CallDuration=42&CallSid=CAchild1&"
	    "CallStatus=completed", &ev);
	ck_assert_int_eq(ev.kind, EV_ENDED);
	ck_assert_int_eq(ev.result, RES_ANSWERED);
	ck_assert_int_eq(ev.talk_s, 42);
	ck_assert(ev.ended_ms == TS_MS);
	ck_assert(ev.answered_ms == TS_MS - 42000);
}
END_TEST

START_TEST(test_twilio_ring_group_legs)
{
	static const struct {
		const char *status;
		enum ev_kind kind;
		enum call_result res;
	} cases[] = {
		{ "initiated", EV_RINGING, RES_NONE },
		{ "in-progress", EV_ANSWERED, RES_ANSWERED },
		{ "completed", EV_ENDED, RES_ANSWERED },
		/* A manager who did not pick up missed the ring; another
		 * leg's answer still makes the call answered (the ingest keeps
		 * a leg's non-answer on the leg). */
		{ "no-answer", EV_ENDED, RES_MISSED },
		{ "busy", EV_ENDED, RES_MISSED },
		{ "failed", EV_ENDED, RES_MISSED },
		{ "canceled", EV_ENDED, RES_MISSED },
	};
	struct call_event ev;
	char body[512];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(body, sizeof(body), "%sTo=client%%3Amanager_105&"
		    "CallbackSource=call-progress-events&CallSid=CAleg%zu&"
		    "CallStatus=%s", CHILD, i, cases[i].status);
		parse_ok(body, &ev);
		ck_assert_msg(ev.kind == cases[i].kind &&
		    ev.result == cases[i].res, "leg status %s",
		    cases[i].status);
		ck_assert_str_eq(ev.call_id, "CAparent");
		ck_assert_str_eq(ev.extension, "105");
	}
}
END_TEST

START_TEST(test_twilio_child_to_a_number_takes_twilio_word)
{
	static const struct {
		const char *status;
		enum call_result res;
	} cases[] = {
		{ "completed", RES_ANSWERED }, { "busy", RES_BUSY },
		{ "failed", RES_FAILED }, { "no-answer", RES_NO_ANSWER },
		{ "canceled", RES_NO_ANSWER },
	};
	struct call_event ev;
	char body[512];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(body, sizeof(body), "%sTo=%%2B380671234567&"
		    "CallbackSource=call-progress-events&CallSid=CAc&"
		    "CallStatus=%s", CHILD, cases[i].status);
		parse_ok(body, &ev);
		ck_assert_msg(ev.result == cases[i].res, "%s",
		    cases[i].status);
		ck_assert_str_eq(ev.extension, "");
		ck_assert_str_eq(ev.client, "");
	}
}
END_TEST

START_TEST(test_twilio_dial_action_decides_result)
{
	static const struct {
		const char *dir, *from, *to, *status;
		enum call_result res;
	} cases[] = {
		{ "inbound", "%2B380501234567", "%2B14155550123", "completed",
		  RES_ANSWERED },
		{ "inbound", "%2B380501234567", "%2B14155550123", "answered",
		  RES_ANSWERED },
		{ "inbound", "%2B380501234567", "%2B14155550123", "no-answer",
		  RES_MISSED },
		{ "inbound", "%2B380501234567", "%2B14155550123", "busy",
		  RES_MISSED },
		{ "inbound", "%2B380501234567", "%2B14155550123", "failed",
		  RES_MISSED },
		{ "inbound", "%2B380501234567", "%2B14155550123", "canceled",
		  RES_MISSED },
		/* Manager-first click-to-call: the dialled customer's word. */
		{ "outbound-api", "%2B14155550123", "client%3Amanager_101",
		  "no-answer", RES_NO_ANSWER },
		{ "outbound-api", "%2B14155550123", "client%3Amanager_101",
		  "busy", RES_BUSY },
		{ "outbound-api", "%2B14155550123", "client%3Amanager_101",
		  "failed", RES_FAILED },
		{ "outbound-api", "%2B14155550123", "client%3Amanager_101",
		  "canceled", RES_NO_ANSWER },
		{ "outbound-api", "%2B14155550123", "client%3Amanager_101",
		  "completed", RES_ANSWERED },
		/* A softphone's call through our voice URL. */
		{ "inbound", "client%3Amanager_104", "%2B380671234567",
		  "no-answer", RES_NO_ANSWER },
	};
	struct call_event ev;
	char body[512];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(body, sizeof(body), "AccountSid=AC1&CallSid=CAp&"
		    "CallStatus=in-progress&Direction=%s&From=%s&To=%s&"
		    "DialCallSid=CAc&DialCallStatus=%s&DialCallDuration=%d",
		    cases[i].dir, cases[i].from, cases[i].to, cases[i].status,
		    cases[i].res == RES_ANSWERED ? 42 : 0);
		parse_ok(body, &ev);
		ck_assert_int_eq(ev.kind, EV_ENDED);
		ck_assert_msg(ev.result == cases[i].res, "%s %s", cases[i].dir,
		    cases[i].status);
		ck_assert_str_eq(ev.call_id, "CAp");
		ck_assert_str_eq(ev.leg_id, "");
		ck_assert_str_eq(ev.event_id, "");
		ck_assert(!ev.wants_route);
		ck_assert_int_eq(ev.talk_s, cases[i].res == RES_ANSWERED ?
		    42 : 0);
		if (cases[i].res != RES_ANSWERED)
			ck_assert_str_eq(ev.hangup_cause, cases[i].status);
	}
	parse_ok("CallSid=CAp&Direction=inbound&DialCallStatus=weird", &ev);
	ck_assert_int_eq(ev.kind, EV_UNKNOWN);
	ck_assert_str_eq(ev.type_name, "dial:weird");
}
END_TEST

START_TEST(test_twilio_outbound_api_to_customer)
{
	static const struct {
		const char *status;
		enum ev_kind kind;
		enum call_result res;
	} cases[] = {
		{ "initiated", EV_RINGING, RES_NONE },
		{ "ringing", EV_RINGING, RES_NONE },
		{ "in-progress", EV_ANSWERED, RES_ANSWERED },
		{ "completed", EV_ENDED, RES_ANSWERED },
		{ "no-answer", EV_ENDED, RES_NO_ANSWER },
		{ "busy", EV_ENDED, RES_BUSY },
		{ "failed", EV_ENDED, RES_FAILED },
		{ "canceled", EV_ENDED, RES_NO_ANSWER },
	};
	struct call_event ev;
	char body[512];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(body, sizeof(body), "AccountSid=AC1&CallSid=CAout&"
		    "Direction=outbound-api&From=%%2B14155550123&To=%%2B3806"
		    "71234567&CallbackSource=call-progress-events&"
		    "CallDuration=7&CallStatus=%s", cases[i].status);
		parse_ok(body, &ev);
		ck_assert_msg(ev.kind == cases[i].kind &&
		    ev.result == cases[i].res, "%s", cases[i].status);
		ck_assert_int_eq(ev.dir, DIR_OUT);
		ck_assert_str_eq(ev.client, "+380671234567");
		ck_assert_str_eq(ev.our_number, "+14155550123");
		ck_assert(!ev.wants_route);
		if (cases[i].res == RES_ANSWERED && ev.kind == EV_ENDED)
			ck_assert_int_eq(ev.talk_s, 7);
	}
}
END_TEST

START_TEST(test_twilio_outbound_api_manager_first)
{
	static const struct {
		const char *status;
		enum ev_kind kind;
		enum call_result res;
	} cases[] = {
		{ "ringing", EV_RINGING, RES_NONE },
		/* The manager picked up; the customer rings next. */
		{ "in-progress", EV_RINGING, RES_NONE },
		{ "completed", EV_ENDED, RES_NONE },
		/* The customer was never dialled. */
		{ "no-answer", EV_ENDED, RES_FAILED },
		{ "canceled", EV_ENDED, RES_FAILED },
	};
	struct call_event ev;
	char body[512];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(body, sizeof(body), "AccountSid=AC1&CallSid=CAout&"
		    "Direction=outbound-api&From=%%2B14155550123&To=client%%3A"
		    "manager_103&CallbackSource=call-progress-events&"
		    "CallStatus=%s", cases[i].status);
		parse_ok(body, &ev);
		ck_assert_msg(ev.kind == cases[i].kind &&
		    ev.result == cases[i].res, "%s", cases[i].status);
		ck_assert_int_eq(ev.dir, DIR_OUT);
		ck_assert_str_eq(ev.extension, "103");
		ck_assert_str_eq(ev.client, "");
	}
}
END_TEST

START_TEST(test_twilio_softphone_voice_url_calls_out)
{
	struct call_event ev;

	parse_ok("AccountSid=AC1&CallSid=CAsoft&CallStatus=ringing&Direction="
	    "inbound&From=client%3Amanager_104&To=%2B380671234567", &ev);
	ck_assert(ev.wants_route);
	ck_assert_int_eq(ev.dir, DIR_OUT);
	ck_assert_str_eq(ev.extension, "104");
	ck_assert_str_eq(ev.client, "+380671234567");
	ck_assert_int_eq(ev.kind, EV_RINGING);

	parse_ok("AccountSid=AC1&CallSid=CAsoft&CallStatus=ringing&Direction="
	    "inbound&From=client%3Amanager_104&To=client%3Amanager_105", &ev);
	ck_assert_int_eq(ev.dir, DIR_INTERNAL);
	ck_assert_str_eq(ev.client, "");
}
END_TEST

START_TEST(test_twilio_extension_forms)
{
	static const struct {
		const char *to, *ext;
	} cases[] = {
		{ "client%3Amanager_101", "101" },
		{ "client%3A101", "101" },
		{ "client%3Amgr%3A105", "105" },
		{ "client%3Aanna", "" },
		{ "client%3Amanager_", "" },
		{ "sip%3A102%40pbx.example.com", "102" },
		{ "sips%3A103%40pbx.example.com%3Btransport%3Dtls", "103" },
		{ "sip%3Aanna%40pbx.example.com", "" },
		{ "client%3Amanager_123456789012345678901234567890123", "" },
	};
	struct call_event ev;
	char body[512];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(body, sizeof(body), "%sCallSid=CAc&CallStatus="
		    "ringing&To=%s", CHILD, cases[i].to);
		parse_ok(body, &ev);
		ck_assert_msg(strcmp(ev.extension, cases[i].ext) == 0,
		    "%s → '%s'", cases[i].to, ev.extension);
	}
	/* A SIP URI whose user is a phone number is a number, not ours. */
	parse_ok("AccountSid=AC1&CallSid=CAs&CallStatus=ringing&Direction="
	    "inbound&From=sip%3A%2B380671234567%40trunk.example.com&To=sip%3A"
	    "%2B14155550123%40x.sip.twilio.com", &ev);
	ck_assert_int_eq(ev.dir, DIR_IN);
	ck_assert_str_eq(ev.client, "+380671234567");
	ck_assert_str_eq(ev.our_number, "+14155550123");
	ck_assert(ev.wants_route);
	/* Caller/Called stand in for From/To. */
	parse_ok("CallSid=CAs&CallStatus=ringing&Direction=inbound&Caller="
	    "%2B380501234567&Called=%2B14155550123", &ev);
	ck_assert_str_eq(ev.client, "+380501234567");
	ck_assert_str_eq(ev.our_number, "+14155550123");
}
END_TEST

START_TEST(test_twilio_recording_callbacks)
{
	struct call_event ev;

	parse_ok("AccountSid=AC1&CallSid=CAp&RecordingSid=RE1&RecordingUrl="
	    "https%3A%2F%2Fapi.twilio.com%2F2010-04-01%2FAccounts%2FAC1%2F"
	    "Recordings%2FRE1&RecordingStatus=completed&RecordingDuration=41&"
	    "RecordingChannels=2&RecordingSource=DialVerb", &ev);
	ck_assert_int_eq(ev.kind, EV_RECORDING);
	ck_assert_str_eq(ev.call_id, "CAp");
	ck_assert_str_eq(ev.recording_url,
	    "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1");
	ck_assert_str_eq(ev.recording_ref, "RE1");
	ck_assert_str_eq(ev.event_id, "RE1:completed");
	ck_assert(!ev.recording_absent);
	ck_assert_int_eq(ev.result, RES_NONE);

	parse_ok("AccountSid=AC1&CallSid=CAp&RecordingSid=RE2&"
	    "RecordingStatus=absent&RecordingDuration=-1", &ev);
	ck_assert_int_eq(ev.kind, EV_RECORDING);
	ck_assert(ev.recording_absent);
	ck_assert_str_eq(ev.recording_url, "");
	ck_assert_str_eq(ev.recording_ref, "");

	parse_ok("CallSid=CAp&RecordingSid=RE3&RecordingStatus=in-progress",
	    &ev);
	ck_assert_int_eq(ev.kind, EV_IGNORED);
	parse_ok("CallSid=CAp&RecordingStatus=completed", &ev);
	ck_assert_int_eq(ev.kind, EV_IGNORED);
	parse_ok("CallSid=CAp&RecordingSid=RE4&RecordingStatus=exploded", &ev);
	ck_assert_int_eq(ev.kind, EV_UNKNOWN);
	ck_assert_str_eq(ev.type_name, "recording:exploded");
}
END_TEST

START_TEST(test_twilio_voicemail_record_action)
{
	struct call_event ev;

	parse_ok(INB "CallSid=CAvm&CallStatus=completed&RecordingSid=RE9&"
	    "RecordingUrl=https%3A%2F%2Fapi.twilio.com%2F2010-04-01%2F"
	    "Accounts%2FAC1%2FRecordings%2FRE9&RecordingDuration=12&Digits="
	    "hangup", &ev);
	ck_assert_int_eq(ev.kind, EV_ENDED);
	ck_assert_int_eq(ev.result, RES_MISSED);
	ck_assert_str_eq(ev.hangup_cause, "voicemail");
	ck_assert_str_eq(ev.recording_ref, "RE9");
	ck_assert_str_eq(ev.type_name, "record:completed");
	ck_assert(!ev.wants_route);
}
END_TEST

START_TEST(test_twilio_timestamps)
{
	static const struct {
		const char *ts;
		long long ms;
	} ok[] = {
		{ "Tue%2C+04+Jun+2024+10%3A00%3A42+%2B0000", TS_MS },
		{ "4+Jun+2024+10%3A00%3A42+GMT", TS_MS },
		{ "Tue%2C+04+Jun+2024+13%3A00%3A42+%2B0300", TS_MS },
		{ "Tue%2C+04+Jun+2024+03%3A00%3A42+-0700", TS_MS },
		{ "tue%2C+4+jun+2024+10%3A00+UT", TS_MS - 42000 },
		{ "Thu%2C+29+Feb+2024+00%3A00%3A00+Z", 1709164800000LL },
	};
	static const char *const bad[] = {
		"yesterday", "Tue%2C+31+Feb+2024+10%3A00%3A42+%2B0000",
		"Wed%2C+29+Feb+2023+10%3A00%3A42+%2B0000",
		"Tue%2C+04+Jun+2024+25%3A00%3A42+%2B0000",
		"Tue%2C+04+Jun+2024+10%3A00%3A42",
		"Tue%2C+04+Jun+2024+10%3A00%3A42+%2B0000+junk",
		"Tue+04+Jun+2024+10%3A00%3A42+%2B0000",
		"Tue%2C+04+Jux+2024+10%3A00%3A42+%2B0000",
		"Tue%2C+04+Jun+1969+10%3A00%3A42+%2B0000",
		"Tue%2C+04+Jun+2024+10%3A00%3A42+%2B2400",
	};
	struct call_event ev;
	const char *why;
	char body[512];
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(body, sizeof(body), "%sCallSid=CAt&CallStatus="
		    "ringing&Timestamp=%s", INB, ok[i].ts);
		parse_ok(body, &ev);
		ck_assert_msg(ev.at_ms == ok[i].ms, "%s: %lld", ok[i].ts,
		    (long long)ev.at_ms);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(body, sizeof(body), "%sCallSid=CAt&CallStatus="
		    "ringing&Timestamp=%s", INB, bad[i]);
		ck_assert_msg(parse_form(body, &ev, &why) == CB_EINVAL, "%s",
		    bad[i]);
		ck_assert_ptr_nonnull(why);
	}
}
END_TEST

START_TEST(test_twilio_malformed_bodies)
{
	static const char *const bad[] = {
		"",
		"hello=world",
		"CallSid=CA+with+spaces&CallStatus=ringing",
		"CallSid=CA1&ParentCallSid=%3Cscript%3E&CallStatus=ringing",
		"CallSid=CA1&CallStatus=completed&CallDuration=abc",
		"CallSid=CA1&CallStatus=completed&CallDuration=-5",
		"CallSid=CA1&CallStatus=completed&CallDuration=99999999999",
		"CallSid=CA1&CallStatus=ringing&SequenceNumber=-1",
		"CallSid=CA1&CallStatus=ringing&SequenceNumber=1.5",
		"CallSid=CA1&DialCallStatus=completed&DialCallDuration=x",
		"CallSid=CA1&RecordingStatus=completed&RecordingUrl=javascript"
		"%3Aalert(1)",
		"CallSid=CA1&RecordingStatus=completed&RecordingUrl=file%3A%2F"
		"%2F%2Fetc%2Fpasswd",
		"CallSid=CA1&RecordingStatus=completed&RecordingSid=RE%2F..",
		"CallSid=CA1&RecordingStatus=completed&RecordingDuration=-2",
		"CallSid=CA1&CallStatus=ringing&From=%2B1234567890123456789012"
		"345678901234567890123456789012345678901234567890",
		"CallSid=CA1234567890123456789012345678901234567890123456789012"
		"345678901234567890&CallStatus=ringing",
	};
	struct call_event ev;
	const char *why;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(parse_form(bad[i], &ev, &why) == CB_EINVAL,
		    "accepted: %s", bad[i]);
		ck_assert_ptr_nonnull(why);
	}
}
END_TEST

START_TEST(test_twilio_unknown_events_are_kept)
{
	struct call_event ev;

	parse_ok(INB "CallbackSource=call-progress-events&CallSid=CAu&"
	    "CallStatus=teleported", &ev);
	ck_assert_int_eq(ev.kind, EV_UNKNOWN);
	ck_assert_str_eq(ev.type_name, "status:teleported");
	ck_assert_str_eq(ev.call_id, "CAu");
	/* Signed by Twilio, not a call (a messaging webhook). */
	parse_ok("AccountSid=AC1&MessageSid=SM1&SmsStatus=received&Body=hi",
	    &ev);
	ck_assert_int_eq(ev.kind, EV_UNKNOWN);
	ck_assert_str_eq(ev.call_id, "");
	/* A call without a status; unprintable bytes stay out of the name. */
	parse_ok("CallSid=CAu&Direction=inbound", &ev);
	ck_assert_int_eq(ev.kind, EV_UNKNOWN);
	parse_ok("CallSid=CAu&CallStatus=%01%FF", &ev);
	ck_assert_int_eq(ev.kind, EV_UNKNOWN);
	ck_assert_str_eq(ev.type_name, "voice:??");
}
END_TEST

START_TEST(test_twilio_retry_is_same_event)
{
	struct call_event a, b, c;
	const char *body = INB "CallbackSource=call-progress-events&"
	    "SequenceNumber=4&" TS "CallDuration=42&CallSid=CAr&"
	    "CallStatus=completed";

	parse_ok(body, &a);
	parse_ok(body, &b);
	ck_assert_str_eq(a.event_id, b.event_id);
	ck_assert_str_eq(a.event_id, "CAr:completed:4");
	parse_ok(INB "CallbackSource=call-progress-events&CallSid=CAr&"
	    "CallStatus=completed&CallDuration=42", &c);
	ck_assert_str_eq(c.event_id, "CAr:completed");
}
END_TEST

START_TEST(test_twilio_json_and_get_requests)
{
	struct treq t;
	struct call_event ev;
	const char *why = NULL;

	/* §5.1 #3: a JSON status callback. */
	treq_init(&t, T5, vectors[4].url, vectors[4].ctype, vectors[4].body,
	    NULL);
	ev_init(&ev);
	ck_assert_int_eq(twilio_provider.parse(&t.c, &t.r, &ev, &why), CB_OK);
	ck_assert_int_eq(ev.kind, EV_ENDED);
	ck_assert_int_eq(ev.result, RES_NONE);
	ck_assert_int_eq(ev.dir, DIR_UNKNOWN);
	ck_assert_str_eq(ev.call_id, "CA33333333333333333333333333333333");
	ck_assert_str_eq(ev.event_id, "CA33333333333333333333333333333333:"
	    "completed");
	treq_free(&t);
	/* Twilio configured to use GET: everything is in the query. */
	treq_init(&t, T5, "https://crm.example.com/hook/twilio?CallSid=CAg&"
	    "CallStatus=ringing&Direction=inbound&From=%2B380501234567&To=%2B"
	    "14155550123", NULL, NULL, NULL);
	ev_init(&ev);
	ck_assert_int_eq(twilio_provider.parse(&t.c, &t.r, &ev, &why), CB_OK);
	ck_assert(ev.wants_route);
	ck_assert_str_eq(ev.client, "+380501234567");
	treq_free(&t);
}
END_TEST

/* ------------------------------------------------------------- answer */

struct twiml {
	xmlDocPtr doc;
	xmlXPathContextPtr xp;
	char body[8192];
};

/* Runs answer() and parses its TwiML (which must be well-formed). */
static void
twiml(struct twiml *x, const struct call_event *ev,
    const struct route_answer *ra, const char *config_json)
{
	struct prov_conf c;
	struct json_object *cfg = config_json ?
	    json_tokener_parse(config_json) : NULL;
	const char *ctype = NULL;
	struct buf out;

	memset(&c, 0, sizeof(c));
	c.slug = "twilio";
	c.config = cfg;
	buf_init(&out, 64 * 1024);
	ck_assert_int_eq(twilio_provider.answer(&c, ev, ra, &out, &ctype),
	    CB_OK);
	ck_assert_str_eq(ctype, "text/xml");
	snprintf(x->body, sizeof(x->body), "%s", buf_cstr(&out));
	x->doc = xmlReadMemory(out.p, (int)out.len, "twiml.xml", "UTF-8",
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	ck_assert_msg(x->doc != NULL, "not XML: %s", x->body);
	x->xp = xmlXPathNewContext(x->doc);
	buf_free(&out);
	json_object_put(cfg);
}

/* string(expr) over the answer. Caller frees. */
static char *
xs(struct twiml *x, const char *expr)
{
	char q[512];
	xmlXPathObjectPtr o;
	char *s;

	snprintf(q, sizeof(q), "string(%s)", expr);
	o = xmlXPathEvalExpression(BAD_CAST q, x->xp);
	ck_assert_ptr_nonnull(o);
	s = strdup((const char *)o->stringval);
	xmlXPathFreeObject(o);
	return s;
}

#define XS_EQ(x, expr, want) do { \
	char *got_ = xs((x), (expr)); \
	ck_assert_msg(strcmp(got_, (want)) == 0, \
	    "%s = '%s' (want '%s') in %s", (expr), got_, (want), (x)->body); \
	free(got_); \
} while (0)

static void
twiml_free(struct twiml *x)
{
	xmlXPathFreeContext(x->xp);
	xmlFreeDoc(x->doc);
}

static void
route_event(struct call_event *ev)
{
	parse_ok(vectors[3].body, ev);
	ck_assert(ev->wants_route);
}

START_TEST(test_twilio_answer_routes_to_responsible_manager)
{
	struct call_event ev;
	struct route_answer ra = { .extension = "104",
	    .customer_name = "Café Olé 🚀 S.L.", .fallback_kind = "manager",
	    .fallback_target = "101" };
	struct twiml x;

	route_event(&ev);
	twiml(&x, &ev, &ra, NULL);
	ck_assert_ptr_nonnull(strstr(x.body, "<?xml version=\"1.0\" "
	    "encoding=\"UTF-8\"?>"));
	XS_EQ(&x, "count(/Response/*)", "1");
	XS_EQ(&x, "/Response/Dial/@action", "twilio");
	XS_EQ(&x, "/Response/Dial/@timeout", "20");
	XS_EQ(&x, "/Response/Dial/@answerOnBridge", "true");
	XS_EQ(&x, "/Response/Dial/@record", "record-from-answer-dual");
	XS_EQ(&x, "/Response/Dial/@recordingStatusCallback", "twilio");
	XS_EQ(&x, "/Response/Dial/@recordingStatusCallbackEvent",
	    "completed absent");
	XS_EQ(&x, "count(/Response/Dial/*)", "1");
	XS_EQ(&x, "/Response/Dial/Client", "manager_104");
	XS_EQ(&x, "/Response/Dial/Client/@statusCallbackEvent",
	    "initiated ringing answered completed");
	XS_EQ(&x, "/Response/Dial/Client/@statusCallback", "twilio");
	/* The customer's name stays out of what Twilio sees. */
	ck_assert_ptr_null(strstr(x.body, "Caf"));
	twiml_free(&x);
}
END_TEST

START_TEST(test_twilio_answer_config_hook_url_and_sip)
{
	struct call_event ev;
	struct route_answer ra = { .extension = "101" };
	struct twiml x;

	route_event(&ev);
	twiml(&x, &ev, &ra, "{\"hook_url\":\"https://crm.example.com/hook/"
	    "twilio?a=1&b=2\",\"sip_domain\":\"pbx.example.com\"}");
	XS_EQ(&x, "/Response/Dial/@action",
	    "https://crm.example.com/hook/twilio?a=1&b=2");
	ck_assert_ptr_nonnull(strstr(x.body, "?a=1&amp;b=2"));
	XS_EQ(&x, "/Response/Dial/Sip", "sip:101@pbx.example.com");
	XS_EQ(&x, "/Response/Dial/Sip/@statusCallback",
	    "https://crm.example.com/hook/twilio?a=1&b=2");
	twiml_free(&x);
	/* A hostile or odd configuration falls back to safe defaults. */
	twiml(&x, &ev, &ra, "{\"hook_url\":\"javascript:alert(1)\","
	    "\"sip_domain\":\"a b\",\"client_prefix\":\"<x>\"}");
	XS_EQ(&x, "/Response/Dial/@action", "twilio");
	XS_EQ(&x, "/Response/Dial/Client", "manager_101");
	twiml_free(&x);
	twiml(&x, &ev, &ra, "{\"client_prefix\":\"agent-\"}");
	XS_EQ(&x, "/Response/Dial/Client", "agent-101");
	twiml_free(&x);
}
END_TEST

START_TEST(test_twilio_answer_fallbacks)
{
	struct call_event ev;
	struct route_answer ra;
	struct twiml x;

	route_event(&ev);
	/* Unknown caller, fallback manager. */
	memset(&ra, 0, sizeof(ra));
	ra.fallback_kind = "manager";
	ra.fallback_target = "101";
	twiml(&x, &ev, &ra, NULL);
	XS_EQ(&x, "/Response/Dial/Client", "manager_101");
	twiml_free(&x);
	/* Queue: the target escaped by the writer, not concatenated. */
	ra.fallback_kind = "queue";
	ra.fallback_target = "sales <&> \"support\"";
	twiml(&x, &ev, &ra, NULL);
	XS_EQ(&x, "count(/Response/*)", "1");
	XS_EQ(&x, "/Response/Enqueue", "sales <&> \"support\"");
	twiml_free(&x);
	/* Voicemail: a prompt and a recording that calls back. */
	ra.fallback_kind = "voicemail";
	ra.fallback_target = NULL;
	twiml(&x, &ev, &ra, "{\"voicemail_text\":\"Лишіть повідомлення\"}");
	XS_EQ(&x, "/Response/Say", "Лишіть повідомлення");
	XS_EQ(&x, "/Response/Record/@action", "twilio");
	XS_EQ(&x, "/Response/Record/@maxLength", "120");
	XS_EQ(&x, "/Response/Record/@recordingStatusCallback", "twilio");
	twiml_free(&x);
	/* None, or no answer at all: a polite goodbye. */
	memset(&ra, 0, sizeof(ra));
	twiml(&x, &ev, &ra, NULL);
	XS_EQ(&x, "/Response/Say",
	    "All our managers are busy. Please call again later.");
	XS_EQ(&x, "count(/Response/Hangup)", "1");
	twiml_free(&x);
	twiml(&x, &ev, NULL, "{\"busy_text\":\"Sorry\"}");
	XS_EQ(&x, "/Response/Say", "Sorry");
	twiml_free(&x);
}
END_TEST

START_TEST(test_twilio_answer_rejects_hostile_values)
{
	struct call_event ev;
	struct route_answer ra;
	struct twiml x;

	route_event(&ev);
	/* An extension that would break out of <Client> is not used: the
	 * fallback is. */
	memset(&ra, 0, sizeof(ra));
	ra.extension = "101</Client><Hangup/>";
	ra.fallback_kind = "manager";
	ra.fallback_target = "103";
	twiml(&x, &ev, &ra, NULL);
	XS_EQ(&x, "/Response/Dial/Client", "manager_103");
	XS_EQ(&x, "count(//Hangup)", "0");
	twiml_free(&x);
	/* Invalid UTF-8 or control characters in a queue name. */
	ra.extension = NULL;
	ra.fallback_kind = "queue";
	ra.fallback_target = "q\xff\xfe";
	twiml(&x, &ev, &ra, NULL);
	XS_EQ(&x, "count(/Response/Enqueue)", "0");
	XS_EQ(&x, "count(/Response/Hangup)", "1");
	twiml_free(&x);
	ra.fallback_target = "q\x01";
	twiml(&x, &ev, &ra, NULL);
	XS_EQ(&x, "count(/Response/Enqueue)", "0");
	twiml_free(&x);
}
END_TEST

START_TEST(test_twilio_answer_softphone_dials_number)
{
	struct call_event ev;
	struct twiml x;

	parse_ok("AccountSid=AC1&CallSid=CAsoft&CallStatus=ringing&Direction="
	    "inbound&From=client%3Amanager_104&To=%2B380671234567", &ev);
	twiml(&x, &ev, NULL, "{\"caller_id\":\"+14155550123\"}");
	XS_EQ(&x, "/Response/Dial/Number", "+380671234567");
	XS_EQ(&x, "/Response/Dial/@callerId", "+14155550123");
	XS_EQ(&x, "/Response/Dial/Number/@statusCallback", "twilio");
	twiml_free(&x);
	/* Not a number we can dial. */
	parse_ok("AccountSid=AC1&CallSid=CAsoft&CallStatus=ringing&Direction="
	    "inbound&From=client%3Amanager_104&To=%2A72", &ev);
	twiml(&x, &ev, NULL, NULL);
	XS_EQ(&x, "count(/Response/Dial)", "0");
	twiml_free(&x);
}
END_TEST

START_TEST(test_twilio_answer_empty_for_callbacks)
{
	struct call_event ev;
	struct twiml x;

	parse_ok(vectors[0].body, &ev);
	twiml(&x, &ev, NULL, NULL);
	XS_EQ(&x, "count(/Response)", "1");
	XS_EQ(&x, "count(/Response/node())", "0");
	ck_assert_ptr_nonnull(strstr(x.body, "<Response/>"));
	twiml_free(&x);
}
END_TEST

START_TEST(test_twilio_registered)
{
	ck_assert_ptr_eq(provider_by_kind("twilio"), &twilio_provider);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("prov_twilio");
	TCase *tc = tcase_create("twilio");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_twilio_signature_vectors, 0,
	    (int)(sizeof(vectors) / sizeof(vectors[0])));
	tcase_add_test(tc, test_twilio_bad_signature);
	tcase_add_test(tc, test_twilio_missing_signature_or_token);
	tcase_add_test(tc, test_twilio_json_body_must_match_hash);
	tcase_add_test(tc, test_twilio_port_toggle_edge_urls);
	tcase_add_test(tc, test_twilio_voice_url_wants_route);
	tcase_add_test(tc, test_twilio_withheld_caller);
	tcase_add_test(tc,
	    test_twilio_status_completed_inbound_parent_says_no_result);
	tcase_add_test(tc, test_twilio_parent_inbound_statuses);
	tcase_add_test(tc, test_twilio_child_leg_folds_into_parent_call);
	tcase_add_test(tc, test_twilio_ring_group_legs);
	tcase_add_test(tc, test_twilio_child_to_a_number_takes_twilio_word);
	tcase_add_test(tc, test_twilio_dial_action_decides_result);
	tcase_add_test(tc, test_twilio_outbound_api_to_customer);
	tcase_add_test(tc, test_twilio_outbound_api_manager_first);
	tcase_add_test(tc, test_twilio_softphone_voice_url_calls_out);
	tcase_add_test(tc, test_twilio_extension_forms);
	tcase_add_test(tc, test_twilio_recording_callbacks);
	tcase_add_test(tc, test_twilio_voicemail_record_action);
	tcase_add_test(tc, test_twilio_timestamps);
	tcase_add_test(tc, test_twilio_malformed_bodies);
	tcase_add_test(tc, test_twilio_unknown_events_are_kept);
	tcase_add_test(tc, test_twilio_retry_is_same_event);
	tcase_add_test(tc, test_twilio_json_and_get_requests);
	tcase_add_test(tc, test_twilio_answer_routes_to_responsible_manager);
	tcase_add_test(tc, test_twilio_answer_config_hook_url_and_sip);
	tcase_add_test(tc, test_twilio_answer_fallbacks);
	tcase_add_test(tc, test_twilio_answer_rejects_hostile_values);
	tcase_add_test(tc, test_twilio_answer_softphone_dials_number);
	tcase_add_test(tc, test_twilio_answer_empty_for_callbacks);
	tcase_add_test(tc, test_twilio_registered);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
