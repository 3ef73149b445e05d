/* Live popups (issue 5 §2, DESIGN §1): after the hook commits a call event,
 * a small JSON message goes to each manager the call rang for, through
 * nginx's nchan publisher (config live_publish_url + <user id>); their
 * pages listen with EventSource on /live/manager/<id>. Without nchan the
 * pages poll /live/poll, which draws the same message from the database.
 *
 * The message (one JSON object):
 *   {"call_id":42, "state":"ringing"|"talking"|"ended",
 *    "direction":"in"|"out", "number":"+380...", "name":"Ann" or null,
 *    "url":"/calls/42", "started_at":"...Z", "answered_at":"...Z" or null,
 *    "duration":7}                       (seconds until now or the end) */
#ifndef CB_CALLS_LIVE_H
#define CB_CALLS_LIVE_H

#include <stdint.h>

#include <json-c/json.h>

#include "calls/event.h"
#include "core/conf.h"
#include "core/err.h"
#include "db/db.h"
#include "db/live.h"

/* A publish waits at most this long: nginx is local, and a slow publish
 * must never slow down the provider's request. */
#define LIVE_PUBLISH_TIMEOUT_MS 200

/* Publishes the popup for call_id to its managers, if ev_kind is ringing,
 * answered or ended, live_publish_url is set and the call is not internal.
 * Call it only after the event's transaction committed. Never fails the
 * caller: a failed publish is logged (once until publishing works again).
 * Returns the number of managers the message was accepted for. */
int live_publish(struct db *db, const struct cb_config *cfg,
    int64_t call_id, enum ev_kind ev_kind);

/* The message for the row db_live_recipients()/db_live_active() is positioned
 * on. Caller puts the object. */
struct json_object *live_message(struct db_stmt *st);

/* Releases the publisher's connection (at process exit). */
void live_cleanup(void);

#endif
