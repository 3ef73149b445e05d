/* Yeastar P-Series: the webhook adapter (yeastar.c), recordings
 * (recording.c) and the OpenAPI requests for click-to-call and hang-up
 * (dial.c), hang-up (hangup.c). providers-2.md §5. The access token is
 * the descriptor's prepare step. */
#ifndef CB_PROVIDERS_YEASTAR_H
#define CB_PROVIDERS_YEASTAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* The API (§5.1, §5.8; dial.c, hangup.c): the prepare step is POST
 * {base}/openapi/v1.0/get_token {"username","password"} (secrets
 * "client_id", "client_secret") → an access token for 30 minutes, which
 * every other request carries as ?access_token=; errcode 10004 means it
 * is no longer good. Click-to-call: POST call/dial {"caller":<ext>,
 * "callee":<client>,"auto_answer":"no"}; hang-up: POST call/hangup
 * {"channel_id":…}. Success is errcode 0. */
extern const struct prov_prepare yeastar_prepare;
extern const struct prov_dial yeastar_dial;
extern const struct prov_recording yeastar_recording;
/* cdr/search (§5.9; history.c). */
extern const struct prov_history yeastar_history;
enum cb_err yeastar_hangup(const struct dial_target *t,
    const char *channel_id, struct dial_request *r, char *err,
    size_t errsz);
/* provider.hangup_id: the channel to hang up from one stored raw event
 * of call_id (a 30011: the outside party's live channel, else an
 * extension's; "" when every member is gone). hangup.c. */
bool yeastar_hangup_id(const char *payload, const char *call_id,
    char *out, size_t outsz);
/* A member's channel as 30011 gives it ("PJSIP/1005-00000023"). */
bool yeastar_channel_ok(const char *channel_id);
/* The PBX's API base: config api_base, required (https, or http to
 * loopback). */
enum cb_err yeastar_base(const struct dial_target *t, char *out,
    size_t outsz, char *err, size_t errsz);
/* POST {base}{path}[?access_token=<token>] with the JSON body o and the
 * User-Agent the PBX requires. */
enum cb_err yeastar_post(const struct dial_target *t, const char *path,
    const char *token, struct json_object *o, struct dial_request *r,
    char *err, size_t errsz);
/* The answer's errcode (errmsg in msg), or -1 when it is not JSON with
 * an integer errcode. */
int64_t yeastar_errcode(const char *body, size_t len, char *msg,
    size_t msgsz);
/* prov_dial.accepted: errcode 0 with a 2xx. */
bool yeastar_accepted(long status, const char *body, size_t len, char *why,
    size_t whysz);

#endif
