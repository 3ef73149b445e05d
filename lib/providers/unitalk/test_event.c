/* "Send a test event" for UniTalk: a CALL_END of an answered incoming
 * call in "Standard JSON" (providers-2.md §2), with the handler's Bearer
 * token. Its date carries no zone: it is written in Kyiv's, the zone the
 * hook reads by default (an integration set to another zone sees the test
 * call shifted by the difference). */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/rand.h"
#include "core/timefmt.h"
#include "providers/adapt.h"
#include "providers/test_event.h"
#include "providers/unitalk/unitalk.h"

enum cb_err
unitalk_test_event(struct arena *a, const char *url, const char *sign_url,
    struct json_object *sec, const char *did, time_t now,
    struct test_event *ev, const char **why)
{
	const char *token = test_event_secret(sec, "token");
	struct json_object *o, *call, *to;
	char id[33], utc[32], local[40];
	time_t start = now - 60;
	struct tm tm;
	enum cb_err rc;

	(void)sign_url;
	if (token == NULL) {
		*why = "The integration has no token: set it and save first.";
		return CB_EINVAL;
	}
	if (rand_hex(id, sizeof(id), 16) != CB_OK)
		return CB_EIO;
	/* Minutes only from time_utc_to_local(): the call started in the
	 * minute before the last, so it ended before now. */
	gmtime_r(&start, &tm);
	strftime(utc, sizeof(utc), "%Y-%m-%d %H:%M:%S", &tm);
	if (time_utc_to_local(utc, UNITALK_DEFAULT_ZONE, local,
	    sizeof(local) - 3) != CB_OK)
		return CB_EINVAL;
	strcat(local, ":00");
	if ((o = json_object_new_object()) == NULL)
		return CB_ENOMEM;
	call = json_object_new_object();
	to = json_object_new_array();
	json_object_array_add(to, json_object_new_string("100"));
	json_object_object_add(call, "id", json_object_new_string(id));
	json_object_object_add(call, "from", json_object_new_string(
	    TEST_EVENT_CALLER));
	json_object_object_add(call, "to", to);
	json_object_object_add(call, "outerNumber", json_object_new_string(
	    did ? did : "380440000000"));
	json_object_object_add(call, "direction", json_object_new_string("IN"));
	json_object_object_add(call, "date", json_object_new_string(local));
	json_object_object_add(call, "secondsFullTime", json_object_new_int(20));
	json_object_object_add(call, "secondsTalk", json_object_new_int(15));
	json_object_object_add(call, "state", json_object_new_string("ANSWER"));
	json_object_object_add(call, "cause", json_object_new_string(
	    "NORMAL_CLEARING"));
	json_object_object_add(o, "event", json_object_new_string("CALL_END"));
	json_object_object_add(o, "call", call);
	if ((rc = adapt_test_event(a, url, NULL, o, id, ev)) != CB_OK)
		return rc;
	ev->headers[0] = arena_printf(a, "Authorization: Bearer %s", token);
	ev->headers[1] = NULL;
	return ev->headers[0] != NULL ? CB_OK : CB_ENOMEM;
}
