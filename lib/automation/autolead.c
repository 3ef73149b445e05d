#include "config.h"

#include <string.h>

#include "automation/autolead.h"

enum cb_err
autolead_apply(struct db *db, const struct auto_call *c, bool missed,
    int64_t *lead_id)
{
	struct auto_rule r;
	struct auto_lead l;
	enum cb_err rc;
	int64_t order = 0;
	bool open_lead = false;

	*lead_id = 0;
	if ((rc = db_auto_rule(db, missed ? "lead_on_missed" :
	    "lead_on_received", &r)) != CB_OK || !r.enabled)
		return rc;
	if (c->customer_id > 0 && !r.even_if_open_order) {
		if ((rc = db_auto_latest_order(db, c->customer_id, &order)) !=
		    CB_OK)
			return rc;
		if (order > 0)
			return CB_OK;
	}
	if (!r.even_if_open_lead) {
		if ((rc = db_auto_has_open_lead(db, c->customer_id,
		    c->client_number, &open_lead)) != CB_OK)
			return rc;
		if (open_lead)
			return CB_OK;
	}
	memset(&l, 0, sizeof(l));
	l.customer_id = c->customer_id;
	l.name = c->customer_id > 0 && c->customer_name[0] ?
	    c->customer_name : "Unknown client";
	l.phone = c->client_number;
	l.lead_type = r.lead_type;
	l.source = missed ? "auto_missed" : "auto_received";
	l.manager_id = r.lead_manager_id;
	l.call_id = c->id;
	l.comment = missed ? "Missed call" : NULL;
	return db_auto_lead_create(db, &l, lead_id);
}
