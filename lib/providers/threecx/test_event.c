/* "Send a test event" for 3CX: the journal entry our CRM template makes
 * 3CX send at the end of an answered inbound call (template.c), with the
 * URL key. Its call key is derived as for a real entry (threecx.c). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "providers/adapt.h"
#include "providers/test_event.h"
#include "providers/threecx/threecx.h"

enum cb_err
threecx_test_event(struct arena *a, const char *url, const char *sign_url,
    struct json_object *sec, const char *did, time_t now,
    struct test_event *ev, const char **why)
{
	const char *key = test_event_secret(sec, "key");
	struct json_object *o;
	char start[24], answer[24], end[24], id[128];
	time_t t[3] = { now - 40, now - 35, now };
	char *out[3] = { start, answer, end };
	struct tm tm;
	int i;

	(void)sign_url;
	(void)did;
	if (key == NULL) {
		*why = "The integration has no URL key: set it and save first.";
		return CB_EINVAL;
	}
	for (i = 0; i < 3; i++)
		if (gmtime_r(&t[i], &tm) == NULL || strftime(out[i], 24,
		    "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
			return CB_EINVAL;
	if (!threecx_call_key((int64_t)t[0] * 1000, false, TEST_EVENT_CALLER,
	    id, sizeof(id)))
		return CB_EINVAL;
	if ((o = json_object_new_object()) == NULL)
		return CB_ENOMEM;
	json_object_object_add(o, "event", json_object_new_string("journal"));
	json_object_object_add(o, "call_type",
	    json_object_new_string("Inbound"));
	json_object_object_add(o, "number", json_object_new_string(
	    TEST_EVENT_CALLER));
	json_object_object_add(o, "agent", json_object_new_string(""));
	json_object_object_add(o, "duration", json_object_new_string(
	    "00:00:35"));
	json_object_object_add(o, "start_utc", json_object_new_string(start));
	json_object_object_add(o, "answer_utc", json_object_new_string(answer));
	json_object_object_add(o, "end_utc", json_object_new_string(end));
	return adapt_test_event(a, url, key, o, id, ev);
}
