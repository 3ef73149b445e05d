#include "config.h"

#include <stdio.h>
#include <string.h>

#include "db/access.h"

static const char sql_call_access[] =
    "SELECT id, COALESCE(manager_id, 0), COALESCE(customer_id, 0), "
    "COALESCE(order_id, 0), recording_state, COALESCE(recording_path, '') "
    "FROM calls WHERE id = ?";

enum cb_err
db_call_access(struct db *db, int64_t call_id, struct call_access *out)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_call_access, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, call_id);
	if ((rc = db_exec(st)) != CB_OK || (rc = db_fetch(st)) != CB_OK)
		return rc;
	memset(out, 0, sizeof(*out));
	out->id = db_col_i64(st, 0);
	out->who.manager_id = db_col_i64(st, 1);
	out->who.customer_id = db_col_i64(st, 2);
	out->who.order_id = db_col_i64(st, 3);
	snprintf(out->recording_state, sizeof(out->recording_state), "%s",
	    db_col(st, 4, NULL));
	snprintf(out->recording_path, sizeof(out->recording_path), "%s",
	    db_col(st, 5, NULL));
	db_stmt_done(st);
	return CB_OK;
}

static const char sql_listen_log[] =
    "INSERT INTO listening_log (user_id, call_id, action, context, ip, "
    "user_agent, created_at) VALUES (?, ?, ?, ?, ?, LEFT(?, 255), "
    "UTC_TIMESTAMP(3))";

enum cb_err
db_listen_log(struct db *db, int64_t user_id, int64_t call_id,
    const char *action, const char *context, const char *ip,
    const char *user_agent)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_listen_log, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, user_id);
	db_bind_i64(st, 1, call_id);
	db_bind_text(st, 2, action);
	db_bind_text(st, 3, context);
	db_bind_text(st, 4, ip && *ip ? ip : NULL);
	db_bind_text(st, 5, user_agent);
	return db_exec(st);
}
