#include "config.h"

#include <stdio.h>
#include <string.h>

#include "automation/autolead.h"
#include "db/leadcall.h"

const char *
autolead_name(const struct auto_call *c, char *buf, size_t sz)
{
	if (c->customer_id > 0 && c->customer_name[0])
		return c->customer_name;
	if (c->client_number[0] == '\0')
		return "Unknown client";
	/* An en dash, as the product's documents write it. */
	snprintf(buf, sz, "%s \xe2\x80\x93 %s", c->client_number,
	    strcmp(c->direction, "out") == 0 ? "Outgoing call" :
	    "Incoming call");
	return buf;
}

enum cb_err
autolead_apply(struct db *db, const struct auto_call *c, bool missed,
    int64_t *lead_id)
{
	struct auto_rule r;
	struct auto_lead l;
	char name[80];
	enum cb_err rc;
	int64_t order = 0, open = 0;

	*lead_id = 0;
	if ((rc = db_auto_rule(db, missed ? "lead_on_missed" :
	    "lead_on_received", &r)) != CB_OK || !r.enabled)
		return rc;
	if (!missed && !(strcmp(c->direction, "in") == 0 ? r.for_in :
	    strcmp(c->direction, "out") == 0 && r.for_out))
		return CB_OK;
	if (c->customer_id > 0 && !r.even_if_open_order) {
		if ((rc = db_auto_latest_order(db, c->customer_id, &order)) !=
		    CB_OK)
			return rc;
		if (order > 0)
			return CB_OK;
	}
	if ((rc = db_lead_open_for(db, c->customer_id, c->client_number,
	    &open)) != CB_OK)
		return rc;
	/* The number's open lead: this call joins it (issue 19 §8), as a
	 * missed-call task joins the number's open task. */
	if (open > 0 && !r.even_if_open_lead)
		return db_lead_join_call(db, c->id, open);
	memset(&l, 0, sizeof(l));
	l.customer_id = c->customer_id;
	l.name = autolead_name(c, name, sizeof(name));
	l.phone = c->client_number;
	l.lead_type = r.lead_type;
	l.source = missed ? "auto_missed" : "auto_received";
	l.origin = r.lead_origin;
	l.manager_id = r.lead_manager_id;
	l.call_id = c->id;
	l.comment = missed ? "Missed call" : NULL;
	if ((rc = db_auto_lead_create(db, &l, lead_id)) != CB_OK)
		return rc;
	/* The call belongs to its lead: the history shows it, and a
	 * customer created from the call takes the lead over. */
	return db_lead_join_call(db, c->id, *lead_id);
}
