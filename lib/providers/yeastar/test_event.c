/* "Send a test event" for Yeastar P-Series: a 30012 New CDR of an answered
 * inbound call (providers-2.md §5), msg as the JSON text inside the
 * envelope, with the URL key. Its time_start carries no zone and this
 * builder does not know the PBX's: it is written in UTC (an integration in
 * another zone sees the test call shifted by the difference). */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/rand.h"
#include "providers/adapt.h"
#include "providers/test_event.h"
#include "providers/yeastar/yeastar.h"

enum cb_err
yeastar_test_event(struct arena *a, const char *url, const char *sign_url,
    struct json_object *sec, const char *did, time_t now,
    struct test_event *ev, const char **why)
{
	const char *key = test_event_secret(sec, "key");
	struct json_object *o, *msg;
	char hex[9], id[40], start[32];
	time_t t0 = now - 20;
	struct tm tm;

	(void)sign_url;
	if (key == NULL) {
		*why = "The integration has no URL key: set it and save first.";
		return CB_EINVAL;
	}
	if (rand_hex(hex, sizeof(hex), 4) != CB_OK)
		return CB_EIO;
	snprintf(id, sizeof(id), "%lld.%s", (long long)now, hex);
	gmtime_r(&t0, &tm);
	strftime(start, sizeof(start), "%Y-%m-%d %H:%M:%S", &tm);
	if ((msg = json_object_new_object()) == NULL)
		return CB_ENOMEM;
	json_object_object_add(msg, "call_id", json_object_new_string(id));
	json_object_object_add(msg, "time_start", json_object_new_string(start));
	json_object_object_add(msg, "call_from", json_object_new_string(
	    TEST_EVENT_CALLER));
	json_object_object_add(msg, "call_to", json_object_new_string("100"));
	json_object_object_add(msg, "call_duration", json_object_new_int(20));
	json_object_object_add(msg, "talk_duration", json_object_new_int(15));
	json_object_object_add(msg, "status", json_object_new_string(
	    "ANSWERED"));
	json_object_object_add(msg, "type", json_object_new_string("Inbound"));
	json_object_object_add(msg, "did_number", json_object_new_string(
	    did ? did : "380440000000"));
	if ((o = json_object_new_object()) == NULL) {
		json_object_put(msg);
		return CB_ENOMEM;
	}
	json_object_object_add(o, "type", json_object_new_int(30012));
	json_object_object_add(o, "sn", json_object_new_string("CALLBOARDTEST"));
	json_object_object_add(o, "msg", json_object_new_string(
	    json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE)));
	json_object_put(msg);
	return adapt_test_event(a, url, key, o, id, ev);
}
