#include "config.h"

#include <stdio.h>
#include <string.h>

#include "db/relink.h"

static const char *const sql_target[ACCESS_KIND__MAX] = {
	[ACCESS_CUSTOMER] = "SELECT id, 0, 0, COALESCE(manager_id, 0) "
	    "FROM customers WHERE id = ?",
	[ACCESS_ORDER] = "SELECT COALESCE(customer_id, 0), id, 0, "
	    "COALESCE(manager_id, 0) FROM orders WHERE id = ?",
	[ACCESS_LEAD] = "SELECT COALESCE(customer_id, 0), 0, id, "
	    "COALESCE(manager_id, 0) FROM leads WHERE id = ?",
};

enum cb_err
db_relink_target(struct db *db, enum access_kind kind, int64_t id,
    struct relink_links *to, int64_t *manager_id)
{
	struct db_stmt *st;
	enum cb_err rc;

	memset(to, 0, sizeof(*to));
	*manager_id = 0;
	if (kind >= ACCESS_KIND__MAX)
		return CB_EINVAL;
	if ((rc = db_stmt(db, sql_target[kind], &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, id);
	if ((rc = db_exec(st)) != CB_OK || (rc = db_fetch(st)) != CB_OK)
		return rc;
	to->customer_id = db_col_i64(st, 0);
	to->order_id = db_col_i64(st, 1);
	to->lead_id = db_col_i64(st, 2);
	*manager_id = db_col_i64(st, 3);
	db_stmt_done(st);
	return CB_OK;
}

static const char sql_state[] =
    "SELECT COALESCE(c.customer_id, 0), COALESCE(c.order_id, 0), "
    "COALESCE(c.lead_id, 0), c.client_withheld, COALESCE(u.name, ''), "
    "COALESCE(DATE_FORMAT(r.created_at, '%Y-%m-%d %H:%i:%s'), '') "
    "FROM calls c LEFT JOIN call_relinks r ON r.id = (SELECT x.id "
    " FROM call_relinks x WHERE x.call_id = c.id "
    " ORDER BY x.created_at DESC, x.id DESC LIMIT 1) "
    "LEFT JOIN users u ON u.id = r.user_id "
    "WHERE c.id = ?";

enum cb_err
db_relink_state(struct db *db, int64_t call_id, struct relink_state *s)
{
	struct db_stmt *st;
	enum cb_err rc;

	memset(s, 0, sizeof(*s));
	if ((rc = db_stmt(db, sql_state, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, call_id);
	if ((rc = db_exec(st)) != CB_OK || (rc = db_fetch(st)) != CB_OK)
		return rc;
	s->now.customer_id = db_col_i64(st, 0);
	s->now.order_id = db_col_i64(st, 1);
	s->now.lead_id = db_col_i64(st, 2);
	s->withheld = db_col_i64(st, 3) != 0;
	snprintf(s->moved_by, sizeof(s->moved_by), "%s", db_col(st, 4, NULL));
	snprintf(s->moved_at, sizeof(s->moved_at), "%s", db_col(st, 5, NULL));
	db_stmt_done(st);
	return CB_OK;
}

/* The old links are read by the INSERT ... SELECT itself, under the row
 * lock the UPDATE after it takes anyway. */
static const char sql_record[] =
    "INSERT INTO call_relinks (call_id, user_id, from_customer_id, "
    "from_order_id, from_lead_id, to_customer_id, to_order_id, to_lead_id, "
    "created_at) SELECT id, ?, customer_id, order_id, lead_id, ?, ?, ?, "
    "UTC_TIMESTAMP(3) FROM calls WHERE id = ? FOR UPDATE";
static const char sql_move[] =
    "UPDATE calls SET customer_id = ?, order_id = ?, lead_id = ?, "
    "links_fixed = 1 WHERE id = ?";

static void
bind_id(struct db_stmt *st, unsigned i, int64_t v)
{
	if (v > 0)
		db_bind_i64(st, i, v);
	else
		db_bind_null(st, i);
}

enum cb_err
db_relink_move(struct db *db, int64_t call_id, int64_t user_id,
    const struct relink_links *to)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_record, &st)) != CB_OK)
		return rc;
	bind_id(st, 0, user_id);
	bind_id(st, 1, to->customer_id);
	bind_id(st, 2, to->order_id);
	bind_id(st, 3, to->lead_id);
	db_bind_i64(st, 4, call_id);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	if ((rc = db_stmt(db, sql_move, &st)) != CB_OK)
		return rc;
	bind_id(st, 0, to->customer_id);
	bind_id(st, 1, to->order_id);
	bind_id(st, 2, to->lead_id);
	db_bind_i64(st, 3, call_id);
	return db_exec(st);
}
