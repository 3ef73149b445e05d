#include "config.h"

#include "core/buf.h"
#include "db/listening.h"

static const char sql_head[] =
    "SELECT g.id, g.created_at, g.user_id, u.name, g.call_id, g.action, "
    "g.context, g.ip, g.user_agent FROM listening_log g "
    "JOIN users u ON u.id = g.user_id WHERE 1 = 1";
static const char sql_user[] = " AND g.user_id = ?";
static const char sql_call[] = " AND g.call_id = ?";
static const char sql_from[] = " AND g.created_at >= ?";
static const char sql_to[] = " AND g.created_at <= ?";
/* The expanded keyset form: MariaDB ranges over it, not over a row
 * constructor (docs/schema.md). */
static const char sql_cursor[] =
    " AND g.created_at <= ? AND (g.created_at < ? OR g.id < ?)";
static const char sql_tail[] =
    " ORDER BY g.created_at DESC, g.id DESC LIMIT ?";

enum cb_err
db_listening_list(struct db *db, const struct listening_filter *f,
    struct db_stmt **out)
{
	struct db_stmt *st;
	struct buf sql;
	enum cb_err rc;
	unsigned i = 0;

	buf_init(&sql, 4096);
	buf_puts(&sql, sql_head);
	if (f->user_id)
		buf_puts(&sql, sql_user);
	if (f->call_id)
		buf_puts(&sql, sql_call);
	if (f->from_utc)
		buf_puts(&sql, sql_from);
	if (f->to_utc)
		buf_puts(&sql, sql_to);
	if (f->has_cursor)
		buf_puts(&sql, sql_cursor);
	buf_puts(&sql, sql_tail);
	if ((rc = sql.err) == CB_OK)
		rc = db_stmt_text(db, buf_cstr(&sql), &st);
	buf_free(&sql);
	if (rc != CB_OK)
		return rc;
	if (f->user_id)
		db_bind_i64(st, i++, f->user_id);
	if (f->call_id)
		db_bind_i64(st, i++, f->call_id);
	if (f->from_utc)
		db_bind_text(st, i++, f->from_utc);
	if (f->to_utc)
		db_bind_text(st, i++, f->to_utc);
	if (f->has_cursor) {
		db_bind_text(st, i++, f->cursor_at);
		db_bind_text(st, i++, f->cursor_at);
		db_bind_i64(st, i++, f->cursor_id);
	}
	db_bind_i64(st, i, f->limit && f->limit <= 1000 ? f->limit : 50);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	*out = st;
	return CB_OK;
}
