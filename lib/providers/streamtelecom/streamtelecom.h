/* Stream Telecom (streamtele.com): the adapter (streamtelecom.c) and the
 * recording link (recording.c). providers-2.md §4. No click-to-call,
 * hang-up or history request is known (§4.7). */
#ifndef CB_PROVIDERS_STREAMTELECOM_H
#define CB_PROVIDERS_STREAMTELECOM_H

#include <stdbool.h>

#include <time.h>

#include "providers/provider.h"

extern const struct provider streamtelecom_provider;
enum cb_err streamtelecom_test_event(struct arena *a, const char *hook_url,
    const char *sign_url, struct json_object *secrets, const char *did,
    time_t now, struct test_event *out, const char **why);  /* test_event.c */
extern const struct prov_recording streamtelecom_recording; /* recording.c */

/* Whether Hangup's recordUrl (§4.6) is a link we may fetch: https (the
 * gateway's https://gate.streamtele.com/api/<name>/audio?<key>),
 * printable, no spaces. */
bool streamtelecom_recording_link_ok(const char *url);

#endif
