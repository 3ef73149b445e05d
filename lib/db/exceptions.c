#include "config.h"

#include "db/exceptions.h"

static const char sql_list[] =
    "SELECT e.id, e.phone, e.comment, u.name, e.created_at "
    "FROM phone_exceptions e LEFT JOIN users u ON u.id = e.created_by "
    "ORDER BY e.created_at DESC, e.id DESC LIMIT 1000";
static const char sql_add[] =
    "INSERT INTO phone_exceptions (phone, phone_digits_rev, comment, "
    "created_by, created_at) VALUES (?, ?, ?, ?, UTC_TIMESTAMP(3))";
static const char sql_delete[] =
    "DELETE FROM phone_exceptions WHERE id = ?";

enum cb_err
db_exceptions_list(struct db *db, struct db_stmt **out)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_list, &st)) != CB_OK ||
	    (rc = db_exec(st)) != CB_OK)
		return rc;
	*out = st;
	return CB_OK;
}

enum cb_err
db_exception_add(struct db *db, const char *phone, const char *digits_rev,
    const char *comment, int64_t user_id, int64_t *id)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_add, &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, phone);
	db_bind_text(st, 1, digits_rev);
	db_bind_text(st, 2, comment);
	db_bind_i64(st, 3, user_id);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	*id = (int64_t)db_insert_id(st);
	return CB_OK;
}

enum cb_err
db_exception_delete(struct db *db, int64_t id)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_delete, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, id);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	return db_affected(st) ? CB_OK : CB_ENOTFOUND;
}
