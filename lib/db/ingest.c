#include "config.h"

#include <stdio.h>
#include <string.h>

#include "db/ingest.h"

static void
bind_opt_i32(struct db_stmt *st, unsigned idx, int32_t v)
{
	if (v < 0)
		db_bind_null(st, idx);
	else
		db_bind_i64(st, idx, v);
}

static void
bind_id(struct db_stmt *st, unsigned idx, int64_t v)
{
	if (v > 0)
		db_bind_i64(st, idx, v);
	else
		db_bind_null(st, idx);
}

static const char sql_event_insert[] =
    "INSERT INTO call_events (integration_id, call_id, dedupe_key, kind, "
    "external_id, source, remote_addr, occurred_at, received_at, payload) "
    "VALUES (?, ?, ?, LEFT(?, 32), ?, ?, ?, ?, UTC_TIMESTAMP(3), ?)";

enum cb_err
db_event_insert(struct db *db, int64_t integration_id, const char *dedupe_key,
    const char *kind, const char *external_id, const char *source,
    const char *remote_addr, const char *occurred_at, const char *payload,
    int64_t call_id)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_event_insert, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, integration_id);
	bind_id(st, 1, call_id);
	db_bind_text(st, 2, dedupe_key);
	db_bind_text(st, 3, kind);
	db_bind_text(st, 4, external_id && *external_id ? external_id : NULL);
	db_bind_text(st, 5, source);
	db_bind_text(st, 6, remote_addr && *remote_addr ? remote_addr : NULL);
	db_bind_text(st, 7, occurred_at);
	db_bind_text(st, 8, payload);
	return db_exec(st);
}

static void
bind_opt_text(struct db_stmt *st, unsigned idx, const char *s)
{
	db_bind_text(st, idx, s && *s ? s : NULL);
}

static const char sql_ingest_call[] =
    "CALL cb_ingest_call(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "?)";

enum cb_err
db_ingest_call(struct db *db, const struct call_ingest *ci,
    enum ingest_outcome *outcome, int64_t *call_id, bool *created,
    struct db_stmt **live)
{
	const struct call_upsert *u = &ci->call;
	const struct leg_upsert *l = &ci->leg;
	bool leg = l->external_leg_id != NULL;
	struct db_stmt *st;
	const char *what;
	enum cb_err rc;
	unsigned i = 0;

