/* The missed-call task rule (issue 6 §1): a missed incoming call becomes
 * a "Missed call" task for the rule's employees (one shared task, or one
 * each), due now + the rule's offset, linked to the customer's latest open
 * order, else latest open lead, else nothing; the author is the first
 * employee. One open missed-call task per number: a later missed call of
 * the same number is gathered into it (task_calls). */
#ifndef CB_AUTOMATION_MISSED_TASK_H
#define CB_AUTOMATION_MISSED_TASK_H

#include "db/automation.h"

/* Inside the caller's transaction. *task_id = the task created or joined,
 * 0 when the rule is off or has nobody to assign. */
enum cb_err missed_task_apply(struct db *db, const struct auto_call *c,
    int64_t *task_id);

#endif
