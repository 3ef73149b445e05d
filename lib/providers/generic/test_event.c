/* "Send a test event" for a PBX in our format (generic and asterisk). */
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
#include "providers/generic/generic.h"

/* generic and asterisk: X-Signature = sha256=hex(HMAC-SHA256(secret,
 * "<ts>.<body>")) (docs/generic-format.md). */
enum cb_err
generic_test_event(struct arena *a, const char *url, const char *sign_url,
    struct json_object *sec, const char *did, time_t now,
    struct test_event *ev, const char **why)
{
	const char *secret = test_event_secret(sec, "secret");
	unsigned char mac[SIG_SHA256_LEN];
	char hex[2 * SIG_SHA256_LEN + 1], rnd[17];
	struct json_object *o;
	const char *msg;

	(void)sign_url;
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
