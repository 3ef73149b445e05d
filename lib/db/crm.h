/* The minimal CRM pages (issue 4 §2, issue 5 §1): a customer, an order, a
 * lead, and what their create forms write. Customers themselves are
 * created with db_customer_create() and their phones with
 * db_customer_add_phone() (db/apicall.h), the same functions the JSON API
 * uses, so both paths link earlier calls the same way. */
#ifndef CB_DB_CRM_H
#define CB_DB_CRM_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

/* Rows of one customer: name, email, manager name, created_at, comment,
 * manager_id (0: none). Fetch once; CB_ENOTFOUND when there is no such customer. */
enum cb_err db_crm_customer(struct db *db, int64_t id, struct db_stmt **out);
/* Rows: phone, has_calls (0/1: a call from this number exists), shared
 * (1: a number another customer already had, kept in
 * customer_phones_shared: no calls link to it and no routing follows
 * it). */
enum cb_err db_crm_customer_phones(struct db *db, int64_t id,
    struct db_stmt **out);
/* Rows (id, manager_id) of the customers that have this number in
 * customer_phones (what linking and routing read), newest first. */
enum cb_err db_crm_phone_holders(struct db *db, const char *e164,
    struct db_stmt **out);
/* Keeps a number a new customer shares with held_by, flagged and out of
 * linking and routing (issue 16 §1). A repeat is ignored. */
enum cb_err db_crm_add_shared_phone(struct db *db, int64_t customer_id,
    const char *e164, const char *rev, int64_t held_by, int64_t user_id);
/* Rows of open orders: id, number, status name, total, currency,
 * created_at, manager_id; newest first. */
enum cb_err db_crm_customer_orders(struct db *db, int64_t id,
    struct db_stmt **out);
/* Rows of open leads: id, name, lead_type, created_at, manager_id;
 * oldest first. */
enum cb_err db_crm_customer_leads(struct db *db, int64_t id,
    struct db_stmt **out);
/* Whether any call is linked to the customer / the order (an index
 * probe on ix_calls_customer_started / ix_calls_order_started). */
enum cb_err db_crm_customer_has_calls(struct db *db, int64_t id, bool *yes);
enum cb_err db_crm_order_has_calls(struct db *db, int64_t id, bool *yes);

/* One order: number, status name, status_group, customer_id, customer
 * name, store name, total, currency, manager name, created_at,
 * manager_id. */
enum cb_err db_crm_order(struct db *db, int64_t id, struct db_stmt **out);
/* One lead: name, phone, lead_type, state, customer_id, customer name,
 * comment, created_at, call_id, manager_id. */
enum cb_err db_crm_lead(struct db *db, int64_t id, struct db_stmt **out);

/* For the create forms' selects: (id, name) of stores; (id, name) of
 * open order statuses in their order; the name and manager_id (0: none;
 * manager_id may be NULL) of one customer. */
enum cb_err db_crm_stores(struct db *db, struct db_stmt **out);
enum cb_err db_crm_open_statuses(struct db *db, struct db_stmt **out);
enum cb_err db_crm_customer_name(struct db *db, int64_t id, char *name,
    size_t namesz, int64_t *manager_id);
/* true when the row exists. */
enum cb_err db_crm_store_exists(struct db *db, int64_t id, bool *yes);
enum cb_err db_crm_open_status_exists(struct db *db, int64_t id, bool *yes);

struct crm_order_new {
	const char *number;        /* NULL = none */
	int64_t customer_id;
	int64_t status_id;
	int64_t store_id;          /* 0 = none */
	int64_t manager_id;
	const char *total;         /* decimal text, checked by the page */
};
/* CB_DUPLICATE: the number is taken. */
enum cb_err db_crm_order_create(struct db *db, const struct crm_order_new *o,
    int64_t *id);

struct crm_lead_new {
	const char *name;
	const char *phone;         /* E.164 or NULL */
	int64_t customer_id;       /* 0 = an unknown caller */
	int64_t manager_id;
	int64_t call_id;           /* 0 = not from a call */
	const char *comment;       /* or NULL */
};
enum cb_err db_crm_lead_create(struct db *db, const struct crm_lead_new *l,
    int64_t *id);

/* Links one call to what was created from it: each id that is not 0 is
 * set; a customer only when the call has none yet. */
enum cb_err db_crm_link_call(struct db *db, int64_t call_id,
    int64_t customer_id, int64_t order_id, int64_t lead_id);

#endif
