#include "config.h"

#include <string.h>

#include "db/task.h"

static const char sql_insert[] =
    "INSERT INTO tasks (kind, title, body, mode, state, phone, customer_id, "
    "order_id, lead_id, call_id, author_id, due_at, created_at) "
    "VALUES (?, LEFT(?, 255), ?, ?, 'open', ?, ?, ?, ?, ?, ?, "
    "UTC_TIMESTAMP(3) + INTERVAL ? MINUTE, UTC_TIMESTAMP(3))";
static const char sql_assignee[] =
    "INSERT INTO task_assignees (task_id, user_id, position) VALUES (?, ?, ?) "
    "ON DUPLICATE KEY UPDATE position = position";
/* A call already gathered into the task is not an error (a rerun job). */
static const char sql_task_call[] =
    "INSERT INTO task_calls (task_id, call_id, added_at) "
    "VALUES (?, ?, UTC_TIMESTAMP(3)) ON DUPLICATE KEY UPDATE call_id = call_id";

static void
bind_id(struct db_stmt *st, unsigned idx, int64_t id)
{
	if (id > 0)
		db_bind_i64(st, idx, id);
	else
		db_bind_null(st, idx);
}

static enum cb_err
add_pair(struct db *db, const char *sql, int64_t a, int64_t b, int64_t pos)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, a);
	db_bind_i64(st, 1, b);
	if (pos >= 0)
		db_bind_i64(st, 2, pos);
	return db_exec(st);
}

