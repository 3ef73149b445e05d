#include "config.h"

#include "db/autolist.h"

/* Optional filters are "? IS NULL OR ..." with the value bound twice:
 * one text per list, and every list is small (LIMIT) and indexed by its
 * usual filter (call, phone, user). */
static const char sql_tasks[] =
    "SELECT JSON_OBJECT('id', t.id, 'kind', t.kind, 'title', t.title, "
    "'body', t.body, 'mode', t.mode, 'state', t.state, 'phone', t.phone, "
    "'customer_id', t.customer_id, 'order_id', t.order_id, "
    "'lead_id', t.lead_id, 'call_id', t.call_id, "
    "'closed_by_call_id', t.closed_by_call_id, 'author_id', t.author_id, "
    "'due_at', t.due_at, 'done_at', t.done_at, 'done_by', t.done_by, "
    "'created_at', t.created_at, "
    "'assignees', (SELECT JSON_ARRAYAGG(JSON_OBJECT('user_id', a.user_id, "
    " 'login', u.login, 'position', a.position, 'done_at', a.done_at)) "
    " FROM task_assignees a JOIN users u ON u.id = a.user_id "
    " WHERE a.task_id = t.id), "
    "'calls', (SELECT JSON_ARRAYAGG(c.call_id) FROM task_calls c "
    " WHERE c.task_id = t.id)) "
    "FROM tasks t WHERE "
    "(? IS NULL OR t.id IN (SELECT tc.task_id FROM task_calls tc "
    " WHERE tc.call_id = ?) OR t.call_id = ? OR t.closed_by_call_id = ?) "
    "AND (? IS NULL OR t.phone = ?) "
    "AND (? IS NULL OR t.id IN (SELECT ta.task_id FROM task_assignees ta "
    " WHERE ta.user_id = ?)) "
    "AND (? IS NULL OR t.state = ?) "
    "ORDER BY t.id DESC LIMIT ?";
static const char sql_leads[] =
    "SELECT JSON_OBJECT('id', l.id, 'customer_id', l.customer_id, "
    "'name', l.name, 'phone', l.phone, 'lead_type', l.lead_type, "
    "'state', l.state, 'source', l.source, 'manager_id', l.manager_id, "
    "'call_id', l.call_id, 'comment', l.comment, 'origin', l.origin, "
    "'created_at', l.created_at) "
    "FROM leads l WHERE (? IS NULL OR l.call_id = ?) "
    "AND (? IS NULL OR l.phone = ? OR l.customer_id IN "
    " (SELECT p.customer_id FROM customer_phones p WHERE p.phone = ?)) "
    "ORDER BY l.id DESC LIMIT ?";
static const char sql_notifications[] =
    "SELECT JSON_OBJECT('id', n.id, 'user_id', n.user_id, "
    "'login', u.login, 'kind', n.kind, 'title', n.title, 'body', n.body, "
    "'url', n.url, 'call_id', n.call_id, 'trigger_id', n.trigger_id, "
    "'read_at', n.read_at, 'created_at', n.created_at) "
    "FROM notifications n JOIN users u ON u.id = n.user_id "
    "WHERE (? IS NULL OR n.call_id = ?) AND (? IS NULL OR n.user_id = ?) "
    "AND (? IS NULL OR n.call_id IN (SELECT c.id FROM calls c "
    " WHERE c.client_number = ?)) "
    "ORDER BY n.id DESC LIMIT ?";
static const char sql_runs[] =
    "SELECT JSON_OBJECT('id', r.id, 'trigger_id', r.trigger_id, "
    "'trigger', g.name, 'event', g.event, 'call_id', r.call_id, "
    "'action_index', r.action_index, 'action', r.action, "
    "'result', r.result, 'error', r.error, 'job_id', r.job_id, "
    "'attempts', j.attempts, 'created_at', r.created_at, "
    "'finished_at', r.finished_at) "
    "FROM trigger_runs r JOIN triggers g ON g.id = r.trigger_id "
    "LEFT JOIN jobs j ON j.id = r.job_id "
    "WHERE (? IS NULL OR r.call_id = ?) AND (? IS NULL OR r.trigger_id = ?) "
    "AND (? IS NULL OR r.call_id IN (SELECT c.id FROM calls c "
    " WHERE c.client_number = ?)) "
    "ORDER BY r.id DESC LIMIT ?";

static void
bind_id(struct db_stmt *st, unsigned idx, int64_t id)
{
	if (id > 0)
		db_bind_i64(st, idx, id);
	else
		db_bind_null(st, idx);
}

static void
bind_text(struct db_stmt *st, unsigned idx, const char *s)
{
	db_bind_text(st, idx, s && *s ? s : NULL);
}

static enum cb_err
collect(struct db_stmt *st, struct json_object *arr)
{
	enum cb_err rc;
	size_t len;

	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	while ((rc = db_fetch(st)) == CB_OK) {
		const char *v = db_col(st, 0, &len);
		struct json_object *o = v ? json_tokener_parse(v) : NULL;

		if (o)
			json_object_array_add(arr, o);
	}
	db_stmt_done(st);
	return rc == CB_ENOTFOUND ? CB_OK : rc;
}

enum cb_err
db_autolist_tasks(struct db *db, const struct autolist_filter *f,
    struct json_object *arr)
{
	struct db_stmt *st;
	enum cb_err rc;
	unsigned i;

	if ((rc = db_stmt(db, sql_tasks, &st)) != CB_OK)
		return rc;
	for (i = 0; i < 4; i++)
		bind_id(st, i, f->call_id);
	bind_text(st, 4, f->phone);
	bind_text(st, 5, f->phone);
	bind_id(st, 6, f->user_id);
	bind_id(st, 7, f->user_id);
	bind_text(st, 8, f->state);
	bind_text(st, 9, f->state);
	db_bind_i64(st, 10, f->limit);
	return collect(st, arr);
}

enum cb_err
db_autolist_leads(struct db *db, const struct autolist_filter *f,
    struct json_object *arr)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_leads, &st)) != CB_OK)
		return rc;
	bind_id(st, 0, f->call_id);
	bind_id(st, 1, f->call_id);
	bind_text(st, 2, f->phone);
	bind_text(st, 3, f->phone);
	bind_text(st, 4, f->phone);
	db_bind_i64(st, 5, f->limit);
	return collect(st, arr);
}

enum cb_err
db_autolist_notifications(struct db *db, const struct autolist_filter *f,
    struct json_object *arr)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_notifications, &st)) != CB_OK)
		return rc;
	bind_id(st, 0, f->call_id);
	bind_id(st, 1, f->call_id);
	bind_id(st, 2, f->user_id);
	bind_id(st, 3, f->user_id);
	bind_text(st, 4, f->phone);
	bind_text(st, 5, f->phone);
	db_bind_i64(st, 6, f->limit);
	return collect(st, arr);
}

enum cb_err
db_autolist_trigger_runs(struct db *db, const struct autolist_filter *f,
    struct json_object *arr)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_runs, &st)) != CB_OK)
		return rc;
	bind_id(st, 0, f->call_id);
	bind_id(st, 1, f->call_id);
	bind_id(st, 2, f->trigger_id);
	bind_id(st, 3, f->trigger_id);
	bind_text(st, 4, f->phone);
	bind_text(st, 5, f->phone);
	db_bind_i64(st, 6, f->limit);
	return collect(st, arr);
}
