/* Leads and the calls they follow (issue 19 §2, §3, §8): who is
 * responsible for a call's lead after a manual transfer, the open lead a
 * number's next call joins, the lead a customer created from a call takes
 * over, and each integration's "lead follows a transfer" setting. Every
 * function runs inside the caller's transaction (the worker's, or a CRM
 * page's). */
#ifndef CB_DB_LEADCALL_H
#define CB_DB_LEADCALL_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

/* What deciding a transfer needs to know about one ended call. */
struct lead_transfer {
	bool follows;              /* integrations.lead_follows_transfer */
	int64_t manager_id;        /* who talked last (calls.manager_id); 0 none */
	unsigned answerers;        /* distinct users who answered a leg (at
	                            * most 2 counted: two means handed over) */
	int64_t lead_id;           /* the call's open lead; 0 none */
	int64_t lead_manager_id;   /* its responsible user; 0 none */
};
/* CB_ENOTFOUND when the call is gone. The call's lead is calls.lead_id,
 * else the open lead made from the call (leads.call_id). */
enum cb_err db_lead_transfer_facts(struct db *db, int64_t call_id,
    struct lead_transfer *f);
enum cb_err db_lead_set_manager(struct db *db, int64_t lead_id,
    int64_t user_id);

/* The open lead a call from this customer / number belongs to: the
 * customer's oldest open lead (as linking picks it), else, for a number,
 * the oldest open lead of that number that no customer has yet. 0 = none.
 * customer_id 0 and phone "" (withheld) find nothing. */
enum cb_err db_lead_open_for(struct db *db, int64_t customer_id,
    const char *phone, int64_t *lead_id);
/* Links the call to the lead when the call has neither a lead nor an
 * order yet (what a person or the linking rules gave it stays). */
enum cb_err db_lead_join_call(struct db *db, int64_t call_id,
    int64_t lead_id);
/* The call's open lead that no customer has yet (calls.lead_id, a lead
 * made from the call, else the oldest open one of the call's number) now
 * belongs to customer_id; *lead_id is it (0 = there was none). */
enum cb_err db_lead_attach_from_call(struct db *db, int64_t call_id,
    int64_t customer_id, int64_t *lead_id);

/* Settings › Automation: integrations with their setting, by name:
 * columns id, name, lead_follows_transfer. */
enum cb_err db_lead_follow_list(struct db *db, struct db_stmt **out);
enum cb_err db_lead_follow_set(struct db *db, int64_t integration_id,
    bool on);

#endif
