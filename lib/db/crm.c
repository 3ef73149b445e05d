#include "config.h"

#include <stdio.h>

#include "db/crm.h"

static enum cb_err
run_id(struct db *db, const char *sql, int64_t id, struct db_stmt **out)
{
	enum cb_err rc;

	if ((rc = db_stmt(db, sql, out)) != CB_OK)
		return rc;
	db_bind_i64(*out, 0, id);
	return db_exec(*out);
}

static enum cb_err
exists(struct db *db, const char *sql, int64_t id, bool *yes)
{
	struct db_stmt *st;
	enum cb_err rc;

	*yes = false;
	if ((rc = run_id(db, sql, id, &st)) != CB_OK)
		return rc;
	rc = db_fetch(st);
	*yes = rc == CB_OK;
	db_stmt_done(st);
	return rc == CB_OK || rc == CB_ENOTFOUND ? CB_OK : rc;
}

static const char sql_customer[] =
    "SELECT c.name, c.email, u.name, c.created_at, c.comment, "
    "COALESCE(c.manager_id, 0) "
    "FROM customers c LEFT JOIN users u ON u.id = c.manager_id "
    "WHERE c.id = ?";

enum cb_err
db_crm_customer(struct db *db, int64_t id, struct db_stmt **out)
{
	enum cb_err rc;

	if ((rc = run_id(db, sql_customer, id, out)) != CB_OK)
		return rc;
	return db_fetch(*out);
}

/* The EXISTS is one probe of ix_calls_client_digits_rev per phone. The
 * numbers the customer shares with another one (0015) follow, flagged. */
static const char sql_phones[] =
    "(SELECT p.phone, EXISTS (SELECT 1 FROM calls c "
    "WHERE c.client_digits_rev = p.phone_digits_rev), 0 "
    "FROM customer_phones p WHERE p.customer_id = ? ORDER BY p.id LIMIT 50) "
    "UNION ALL (SELECT s.phone, 0, 1 FROM customer_phones_shared s "
    "WHERE s.customer_id = ? ORDER BY s.id LIMIT 50)";

enum cb_err
db_crm_customer_phones(struct db *db, int64_t id, struct db_stmt **out)
{
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_phones, out)) != CB_OK)
		return rc;
	db_bind_i64(*out, 0, id);
	db_bind_i64(*out, 1, id);
	return db_exec(*out);
}

static const char sql_phone_holders[] =
    "SELECT c.id, COALESCE(c.manager_id, 0) FROM customer_phones p "
    "JOIN customers c ON c.id = p.customer_id WHERE p.phone = ? "
    "ORDER BY c.created_at DESC, c.id DESC LIMIT 50";

enum cb_err
db_crm_phone_holders(struct db *db, const char *e164, struct db_stmt **out)
{
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_phone_holders, out)) != CB_OK)
		return rc;
	db_bind_text(*out, 0, e164);
	return db_exec(*out);
}

static const char sql_add_shared[] =
    "INSERT IGNORE INTO customer_phones_shared (customer_id, phone, "
    "phone_digits_rev, held_by, created_by) VALUES (?, ?, ?, ?, ?)";

enum cb_err
db_crm_add_shared_phone(struct db *db, int64_t customer_id, const char *e164,
    const char *rev, int64_t held_by, int64_t user_id)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_add_shared, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, customer_id);
	db_bind_text(st, 1, e164);
	db_bind_text(st, 2, rev);
	if (held_by > 0)
		db_bind_i64(st, 3, held_by);
	else
		db_bind_null(st, 3);
	if (user_id > 0)
		db_bind_i64(st, 4, user_id);
	else
		db_bind_null(st, 4);
	return db_exec(st);
}

static const char sql_orders[] =
    "SELECT o.id, o.number, s.name, o.total, o.currency, o.created_at, "
    "COALESCE(o.manager_id, 0) FROM orders o JOIN order_statuses s ON s.id = o.status_id "
    "WHERE o.customer_id = ? AND s.status_group = 'open' "
    "ORDER BY o.created_at DESC, o.id DESC LIMIT 50";

enum cb_err
db_crm_customer_orders(struct db *db, int64_t id, struct db_stmt **out)
{
	return run_id(db, sql_orders, id, out);
}

static const char sql_leads[] =
    "SELECT id, name, lead_type, created_at, COALESCE(manager_id, 0) "
    "FROM leads "
    "WHERE customer_id = ? AND state = 'open' "
    "ORDER BY created_at, id LIMIT 50";

enum cb_err
db_crm_customer_leads(struct db *db, int64_t id, struct db_stmt **out)
{
	return run_id(db, sql_leads, id, out);
}

static const char sql_customer_calls[] =
    "SELECT 1 FROM calls WHERE customer_id = ? LIMIT 1";
static const char sql_order_calls[] =
    "SELECT 1 FROM calls WHERE order_id = ? LIMIT 1";

enum cb_err
db_crm_customer_has_calls(struct db *db, int64_t id, bool *yes)
{
	return exists(db, sql_customer_calls, id, yes);
}

enum cb_err
db_crm_order_has_calls(struct db *db, int64_t id, bool *yes)
{
	return exists(db, sql_order_calls, id, yes);
}

static const char sql_order[] =
    "SELECT o.number, s.name, s.status_group, o.customer_id, c.name, "
    "st.name, o.total, o.currency, u.name, o.created_at, "
    "COALESCE(o.manager_id, 0), COALESCE(o.store_id, 0) "
    "FROM orders o JOIN order_statuses s ON s.id = o.status_id "
    "LEFT JOIN customers c ON c.id = o.customer_id "
    "LEFT JOIN stores st ON st.id = o.store_id "
    "LEFT JOIN users u ON u.id = o.manager_id WHERE o.id = ?";

