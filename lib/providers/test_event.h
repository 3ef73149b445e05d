/* "Send a test event" of Settings › Integrations (issue 6 §4): one request
 * exactly as the provider would send it to the integration's callback URL,
 * signed with the integration's own secrets, so a success proves the whole
 * path (public URL, nginx, the hook, the signature check, storing).
 *
 * Each provider builds its own (the descriptor's .test_event member, in
 * lib/providers/<kind>/test_event.c): Zadarma's is the zd_echo URL check
 * (proves the address, stores nothing), the others a signed finished
 * call.
 *
 * Pure: builds the request, sends nothing. */
#ifndef CB_PROVIDERS_TEST_EVENT_H
#define CB_PROVIDERS_TEST_EVENT_H

#include <stddef.h>
#include <time.h>

#include <json-c/json.h>

#include "core/arena.h"
#include "net/httpc.h"

#define TEST_EVENT_CALLER "+380441110000"   /* a number nobody has */

struct test_event {
	enum httpc_method method;
	const char *url;                /* where to send it */
	const char *headers[4];         /* NULL-terminated */
	const char *body;               /* or NULL */
	size_t body_len;
	const char *content_type;
	/* The call the hook should store, or NULL (an echo stores none). */
	const char *external_id;
	/* The exact body the provider expects back, or NULL: any 2xx. */
	const char *expect_body;
};

/* hook_url: public URL + /hook/<slug>; sign_url: the URL Twilio signs
 * (its config hook_url when set, else hook_url); secrets: the decrypted
 * object (borrowed); did: one of the integration's numbers or NULL. All
 * strings of *out are in a. CB_EINVAL with *why when a secret the
 * provider needs is missing; CB_ENOTFOUND for an unknown kind or one
 * without a test event. */
enum cb_err test_event_build(struct arena *a, const char *kind,
    const char *hook_url, const char *sign_url,
    struct json_object *secrets, const char *did, time_t now,
    struct test_event *out, const char **why);

/* For the providers' builders: a non-empty string member of the secrets,
 * or NULL; the form encoding of NULL-terminated name/value pairs, in a
 * (NULL when too long), its length in *len. */
const char *test_event_secret(struct json_object *secrets, const char *key);
const char *test_event_form(struct arena *a, const char *const *kv,
    size_t *len);

#endif
