#include "config.h"

#include "db/tasklist.h"

/* The task columns of enum tasklist_col, after FROM tasks t. "Due today"
 * is in UTC days: the page only uses it to sort a badge, the time itself
 * is drawn in the viewer's zone. */
#define TASK_COLUMNS \
    "SELECT t.id, t.kind, t.title, t.body, t.mode, t.phone, t.call_id, " \
    "t.customer_id, cu.name, t.order_id, t.lead_id, t.due_at, " \
    "t.due_at IS NOT NULL AND t.due_at < UTC_TIMESTAMP(3), " \
    "t.due_at IS NOT NULL AND t.due_at >= UTC_TIMESTAMP(3) AND " \
    "DATE(t.due_at) = UTC_DATE(), " \
    "t.created_at, au.name, t.done_at, " \
    "(SELECT COUNT(*) FROM task_assignees x WHERE x.task_id = t.id) "

#define OPEN_FROM "FROM task_assignees a JOIN tasks t ON t.id = a.task_id "
#define OPEN_WHERE \
    "WHERE a.user_id = ? AND a.done_at IS NULL AND t.state = 'open' "
#define DONE_FROM "FROM tasks t "
#define DONE_WHERE "WHERE t.done_by = ? AND t.state = 'done' "

static const char sql_open[] =
    TASK_COLUMNS
    "FROM task_assignees a JOIN tasks t ON t.id = a.task_id "
    "LEFT JOIN customers cu ON cu.id = t.customer_id "
    "LEFT JOIN users au ON au.id = t.author_id "
    "WHERE a.user_id = ? AND a.done_at IS NULL AND t.state = 'open' "
    "ORDER BY t.due_at IS NULL, t.due_at, t.id LIMIT 200";

static const char sql_done[] =
    TASK_COLUMNS
    "FROM tasks t "
    "LEFT JOIN customers cu ON cu.id = t.customer_id "
    "LEFT JOIN users au ON au.id = t.author_id "
    "WHERE t.done_by = ? AND t.state = 'done' "
    "ORDER BY t.done_at DESC, t.id DESC LIMIT 200";

/* The first call (tasks.call_id) and every call gathered later
 * (task_calls); UNION drops the first one's duplicate. */
static const char sql_open_calls[] =
    "SELECT x.task_id, c.id, c.started_at, c.result, c.direction FROM ("
    "SELECT t.id AS task_id, t.call_id AS call_id " OPEN_FROM OPEN_WHERE
    "AND t.call_id IS NOT NULL "
    "UNION SELECT t.id, tc.call_id " OPEN_FROM
    "JOIN task_calls tc ON tc.task_id = t.id " OPEN_WHERE ") x "
    "JOIN calls c ON c.id = x.call_id ORDER BY x.task_id, c.started_at, c.id";

static const char sql_done_calls[] =
    "SELECT x.task_id, c.id, c.started_at, c.result, c.direction FROM ("
    "SELECT t.id AS task_id, t.call_id AS call_id " DONE_FROM DONE_WHERE
    "AND t.call_id IS NOT NULL "
    "UNION SELECT t.id, tc.call_id " DONE_FROM
    "JOIN task_calls tc ON tc.task_id = t.id " DONE_WHERE ") x "
    "JOIN calls c ON c.id = x.call_id ORDER BY x.task_id, c.started_at, c.id";

/* ix_task_assignees_user (user_id, done_at), then tasks by primary key:
 * the navigation's counter (issue 18) on every page. */
static const char sql_open_count[] =
    "SELECT COUNT(*) " OPEN_FROM OPEN_WHERE;

static enum cb_err
run_user(struct db *db, const char *sql, int64_t user_id, unsigned nbind,
    struct db_stmt **out)
{
	struct db_stmt *st;
	enum cb_err rc;
	unsigned i;

	if ((rc = db_stmt(db, sql, &st)) != CB_OK)
		return rc;
	for (i = 0; i < nbind; i++)
		db_bind_i64(st, i, user_id);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	*out = st;
	return CB_OK;
}

enum cb_err
db_tasklist_open(struct db *db, int64_t user_id, struct db_stmt **out)
{
	return run_user(db, sql_open, user_id, 1, out);
}

enum cb_err
db_tasklist_done(struct db *db, int64_t user_id, struct db_stmt **out)
{
	return run_user(db, sql_done, user_id, 1, out);
}

enum cb_err
db_tasklist_calls(struct db *db, int64_t user_id, bool done,
    struct db_stmt **out)
{
	return run_user(db, done ? sql_done_calls : sql_open_calls, user_id, 2,
	    out);
}

static const char sql_lock_task[] =
    "SELECT t.state FROM tasks t JOIN task_assignees a ON a.task_id = t.id "
    "WHERE t.id = ? AND a.user_id = ? FOR UPDATE";
static const char sql_task_done[] =
    "UPDATE tasks SET state = 'done', done_by = ?, "
    "done_at = UTC_TIMESTAMP(3) WHERE id = ? AND state = 'open'";
static const char sql_assignee_done[] =
    "UPDATE task_assignees SET done_at = UTC_TIMESTAMP(3) "
    "WHERE task_id = ? AND user_id = ?";

