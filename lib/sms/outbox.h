/* The worker's job "sms.send" {"sms_id", "run_id"}: sends one
 * sms_messages row through its gateway, at most once (platform-notes
 * §a.3; no gateway takes an idempotency key):
 *
 *   1. queued → sending is committed before the request goes out. A job
 *      that finds its row "sending" is the rerun of an attempt whose worker
 *      died mid-request: the gateway may have the message, so the row
 *      becomes "unknown" and nothing is sent.
 *   2. The answer decides (lib/sms/<gateway>.c parse): accepted → sent
 *      (with the gateway's message id); a definite "no" (4xx, an error
 *      code, a refused address, a bad setting) → failed, not retried; a
 *      definite "not now" (5xx, 429, or no connection at all: httpc's
 *      res.sent false) → queued again and retried with the job's backoff
 *      until its budget is spent, then failed.
 *   3. Anything after which the gateway may have the message (a timeout or
 *      a reset after the request went out, a 2xx we cannot read) →
 *      unknown, never resent: the runs page says so and a person checks
 *      the gateway's log.
 * The trigger run shows the same: queued (with the last error), ok,
 * failed or unknown, with the reason. Secrets and URLs (SMS.ru and SMSC
 * carry credentials in them) never reach a log line or an error text;
 * errors name the origin only. */
#ifndef CB_SMS_OUTBOX_H
#define CB_SMS_OUTBOX_H

#include <stddef.h>

#include "core/conf.h"
#include "db/job.h"

/* CB_OK when the job is finished (sent, or finally failed/unknown, all
 * recorded); CB_EUPSTREAM to retry it; CB_EINVAL when retrying cannot
 * help. err says why (no secrets). */
enum cb_err sms_outbox_send(struct db *db, const struct cb_config *cfg,
    const struct job *j, char *err, size_t errsz);

#endif
