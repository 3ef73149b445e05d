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

#include <stdbool.h>
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

/* The popup for the row st is positioned on, whose columns from base on
 * are the popup's, then LIVE_RCPT_USERS and LIVE_RCPT_RESPONSIBLE
 * (lib/db/live.h; db_ingest_call()'s row from INGEST_LIVE_BASE on):
 * the message, and the users to send it to in users[0..*n) (at most
 * LIVE_RECIPIENTS_MAX): those the call rang for, else the customer's
 * responsible manager. NULL (and *n = 0) when nobody is to be told or the
 * call is internal. Caller puts the message. */
struct json_object *live_collect(struct db_stmt *st, unsigned base,
    int64_t *users, size_t *n);
/* Publishes msg to users[0..n) through live_publish_url, each with a
 * short timeout. Call it only after the event's transaction committed.
 * Never fails the caller: a failed publish is logged (once until
 * publishing works again). Returns the number of managers the message was
 * accepted for. */
int live_send(const struct cb_config *cfg, int64_t call_id,
    struct json_object *msg, const int64_t *users, size_t n);

/* The message for the row st is positioned on, the enum live_col columns
 * from base on (0 for db_live_active()). Caller puts the object. */
struct json_object *live_message(struct db_stmt *st, unsigned base);

/* Whether chan (nginx's $nchan_channel_id) is a manager's channel of
 * cfg's site, and whose: "manager/<id>" for the single site,
 * "<site>/manager/<id>" for a named one (etc/nginx/callboard-live.conf);
 * another site's channel is false. */
bool live_channel_user(const struct cb_config *cfg, const char *chan,
    int64_t *id);

/* Releases the publisher's connection (at process exit). */
void live_cleanup(void);

#endif
