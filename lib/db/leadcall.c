#include "config.h"

#include <string.h>

#include "db/leadcall.h"

/* Distinct answering users are counted as the smallest and the largest id
 * (no COUNT(DISTINCT) and its temporary table): different means two or
 * more people talked on the call, which a ring group or a queue never
 * gives (one of them answers) and a transfer always does. */
static const char sql_transfer[] =
    "SELECT i.lead_follows_transfer, COALESCE(c.manager_id, 0), "
    "(SELECT IF(MIN(g.user_id) IS NULL, 0, IF(MIN(g.user_id) = "
    " MAX(g.user_id), 1, 2)) FROM call_legs g WHERE g.call_id = c.id "
    " AND g.answered_at IS NOT NULL AND g.user_id IS NOT NULL), "
    "COALESCE(l.id, 0), COALESCE(l.manager_id, 0) "
    "FROM calls c JOIN integrations i ON i.id = c.integration_id "
    "LEFT JOIN leads l ON l.id = COALESCE(c.lead_id, (SELECT x.id "
    " FROM leads x WHERE x.call_id = c.id AND x.state = 'open' "
    " ORDER BY x.id LIMIT 1)) AND l.state = 'open' "
    "WHERE c.id = ?";

enum cb_err
db_lead_transfer_facts(struct db *db, int64_t call_id,
    struct lead_transfer *f)
{
	struct db_stmt *st;
	enum cb_err rc;

	memset(f, 0, sizeof(*f));
	if ((rc = db_stmt(db, sql_transfer, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, call_id);
	if ((rc = db_exec(st)) != CB_OK || (rc = db_fetch(st)) != CB_OK)
		return rc;
	f->follows = db_col_i64(st, 0) != 0;
	f->manager_id = db_col_i64(st, 1);
	f->answerers = (unsigned)db_col_i64(st, 2);
	f->lead_id = db_col_i64(st, 3);
	f->lead_manager_id = db_col_i64(st, 4);
	db_stmt_done(st);
	return CB_OK;
}

static const char sql_set_manager[] =
    "UPDATE leads SET manager_id = ? WHERE id = ? AND state = 'open'";

enum cb_err
db_lead_set_manager(struct db *db, int64_t lead_id, int64_t user_id)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_set_manager, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, user_id);
	db_bind_i64(st, 1, lead_id);
	return db_exec(st);
}

/* Oldest first, as the ingest procedure links a known customer's call
 * (sql/migrations/0013_provider_semantics.sql). */
static const char sql_open_of_customer[] =
    "SELECT id FROM leads WHERE customer_id = ? AND state = 'open' "
    "ORDER BY created_at ASC, id ASC LIMIT 1";
static const char sql_open_of_phone[] =
    "SELECT id FROM leads WHERE phone = ? AND state = 'open' "
    "AND customer_id IS NULL ORDER BY created_at ASC, id ASC LIMIT 1";

static enum cb_err
first_id(struct db *db, const char *sql, int64_t n, const char *s,
    int64_t *id)
{
	struct db_stmt *st;
	enum cb_err rc;

	*id = 0;
	if ((rc = db_stmt(db, sql, &st)) != CB_OK)
		return rc;
	if (s != NULL)
		db_bind_text(st, 0, s);
	else
		db_bind_i64(st, 0, n);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	if ((rc = db_fetch(st)) == CB_OK)
		*id = db_col_i64(st, 0);
	db_stmt_done(st);
	return rc == CB_ENOTFOUND ? CB_OK : rc;
}

enum cb_err
db_lead_open_for(struct db *db, int64_t customer_id, const char *phone,
    int64_t *lead_id)
{
	enum cb_err rc;

	*lead_id = 0;
	if (customer_id > 0 && (rc = first_id(db, sql_open_of_customer,
	    customer_id, NULL, lead_id)) != CB_OK)
		return rc;
	if (*lead_id == 0 && phone != NULL && *phone != '\0')
		return first_id(db, sql_open_of_phone, 0, phone, lead_id);
	return CB_OK;
}

static const char sql_join[] =
    "UPDATE calls SET lead_id = ?, links_fixed = 1 WHERE id = ? "
    "AND lead_id IS NULL "
    "AND order_id IS NULL";

enum cb_err
db_lead_join_call(struct db *db, int64_t call_id, int64_t lead_id)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_join, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, lead_id);
	db_bind_i64(st, 1, call_id);
	return db_exec(st);
}

static const char sql_call_lead[] =
    "SELECT l.id FROM calls c JOIN leads l ON l.state = 'open' "
    "AND l.customer_id IS NULL AND (l.id = c.lead_id OR l.call_id = c.id "
    "OR (c.client_number <> '' AND l.phone = c.client_number)) "
    "WHERE c.id = ? "
    "ORDER BY l.id = c.lead_id DESC, l.call_id = c.id DESC, "
    "l.created_at ASC, l.id ASC LIMIT 1";
static const char sql_attach[] =
    "UPDATE leads SET customer_id = ? WHERE id = ? AND customer_id IS NULL";

enum cb_err
db_lead_attach_from_call(struct db *db, int64_t call_id, int64_t customer_id,
    int64_t *lead_id)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = first_id(db, sql_call_lead, call_id, NULL, lead_id)) !=
	    CB_OK || *lead_id == 0)
		return rc;
	if ((rc = db_stmt(db, sql_attach, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, customer_id);
	db_bind_i64(st, 1, *lead_id);
	return db_exec(st);
}

static const char sql_follow_list[] =
    "SELECT id, name, lead_follows_transfer FROM integrations "
    "ORDER BY name, id LIMIT 200";

enum cb_err
db_lead_follow_list(struct db *db, struct db_stmt **out)
{
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_follow_list, out)) != CB_OK)
		return rc;
	return db_exec(*out);
}

static const char sql_follow_set[] =
    "UPDATE integrations SET lead_follows_transfer = ? WHERE id = ?";

enum cb_err
db_lead_follow_set(struct db *db, int64_t integration_id, bool on)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_follow_set, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, on ? 1 : 0);
	db_bind_i64(st, 1, integration_id);
	return db_exec(st);
}
