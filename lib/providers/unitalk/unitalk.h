/* UniTalk (formerly Nextel): the adapter (unitalk.c), the recording link
 * (recording.c) and click-to-call (dial.c). providers-2.md §2. The
 * descriptor's .dial and .recording come from dial.c and recording.c. */
#ifndef CB_PROVIDERS_UNITALK_H
#define CB_PROVIDERS_UNITALK_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "dial/dial.h"
#include <time.h>

#include "providers/provider.h"

extern const struct provider unitalk_provider;
enum cb_err unitalk_test_event(struct arena *a, const char *hook_url,
    const char *sign_url, struct json_object *secrets, const char *did,
    time_t now, struct test_event *out, const char **why);  /* test_event.c */
extern const struct prov_dial unitalk_dial;            /* dial.c */
extern const struct prov_recording unitalk_recording;  /* recording.c */
extern const struct prov_history unitalk_history;      /* history.c */
/* The API's base (§2.4: every method is a POST under it); config
 * "api_base" overrides it (another copy of the docs names
 * https://api.unitalk.cloud/api). */
#define UNITALK_API_BASE "https://cstat.nextel.com.ua:8443/tracking/api"
/* The integration's config "history_path": "/…", printable, no query,
 * no "..". */
bool unitalk_history_path_ok(const char *path);

/* The zone of UniTalk's zone-less times when the integration sets none
 * (§2.3: an integrator reads them as Kyiv time). */
#define UNITALK_DEFAULT_ZONE "Europe/Kyiv"

/* Whether call.link (§2.6) is a link we may fetch: https, or http to a
 * host name (the recordings host uses :8443), printable, no spaces. */
bool unitalk_recording_link_ok(const char *url);

/* POST {api_base}/phones/directCall, "Authorization: <key>", form
 * sip=<extension>&number=<client> (§2.7) → {"status":"Success"}.
 * Secrets "api_key"; config "api_base" (default the documented
 * https://cstat.nextel.com.ua:8443/tracking/api). */
enum cb_err unitalk_dial_build(const struct dial_target *t,
    struct dial_request *r, char *err, size_t errsz);

#endif
