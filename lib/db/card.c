#include "config.h"

#include "db/card.h"
#include "db/task.h"

/* The LIMITs in the texts below are CARD_LIST_MAX, CARD_NOTES_MAX and
 * CARD_TASKS_MAX of card.h, written out so each text stays one literal. */

/* The store is the call's own (set at ingest) or, for calls stored before
 * the number had a store, the store of the number called now. store_id has
 * no FK (0001_core.sql), so both are LEFT JOINs. The duration of a live
 * call runs to now; the connection's time zone is UTC (db.c). */
static const char sql_call[] =
    "SELECT c.id, c.external_id, c.direction, c.state, c.result, "
    "c.client_number, c.client_name, c.our_number, c.manager_id, u.name, "
    "u.login, c.extension, c.customer_id, cu.name, c.order_id, c.lead_id, "
    "l.name, s.id, s.name, c.started_at, c.answered_at, c.ended_at, "
    "CASE WHEN c.state = 'ended' THEN GREATEST(0, COALESCE("
    "TIMESTAMPDIFF(SECOND, c.started_at, c.ended_at), "
    "c.wait_seconds + c.talk_seconds)) "
    "ELSE GREATEST(0, TIMESTAMPDIFF(SECOND, c.started_at, "
    "UTC_TIMESTAMP(3))) END, "
    "c.talk_seconds, c.wait_seconds, c.hangup_cause, c.recording_state, "
    "c.comment, i.name, i.kind, c.client_withheld, i.slug "
    "FROM calls c "
    "LEFT JOIN users u ON u.id = c.manager_id "
    "LEFT JOIN customers cu ON cu.id = c.customer_id "
    "LEFT JOIN leads l ON l.id = c.lead_id "
    "LEFT JOIN store_numbers sn ON sn.number = c.our_number "
    "LEFT JOIN stores s ON s.id = COALESCE(c.store_id, sn.store_id) "
    "LEFT JOIN integrations i ON i.id = c.integration_id "
    "WHERE c.id = ?";

enum cb_err
db_card_call(struct db *db, int64_t call_id, struct db_stmt **out)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_call, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, call_id);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	if ((rc = db_fetch(st)) != CB_OK) {
		db_stmt_done(st);
		return rc;
	}
	*out = st;
	return CB_OK;
}

/* ix_call_legs_call (call_id, started_at) serves both the filter and the
 * order. */
static const char sql_legs[] =
    "SELECT g.leg_type, g.extension, u.name, g.number, g.state, g.result, "
    "g.started_at, g.answered_at, g.ended_at, g.talk_seconds, "
    "GREATEST(0, TIMESTAMPDIFF(SECOND, c.started_at, g.started_at)) "
    "FROM call_legs g JOIN calls c ON c.id = g.call_id "
    "LEFT JOIN users u ON u.id = g.user_id "
    "WHERE g.call_id = ? ORDER BY g.started_at, g.id LIMIT 100";

enum cb_err
db_card_legs(struct db *db, int64_t call_id, struct db_stmt **out)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_legs, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, call_id);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	*out = st;
	return CB_OK;
}

static const char sql_orders[] =
    "SELECT o.id, o.number, os.name, o.total, o.currency, s.name, "
    "o.created_at "
    "FROM orders o "
    "JOIN order_statuses os ON os.id = o.status_id "
    "LEFT JOIN stores s ON s.id = o.store_id "
    "WHERE o.customer_id = ? AND os.status_group = 'open' "
    "ORDER BY o.created_at DESC, o.id DESC LIMIT 20";

enum cb_err
db_card_orders(struct db *db, int64_t customer_id, struct db_stmt **out)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_orders, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, customer_id);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	*out = st;
	return CB_OK;
}

/* Two index ranges (ix_leads_customer_state, ix_leads_phone_state); a
 * customer id of 0 and a NULL phone each match nothing. */
static const char sql_leads[] =
    "SELECT l.id, l.name, l.lead_type, l.customer_id, l.created_at "
    "FROM leads l "
    "WHERE l.state = 'open' AND (l.customer_id = ? OR l.phone = ?) "
    "ORDER BY l.created_at DESC, l.id DESC LIMIT 20";

enum cb_err
db_card_leads(struct db *db, int64_t customer_id, const char *phone,
    struct db_stmt **out)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_leads, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, customer_id);
	db_bind_text(st, 1, phone);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	*out = st;
	return CB_OK;
}

static const char sql_notes[] =
    "SELECT n.id, u.name, n.body, n.created_at "
    "FROM call_notes n LEFT JOIN users u ON u.id = n.user_id "
    "WHERE n.call_id = ? ORDER BY n.created_at, n.id LIMIT 100";

enum cb_err
db_card_notes(struct db *db, int64_t call_id, struct db_stmt **out)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_notes, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, call_id);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	*out = st;
	return CB_OK;
}

/* ix_tasks_phone_state (phone, state, kind) for the number; task_calls for
 * tasks made from this call when it has no number. */
