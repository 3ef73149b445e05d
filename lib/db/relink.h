/* Moving a live call's links to the card a manager has open (issue 19 §6,
 * seed 002: "if you open another card, an indicator shows that the call
 * will be linked to it"), and the record of who moved it and when
 * (call_relinks, migration 0023). Runs inside the caller's transaction. */
#ifndef CB_DB_RELINK_H
#define CB_DB_RELINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/access.h"
#include "db/db.h"

/* A call's links, or the links it gets when moved: a customer alone; an
 * order and its customer; a lead and its customer (if it has one). */
struct relink_links {
	int64_t customer_id, order_id, lead_id;   /* 0 = none */
};

/* The links a call gets when moved to the record (kind, id), and the
 * record's manager (0 = none) for the permission check. CB_ENOTFOUND when
 * there is no such record. */
enum cb_err db_relink_target(struct db *db, enum access_kind kind,
    int64_t id, struct relink_links *to, int64_t *manager_id);

/* What the indicator needs about a call: its links, whether the caller
 * withheld their number, and the latest move (who, when in UTC; "" when
 * it was never moved). CB_ENOTFOUND when the call is gone. */
struct relink_state {
	struct relink_links now;
	bool withheld;
	char moved_by[256];
	char moved_at[24];
};
enum cb_err db_relink_state(struct db *db, int64_t call_id,
    struct relink_state *s);

/* Records the move (from the call's links to `to`, by user_id) and sets
 * the call's links; the ingest no longer re-links the call (links_fixed). */
enum cb_err db_relink_move(struct db *db, int64_t call_id, int64_t user_id,
    const struct relink_links *to);

#endif
