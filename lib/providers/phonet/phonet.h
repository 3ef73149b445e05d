/* Phonet (phonet.ua, "Teler"): the adapter (phonet.c), the recording link
 * (recording.c) and the click-to-call requests (dial.c). providers-2.md §1.
 * The descriptor carries the recording plan and the test event; the dial
 * and hang-up builders need a session first and are not in it yet
 * (docs/providers.md). */
#ifndef CB_PROVIDERS_PHONET_H
#define CB_PROVIDERS_PHONET_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "core/err.h"
#include "dial/dial.h"
#include <time.h>

#include "providers/provider.h"

extern const struct provider phonet_provider;
enum cb_err phonet_test_event(struct arena *a, const char *hook_url,
    const char *sign_url, struct json_object *secrets, const char *did,
    time_t now, struct test_event *out, const char **why);  /* test_event.c */
/* The events' audio links, fetched as they are (recording.c). */
extern const struct prov_recording phonet_recording;

/* A host name as Phonet accounts have them ("mycompany.phonet.com.ua"):
 * letters, digits, '-' and '.', at least one dot, at most 253 bytes. */
bool phonet_domain_valid(const char *domain);
/* The account's domain: config "domain" (set by the admin, so an event
 * cannot point our worker at another host), else the event's
 * accountDomain. NULL when neither is a valid host name. Borrowed. */
const char *phonet_domain(struct json_object *config, const char *event_domain);

/* https://{domain}/rest/public/calls/{uuid}/audio (§1.6). CB_EINVAL for a
 * bad domain or a uuid that is not letters, digits and '-'. */
enum cb_err phonet_recording_url(const char *domain, const char *uuid,
    char *out, size_t outsz);

/* Click-to-call (§1.7), two requests: the session (POST
 * rest/security/authorize {"domain","apiKey"} → a JSESSIONID cookie),
 * then POST rest/user/makeCall {"legExt","otherLegNum"} with that cookie
 * ("JSESSIONID=..."). The hang-up is GET rest/calls/active/{uuid}/hangup.
 * Secrets "api_key", config "domain". */
enum cb_err phonet_dial_build_authorize(const struct dial_target *t,
    struct dial_request *r, char *err, size_t errsz);
enum cb_err phonet_dial_build(const struct dial_target *t,
    const char *session_cookie, struct dial_request *r, char *err,
    size_t errsz);
enum cb_err phonet_hangup_build(const struct dial_target *t,
    const char *session_cookie, const char *uuid, struct dial_request *r,
    char *err, size_t errsz);

#endif
