#include "config.h"

#include "calls/link.h"
#include "db/ingest.h"

enum cb_err
link_numbers(struct db *db, int64_t call_id, bool link_to_leads,
    const char *client, const char *our)
{
	int64_t customer = 0, lead = 0, order = 0, store = 0, user = 0;
	enum cb_err rc;

	if (client == NULL || client[0] == '\0')
		return CB_OK;
	if ((rc = db_link_lookup(db, client, our, &user, &customer, &store)) !=
	    CB_OK)
		return rc;
	/* A user's own number on the other end: internal, never a customer
	 * and never any automation (DESIGN §3). */
	if (user > 0)
		return db_call_set_internal(db, call_id);
	if (customer == 0)
		return store ? db_call_set_links(db, call_id, 0, 0, 0, store) :
		    CB_OK;
	if (link_to_leads &&
	    (rc = db_oldest_open_lead(db, customer, &lead)) != CB_OK)
		return rc;
	if (lead == 0 &&
	    (rc = db_latest_open_order(db, customer, &order)) != CB_OK)
		return rc;
	return db_call_set_links(db, call_id, customer, order, lead, store);
}

enum cb_err
link_call(struct db *db, int64_t call_id, bool link_to_leads)
{
	char client[40], our[40];
	bool linked, internal;
	enum cb_err rc;

	if ((rc = db_call_link_state(db, call_id, client, sizeof(client), our,
	    sizeof(our), &linked, &internal)) != CB_OK)
		return rc;
	if (linked || internal)
		return CB_OK;
	return link_numbers(db, call_id, link_to_leads, client, our);
}
