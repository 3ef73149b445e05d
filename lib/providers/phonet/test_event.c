/* "Send a test event" for Phonet: a call.hangup of an answered incoming
 * call (providers-2.md §1.1), with the URL key when one is set. Phonet's
 * events are accepted only from its servers' addresses (config
 * allowed_ips), so the test passes once this server's own address is on
 * that list; otherwise the hook's 403 says why. */
#include "config.h"

#include <string.h>

#include "core/arena.h"
#include "core/rand.h"
#include "providers/adapt.h"
#include "providers/phonet/phonet.h"
#include "providers/test_event.h"

enum cb_err
phonet_test_event(struct arena *a, const char *url, const char *sign_url,
    struct json_object *sec, const char *did, time_t now,
    struct test_event *ev, const char **why)
{
	struct json_object *o, *leg, *others, *other;
	char uuid[33];

	(void)sign_url;
	(void)why;
	if (rand_hex(uuid, sizeof(uuid), 16) != CB_OK)
		return CB_EIO;
	if ((o = json_object_new_object()) == NULL)
		return CB_ENOMEM;
	leg = json_object_new_object();
	json_object_object_add(leg, "id", json_object_new_int(1));
	json_object_object_add(leg, "ext", json_object_new_string("100"));
	json_object_object_add(leg, "displayName",
	    json_object_new_string("Callboard test"));
	json_object_object_add(leg, "type", json_object_new_int(1));
	other = json_object_new_object();
	json_object_object_add(other, "id", json_object_new_string("1"));
	json_object_object_add(other, "name",
	    json_object_new_string("Callboard test caller"));
	json_object_object_add(other, "num",
	    json_object_new_string(TEST_EVENT_CALLER));
	others = json_object_new_array();
	json_object_array_add(others, other);
	json_object_object_add(o, "event", json_object_new_string(
	    "call.hangup"));
	json_object_object_add(o, "uuid", json_object_new_string(uuid));
	json_object_object_add(o, "parentUuid", NULL);
	json_object_object_add(o, "dialAt", json_object_new_int64(
	    (int64_t)now - 20));
	json_object_object_add(o, "bridgeAt", json_object_new_int64(
	    (int64_t)now - 15));
	json_object_object_add(o, "serverTime", json_object_new_int64(
	    (int64_t)now * 1000));
	json_object_object_add(o, "lgDirection", json_object_new_int(4));
	json_object_object_add(o, "leg", leg);
	json_object_object_add(o, "leg2", NULL);
	json_object_object_add(o, "otherLegs", others);
	json_object_object_add(o, "trunkNum", json_object_new_string(
	    did ? did : "+380440000000"));
	return adapt_test_event(a, url, test_event_secret(sec, "key"), o, uuid,
	    ev);
}
