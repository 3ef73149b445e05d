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

/* Times: a stated time beats a filled-in one; among stated times the
 * earliest start and answer and the latest end win; a filled-in time only
 * fills a gap (or improves on another filled-in time). VALUES(time_flags)
 * says which of this event's times were stated; time_flags (the old value,
 * updated last) which of the row's were. */
#define TIMES_MERGE \
    "started_at = CASE WHEN VALUES(time_flags) & 4 THEN " \
    "  IF(time_flags & 4, LEAST(started_at, VALUES(started_at)), " \
    "  VALUES(started_at)) WHEN time_flags & 4 THEN started_at " \
    "  ELSE LEAST(started_at, VALUES(started_at)) END, " \
    "answered_at = CASE WHEN VALUES(answered_at) IS NULL THEN answered_at " \
    "  WHEN VALUES(time_flags) & 1 THEN IF(time_flags & 1, " \
    "  LEAST(answered_at, VALUES(answered_at)), VALUES(answered_at)) " \
    "  WHEN time_flags & 1 THEN answered_at " \
    "  ELSE LEAST(COALESCE(answered_at, VALUES(answered_at)), " \
    "  VALUES(answered_at)) END, " \
    "ended_at = CASE WHEN VALUES(ended_at) IS NULL THEN ended_at " \
    "  WHEN VALUES(time_flags) & 2 THEN IF(time_flags & 2, " \
    "  GREATEST(ended_at, VALUES(ended_at)), VALUES(ended_at)) " \
    "  WHEN time_flags & 2 THEN ended_at " \
    "  ELSE GREATEST(COALESCE(ended_at, VALUES(ended_at)), " \
    "  VALUES(ended_at)) END, "

/* The merge rules that make delivery order irrelevant (DESIGN §2.3):
 * state only moves forward; the result with the higher precedence wins
 * (answered > missed > no_answer > busy > failed > unknown), so a ring
 * group is one answered call; the first non-empty numbers stay; the
 * earliest start and answer and the latest end win; durations take the
 * largest report; a stored recording is never downgraded. Parameters that
 * mean "not said" are repeated in the UPDATE part because VALUES() only
 * holds what was inserted (with defaults filled in). */
static const char sql_call_upsert[] =
    "INSERT INTO calls (integration_id, external_id, direction, state, "
    "result, client_number, client_digits_rev, client_name, our_number, "
    "started_at, answered_at, ended_at, talk_seconds, wait_seconds, "
    "hangup_cause, recording_state, recording_url, last_event_at, "
    "time_flags, customer_id, order_id, lead_id, store_id) "
    "VALUES (?, ?, IF(?, 'internal', COALESCE(?, 'in')), ?, "
    "COALESCE(?, 'unknown'), ?, ?, ?, ?, "
    "?, ?, ?, COALESCE(?, 0), COALESCE(?, 0), ?, COALESCE(?, 'none'), ?, ?, "
    "?, ?, ?, ?, ?) "
    "ON DUPLICATE KEY UPDATE "
    "id = LAST_INSERT_ID(id), "
    /* Links: only a call not linked yet, and only by the number it has
     * (or gets now); before client_number is merged below. */
    "order_id = IF(customer_id IS NULL AND (client_number = '' OR "
    "  client_number = VALUES(client_number)), VALUES(order_id), order_id), "
    "lead_id = IF(customer_id IS NULL AND (client_number = '' OR "
    "  client_number = VALUES(client_number)), VALUES(lead_id), lead_id), "
    "customer_id = IF(customer_id IS NULL AND (client_number = '' OR "
    "  client_number = VALUES(client_number)), VALUES(customer_id), "
    "  customer_id), "
    "store_id = COALESCE(store_id, VALUES(store_id)), "
    "direction = IF(? AND (client_number = '' OR "
    "  client_number = VALUES(client_number)), 'internal', "
    "  COALESCE(?, direction)), "
    "state = IF(FIELD(VALUES(state), 'ringing', 'talking', 'ended') > "
    "  FIELD(state, 'ringing', 'talking', 'ended'), VALUES(state), state), "
    "result = IF(? IS NOT NULL AND FIELD(?, 'unknown', 'failed', 'busy', "
    "  'no_answer', 'missed', 'answered') > FIELD(result, 'unknown', "
    "  'failed', 'busy', 'no_answer', 'missed', 'answered'), ?, result), "
    "client_number = IF(client_number = '', VALUES(client_number), "
    "  client_number), "
    "client_digits_rev = IF(client_digits_rev = '', "
    "  VALUES(client_digits_rev), client_digits_rev), "
    "client_name = COALESCE(client_name, VALUES(client_name)), "
    "our_number = IF(our_number = '', VALUES(our_number), our_number), "
    TIMES_MERGE
    "talk_seconds = GREATEST(talk_seconds, VALUES(talk_seconds)), "
    "wait_seconds = GREATEST(wait_seconds, VALUES(wait_seconds)), "
    "hangup_cause = COALESCE(VALUES(hangup_cause), hangup_cause), "
    "recording_state = CASE WHEN ? IS NULL OR recording_state = 'stored' "
    "  OR (recording_state = 'pending' AND ? = 'unavailable') "
    "  THEN recording_state ELSE ? END, "
    "recording_url = COALESCE(VALUES(recording_url), recording_url), "
    "last_event_at = GREATEST(COALESCE(last_event_at, VALUES(last_event_at)), "
    "  VALUES(last_event_at)), "
    "time_flags = time_flags | VALUES(time_flags)";

