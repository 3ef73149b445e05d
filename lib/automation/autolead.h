/* Automatic leads (issue 6 §1, issue 19 §3 and §8): for a missed incoming
 * call, and for an answered call of the directions the rule picks
 * (incoming, outgoing or all), each rule on or off, with the rule's lead
 * type, manager and source; not when the customer has an open order or an
 * open lead unless the rule says "even if". A call whose number already
 * has an open lead (the customer's, or one no customer has yet) joins that
 * lead instead of opening a second; a new lead is the call's lead. The
 * name is the customer's, else "<number> – Incoming call" / "<number> –
 * Outgoing call" (seed 001), else "Unknown client" (no number); the
 * comment "Missed call" on missed ones. The caller has already excluded
 * internal calls and users' own numbers. */
#ifndef CB_AUTOMATION_AUTOLEAD_H
#define CB_AUTOMATION_AUTOLEAD_H

#include <stdbool.h>
#include <stddef.h>

#include "db/automation.h"

/* Inside the caller's transaction. *lead_id = 0 when none was created. */
enum cb_err autolead_apply(struct db *db, const struct auto_call *c,
    bool missed, int64_t *lead_id);

/* The name of a lead made from call c into buf (or a constant). */
const char *autolead_name(const struct auto_call *c, char *buf, size_t sz);

#endif
