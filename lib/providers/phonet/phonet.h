/* Phonet (phonet.ua, "Teler"): the adapter (phonet.c), the recording link
 * (recording.c) and the click-to-call requests (dial.c). providers-2.md §1.
 * The API's session is the descriptor's prepare step (dial.c). */
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

/* The API (§1.4, §1.7; dial.c, hangup.c): the prepare step logs in
 * (POST rest/security/authorize {"domain","apiKey"} → a JSESSIONID
 * cookie, the token), then click-to-call POST rest/user/makeCall
 * {"legExt","otherLegNum"} and hang-up GET rest/calls/active/{uuid}/hangup
 * carry "Cookie: JSESSIONID=...". Secrets "api_key", config "domain". */
extern const struct prov_prepare phonet_prepare;
/* rest/calls/company.api (§1.8; history.c). */
extern const struct prov_history phonet_history;
extern const struct prov_dial phonet_dial;
enum cb_err phonet_hangup(const struct dial_target *t, const char *uuid,
    struct dial_request *r, char *err, size_t errsz);
/* https://{domain}, or config api_base (checked as dial_api_base does). */
enum cb_err phonet_api_base(const struct dial_target *t, char *out,
    size_t outsz, char *err, size_t errsz);
/* "Cookie: <cookie>" in out for a "JSESSIONID=..." cookie; CB_EINVAL for
 * anything else (no session, a line break). */
enum cb_err phonet_session_header(const char *cookie, char *out,
    size_t outsz);
/* That header from t->token into r->headers[0] (err: "no session"). */
enum cb_err phonet_session_cookie(const struct dial_target *t,
    struct dial_request *r, char *err, size_t errsz);

#endif
