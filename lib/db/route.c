#include "config.h"

#include <stdio.h>
#include <string.h>

#include "db/route.h"

static const char sql_route_by_phone[] =
    "SELECT c.id, c.name, COALESCE(u.id, 0), COALESCE(u.extension, ''), "
    "COALESCE(u.email, '') FROM customer_phones p "
    "JOIN customers c ON c.id = p.customer_id "
    "LEFT JOIN users u ON u.id = c.manager_id AND u.active = 1 "
    "WHERE p.phone = ? ORDER BY c.created_at DESC, c.id DESC LIMIT 1";

enum cb_err
db_route_by_phone(struct db *db, const char *phone, struct route_row *r)
{
	struct db_stmt *st;
	enum cb_err rc;

	memset(r, 0, sizeof(*r));
	if ((rc = db_stmt(db, sql_route_by_phone, &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, phone);
	if ((rc = db_exec(st)) != CB_OK || (rc = db_fetch(st)) != CB_OK)
		return rc;
	r->customer_id = db_col_i64(st, 0);
	snprintf(r->customer_name, sizeof(r->customer_name), "%s",
	    db_col(st, 1, NULL));
	r->manager_id = db_col_i64(st, 2);
	snprintf(r->extension, sizeof(r->extension), "%s", db_col(st, 3, NULL));
	snprintf(r->email, sizeof(r->email), "%s", db_col(st, 4, NULL));
	db_stmt_done(st);
	return CB_OK;
}

static const char sql_user_line[] =
    "SELECT COALESCE(extension, ''), COALESCE(email, '') FROM users "
    "WHERE id = ? AND active = 1";

enum cb_err
db_user_line(struct db *db, int64_t user_id, char *ext, size_t extsz,
    char *email, size_t emailsz)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_user_line, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, user_id);
	if ((rc = db_exec(st)) != CB_OK || (rc = db_fetch(st)) != CB_OK)
		return rc;
	snprintf(ext, extsz, "%s", db_col(st, 0, NULL));
	snprintf(email, emailsz, "%s", db_col(st, 1, NULL));
	db_stmt_done(st);
	return CB_OK;
}
