/* Triggers (issue 6 §3, docs/automation.md): on "new_call" or
 * "missed_call", every enabled trigger whose conditions match the call runs
 * its actions in order; each action writes one trigger_runs row. Actions
 * that stay inside the database (notify, task, create_customer,
 * create_order) run here, in the caller's transaction; those that call out
 * (webhook, email) queue their own job (webhook.send, email.send, see
 * deliver.h) so that each retries alone and a dead target never blocks
 * anything else. */
#ifndef CB_AUTOMATION_TRIGGERS_H
#define CB_AUTOMATION_TRIGGERS_H

#include "db/automation.h"

/* c may be updated (a customer created by an action is the call's
 * customer for the actions after it). public_url prefixes the call's link
 * in webhook bodies and e-mails ("" = relative links only). */
enum cb_err triggers_run(struct db *db, const char *event,
    struct auto_call *c, const char *public_url);

/* The JSON body of a webhook for this call (caller frees). */
char *triggers_webhook_body(const char *event, int64_t trigger_id,
    const char *trigger_name, const struct auto_call *c,
    const char *public_url);

/* A plausible single e-mail address (no spaces, CR, LF, <, >, one @). */
bool triggers_valid_email(const char *s);

#endif