enum cb_err
db_call_upsert(struct db *db, const struct call_upsert *u, int64_t *call_id,
    bool *created)
{
	struct db_stmt *st;
	enum cb_err rc;
	unsigned i = 0;

	if ((rc = db_stmt(db, sql_call_upsert, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, i++, u->integration_id);
	db_bind_text(st, i++, u->external_id);
	db_bind_i64(st, i++, u->internal);
	db_bind_text(st, i++, u->direction);
	db_bind_text(st, i++, u->state);
	db_bind_text(st, i++, u->result);
	db_bind_text(st, i++, u->client_number ? u->client_number : "");
	db_bind_text(st, i++, u->client_digits_rev ? u->client_digits_rev : "");
	db_bind_text(st, i++, u->client_name);
	db_bind_text(st, i++, u->our_number ? u->our_number : "");
	db_bind_text(st, i++, u->started_at);
	db_bind_text(st, i++, u->answered_at);
	db_bind_text(st, i++, u->ended_at);
	bind_opt_i32(st, i++, u->talk_s);
	bind_opt_i32(st, i++, u->wait_s);
	db_bind_text(st, i++, u->hangup_cause);
	db_bind_text(st, i++, u->recording_state);
	db_bind_text(st, i++, u->recording_url);
	db_bind_text(st, i++, u->event_at);
	db_bind_i64(st, i++, u->time_flags);
	bind_id(st, i++, u->customer_id);
	bind_id(st, i++, u->order_id);
	bind_id(st, i++, u->lead_id);
	bind_id(st, i++, u->store_id);
	/* the UPDATE part */
	db_bind_i64(st, i++, u->internal);
	db_bind_text(st, i++, u->direction);
	db_bind_text(st, i++, u->result);
	db_bind_text(st, i++, u->result);
	db_bind_text(st, i++, u->result);
	db_bind_text(st, i++, u->recording_state);
	db_bind_text(st, i++, u->recording_state);
	db_bind_text(st, i++, u->recording_state);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	*call_id = (int64_t)db_insert_id(st);
	*created = db_affected(st) == 1;
	return *call_id > 0 ? CB_OK : CB_EDB;
}

static const char sql_leg_upsert[] =
    "INSERT INTO call_legs (call_id, integration_id, external_leg_id, "
    "leg_type, user_id, extension, number, state, result, started_at, "
    "answered_at, ended_at, talk_seconds, time_flags) VALUES (?, ?, ?, "
    "IF(? IS NULL, 'ring', 'answer'), "
    "(SELECT id FROM users WHERE extension = ? AND active = 1 "
    " ORDER BY id LIMIT 1), ?, ?, ?, COALESCE(?, 'unknown'), ?, ?, ?, "
    "COALESCE(?, 0), ?) "
    "ON DUPLICATE KEY UPDATE "
    "leg_type = IF(VALUES(answered_at) IS NOT NULL, 'answer', leg_type), "
    "user_id = COALESCE(user_id, VALUES(user_id)), "
    "extension = COALESCE(extension, VALUES(extension)), "
    "number = COALESCE(number, VALUES(number)), "
    "state = IF(FIELD(VALUES(state), 'ringing', 'talking', 'ended') > "
    "  FIELD(state, 'ringing', 'talking', 'ended'), VALUES(state), state), "
    "result = IF(? IS NOT NULL AND FIELD(?, 'unknown', 'failed', 'busy', "
    "  'no_answer', 'missed', 'answered') > FIELD(result, 'unknown', "
    "  'failed', 'busy', 'no_answer', 'missed', 'answered'), ?, result), "
    TIMES_MERGE
    "talk_seconds = GREATEST(talk_seconds, VALUES(talk_seconds)), "
    "time_flags = time_flags | VALUES(time_flags)";

enum cb_err
db_leg_upsert(struct db *db, const struct leg_upsert *u)
{
	struct db_stmt *st;
	enum cb_err rc;
	unsigned i = 0;

	if ((rc = db_stmt(db, sql_leg_upsert, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, i++, u->call_id);
	db_bind_i64(st, i++, u->integration_id);
	db_bind_text(st, i++, u->external_leg_id);
	db_bind_text(st, i++, u->answered_at);
	db_bind_text(st, i++, u->extension);
	db_bind_text(st, i++, u->extension);
	db_bind_text(st, i++, u->number);
	db_bind_text(st, i++, u->state);
	db_bind_text(st, i++, u->result);
	db_bind_text(st, i++, u->started_at);
	db_bind_text(st, i++, u->answered_at);
	db_bind_text(st, i++, u->ended_at);
	bind_opt_i32(st, i++, u->talk_s);
	db_bind_i64(st, i++, u->time_flags);
	db_bind_text(st, i++, u->result);
	db_bind_text(st, i++, u->result);
	db_bind_text(st, i++, u->result);
	return db_exec(st);
}

static const char sql_pick_answered[] =
    "UPDATE calls c JOIN (SELECT l.extension, l.user_id FROM call_legs l "
    " WHERE l.call_id = ? AND l.answered_at IS NOT NULL "
    " AND l.extension IS NOT NULL "
    " ORDER BY l.answered_at DESC, l.id DESC LIMIT 1) t "
    "SET c.extension = t.extension, c.manager_id = t.user_id "
    "WHERE c.id = ? AND c.talker_final = 0";
static const char sql_pick_only_rung[] =
    "UPDATE calls c JOIN (SELECT MIN(l.extension) AS ext, "
    " MIN(l.user_id) AS uid, COUNT(DISTINCT l.extension) AS n "
    " FROM call_legs l WHERE l.call_id = ? AND l.extension IS NOT NULL) t "
    "SET c.extension = t.ext, c.manager_id = t.uid "
    "WHERE c.id = ? AND t.n = 1 AND c.talker_final = 0 AND NOT EXISTS (SELECT 1 FROM call_legs a "
    " WHERE a.call_id = c.id AND a.answered_at IS NOT NULL "
    " AND a.extension IS NOT NULL)";

enum cb_err
db_call_pick_talker(struct db *db, int64_t call_id, bool answered)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, answered ? sql_pick_answered :
	    sql_pick_only_rung, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, call_id);
	db_bind_i64(st, 1, call_id);
	return db_exec(st);
}

static const char sql_final_talker[] =
    "UPDATE calls SET extension = ?, talker_final = 1, manager_id = "
    "(SELECT id FROM users WHERE extension = ? AND active = 1 "
    " ORDER BY id LIMIT 1) WHERE id = ?";

enum cb_err
db_call_set_final_talker(struct db *db, int64_t call_id, const char *ext)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_final_talker, &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, ext);
	db_bind_text(st, 1, ext);
	db_bind_i64(st, 2, call_id);
	return db_exec(st);
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

/* One-row, one-id lookups share this shape. */
static enum cb_err
lookup_id(struct db *db, const char *sql, const char *s, int64_t n,
    int64_t *out, int64_t *out2)
{
	struct db_stmt *st;
	enum cb_err rc;

	*out = 0;
	if (out2)
		*out2 = 0;
	if ((rc = db_stmt(db, sql, &st)) != CB_OK)
		return rc;
	if (s)
		db_bind_text(st, 0, s);
	else
		db_bind_i64(st, 0, n);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	rc = db_fetch(st);
	if (rc == CB_OK) {
		*out = db_col_i64(st, 0);
		if (out2)
			*out2 = db_col_i64(st, 1);
	}
	db_stmt_done(st);
	return rc == CB_ENOTFOUND ? CB_OK : rc;
}

static const char sql_user_by_phone[] =
    "SELECT id FROM users WHERE phone = ? AND active = 1 LIMIT 1";

enum cb_err
db_user_by_phone(struct db *db, const char *phone, int64_t *id)
{
	return lookup_id(db, sql_user_by_phone, phone, 0, id, NULL);
}

/* Several customers with one number: the most recently created wins. */
static const char sql_customer_by_phone[] =
    "SELECT c.id, COALESCE(c.manager_id, 0) FROM customer_phones p "
    "JOIN customers c ON c.id = p.customer_id WHERE p.phone = ? "
    "ORDER BY c.created_at DESC, c.id DESC LIMIT 1";

enum cb_err
db_customer_by_phone(struct db *db, const char *phone, int64_t *customer_id,
    int64_t *manager_id)
{
	return lookup_id(db, sql_customer_by_phone, phone, 0, customer_id,
	    manager_id);
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
