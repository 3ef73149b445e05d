#include "config.h"

#include "db/login_attempts.h"

static const char sql_blocked[] =
    "SELECT CAST(CEILING(GREATEST(0, TIMESTAMPDIFF(MICROSECOND, "
    "UTC_TIMESTAMP(3), MAX(blocked_until))) / 1000000) AS SIGNED) "
    "FROM login_attempts WHERE (scope = 'pair' AND addr = ? AND login = ?) "
    "OR (scope = 'addr' AND addr = ? AND login = '')";

enum cb_err
db_login_blocked(struct db *db, const char *addr, const char *login,
    int64_t *wait_s)
{
	struct db_stmt *st;
	enum cb_err rc;

	*wait_s = 0;
	if ((rc = db_stmt(db, sql_blocked, &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, addr);
	db_bind_text(st, 1, login);
	db_bind_text(st, 2, addr);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	if ((rc = db_fetch(st)) == CB_OK)
		*wait_s = db_col_i64(st, 0);
	db_stmt_done(st);
	return rc == CB_OK || rc == CB_ENOTFOUND ? CB_OK : rc;
}

/* The assignments of ON DUPLICATE KEY UPDATE run left to right, each
 * seeing the ones before: failures first (with the old last_at), then
 * the block from the new count, then last_at. */
static const char sql_failed[] =
    "INSERT INTO login_attempts (scope, addr, login, failures, last_at, "
    "blocked_until) VALUES (?, ?, ?, 1, UTC_TIMESTAMP(3), "
    "IF(? <= 1, UTC_TIMESTAMP(3) + INTERVAL 1 SECOND, UTC_TIMESTAMP(3))) "
    "ON DUPLICATE KEY UPDATE "
    "failures = IF(last_at < UTC_TIMESTAMP(3) - INTERVAL ? SECOND, 1, "
    "failures + 1), "
    "blocked_until = IF(failures >= ?, UTC_TIMESTAMP(3) + INTERVAL "
    "LEAST(?, 1 << LEAST(CAST(failures AS SIGNED) - ?, 30)) SECOND, "
    "blocked_until), "
    "last_at = UTC_TIMESTAMP(3)";

static enum cb_err
failed_one(struct db *db, const char *scope, const char *addr,
    const char *login, unsigned free_n, unsigned max_s, unsigned forget_s)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_failed, &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, scope);
	db_bind_text(st, 1, addr);
	db_bind_text(st, 2, login);
	db_bind_i64(st, 3, free_n);
	db_bind_i64(st, 4, forget_s);
	db_bind_i64(st, 5, free_n);
	db_bind_i64(st, 6, max_s);
	db_bind_i64(st, 7, free_n);
	return db_exec(st);
}

enum cb_err
db_login_failed(struct db *db, const char *addr, const char *login,
    unsigned free_pair, unsigned free_addr, unsigned max_s,
    unsigned forget_s)
{
	enum cb_err rc;

	/* Old rows are the worker's housekeeping (lib/db/housekeeping.c),
	 * not a failed login's extra statement. */
	if ((rc = failed_one(db, "pair", addr, login, free_pair, max_s,
	    forget_s)) != CB_OK)
		return rc;
	return failed_one(db, "addr", addr, "", free_addr, max_s, forget_s);
}

static const char sql_succeeded[] =
    "DELETE FROM login_attempts WHERE scope = 'pair' AND addr = ? AND "
    "login = ?";

enum cb_err
db_login_succeeded(struct db *db, const char *addr, const char *login)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_succeeded, &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, addr);
	db_bind_text(st, 1, login);
	return db_exec(st);
}
