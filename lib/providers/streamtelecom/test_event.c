/* "Send a test event" for Stream Telecom: the Hangup of an answered
 * incoming call (providers-2.md §4), times in epoch ms, with the URL key. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/rand.h"
#include "providers/adapt.h"
#include "providers/streamtelecom/streamtelecom.h"
#include "providers/test_event.h"

enum cb_err
streamtelecom_test_event(struct arena *a, const char *url,
    const char *sign_url, struct json_object *sec, const char *did,
    time_t now, struct test_event *ev, const char **why)
{
	const char *key = test_event_secret(sec, "key");
	struct json_object *o;
	char hex[9], session[40], leg[48], t[4][24];
	long long ms = (long long)now * 1000;

	(void)sign_url;
	if (key == NULL) {
		*why = "The integration has no URL key: set it and save first.";
		return CB_EINVAL;
	}
	if (rand_hex(hex, sizeof(hex), 4) != CB_OK)
		return CB_EIO;
	/* Its ids look like "<epoch>.<n>": the same shape, a test of its own. */
	snprintf(session, sizeof(session), "%lld.%s", (long long)now, hex);
	snprintf(leg, sizeof(leg), "%s1", session);
	/* start, ring, answer, end */
	snprintf(t[0], sizeof(t[0]), "%lld", ms - 20000);
	snprintf(t[1], sizeof(t[1]), "%lld", ms - 20000);
	snprintf(t[2], sizeof(t[2]), "%lld", ms - 15000);
	snprintf(t[3], sizeof(t[3]), "%lld", ms);
	if ((o = json_object_new_object()) == NULL)
		return CB_ENOMEM;
	json_object_object_add(o, "event", json_object_new_string("Hangup"));
	json_object_object_add(o, "type", json_object_new_string("in"));
	json_object_object_add(o, "event_time", json_object_new_string(t[3]));
	json_object_object_add(o, "time_start", json_object_new_string(t[0]));
	json_object_object_add(o, "time_ring", json_object_new_string(t[1]));
	json_object_object_add(o, "time_answer", json_object_new_string(t[2]));
	json_object_object_add(o, "from", json_object_new_string(
	    &TEST_EVENT_CALLER[1]));
	json_object_object_add(o, "to", json_object_new_string(
	    did ? did : "380440000000"));
	json_object_object_add(o, "via", json_object_new_string(
	    did ? did : "380440000000"));
	json_object_object_add(o, "result", json_object_new_string("answer"));
	json_object_object_add(o, "call_id", json_object_new_string(leg));
	json_object_object_add(o, "sessionid", json_object_new_string(session));
	return adapt_test_event(a, url, key, o, session, ev);
}