/* One tasks row with the given assignees. */
static enum cb_err
insert_one(struct db *db, const struct task_new *t, const int64_t *users,
    unsigned n, int64_t *id)
{
	struct db_stmt *st;
	enum cb_err rc;
	unsigned i;

	if ((rc = db_stmt(db, sql_insert, &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, t->kind);
	db_bind_text(st, 1, t->title);
	db_bind_text(st, 2, t->body);
	db_bind_text(st, 3, t->each ? "each" : "shared");
	db_bind_text(st, 4, t->phone && *t->phone ? t->phone : NULL);
	bind_id(st, 5, t->customer_id);
	bind_id(st, 6, t->order_id);
	bind_id(st, 7, t->lead_id);
	bind_id(st, 8, t->call_id);
	bind_id(st, 9, t->author_id);
	db_bind_i64(st, 10, t->due_minutes);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	*id = (int64_t)db_insert_id(st);
	for (i = 0; i < n; i++)
		if ((rc = add_pair(db, sql_assignee, *id, users[i], i)) != CB_OK)
			return rc;
	if (t->call_id > 0)
		rc = add_pair(db, sql_task_call, *id, t->call_id, -1);
	return rc;
}

enum cb_err
db_task_create(struct db *db, const struct task_new *t, int64_t *first_id)
{
	enum cb_err rc;
	int64_t id;
	unsigned i;

	*first_id = 0;
	if (t->nassignees == 0 || t->nassignees > TASK_MAX_ASSIGNEES)
		return CB_EINVAL;
	if (!t->each)
		return insert_one(db, t, t->assignees, t->nassignees, first_id);
	for (i = 0; i < t->nassignees; i++) {
		if ((rc = insert_one(db, t, &t->assignees[i], 1, &id)) != CB_OK)
			return rc;
		if (i == 0)
			*first_id = id;
	}
	return CB_OK;
}

/* ix_tasks_phone_state (phone, state, kind) serves it. FOR UPDATE: two
 * workers gathering calls of one number queue behind each other. */
static const char sql_open_of_phone[] =
    "SELECT id FROM tasks WHERE phone = ? AND state = 'open' AND kind = ? "
    "ORDER BY id LIMIT 50 FOR UPDATE";
static const char sql_due_sooner[] =
    "UPDATE tasks SET due_at = LEAST(COALESCE(due_at, "
    "UTC_TIMESTAMP(3) + INTERVAL ? MINUTE), "
    "UTC_TIMESTAMP(3) + INTERVAL ? MINUTE) WHERE id = ?";

enum cb_err
db_task_join_open(struct db *db, const char *kind, const char *phone,
    int64_t call_id, unsigned due_minutes, int64_t user_id, unsigned *joined,
    int64_t *first_id)
{
	int64_t ids[50];
	struct db_stmt *st;
	enum cb_err rc;
	unsigned n = 0, i;

	*joined = 0;
	*first_id = 0;
	if (phone == NULL || *phone == '\0')
		return CB_OK;
	if ((rc = db_stmt(db, sql_open_of_phone, &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, phone);
	db_bind_text(st, 1, kind);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	while (n < 50 && (rc = db_fetch(st)) == CB_OK)
		ids[n++] = db_col_i64(st, 0);
	db_stmt_done(st);
	if (rc != CB_OK && rc != CB_ENOTFOUND)
		return rc;
	for (i = 0; i < n; i++) {
		if ((rc = add_pair(db, sql_task_call, ids[i], call_id, -1)) !=
		    CB_OK)
			return rc;
		if (user_id > 0 && (rc = add_pair(db, sql_assignee, ids[i],
		    user_id, TASK_MAX_ASSIGNEES)) != CB_OK)
			return rc;
		if (due_minutes > 0) {
			if ((rc = db_stmt(db, sql_due_sooner, &st)) != CB_OK)
				return rc;
			db_bind_i64(st, 0, due_minutes);
			db_bind_i64(st, 1, due_minutes);
			db_bind_i64(st, 2, ids[i]);
			if ((rc = db_exec(st)) != CB_OK)
				return rc;
		}
	}
	*joined = n;
	*first_id = n ? ids[0] : 0;
	return CB_OK;
}

static const char sql_close_reached[] =
    "UPDATE tasks SET state = 'done', closed_by_call_id = ?, "
    "done_at = UTC_TIMESTAMP(3), done_by = NULL "
    "WHERE phone = ? AND state = 'open' AND kind IN ('missed_call', 'call_back')";

enum cb_err
db_task_close_reached(struct db *db, const char *phone, int64_t call_id,
    unsigned *closed)
{
	struct db_stmt *st;
	enum cb_err rc;

	*closed = 0;
	if (phone == NULL || *phone == '\0')
		return CB_OK;
	if ((rc = db_stmt(db, sql_close_reached, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, call_id);
	db_bind_text(st, 1, phone);
	if ((rc = db_exec(st)) == CB_OK)
		*closed = (unsigned)db_affected(st);
	return rc;
}

static const char sql_task_lock[] =
    "SELECT t.state, t.mode, a.user_id IS NOT NULL FROM tasks t "
    "LEFT JOIN task_assignees a ON a.task_id = t.id AND a.user_id = ? "
    "WHERE t.id = ? FOR UPDATE";
static const char sql_assignee_done[] =
    "UPDATE task_assignees SET done_at = UTC_TIMESTAMP(3) "
    "WHERE task_id = ? AND user_id = ?";
/* Shared: done by this one. Each (one assignee per row): done when its
 * every assignee is. */
static const char sql_task_done[] =
    "UPDATE tasks SET state = 'done', done_at = UTC_TIMESTAMP(3), "
    "done_by = ? WHERE id = ? AND state = 'open' AND (mode = 'shared' OR "
    "NOT EXISTS (SELECT 1 FROM task_assignees a WHERE a.task_id = ? "
    "AND a.done_at IS NULL))";

enum cb_err
db_task_complete(struct db *db, int64_t task_id, int64_t user_id)
{
	struct db_stmt *st;
	enum cb_err rc;
	bool open, assignee;

	if ((rc = db_begin(db)) != CB_OK)
		return rc;
	if ((rc = db_stmt(db, sql_task_lock, &st)) != CB_OK)
		goto fail;
	db_bind_i64(st, 0, user_id);
	db_bind_i64(st, 1, task_id);
	if ((rc = db_exec(st)) != CB_OK || (rc = db_fetch(st)) != CB_OK)
		goto fail;
	open = strcmp(db_col(st, 0, NULL), "open") == 0;
	assignee = db_col_i64(st, 2) != 0;
	db_stmt_done(st);
	if (!assignee) {
		rc = CB_EDENIED;
		goto fail;
	}
	if (!open) {
		rc = CB_DUPLICATE;
		goto fail;
	}
	if ((rc = add_pair(db, sql_assignee_done, task_id, user_id, -1)) !=
	    CB_OK)
		goto fail;
	if ((rc = db_stmt(db, sql_task_done, &st)) != CB_OK)
		goto fail;
	db_bind_i64(st, 0, user_id);
	db_bind_i64(st, 1, task_id);
	db_bind_i64(st, 2, task_id);
	if ((rc = db_exec(st)) != CB_OK)
		goto fail;
	return db_commit(db);
fail:
	db_rollback(db);
	return rc;
}