static const char sql_callbacks[] =
    "SELECT t.id, t.title, t.due_at, "
    "t.due_at IS NOT NULL AND t.due_at < UTC_TIMESTAMP(3), u.name "
    "FROM tasks t LEFT JOIN users u ON u.id = t.author_id "
    "WHERE t.state = 'open' AND t.kind = 'call_back' "
    "AND (t.phone = ? OR t.id IN "
    "(SELECT tc.task_id FROM task_calls tc WHERE tc.call_id = ?)) "
    "ORDER BY t.due_at IS NULL, t.due_at, t.id LIMIT 20";

enum cb_err
db_card_callbacks(struct db *db, int64_t call_id, const char *phone,
    struct db_stmt **out)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_callbacks, &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, phone);
	db_bind_i64(st, 1, call_id);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	*out = st;
	return CB_OK;
}

static const char sql_note_insert[] =
    "INSERT INTO call_notes (call_id, user_id, body, created_at) "
    "VALUES (?, ?, ?, UTC_TIMESTAMP(3))";
/* The history's Comment column is calls.comment: the latest note. */
static const char sql_note_comment[] =
    "UPDATE calls SET comment = ? WHERE id = ?";

enum cb_err
db_card_add_note(struct db *db, int64_t call_id, int64_t user_id,
    const char *body, int64_t *note_id)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_begin(db)) != CB_OK)
		return rc;
	if ((rc = db_stmt(db, sql_note_insert, &st)) != CB_OK)
		goto fail;
	db_bind_i64(st, 0, call_id);
	db_bind_i64(st, 1, user_id);
	db_bind_text(st, 2, body);
	if ((rc = db_exec(st)) != CB_OK)
		goto fail;
	*note_id = (int64_t)db_insert_id(st);
	if ((rc = db_stmt(db, sql_note_comment, &st)) != CB_OK)
		goto fail;
	db_bind_text(st, 0, body);
	db_bind_i64(st, 1, call_id);
	if ((rc = db_exec(st)) != CB_OK)
		goto fail;
	return db_commit(db);
fail:
	db_rollback(db);
	return rc;
}

static const char sql_task_insert[] =
    "INSERT INTO tasks (kind, title, mode, state, phone, customer_id, "
    "order_id, lead_id, call_id, author_id, due_at, created_at) "
    "VALUES ('call_back', LEFT(?, 255), 'shared', 'open', ?, ?, ?, ?, ?, ?, "
    "UTC_TIMESTAMP(3) + INTERVAL ? MINUTE, UTC_TIMESTAMP(3))";
static const char sql_task_assignee[] =
    "INSERT INTO task_assignees (task_id, user_id, position) "
    "VALUES (?, ?, 0)";
static const char sql_task_call[] =
    "INSERT INTO task_calls (task_id, call_id, added_at) "
    "VALUES (?, ?, UTC_TIMESTAMP(3))";

static void
bind_id_or_null(struct db_stmt *st, unsigned idx, int64_t id)
{
	if (id > 0)
		db_bind_i64(st, idx, id);
	else
		db_bind_null(st, idx);
}

enum cb_err
db_card_add_callback(struct db *db, const struct card_callback *t,
    int64_t *task_id, bool *was_joined)
{
	struct db_stmt *st;
	enum cb_err rc;
	unsigned joined;
	int64_t id;

	if ((rc = db_begin(db)) != CB_OK)
		return rc;
	/* One open call-back task per number (issue 6 §1): a second request
	 * joins it (this call, this manager, the sooner due time). */
	if ((rc = db_task_join_open(db, "call_back", t->phone, t->call_id,
	    t->minutes, t->user_id, &joined, &id)) != CB_OK)
		goto fail;
	if (joined > 0)
		goto done;
	if ((rc = db_stmt(db, sql_task_insert, &st)) != CB_OK)
		goto fail;
	db_bind_text(st, 0, t->title);
	db_bind_text(st, 1, t->phone);
	bind_id_or_null(st, 2, t->customer_id);
	bind_id_or_null(st, 3, t->order_id);
	bind_id_or_null(st, 4, t->lead_id);
	db_bind_i64(st, 5, t->call_id);
	db_bind_i64(st, 6, t->user_id);
	db_bind_i64(st, 7, (int64_t)t->minutes);
	if ((rc = db_exec(st)) != CB_OK)
		goto fail;
	id = (int64_t)db_insert_id(st);
	if ((rc = db_stmt(db, sql_task_assignee, &st)) != CB_OK)
		goto fail;
	db_bind_i64(st, 0, id);
	db_bind_i64(st, 1, t->user_id);
	if ((rc = db_exec(st)) != CB_OK)
		goto fail;
	if ((rc = db_stmt(db, sql_task_call, &st)) != CB_OK)
		goto fail;
	db_bind_i64(st, 0, id);
	db_bind_i64(st, 1, t->call_id);
	if ((rc = db_exec(st)) != CB_OK)
		goto fail;
done:
	if ((rc = db_commit(db)) != CB_OK)
		return rc;
	*task_id = id;
	*was_joined = joined > 0;
	return CB_OK;
fail:
	db_rollback(db);
	return rc;
}
