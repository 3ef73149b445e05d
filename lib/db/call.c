#include "config.h"

#include <string.h>

#include "core/buf.h"
#include "db/call.h"

static const char sql_list_head[] =
    "SELECT c.id, c.started_at, c.direction, c.result, c.state, "
    "c.client_number, c.client_name, c.our_number, c.extension, "
    "c.talk_seconds, c.wait_seconds, c.recording_state, c.comment, "
    "c.customer_id, cu.name, c.order_id, c.lead_id, l.name, u.name, "
    "i.name, i.kind, c.external_id "
    "FROM calls c "
    "LEFT JOIN customers cu ON cu.id = c.customer_id "
    "LEFT JOIN leads l ON l.id = c.lead_id "
    "LEFT JOIN users u ON u.id = c.manager_id "
    "LEFT JOIN integrations i ON i.id = c.integration_id "
    "WHERE 1 = 1";
static const char sql_manager[] = " AND c.manager_id = ?";
static const char sql_customer[] = " AND c.customer_id = ?";
static const char sql_order[] = " AND c.order_id = ?";
static const char sql_direction[] = " AND c.direction = ?";
static const char sql_result[] = " AND c.result = ?";
static const char sql_digits[] = " AND c.client_digits_rev LIKE CONCAT(?, '%')";
static const char sql_external[] = " AND c.external_id = ?";
static const char sql_from[] = " AND c.started_at >= ?";
static const char sql_to[] = " AND c.started_at <= ?";
/* Not a row constructor: MariaDB scans the whole index for
 * (started_at, id) < (?, ?) but ranges over this form (docs/schema.md). */
static const char sql_before[] =
    " AND c.started_at <= ? AND (c.started_at < ? OR c.id < ?)";
static const char sql_order_by[] =
    " ORDER BY c.started_at DESC, c.id DESC LIMIT ?";

enum cb_err
db_call_list(struct db *db, const struct call_filter *f, struct db_stmt **out)
{
	struct db_stmt *st;
	struct buf sql;
	enum cb_err rc;
	unsigned i = 0;

	buf_init(&sql, 8192);
	buf_puts(&sql, sql_list_head);
	if (f->manager_id)
		buf_puts(&sql, sql_manager);
	if (f->customer_id)
		buf_puts(&sql, sql_customer);
	if (f->order_id)
		buf_puts(&sql, sql_order);
	if (f->direction)
		buf_puts(&sql, sql_direction);
	if (f->result)
		buf_puts(&sql, sql_result);
	if (f->digits_rev)
		buf_puts(&sql, sql_digits);
	if (f->external_id)
		buf_puts(&sql, sql_external);
	if (f->from_utc)
		buf_puts(&sql, sql_from);
	if (f->to_utc)
		buf_puts(&sql, sql_to);
	if (f->before_at)
		buf_puts(&sql, sql_before);
	buf_puts(&sql, sql_order_by);
	if (sql.err != CB_OK) {
		rc = sql.err;
		buf_free(&sql);
		return rc;
	}
	rc = db_stmt_text(db, buf_cstr(&sql), &st);
	buf_free(&sql);
	if (rc != CB_OK)
		return rc;
	if (f->manager_id)
		db_bind_i64(st, i++, f->manager_id);
	if (f->customer_id)
		db_bind_i64(st, i++, f->customer_id);
	if (f->order_id)
		db_bind_i64(st, i++, f->order_id);
	if (f->direction)
		db_bind_text(st, i++, f->direction);
	if (f->result)
		db_bind_text(st, i++, f->result);
	if (f->digits_rev)
		db_bind_text(st, i++, f->digits_rev);
	if (f->external_id)
		db_bind_text(st, i++, f->external_id);
	if (f->from_utc)
		db_bind_text(st, i++, f->from_utc);
	if (f->to_utc)
		db_bind_text(st, i++, f->to_utc);
	if (f->before_at) {
		db_bind_text(st, i++, f->before_at);
		db_bind_text(st, i++, f->before_at);
		db_bind_i64(st, i++, f->before_id);
	}
	db_bind_i64(st, i, f->limit ? f->limit : 50);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	*out = st;
	return CB_OK;
}
