#include "config.h"

#include "db/triggers.h"

#define TRIGGER_COLUMNS \
    "SELECT t.id, t.name, t.event, t.enabled, t.conditions, t.actions, " \
    "(SELECT COUNT(*) FROM trigger_runs r WHERE r.trigger_id = t.id), " \
    "(SELECT MAX(r.created_at) FROM trigger_runs r WHERE r.trigger_id = t.id) " \
    "FROM triggers t "

static const char sql_list[] = TRIGGER_COLUMNS "ORDER BY t.name, t.id";
static const char sql_get[] = TRIGGER_COLUMNS "WHERE t.id = ?";
static const char sql_insert[] =
    "INSERT INTO triggers (name, event, enabled, conditions, actions, "
    "created_by) VALUES (?, ?, ?, ?, ?, ?)";
static const char sql_update[] =
    "UPDATE triggers SET name = ?, event = ?, enabled = ?, conditions = ?, "
    "actions = ? WHERE id = ?";
static const char sql_exists[] = "SELECT 1 FROM triggers WHERE id = ?";
static const char sql_enable[] =
    "UPDATE triggers SET enabled = ? WHERE id = ?";
static const char sql_delete[] = "DELETE FROM triggers WHERE id = ?";
static const char sql_runs[] =
    "SELECT r.id, r.call_id, r.action_index, r.action, r.result, r.error, "
    "r.created_at, r.finished_at, c.client_number "
    "FROM trigger_runs r LEFT JOIN calls c ON c.id = r.call_id "
    "WHERE r.trigger_id = ? ORDER BY r.created_at DESC, r.id DESC LIMIT 100";
static const char sql_integrations[] =
    "SELECT id, name FROM integrations ORDER BY name, id";
static const char sql_statuses[] =
    "SELECT code, name FROM order_statuses ORDER BY sort_order, id";

static enum cb_err
run(struct db *db, const char *sql, int64_t id, bool bind, struct db_stmt **out)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql, &st)) != CB_OK)
		return rc;
	if (bind)
		db_bind_i64(st, 0, id);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	*out = st;
	return CB_OK;
}

enum cb_err
db_triggers_list(struct db *db, struct db_stmt **out)
{
	return run(db, sql_list, 0, false, out);
}

enum cb_err
db_trigger_get(struct db *db, int64_t id, struct db_stmt **out)
{
	enum cb_err rc;

	if ((rc = run(db, sql_get, id, true, out)) != CB_OK)
		return rc;
	return db_fetch(*out);
}

enum cb_err
db_trigger_save(struct db *db, const struct trigger_row *r, int64_t user_id,
    int64_t *id)
{
	struct db_stmt *st;
	enum cb_err rc;

	if (*id) {
		if ((rc = run(db, sql_exists, *id, true, &st)) != CB_OK ||
		    (rc = db_fetch(st)) != CB_OK)
			return rc;
		db_stmt_done(st);
	}
	if ((rc = db_stmt(db, *id ? sql_update : sql_insert, &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, r->name);
	db_bind_text(st, 1, r->event);
	db_bind_i64(st, 2, r->enabled);
	db_bind_text(st, 3, r->conditions);
	db_bind_text(st, 4, r->actions);
	if (*id)
		db_bind_i64(st, 5, *id);
	else
		db_bind_i64(st, 5, user_id);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	if (*id == 0)
		*id = (int64_t)db_insert_id(st);
	return CB_OK;
}

enum cb_err
db_trigger_set_enabled(struct db *db, int64_t id, bool enabled)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = run(db, sql_exists, id, true, &st)) != CB_OK ||
	    (rc = db_fetch(st)) != CB_OK)
		return rc;
	db_stmt_done(st);
	if ((rc = db_stmt(db, sql_enable, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, enabled);
	db_bind_i64(st, 1, id);
	return db_exec(st);
}

enum cb_err
db_trigger_delete(struct db *db, int64_t id)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = run(db, sql_delete, id, true, &st)) != CB_OK)
		return rc;
	return db_affected(st) ? CB_OK : CB_ENOTFOUND;
}

enum cb_err
db_trigger_runs(struct db *db, int64_t id, struct db_stmt **out)
{
	return run(db, sql_runs, id, true, out);
}

enum cb_err
db_trigger_integrations(struct db *db, struct db_stmt **out)
{
	return run(db, sql_integrations, 0, false, out);
}

enum cb_err
db_trigger_order_statuses(struct db *db, struct db_stmt **out)
{
	return run(db, sql_statuses, 0, false, out);
}
