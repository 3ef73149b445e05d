/* "Send a test event" for Twilio: a completed call's status callback. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/rand.h"
#include "http/escape.h"
#include "net/sig.h"
#include "providers/test_event.h"
#include "providers/twilio/twilio.h"

static int
cmp_names(const void *x, const void *y)
{
	const char *const *a = x, *const *b = y;

	return strcmp(a[0], b[0]);
}

/* A completed call's status callback, signed as Twilio does (§1.2):
 * base64(HMAC-SHA1(auth_token, url + sorted name+value pairs)). */
enum cb_err
twilio_test_event(struct arena *a, const char *url, const char *sign_url,
    struct json_object *sec, const char *did, time_t now,
    struct test_event *ev, const char **why)
{
	const char *token = test_event_secret(sec, "auth_token");
	const char *sid = test_event_secret(sec, "account_sid");
	unsigned char mac[SIG_SHA1_LEN];
	char b64[4 * ((SIG_SHA1_LEN + 2) / 3) + 1], rnd[33];
	const char *kv[] = {
		"AccountSid", NULL, "ApiVersion", "2010-04-01",
		"CallSid", NULL, "CallStatus", "completed",
		"CallDuration", "15", "Direction", "inbound",
		"From", TEST_EVENT_CALLER, "To", NULL,
		"Caller", TEST_EVENT_CALLER, "Called", NULL,
		"Timestamp", NULL, NULL
	};
	const char *(*sorted)[2];
	struct buf msg;
	struct tm tm;
	char when[64];
	size_t i, n;

	if (token == NULL) {
		*why = "The integration has no auth token: set it and save "
		    "first.";
		return CB_EINVAL;
	}
	if (rand_hex(rnd, sizeof(rnd), 16) != CB_OK)
		return CB_EIO;
	ev->external_id = arena_printf(a, "CA%s", rnd);
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	kv[1] = sid ? sid : "AC00000000000000000000000000000000";
	kv[5] = ev->external_id;
	kv[15] = did ? did : "+10000000000";
	kv[19] = kv[15];
	kv[21] = arena_strdup(a, when);
	for (n = 0; kv[2 * n]; n++)
		;
	sorted = arena_alloc(a, n * sizeof(*sorted));
	for (i = 0; i < n; i++) {
		sorted[i][0] = kv[2 * i];
		sorted[i][1] = kv[2 * i + 1];
	}
	qsort(sorted, n, sizeof(*sorted), cmp_names);
	buf_init(&msg, 8192);
	buf_puts(&msg, sign_url);
	for (i = 0; i < n; i++) {
		buf_puts(&msg, sorted[i][0]);
		buf_puts(&msg, sorted[i][1]);
	}
	if (msg.err) {
		buf_free(&msg);
		return CB_ETOOBIG;
	}
	sig_hmac_sha1(token, strlen(token), msg.p, msg.len, mac);
	buf_free(&msg);
	sig_base64(mac, sizeof(mac), b64);
	if ((ev->body = test_event_form(a, kv, &ev->body_len)) == NULL)
		return CB_ETOOBIG;
	ev->method = HTTPC_POST;
	ev->url = url;
	ev->content_type = "application/x-www-form-urlencoded";
	ev->headers[0] = arena_printf(a, "X-Twilio-Signature: %s", b64);
	ev->headers[1] = NULL;
	return CB_OK;
}