	*outcome = INGEST_STORED;
	*call_id = 0;
	*created = false;
	*live = NULL;
	if ((rc = db_stmt(db, sql_ingest_call, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, i++, u->integration_id);
	db_bind_text(st, i++, u->external_id);
	db_bind_text(st, i++, u->direction);
	db_bind_i64(st, i++, ci->dir_internal);
	db_bind_text(st, i++, u->state);
	db_bind_text(st, i++, u->result);
	db_bind_text(st, i++, u->client_number ? u->client_number : "");
	db_bind_text(st, i++, u->client_digits_rev ? u->client_digits_rev : "");
	db_bind_text(st, i++, u->client_name);
	db_bind_text(st, i++, u->our_number ? u->our_number : "");
	db_bind_text(st, i++, u->started_at);
	db_bind_text(st, i++, u->answered_at);
	db_bind_text(st, i++, u->ended_at);
	db_bind_i64(st, i++, u->time_flags);
	bind_opt_i32(st, i++, u->talk_s);
	bind_opt_i32(st, i++, u->wait_s);
	db_bind_text(st, i++, u->hangup_cause);
	db_bind_text(st, i++, u->recording_state);
	db_bind_text(st, i++, u->recording_url);
	db_bind_text(st, i++, u->event_at);
	db_bind_i64(st, i++, ci->link_to_leads);
	db_bind_text(st, i++, ci->dedupe_key);
	db_bind_text(st, i++, ci->kind);
	bind_opt_text(st, i++, ci->external_id);
	db_bind_text(st, i++, ci->source);
	bind_opt_text(st, i++, ci->remote_addr);
	db_bind_text(st, i++, ci->occurred_at);
	db_bind_text(st, i++, ci->payload);
	db_bind_text(st, i++, leg ? l->external_leg_id : NULL);
	db_bind_text(st, i++, leg ? l->extension : NULL);
	db_bind_text(st, i++, leg ? l->state : NULL);
	db_bind_text(st, i++, leg ? l->result : NULL);
	db_bind_text(st, i++, leg ? l->answered_at : NULL);
	db_bind_text(st, i++, leg ? l->ended_at : NULL);
	bind_opt_i32(st, i++, leg ? l->talk_s : -1);
	db_bind_i64(st, i++, leg ? l->time_flags : 0);
	db_bind_i64(st, i++, ci->final_talker);
	db_bind_i64(st, i++, ci->call_ended);
	db_bind_i64(st, i++, ci->recording_job);
	db_bind_i64(st, i++, ci->live);
	db_bind_i64(st, i++, ci->client_withheld);
	bind_opt_text(st, i++, ci->sig_key);
	/* db_exec() reconnects and runs the CALL again if the server went
	 * away: safe, since a CALL that did commit finds its dedupe key and
	 * answers "duplicate". A CALL that failed half-way (a lock wait
	 * timeout, say) may leave its transaction open: ended here. */
	if ((rc = db_exec(st)) != CB_OK || (rc = db_fetch(st)) != CB_OK) {
		db_stmt_done(st);
		db_rollback_any(db);
		return rc == CB_ENOTFOUND ? CB_EDB : rc;
	}
	what = db_col(st, 0, NULL);
	*call_id = db_col_i64(st, 1);
	*created = db_col_i64(st, 2) != 0;
	if (what != NULL && strcmp(what, "duplicate") == 0)
		*outcome = INGEST_DUPLICATE;
	else if (what != NULL && strcmp(what, "excepted") == 0)
		*outcome = INGEST_EXCEPTED;
	else if (what != NULL && strcmp(what, "refused") == 0)
		*outcome = INGEST_REFUSED;
	if (*outcome == INGEST_STORED && ci->live &&
	    db_col_count(st) > INGEST_LIVE_BASE) {
		*live = st;     /* the caller reads the row, db_stmt_done() */
		return CB_OK;
	}
	db_stmt_done(st);
	return CB_OK;
}

/* Everything linking needs to know about a number, in one round trip:
 * whether it is on the exception list, an active user's (internal call),
 * the newest customer with it, that customer's oldest open lead (asked
 * only when the integration links to leads) and latest open order, and
 * the store of our number. Each part is an indexed point lookup. */
static const char sql_link_facts[] =
    "SELECT EXISTS (SELECT 1 FROM phone_exceptions WHERE phone = ?), "
    "(SELECT id FROM users WHERE phone = ? AND active = 1 LIMIT 1), "
    "k.id, "
    "IF(?, (SELECT id FROM leads WHERE customer_id = k.id "
    " AND state = 'open' ORDER BY created_at ASC, id ASC LIMIT 1), NULL), "
    "(SELECT o.id FROM orders o JOIN order_statuses s ON s.id = o.status_id "
    " WHERE o.customer_id = k.id AND s.status_group = 'open' "
    " ORDER BY o.created_at DESC, o.id DESC LIMIT 1), "
    "(SELECT store_id FROM store_numbers WHERE number = ?) "
    "FROM (SELECT 1) one LEFT JOIN (SELECT c.id FROM customer_phones p "
    " JOIN customers c ON c.id = p.customer_id WHERE p.phone = ? "
    " ORDER BY c.created_at DESC, c.id DESC LIMIT 1) k ON 1";

enum cb_err
db_link_facts(struct db *db, const char *client, const char *our,
    bool to_leads, struct link_facts *f)
{
	struct db_stmt *st;
	enum cb_err rc;

	memset(f, 0, sizeof(*f));
	if ((rc = db_stmt(db, sql_link_facts, &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, client);
	db_bind_text(st, 1, client);
	db_bind_i64(st, 2, to_leads);
	db_bind_text(st, 3, our && *our ? our : NULL);
	db_bind_text(st, 4, client);
	if ((rc = db_exec(st)) != CB_OK || (rc = db_fetch(st)) != CB_OK)
		return rc;
	f->excepted = db_col_i64(st, 0) != 0;
	f->user_id = db_col_i64(st, 1);
	f->customer_id = db_col_i64(st, 2);
	if (f->customer_id > 0) {
		/* The oldest open lead, else the latest open order. */
		f->lead_id = db_col_i64(st, 3);
		f->order_id = f->lead_id > 0 ? 0 : db_col_i64(st, 4);
	}
	f->store_id = db_col_i64(st, 5);
	db_stmt_done(st);
	return CB_OK;
}

static const char sql_set_links[] =
    "UPDATE calls SET customer_id = ?, order_id = ?, lead_id = ?, "
    "store_id = COALESCE(?, store_id) WHERE id = ? AND customer_id IS NULL";

enum cb_err
db_call_set_links(struct db *db, int64_t call_id, int64_t customer_id,
    int64_t order_id, int64_t lead_id, int64_t store_id)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_set_links, &st)) != CB_OK)
		return rc;
	bind_id(st, 0, customer_id);
	bind_id(st, 1, order_id);
	bind_id(st, 2, lead_id);
	bind_id(st, 3, store_id);
	db_bind_i64(st, 4, call_id);
	return db_exec(st);
}

static const char sql_set_internal[] =
    "UPDATE calls SET direction = 'internal' WHERE id = ?";

enum cb_err
db_call_set_internal(struct db *db, int64_t call_id)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_set_internal, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, call_id);
	return db_exec(st);
}

static const char sql_link_state[] =
    "SELECT client_number, our_number, customer_id IS NOT NULL, "
    "direction = 'internal' FROM calls WHERE id = ?";

enum cb_err
db_call_link_state(struct db *db, int64_t call_id, char *client,
    size_t clientsz, char *our, size_t oursz, bool *linked, bool *internal)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_link_state, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, call_id);
	if ((rc = db_exec(st)) != CB_OK || (rc = db_fetch(st)) != CB_OK)
		return rc;
	snprintf(client, clientsz, "%s", db_col(st, 0, NULL));
	snprintf(our, oursz, "%s", db_col(st, 1, NULL));
	*linked = db_col_i64(st, 2) != 0;
	*internal = db_col_i64(st, 3) != 0;
	db_stmt_done(st);
	return CB_OK;
}
