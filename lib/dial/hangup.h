/* Hang up from the card (issue 19 §1): ask the provider to end a call in
 * progress. Each provider's descriptor has a `hangup` member (the request,
 * built by a pure function in lib/providers/<kind>/hangup.c, the same
 * contract as dial->build); this file finds it by kind, sends the request
 * through dial_send() (the address guard, caps and timeout of click-to-call)
 * and turns the answer into plain words. A provider whose member is NULL
 * offers no hang-up. */
#ifndef CB_DIAL_HANGUP_H
#define CB_DIAL_HANGUP_H

#include <stdbool.h>
#include <stddef.h>

#include <stdint.h>

#include "core/err.h"
#include "db/db.h"
#include "dial/dial.h"

/* Whether the card may offer "Hang up" for the provider's call call_id on
 * the integration t: its provider has a hang-up builder and the builder
 * can make the request with these settings and this id (a generic PBX
 * without hangup_url, a Twilio account without its token cannot). Pure:
 * nothing is sent. */
bool dial_hangup_capable(const struct dial_target *t, const char *call_id);

/* What the hang-up of the call (calls.id call_id, provider id
 * external_id) names: the provider id, or for a provider with a
 * hangup_id member what the call's stored raw events say (Yeastar: the
 * channel of the latest 30011), read at hang-up time so the ingest keeps
 * nothing more. out is "" when it is not known. CB_OK unless the
 * database fails. */
enum cb_err dial_hangup_id(struct db *db, const struct dial_target *t,
    int64_t call_id, const char *external_id, char *out, size_t outsz);

/* Whether the request can be built with these settings and this id,
 * before any login step (its token stands in): CB_EINVAL with the reason
 * in err when not. Pure: nothing is sent. */
enum cb_err dial_hangup_check(const struct dial_target *t,
    const char *call_id, char *err, size_t errsz);

/* The provider's request (its descriptor's hangup). CB_EINVAL with err
 * set when the settings or the id cannot work, or the kind has none. */
enum cb_err dial_hangup_build(const struct dial_target *t,
    const char *call_id, struct dial_request *r, char *err, size_t errsz);

/* Reads the provider's answer to a hang-up: CB_OK when it accepted,
 * CB_ENOTFOUND when it says the call is not in progress (HTTP 404, 409 or
 * 410: it has already ended), else CB_EUPSTREAM with the reason in msg. */
enum cb_err dial_hangup_read_answer(const struct dial_target *t, long status,
    const char *body, size_t len, char *msg, size_t msgsz);

/* Builds, sends (within timeout_s) and reads the answer. CB_OK: msg says
 * the call is ending. CB_ENOTFOUND: the provider says it has already
 * ended. CB_EINVAL: the settings are wrong. CB_EUPSTREAM: unreachable, too
 * slow, or refused. msg never holds a secret. */
enum cb_err dial_hangup(const struct dial_target *t, const char *call_id,
    unsigned timeout_s, char *msg, size_t msgsz);

#endif
