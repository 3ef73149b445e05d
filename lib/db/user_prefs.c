#include "config.h"

#include "db/user_prefs.h"

static const char sql_country[] =
    "UPDATE users SET country = ? WHERE id = ?";

enum cb_err
db_user_country_save(struct db *db, int64_t user_id, const char *country)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_country, &st)) != CB_OK)
		return rc;
	if (country != NULL && *country != '\0')
		db_bind_text(st, 0, country);
	else
		db_bind_null(st, 0);
	db_bind_i64(st, 1, user_id);
	return db_exec(st);
}

static const char sql_last_line[] =
    "SELECT COALESCE(last_dial_integration_id, 0) FROM users WHERE id = ?";

enum cb_err
db_user_last_line(struct db *db, int64_t user_id, int64_t *id)
{
	struct db_stmt *st;
	enum cb_err rc;

	*id = 0;
	if ((rc = db_stmt(db, sql_last_line, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, user_id);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	if ((rc = db_fetch(st)) == CB_OK)
		*id = db_col_i64(st, 0);
	db_stmt_done(st);
	return rc == CB_ENOTFOUND ? CB_OK : rc;
}

static const char sql_last_line_save[] =
    "UPDATE users SET last_dial_integration_id = ? WHERE id = ?";

enum cb_err
db_user_last_line_save(struct db *db, int64_t user_id,
    int64_t integration_id)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_last_line_save, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, integration_id);
	db_bind_i64(st, 1, user_id);
	return db_exec(st);
}

/* A store's first number with an integration is its line; a call without
 * one falls back to the integration it came through. */
static const char sql_store_line[] =
    "SELECT COALESCE((SELECT sn.integration_id FROM store_numbers sn "
    "WHERE sn.store_id = COALESCE(?, (SELECT c.store_id FROM calls c "
    "WHERE c.id = ?)) AND sn.integration_id IS NOT NULL "
    "ORDER BY sn.id LIMIT 1), "
    "(SELECT c.integration_id FROM calls c WHERE c.id = ?), 0)";

enum cb_err
db_store_line(struct db *db, int64_t call_id, int64_t store_id, int64_t *id)
{
	struct db_stmt *st;
	enum cb_err rc;

	*id = 0;
	if (call_id <= 0 && store_id <= 0)
		return CB_OK;
	if ((rc = db_stmt(db, sql_store_line, &st)) != CB_OK)
		return rc;
	if (store_id > 0)
		db_bind_i64(st, 0, store_id);
	else
		db_bind_null(st, 0);
	db_bind_i64(st, 1, call_id);
	db_bind_i64(st, 2, call_id);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	if ((rc = db_fetch(st)) == CB_OK)
		*id = db_col_i64(st, 0);
	db_stmt_done(st);
	return rc == CB_ENOTFOUND ? CB_OK : rc;
}