enum cb_err
db_crm_order(struct db *db, int64_t id, struct db_stmt **out)
{
	enum cb_err rc;

	if ((rc = run_id(db, sql_order, id, out)) != CB_OK)
		return rc;
	return db_fetch(*out);
}

static const char sql_lead[] =
    "SELECT l.name, l.phone, l.lead_type, l.state, l.customer_id, c.name, "
    "l.comment, l.created_at, l.call_id, COALESCE(l.manager_id, 0), "
    "l.origin FROM leads l "
    "LEFT JOIN customers c ON c.id = l.customer_id WHERE l.id = ?";

enum cb_err
db_crm_lead(struct db *db, int64_t id, struct db_stmt **out)
{
	enum cb_err rc;

	if ((rc = run_id(db, sql_lead, id, out)) != CB_OK)
		return rc;
	return db_fetch(*out);
}

static const char sql_stores[] =
    "SELECT id, name FROM stores ORDER BY name, id LIMIT 500";
static const char sql_statuses[] =
    "SELECT id, name FROM order_statuses WHERE status_group = 'open' "
    "ORDER BY sort_order, id LIMIT 100";

enum cb_err
db_crm_stores(struct db *db, struct db_stmt **out)
{
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_stores, out)) != CB_OK)
		return rc;
	return db_exec(*out);
}

enum cb_err
db_crm_open_statuses(struct db *db, struct db_stmt **out)
{
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_statuses, out)) != CB_OK)
		return rc;
	return db_exec(*out);
}

static const char sql_customer_name[] =
    "SELECT name, COALESCE(manager_id, 0) FROM customers WHERE id = ?";

enum cb_err
db_crm_customer_name(struct db *db, int64_t id, char *name, size_t namesz,
    int64_t *manager_id)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = run_id(db, sql_customer_name, id, &st)) != CB_OK ||
	    (rc = db_fetch(st)) != CB_OK)
		return rc;
	snprintf(name, namesz, "%s", db_col(st, 0, NULL));
	if (manager_id != NULL)
		*manager_id = db_col_i64(st, 1);
	db_stmt_done(st);
	return CB_OK;
}

static const char sql_store_exists[] = "SELECT 1 FROM stores WHERE id = ?";
static const char sql_status_exists[] =
    "SELECT 1 FROM order_statuses WHERE id = ? AND status_group = 'open'";

enum cb_err
db_crm_store_exists(struct db *db, int64_t id, bool *yes)
{
	return exists(db, sql_store_exists, id, yes);
}

enum cb_err
db_crm_open_status_exists(struct db *db, int64_t id, bool *yes)
{
	return exists(db, sql_status_exists, id, yes);
}

static const char sql_order_create[] =
    "INSERT INTO orders (number, customer_id, status_id, store_id, "
    "manager_id, total, created_at) VALUES (?, ?, ?, ?, ?, ?, "
    "UTC_TIMESTAMP(3))";

enum cb_err
db_crm_order_create(struct db *db, const struct crm_order_new *o, int64_t *id)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_order_create, &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, o->number);
	db_bind_i64(st, 1, o->customer_id);
	db_bind_i64(st, 2, o->status_id);
	if (o->store_id)
		db_bind_i64(st, 3, o->store_id);
	else
		db_bind_null(st, 3);
	db_bind_i64(st, 4, o->manager_id);
	db_bind_text(st, 5, o->total);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	*id = (int64_t)db_insert_id(st);
	return CB_OK;
}

static const char sql_lead_create[] =
    "INSERT INTO leads (name, phone, customer_id, manager_id, call_id, "
    "comment, source, created_at) VALUES (?, ?, ?, ?, ?, ?, 'manual', "
    "UTC_TIMESTAMP(3))";

enum cb_err
db_crm_lead_create(struct db *db, const struct crm_lead_new *l, int64_t *id)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_lead_create, &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, l->name);
	db_bind_text(st, 1, l->phone);
	if (l->customer_id)
		db_bind_i64(st, 2, l->customer_id);
	else
		db_bind_null(st, 2);
	db_bind_i64(st, 3, l->manager_id);
	if (l->call_id)
		db_bind_i64(st, 4, l->call_id);
	else
		db_bind_null(st, 4);
	db_bind_text(st, 5, l->comment);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	*id = (int64_t)db_insert_id(st);
	return CB_OK;
}

static const char sql_link_call[] =
    "UPDATE calls SET customer_id = COALESCE(customer_id, ?), "
    "order_id = COALESCE(?, order_id), lead_id = COALESCE(?, lead_id) "
    "WHERE id = ?";

static void
bind_id_or_null(struct db_stmt *st, unsigned i, int64_t v)
{
	if (v)
		db_bind_i64(st, i, v);
	else
		db_bind_null(st, i);
}

enum cb_err
db_crm_link_call(struct db *db, int64_t call_id, int64_t customer_id,
    int64_t order_id, int64_t lead_id)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_link_call, &st)) != CB_OK)
		return rc;
	bind_id_or_null(st, 0, customer_id);
	bind_id_or_null(st, 1, order_id);
	bind_id_or_null(st, 2, lead_id);
	db_bind_i64(st, 3, call_id);
	return db_exec(st);
}
