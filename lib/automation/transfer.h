/* The lead's responsible user follows a manual transfer (issue 19 §2,
 * seed 001): when a call was handed by hand from one user to another (two
 * or more users answered it: a ring group or a queue has one answer), the
 * user who talked last, the call's manager, becomes responsible for the
 * call's open lead. Per integration (integrations.lead_follows_transfer,
 * on by default; Settings › Automation). Run when the call has ended,
 * after the automatic lead, so a lead made from the call follows too. */
#ifndef CB_AUTOMATION_TRANSFER_H
#define CB_AUTOMATION_TRANSFER_H

#include <stdint.h>

#include "db/automation.h"

/* Inside the caller's transaction. *lead_id = the lead that changed hands
 * (0 = none). */
enum cb_err transfer_apply(struct db *db, const struct auto_call *c,
    int64_t *lead_id);

#endif
