#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/rand.h"
#include "http/escape.h"
#include "net/sig.h"
#include "providers/test_event.h"

static const char *
secret_of(struct json_object *secrets, const char *key)
{
	struct json_object *v;
	const char *s;

	if (secrets == NULL || !json_object_object_get_ex(secrets, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	s = json_object_get_string(v);
	return s && *s ? s : NULL;
}

/* Form encoding of NULL-terminated name/value pairs, in the arena. */
static const char *
form_encode(struct arena *a, const char *const *kv, size_t *len)
{
	struct buf b;
	const char *r;
	size_t i;

	buf_init(&b, 8192);
	for (i = 0; kv[i]; i += 2) {
		if (i)
			buf_putc(&b, '&');
		url_component(&b, kv[i], strlen(kv[i]));
		buf_putc(&b, '=');
		url_component(&b, kv[i + 1], strlen(kv[i + 1]));
	}
	r = b.err ? NULL : arena_strndup(a, buf_cstr(&b), b.len);
	*len = b.len;
	buf_free(&b);
	return r;
}

static int
cmp_names(const void *x, const void *y)
{
	const char *const *a = x, *const *b = y;

	return strcmp(a[0], b[0]);
}

/* generic and asterisk: X-Signature = sha256=hex(HMAC-SHA256(secret,
 * "<ts>.<body>")) (docs/generic-format.md). */
static enum cb_err
build_generic(struct arena *a, const char *url, struct json_object *sec,
    const char *did, time_t now, struct test_event *ev, const char **why)
{
	const char *secret = secret_of(sec, "secret");
	unsigned char mac[SIG_SHA256_LEN];
	char hex[2 * SIG_SHA256_LEN + 1], rnd[17];
	struct json_object *o;
	const char *msg;

	if (secret == NULL) {
		*why = "The integration has no secret: set one and save first.";
		return CB_EINVAL;
	}
	if (rand_hex(rnd, sizeof(rnd), 8) != CB_OK)
		return CB_EIO;
	ev->external_id = arena_printf(a, "callboard-test-%lld-%s",
	    (long long)now, rnd);
	o = json_object_new_object();
	json_object_object_add(o, "event", json_object_new_string("call.end"));
	json_object_object_add(o, "call_id",
	    json_object_new_string(ev->external_id));
	json_object_object_add(o, "direction", json_object_new_string("in"));
	json_object_object_add(o, "from",
	    json_object_new_string(TEST_EVENT_CALLER));
	if (did)
		json_object_object_add(o, "did", json_object_new_string(did));
	json_object_object_add(o, "status",
	    json_object_new_string("answered"));
	json_object_object_add(o, "start", json_object_new_int64(now - 20));
	json_object_object_add(o, "answer", json_object_new_int64(now - 15));
	json_object_object_add(o, "end", json_object_new_int64(now));
	json_object_object_add(o, "billsec", json_object_new_int64(15));
	ev->body = arena_strdup(a, json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	ev->body_len = strlen(ev->body);
	msg = arena_printf(a, "%lld.%s", (long long)now, ev->body);
	sig_hmac_sha256(secret, strlen(secret), msg, strlen(msg), mac);
	sig_hex(mac, sizeof(mac), hex);
	ev->method = HTTPC_POST;
	ev->url = url;
	ev->content_type = "application/json";
	ev->headers[0] = arena_printf(a, "X-Timestamp: %lld", (long long)now);
	ev->headers[1] = arena_printf(a, "X-Signature: sha256=%s", hex);
	ev->headers[2] = NULL;
	return CB_OK;
}

/* A completed call's status callback, signed as Twilio does (§1.2):
 * base64(HMAC-SHA1(auth_token, url + sorted name+value pairs)). */
static enum cb_err
build_twilio(struct arena *a, const char *url, const char *sign_url,
    struct json_object *sec, const char *did, time_t now,
    struct test_event *ev, const char **why)
{
	const char *token = secret_of(sec, "auth_token");
	const char *sid = secret_of(sec, "account_sid");
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
	if ((ev->body = form_encode(a, kv, &ev->body_len)) == NULL)
		return CB_ETOOBIG;
	ev->method = HTTPC_POST;
	ev->url = url;
	ev->content_type = "application/x-www-form-urlencoded";
	ev->headers[0] = arena_printf(a, "X-Twilio-Signature: %s", b64);
	ev->headers[1] = NULL;
	return CB_OK;
}

/* Zadarma checks a URL with GET ?zd_echo=<random> and wants the value
 * back as the body (§2.2). */
static enum cb_err
build_zadarma(struct arena *a, const char *url, struct test_event *ev)
{
	char rnd[17];

	if (rand_hex(rnd, sizeof(rnd), 8) != CB_OK)
		return CB_EIO;
	ev->method = HTTPC_GET;
	ev->url = arena_printf(a, "%s?zd_echo=%s", url, rnd);
	ev->expect_body = arena_strdup(a, rnd);
	ev->headers[0] = NULL;
	return CB_OK;
}

/* Binotel signs nothing; the key in the URL's query is what our hook
 * checks when the source is not one of Binotel's addresses (§3.2). */
static enum cb_err
build_binotel(struct arena *a, const char *url, struct json_object *sec,
    const char *did, time_t now, struct test_event *ev, const char **why)
{
	const char *key = secret_of(sec, "key");
	char start[24], id[24];
	struct buf q;
	unsigned char r[4];
	const char *kv[] = {
		"requestType", "apiCallCompleted",
		"callDetails[companyID]", "1",
		"callDetails[generalCallID]", NULL,
		"callDetails[callID]", NULL,
		"callDetails[startTime]", NULL,
		"callDetails[callType]", "0",
		"callDetails[externalNumber]", TEST_EVENT_CALLER,
		"callDetails[pbxNumberData][number]", NULL,
		"callDetails[waitsec]", "5",
		"callDetails[billsec]", "15",
		"callDetails[disposition]", "ANSWER",
		"callDetails[recordingStatus]", "notRecorded",
		NULL
	};

	if (key == NULL) {
		*why = "The integration has no key: set it and save first.";
		return CB_EINVAL;
	}
	if (rand_bytes(r, sizeof(r)) != CB_OK)
		return CB_EIO;
	/* Binotel's call ids are numbers; a test id in a range of its own. */
	snprintf(id, sizeof(id), "9%09lu", (unsigned long)((unsigned long)
	    r[0] << 24 | (unsigned long)r[1] << 16 | (unsigned long)r[2] << 8 |
	    r[3]) % 1000000000ul);
	snprintf(start, sizeof(start), "%lld", (long long)(now - 20));
	ev->external_id = arena_strdup(a, id);
	kv[5] = ev->external_id;
	kv[7] = ev->external_id;
	kv[9] = arena_strdup(a, start);
	kv[15] = did ? did : "+380440000000";
	if ((ev->body = form_encode(a, kv, &ev->body_len)) == NULL)
		return CB_ETOOBIG;
	buf_init(&q, 2048);
	buf_puts(&q, url);
	buf_puts(&q, "?key=");
	url_component(&q, key, strlen(key));
	ev->url = q.err ? NULL : arena_strdup(a, buf_cstr(&q));
	buf_free(&q);
	if (ev->url == NULL)
		return CB_ETOOBIG;
	ev->method = HTTPC_POST;
	ev->content_type = "application/x-www-form-urlencoded";
	ev->expect_body = "{\"status\":\"success\"}";
	ev->headers[0] = NULL;
	return CB_OK;
}

enum cb_err
test_event_build(struct arena *a, const char *kind, const char *hook_url,
    const char *sign_url, struct json_object *secrets, const char *did,
    time_t now, struct test_event *out, const char **why)
{
	memset(out, 0, sizeof(*out));
	*why = NULL;
	if (strcmp(kind, "generic") == 0 || strcmp(kind, "asterisk") == 0)
		return build_generic(a, hook_url, secrets, did, now, out, why);
	if (strcmp(kind, "twilio") == 0)
		return build_twilio(a, hook_url, sign_url, secrets, did, now,
		    out, why);
	if (strcmp(kind, "zadarma") == 0)
		return build_zadarma(a, hook_url, out);
	if (strcmp(kind, "binotel") == 0)
		return build_binotel(a, hook_url, secrets, did, now, out, why);
	return CB_ENOTFOUND;
}
