/* "Send a test event" for Binotel: an apiCallCompleted push. */
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
#include "providers/binotel/binotel.h"

/* Binotel signs nothing; the key in the URL's query is what our hook
 * checks when the source is not one of Binotel's addresses (§3.2). */
enum cb_err
binotel_test_event(struct arena *a, const char *url, const char *sign_url,
    struct json_object *sec, const char *did, time_t now,
    struct test_event *ev, const char **why)
{
	const char *key = test_event_secret(sec, "key");
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

	(void)sign_url;
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
	if ((ev->body = test_event_form(a, kv, &ev->body_len)) == NULL)
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
