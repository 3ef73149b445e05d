#include "config.h"

#include <stdio.h>
#include <string.h>

#include "automation/missed_task.h"

enum cb_err
missed_task_apply(struct db *db, const struct auto_call *c, int64_t *task_id)
{
	struct auto_rule r;
	struct task_new t;
	char body[400];
	unsigned joined;
	enum cb_err rc;

	*task_id = 0;
	/* No number, nobody to call back. */
	if (c->client_number[0] == '\0')
		return CB_OK;
	if ((rc = db_auto_rule(db, "missed_call_task", &r)) != CB_OK)
		return rc;
	if (!r.enabled || r.nassignees == 0)
		return CB_OK;
	if ((rc = db_task_join_open(db, "missed_call", c->client_number, c->id,
	    0, 0, &joined, task_id)) != CB_OK || joined > 0)
		return rc;

	memset(&t, 0, sizeof(t));
	t.kind = "missed_call";
	t.title = "Missed call";
	snprintf(body, sizeof(body), "From %s%s%s", c->client_number,
	    c->customer_name[0] ? ", " : "", c->customer_name);
	t.body = body;
	t.each = r.each;
	t.phone = c->client_number;
	t.customer_id = c->customer_id;
	if (c->customer_id > 0) {
		if ((rc = db_auto_latest_order(db, c->customer_id,
		    &t.order_id)) != CB_OK)
			return rc;
		if (t.order_id == 0 && (rc = db_auto_latest_lead(db,
		    c->customer_id, &t.lead_id)) != CB_OK)
			return rc;
	}
	t.call_id = c->id;
	t.author_id = r.assignees[0];
	t.assignees = r.assignees;
	t.nassignees = r.nassignees;
	t.due_minutes = r.due_offset_minutes;
	return db_task_create(db, &t, task_id);
}
