#include "config.h"

#include <stdio.h>

#include "db/sms.h"

static const char sql_list[] =
    "SELECT id, kind, name, settings, secrets, updated_at FROM sms_gateways "
    "ORDER BY name, id";
static const char sql_get[] =
    "SELECT id, kind, name, settings, secrets, updated_at FROM sms_gateways "
    "WHERE id = ?";
static const char sql_insert[] =
    "INSERT INTO sms_gateways (kind, name, settings, secrets) "
    "VALUES (?, ?, ?, ?)";
static const char sql_update[] =
    "UPDATE sms_gateways SET kind = ?, name = ?, settings = ?, secrets = ? "
    "WHERE id = ?";
static const char sql_exists[] = "SELECT 1 FROM sms_gateways WHERE id = ?";
static const char sql_delete[] = "DELETE FROM sms_gateways WHERE id = ?";
static const char sql_msg_add[] =
    "INSERT INTO sms_messages (run_id, trigger_id, call_id, gateway_id, "
    "recipient, text, segments) VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char sql_msg_get[] =
    "SELECT id, run_id, gateway_id, recipient, text, state, attempts "
    "FROM sms_messages WHERE id = ?";
static const char sql_claim[] =
    "UPDATE sms_messages SET state = 'sending', attempts = attempts + 1 "
    "WHERE id = ? AND state = 'queued'";
static const char sql_finish[] =
    "UPDATE sms_messages SET state = ?, message_id = COALESCE(?, "
    "message_id), error = ?, sent_at = IF(? = 'sent', UTC_TIMESTAMP(3), "
    "sent_at) WHERE id = ?";
static const char sql_user_name[] = "SELECT name FROM users WHERE id = ?";

static enum cb_err
one(struct db *db, const char *sql, int64_t id, struct db_stmt **out)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, id);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	if ((rc = db_fetch(st)) != CB_OK) {
		db_stmt_done(st);
		return rc;
	}
	*out = st;
	return CB_OK;
}

enum cb_err
db_sms_gateways(struct db *db, struct db_stmt **out)
{
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_list, out)) != CB_OK)
		return rc;
	return db_exec(*out);
}

enum cb_err
db_sms_gateway_get(struct db *db, int64_t id, struct db_stmt **out)
{
	return one(db, sql_get, id, out);
}

enum cb_err
db_sms_gateway_save(struct db *db, int64_t *id, const char *kind,
    const char *name, const char *settings, const char *secrets)
{
	struct db_stmt *st;
	enum cb_err rc;

	if (*id != 0) {
		if ((rc = one(db, sql_exists, *id, &st)) != CB_OK)
			return rc;
		db_stmt_done(st);
	}
	if ((rc = db_stmt(db, *id ? sql_update : sql_insert, &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, kind);
	db_bind_text(st, 1, name);
	db_bind_text(st, 2, settings);
	db_bind_text(st, 3, secrets);
	if (*id)
		db_bind_i64(st, 4, *id);
	if ((rc = db_exec(st)) == CB_OK && *id == 0)
		*id = (int64_t)db_insert_id(st);
	return rc;
}

enum cb_err
db_sms_gateway_delete(struct db *db, int64_t id)
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

enum cb_err
db_sms_message_add(struct db *db, const struct sms_msg_new *m, int64_t *id)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_msg_add, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, m->run_id);
	db_bind_i64(st, 1, m->trigger_id);
	if (m->call_id > 0)
		db_bind_i64(st, 2, m->call_id);
	else
		db_bind_null(st, 2);
	db_bind_i64(st, 3, m->gateway_id);
	db_bind_text(st, 4, m->recipient);
	db_bind_text(st, 5, m->text);
	db_bind_i64(st, 6, m->segments);
	if ((rc = db_exec(st)) == CB_OK && id)
		*id = (int64_t)db_insert_id(st);
	return rc;
}

enum cb_err
db_sms_message_get(struct db *db, int64_t id, struct db_stmt **out)
{
	return one(db, sql_msg_get, id, out);
}

enum cb_err
db_sms_claim(struct db *db, int64_t id, bool *claimed)
{
	struct db_stmt *st;
	enum cb_err rc;

	*claimed = false;
	if ((rc = db_stmt(db, sql_claim, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, id);
	if ((rc = db_exec(st)) == CB_OK)
		*claimed = db_affected(st) == 1;
	return rc;
}

enum cb_err
db_sms_finish(struct db *db, int64_t id, const char *state,
    const char *message_id, const char *error)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_finish, &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, state);
	db_bind_text(st, 1, message_id && *message_id ? message_id : NULL);
	db_bind_text(st, 2, error && *error ? error : NULL);
	db_bind_text(st, 3, state);
	db_bind_i64(st, 4, id);
	return db_exec(st);
}

enum cb_err
db_sms_user_name(struct db *db, int64_t id, char *out, size_t outsz)
{
	struct db_stmt *st;
	enum cb_err rc;

	out[0] = '\0';
	if (id <= 0)
		return CB_OK;
	if ((rc = one(db, sql_user_name, id, &st)) != CB_OK)
		return rc == CB_ENOTFOUND ? CB_OK : rc;
	snprintf(out, outsz, "%s", db_col(st, 0, NULL) ? db_col(st, 0, NULL) :
	    "");
	db_stmt_done(st);
	return CB_OK;
}