enum cb_err
db_tasklist_complete(struct db *db, int64_t task_id, int64_t user_id)
{
	struct db_stmt *st;
	enum cb_err rc;
	const char *state;
	bool open;

	if ((rc = db_begin(db)) != CB_OK)
		return rc;
	if ((rc = db_stmt(db, sql_lock_task, &st)) != CB_OK)
		goto fail;
	db_bind_i64(st, 0, task_id);
	db_bind_i64(st, 1, user_id);
	if ((rc = db_exec(st)) != CB_OK || (rc = db_fetch(st)) != CB_OK)
		goto fail;
	state = db_col(st, 0, NULL);
	open = state != NULL && state[0] == 'o';
	db_stmt_done(st);
	if (!open) {
		rc = CB_DUPLICATE;
		goto fail;
	}
	if ((rc = db_stmt(db, sql_task_done, &st)) != CB_OK)
		goto fail;
	db_bind_i64(st, 0, user_id);
	db_bind_i64(st, 1, task_id);
	if ((rc = db_exec(st)) != CB_OK)
		goto fail;
	if ((rc = db_stmt(db, sql_assignee_done, &st)) != CB_OK)
		goto fail;
	db_bind_i64(st, 0, task_id);
	db_bind_i64(st, 1, user_id);
	if ((rc = db_exec(st)) != CB_OK)
		goto fail;
	return db_commit(db);
fail:
	db_rollback(db);
	return rc;
}

/* A missed call is handled when any later call with that number was
 * answered (either direction: they called again, or we called back), or
 * when a done task holds it. "Missed" here is every result where nobody
 * talked to the caller. */
static const char sql_missed[] =
    "SELECT c.id, c.client_number, c.started_at, cu.id, cu.name, m.name, "
    "c.result, (SELECT MIN(t.id) FROM tasks t WHERE t.state = 'open' AND "
    "(t.call_id = c.id OR t.id IN (SELECT tc.task_id FROM task_calls tc "
    "WHERE tc.call_id = c.id))) "
    "FROM calls c LEFT JOIN customers cu ON cu.id = c.customer_id "
    "LEFT JOIN users m ON m.id = c.manager_id "
    "WHERE c.direction = 'in' AND c.result IN ('missed', 'no_answer', "
    "'busy') AND c.state = 'ended' "
    "AND c.started_at >= UTC_TIMESTAMP(3) - INTERVAL ? DAY "
    "AND c.client_digits_rev <> '' AND (? = 0 OR c.manager_id = ?) "
    "AND NOT EXISTS (SELECT 1 FROM calls a WHERE "
    "a.client_digits_rev = c.client_digits_rev AND a.result = 'answered' "
    "AND a.started_at > c.started_at) "
    "AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.call_id = c.id AND "
    "t.state = 'done') "
    "AND NOT EXISTS (SELECT 1 FROM task_calls tc JOIN tasks t ON "
    "t.id = tc.task_id WHERE tc.call_id = c.id AND t.state = 'done') "
    "ORDER BY c.started_at DESC, c.id DESC LIMIT 200";

enum cb_err
db_tasklist_missed(struct db *db, int days, int64_t manager_id,
    struct db_stmt **out)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_missed, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, days);
	db_bind_i64(st, 1, manager_id);
	db_bind_i64(st, 2, manager_id);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	*out = st;
	return CB_OK;
}

static const char sql_notifications[] =
    "SELECT id, kind, title, body, url, call_id, read_at, created_at "
    "FROM notifications WHERE user_id = ? "
    "ORDER BY created_at DESC, id DESC LIMIT 200";
static const char sql_unread[] =
    "SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL";
static const char sql_read_one[] =
    "UPDATE notifications SET read_at = COALESCE(read_at, UTC_TIMESTAMP(3)) "
    "WHERE id = ? AND user_id = ?";
static const char sql_exists_one[] =
    "SELECT 1 FROM notifications WHERE id = ? AND user_id = ?";
static const char sql_read_all[] =
    "UPDATE notifications SET read_at = UTC_TIMESTAMP(3) "
    "WHERE user_id = ? AND read_at IS NULL";

enum cb_err
db_notifications(struct db *db, int64_t user_id, struct db_stmt **out)
{
	return run_user(db, sql_notifications, user_id, 1, out);
}

enum cb_err
db_notifications_unread(struct db *db, int64_t user_id, int64_t *count)
{
	struct db_stmt *st;
	enum cb_err rc;

	*count = 0;
	if ((rc = run_user(db, sql_unread, user_id, 1, &st)) != CB_OK ||
	    (rc = db_fetch(st)) != CB_OK)
		return rc;
	*count = db_col_i64(st, 0);
	db_stmt_done(st);
	return CB_OK;
}

enum cb_err
db_notification_read(struct db *db, int64_t id, int64_t user_id)
{
	struct db_stmt *st;
	enum cb_err rc;

	/* Affected rows do not tell "already read" from "not yours"
	 * (COALESCE leaves a read row unchanged), so ask. */
	if ((rc = db_stmt(db, sql_exists_one, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, id);
	db_bind_i64(st, 1, user_id);
	if ((rc = db_exec(st)) != CB_OK || (rc = db_fetch(st)) != CB_OK)
		return rc;
	db_stmt_done(st);
	if ((rc = db_stmt(db, sql_read_one, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, id);
	db_bind_i64(st, 1, user_id);
	return db_exec(st);
}

enum cb_err
db_notifications_read_all(struct db *db, int64_t user_id, int64_t *marked)
{
	struct db_stmt *st;
	enum cb_err rc;

	*marked = 0;
	if ((rc = run_user(db, sql_read_all, user_id, 1, &st)) != CB_OK)
		return rc;
	*marked = (int64_t)db_affected(st);
	return CB_OK;
}

enum cb_err
db_tasklist_open_count(struct db *db, int64_t user_id, int64_t *count)
{
	struct db_stmt *st;
	enum cb_err rc;

	*count = 0;
	if ((rc = run_user(db, sql_open_count, user_id, 1, &st)) != CB_OK ||
	    (rc = db_fetch(st)) != CB_OK)
		return rc;
	*count = db_col_i64(st, 0);
	db_stmt_done(st);
	return CB_OK;
}
