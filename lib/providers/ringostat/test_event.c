/* "Send a test event" for Ringostat: the after-call webhook of an answered
 * incoming call (providers-2.md §3.1, the parameters README asks for),
 * JSON, with the URL key. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/rand.h"
#include "providers/adapt.h"
#include "providers/ringostat/ringostat.h"
#include "providers/test_event.h"

enum cb_err
ringostat_test_event(struct arena *a, const char *url, const char *sign_url,
    struct json_object *sec, const char *did, time_t now,
    struct test_event *ev, const char **why)
{
	const char *key = test_event_secret(sec, "key");
	struct json_object *o;
	char hex[13], id[40], micros[32], caller[64];

	(void)sign_url;
	if (key == NULL) {
		*why = "The integration has no URL key: set it and save first.";
		return CB_EINVAL;
	}
	if (rand_hex(hex, sizeof(hex), 6) != CB_OK)
		return CB_EIO;
	snprintf(id, sizeof(id), "test-%s", hex);
	snprintf(micros, sizeof(micros), "%lld000000", (long long)now - 40);
	snprintf(caller, sizeof(caller), "\"Test call\" <%s>",
	    &TEST_EVENT_CALLER[1]);
	if ((o = json_object_new_object()) == NULL)
		return CB_ENOMEM;
	json_object_object_add(o, "call_id", json_object_new_string(id));
	json_object_object_add(o, "caller", json_object_new_string(caller));
	json_object_object_add(o, "callee", json_object_new_string(
	    did ? did : "380440000000"));
	json_object_object_add(o, "status", json_object_new_string("ANSWERED"));
	json_object_object_add(o, "calldate_timestamp_micros",
	    json_object_new_string(micros));
	json_object_object_add(o, "call_duration", json_object_new_int(35));
	json_object_object_add(o, "waiting", json_object_new_int(5));
	json_object_object_add(o, "dialog", json_object_new_int(30));
	json_object_object_add(o, "has_recording", json_object_new_int(0));
	return adapt_test_event(a, url, key, o, id, ev);
}
