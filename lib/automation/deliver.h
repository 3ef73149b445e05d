/* The jobs that call out for trigger actions (worker kinds webhook.send
 * and email.send). Each is its own job, so it retries alone with its
 * backoff; its trigger_runs row says queued (with the last error) while
 * retries remain, ok when delivered, failed with the error when the
 * budget (jobs.max_attempts) is spent.
 *
 * Webhook requests (docs/automation.md has the receiver's side):
 *   POST <url>, Content-Type: application/json, the body from the job,
 *   X-Callboard-Timestamp: <unix seconds>
 *   X-Callboard-Signature: sha256=<hex HMAC-SHA256(secret, ts "." body)>
 * Any 2xx answer is delivery; anything else is retried. */
#ifndef CB_AUTOMATION_DELIVER_H
#define CB_AUTOMATION_DELIVER_H

#include <stddef.h>

#include "core/conf.h"
#include "db/job.h"

/* Job handlers: CB_OK when delivered (the run and the job are marked in
 * one transaction); otherwise err says why. */
enum cb_err deliver_webhook(struct db *db, const struct cb_config *cfg,
    const struct job *j, char *err, size_t errsz);
enum cb_err deliver_email(struct db *db, const struct cb_config *cfg,
    const struct job *j, char *err, size_t errsz);

/* "sha256=<hex>" of ts "." body keyed with secret, into out (72 bytes). */
void deliver_sign(const char *secret, const char *ts, const char *body,
    char out[72]);

#endif
