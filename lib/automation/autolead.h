/* Automatic leads (issue 6 §1): for a missed and/or a received incoming
 * call, each rule on or off, with the rule's lead type and manager; not
 * when the customer has an open order or an open lead unless the rule says
 * "even if"; the name is the customer's or "Unknown client"; the comment
 * "Missed call" on missed ones. The caller has already excluded internal
 * calls and users' own numbers. */
#ifndef CB_AUTOMATION_AUTOLEAD_H
#define CB_AUTOMATION_AUTOLEAD_H

#include <stdbool.h>

#include "db/automation.h"

/* Inside the caller's transaction. *lead_id = 0 when none was created. */
enum cb_err autolead_apply(struct db *db, const struct auto_call *c,
    bool missed, int64_t *lead_id);

#endif
