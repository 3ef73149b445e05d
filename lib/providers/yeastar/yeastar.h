/* Yeastar P-Series: the webhook adapter (yeastar.c), recordings
 * (recording.c) and the OpenAPI requests for click-to-call and hang-up
 * (dial.c). providers-2.md §5. The token-first requests are not in the
 * descriptor yet (docs/providers.md). */
#ifndef CB_PROVIDERS_YEASTAR_H
#define CB_PROVIDERS_YEASTAR_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "dial/dial.h"
#include <time.h>

#include "providers/provider.h"

extern const struct provider yeastar_provider;
enum cb_err yeastar_test_event(struct arena *a, const char *hook_url,
    const char *sign_url, struct json_object *secrets, const char *did,
    time_t now, struct test_event *out, const char **why);  /* test_event.c */

/* §5.1: every request needs a User-Agent, and the token goes in the
 * query (?access_token=), never as a Bearer header (errcode 10004). */
#define YEASTAR_USER_AGENT "User-Agent: OpenAPI"

/* Whether a 30012 `recording` value is a file name we may ask for: no
 * path, printable, at most 255 bytes. */
bool yeastar_recording_name_ok(const char *name);
/* Step 1 of a download (§5.7): GET {base}/openapi/v1.0/recording/download
 * ?file=<name>&access_token=<token> → {"errcode":0,
 * "download_resource_url":"/api/download/…"}. Step 2 is GET {base}{that
 * url}?access_token=<token>, valid 30 minutes: so the file is copied soon
 * after the call, and a later play asks for a fresh link. config
 * "api_base" is the PBX's https://host[:port]. */
enum cb_err yeastar_recording_request(const struct dial_target *t,
    const char *name, const char *token, struct dial_request *r,
    char *err, size_t errsz);

/* POST {base}/openapi/v1.0/get_token {"username","password"} (secrets
 * "client_id", "client_secret"): the access token lives 30 min; one cache
 * per PBX (a new token may end the old ones, §5.1). */
enum cb_err yeastar_token_request(const struct dial_target *t,
    struct dial_request *r, char *err, size_t errsz);
/* POST {base}/openapi/v1.0/call/dial?access_token=… {"caller":<ext>,
 * "callee":<client>,"auto_answer":"no"} → {"errcode":0,"call_id":…}
 * (§5.8). */
enum cb_err yeastar_dial_build(const struct dial_target *t,
    const char *token, struct dial_request *r, char *err, size_t errsz);
/* POST {base}/openapi/v1.0/call/hangup?access_token=…
 * {"channel_id":…}, the channel of the latest 30011 (§5.8). */
enum cb_err yeastar_hangup_build(const struct dial_target *t,
    const char *token, const char *channel_id, struct dial_request *r,
    char *err, size_t errsz);

#endif
