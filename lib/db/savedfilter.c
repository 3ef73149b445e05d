#include "config.h"

#include "db/savedfilter.h"

static const char sql_list[] =
    "SELECT id, name, query FROM saved_filters WHERE user_id = ? "
    "AND page = ? ORDER BY name, id LIMIT 50";

enum cb_err
db_savedfilter_list(struct db *db, int64_t user_id, const char *page,
    struct db_stmt **out)
{
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_list, out)) != CB_OK)
		return rc;
	db_bind_i64(*out, 0, user_id);
	db_bind_text(*out, 1, page);
	return db_exec(*out);
}

static const char sql_save[] =
    "INSERT INTO saved_filters (user_id, page, name, query) "
    "VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE query = VALUES(query)";

enum cb_err
db_savedfilter_save(struct db *db, int64_t user_id, const char *page,
    const char *name, const char *query)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_save, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, user_id);
	db_bind_text(st, 1, page);
	db_bind_text(st, 2, name);
	db_bind_text(st, 3, query);
	return db_exec(st);
}

static const char sql_delete[] =
    "DELETE FROM saved_filters WHERE id = ? AND user_id = ?";

enum cb_err
db_savedfilter_delete(struct db *db, int64_t user_id, int64_t id)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_delete, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, id);
	db_bind_i64(st, 1, user_id);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	return db_affected(st) ? CB_OK : CB_ENOTFOUND;
}
