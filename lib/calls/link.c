#include "config.h"

#include "calls/link.h"
#include "db/apicall.h"
#include "db/ingest.h"
#include "db/leadcall.h"

enum cb_err
link_numbers(struct db *db, int64_t call_id, bool link_to_leads,
    const char *client, const char *our)
{
	struct link_facts f;
	enum cb_err rc;

	if (client == NULL || client[0] == '\0')
		return CB_OK;
	if ((rc = db_link_facts(db, client, our, link_to_leads, &f)) != CB_OK)
		return rc;
	/* A user's own number on the other end: internal, never a customer
	 * and never any automation (DESIGN §3). */
	if (f.user_id > 0)
		return db_call_set_internal(db, call_id);
	if (f.customer_id == 0 && f.store_id == 0)
		return CB_OK;
	return db_call_set_links(db, call_id, f.customer_id, f.order_id,
	    f.lead_id, f.store_id);
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

enum cb_err
link_new_phone(struct db *db, int64_t customer_id, const char *e164,
    const char *rev, void (*on_linked)(void *arg, int64_t call_id), void *arg)
{
	int64_t ids[LINK_RELINK_MAX];
	int to_leads[LINK_RELINK_MAX];
	unsigned got = 0, k;
	enum cb_err rc;

	rc = db_customer_add_phone(db, customer_id, e164, rev);
	if (rc == CB_DUPLICATE)
		return CB_OK;
	if (rc == CB_OK)
		rc = db_unlinked_calls(db, rev, ids, to_leads, LINK_RELINK_MAX,
		    &got);
	for (k = 0; rc == CB_OK && k < got; k++) {
		rc = link_call(db, ids[k], to_leads[k] != 0);
		if (rc == CB_OK && on_linked != NULL)
			on_linked(arg, ids[k]);
	}
	return rc;
}

enum cb_err
link_customer_takes_lead(struct db *db, int64_t call_id, int64_t customer_id,
    int64_t *lead_id)
{
	return db_lead_attach_from_call(db, call_id, customer_id, lead_id);
}

enum cb_err
link_move(struct db *db, int64_t call_id, int64_t user_id,
    const struct relink_links *to)
{
	return db_relink_move(db, call_id, user_id, to);
}
