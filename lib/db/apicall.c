#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "db/apicall.h"
#include "db/call.h"

static const char sql_api_head[] =
    "SELECT c.id, i.slug, c.external_id, c.direction, c.state, c.result, "
    "c.client_number, c.our_number, c.extension, c.manager_id, u.login, "
    "u.name, c.customer_id, cu.name, c.order_id, c.lead_id, c.store_id, "
    "DATE_FORMAT(c.started_at, '%Y-%m-%dT%H:%i:%s.%fZ'), "
    "DATE_FORMAT(c.answered_at, '%Y-%m-%dT%H:%i:%s.%fZ'), "
    "DATE_FORMAT(c.ended_at, '%Y-%m-%dT%H:%i:%s.%fZ'), "
    "c.talk_seconds, c.wait_seconds, c.recording_state, c.comment, "
    "(SELECT COUNT(*) FROM call_events e WHERE e.call_id = c.id), "
    "c.client_withheld ";
static const char sql_api_from[] = "FROM calls c ";
/* ?said=: the FULLTEXT index drives, each match's call by primary key
 * (as the history's, lib/db/call.c sql_said_from). */
static const char sql_api_said_col[] = ", t.summary_head ";
static const char sql_api_said_from[] =
    "FROM transcripts t STRAIGHT_JOIN calls c ON c.id = t.call_id ";
static const char sql_api_said_where[] =
    " AND MATCH (t.words, t.summary) AGAINST (? IN BOOLEAN MODE)";
static const char sql_api_manager[] = " AND c.manager_id = ?";
static const char sql_api_joins[] =
    "JOIN integrations i ON i.id = c.integration_id "
    "LEFT JOIN users u ON u.id = c.manager_id "
    "LEFT JOIN customers cu ON cu.id = c.customer_id ";
static const char sql_api_where[] = "WHERE 1 = 1";
/* ?contains=: the history's routine (lib/db/call.c
 * db_call_contains_from), newest first by start time, and ?before=<id> is
 * that call's position (a const row read by primary key). Its filters are
 * on calls c only, so the integration is its id by slug. */
static const char sql_api_contains_integration[] =
    " AND c.integration_id = (SELECT id FROM integrations WHERE slug = ?)";
static const char sql_api_contains_like[] =
    " AND c.client_digits_rev LIKE CONCAT('%', ?, '%')";
static const char sql_api_integration[] = " AND i.slug = ?";
static const char sql_api_external[] = " AND c.external_id = ?";
static const char sql_api_digits[] = " AND c.client_digits_rev LIKE CONCAT(?, '%')";
static const char sql_api_before[] = " AND c.id < ?";
static const char sql_api_tail[] = " ORDER BY c.id DESC LIMIT ?";

static const char sql_legs[] =
    "SELECT external_leg_id, extension, state, result, "
    "DATE_FORMAT(answered_at, '%Y-%m-%dT%H:%i:%s.%fZ') FROM call_legs "
    "WHERE call_id = ? ORDER BY started_at, id";

/* DATE_FORMAT's %f is microseconds: keep milliseconds. */
static struct json_object *
jtime(const char *s)
{
	char t[32];
	size_t n;

	if (s == NULL)
		return NULL;
	n = strlen(s);
	if (n == 27) { /* 2026-11-23T10:00:00.123000Z */
		memcpy(t, s, 23);
		t[23] = 'Z';
		t[24] = '\0';
		return json_object_new_string(t);
	}
	return json_object_new_string(s);
}

static struct json_object *
jstr(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static struct json_object *
jid(struct db_stmt *st, unsigned i)
{
	return db_col_null(st, i) ? NULL :
	    json_object_new_int64(db_col_i64(st, i));
}

static enum cb_err
add_legs(struct db *db, int64_t call_id, struct json_object *call)
{
	struct json_object *legs = json_object_new_array();
	struct db_stmt *st;
	enum cb_err rc;

	json_object_object_add(call, "legs", legs);
	if ((rc = db_stmt(db, sql_legs, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, call_id);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	while ((rc = db_fetch(st)) == CB_OK) {
		struct json_object *l = json_object_new_object();
		json_object_object_add(l, "leg_id", jstr(db_col(st, 0, NULL)));
		json_object_object_add(l, "extension",
		    jstr(db_col(st, 1, NULL)));
		json_object_object_add(l, "state", jstr(db_col(st, 2, NULL)));
		json_object_object_add(l, "result", jstr(db_col(st, 3, NULL)));
		json_object_object_add(l, "answered_at",
		    jtime(db_col(st, 4, NULL)));
		json_object_array_add(legs, l);
	}
	db_stmt_done(st);
	return rc == CB_ENOTFOUND ? CB_OK : rc;
}

static void
api_i64(struct call_query *q, int64_t v)
{
	q->params[q->nparams].is_text = false;
	q->params[q->nparams++].i64 = v;
}

static void
api_str(struct call_query *q, const char *v)
{
	q->params[q->nparams].is_text = true;
	q->params[q->nparams].text = v;
	q->params[q->nparams++].len = strlen(v);
}

/* The filters other than the order, with their values: in the plain
 * query, or in each branch of a "contains" (where the integration is
 * compared by id: the branches have no join). */
struct api_filters {
	const struct api_call_filter *f;
	bool contains;
};

static void
api_put_filters(struct call_query *q, const void *arg)
{
	const struct api_filters *af = arg;
	const struct api_call_filter *f = af->f;
	struct buf *sql = &q->sql;

	if (f->manager_id) {
		buf_puts(sql, sql_api_manager);
		api_i64(q, f->manager_id);
	}
	/* contains inside a said search: a LIKE over its few matches */
	if (f->contains_rev && f->said) {
		buf_puts(sql, sql_api_contains_like);
		api_str(q, f->contains_rev);
	}
	if (f->integration) {
		buf_puts(sql, af->contains ? sql_api_contains_integration :
		    sql_api_integration);
		api_str(q, f->integration);
	}
	if (f->external_id) {
		buf_puts(sql, sql_api_external);
		api_str(q, f->external_id);
	}
	if (f->digits_rev) {
		buf_puts(sql, sql_api_digits);
		api_str(q, f->digits_rev);
	}
}

enum cb_err
db_api_calls_query(const struct api_call_filter *f, struct call_query *q)
{
	struct call_text ct = { MATCH_CONTAINS, false, f->contains_rev };
	bool grams = f->contains_rev && !f->said && db_call_grams_on(&ct);
	struct api_filters af = { f, grams };
	struct buf *sql = &q->sql;

	q->nparams = 0;
	buf_init(sql, 8192);
	buf_puts(sql, sql_api_head);
	if (grams) {
		struct call_contains cc = {
			.rev = f->contains_rev, .plan = f->contains_plan,
			.sort = SORT_TIME_DESC,
			.cursor = f->before_id ? CONTAINS_CURSOR_CALL :
			    CONTAINS_CURSOR_NONE,
			.cursor_id = f->before_id, .limit = f->limit,
			.put_filters = api_put_filters, .arg = &af,
		};

		db_call_contains_from(q, &cc);
		buf_puts(sql, sql_api_joins);
		db_call_contains_order(q, &cc);
		return sql->err;
	}
	if (f->said) {
		buf_puts(sql, sql_api_said_col);
		buf_puts(sql, sql_api_said_from);
	} else
		buf_puts(sql, sql_api_from);
	buf_puts(sql, sql_api_joins);
	buf_puts(sql, sql_api_where);
	if (f->said) {
		buf_puts(sql, sql_api_said_where);
		api_str(q, f->said);
	}
	api_put_filters(q, &af);
	if (f->before_id) {
		buf_puts(sql, sql_api_before);
		api_i64(q, f->before_id);
	}
	buf_puts(sql, sql_api_tail);
	api_i64(q, f->limit);
	return sql->err;
}

static enum cb_err
api_query(const void *f, struct call_query *q)
{
	return db_api_calls_query(f, q);
}

enum cb_err
db_api_calls(struct db *db, const struct api_call_filter *f,
    struct json_object *arr, int64_t *last_id)
{
	struct db_stmt *st;
	enum cb_err rc;
	unsigned k, n;
	int64_t *ids;
	struct json_object **objs;
	struct call_text ct = { MATCH_CONTAINS, false, f->contains_rev };
	struct api_call_filter g = *f;
	bool grams = f->contains_rev && !f->said && db_call_grams_on(&ct);

	*last_id = 0;
	if (grams && (rc = db_call_contains_plan(db, f->kept_version,
	    f->contains_rev, &g.contains_plan)) != CB_OK)
		return rc;
	if ((rc = db_call_query_run(db, api_query, &g,
	    grams ? &g.contains_plan : NULL, SORT_TIME_DESC, &st)) != CB_OK)
		return rc;
	ids = calloc(f->limit, sizeof(*ids));
	objs = calloc(f->limit, sizeof(*objs));
	if (!ids || !objs) {
		free(ids);
		free(objs);
		return CB_ENOMEM;
	}
	n = 0;
	while (n < f->limit && (rc = db_fetch(st)) == CB_OK) {
		struct json_object *c = json_object_new_object(), *o;
		int64_t id = db_col_i64(st, 0);

		json_object_object_add(c, "id", json_object_new_int64(id));
		json_object_object_add(c, "integration", jstr(db_col(st, 1, NULL)));
		json_object_object_add(c, "external_id", jstr(db_col(st, 2, NULL)));
		json_object_object_add(c, "direction", jstr(db_col(st, 3, NULL)));
		json_object_object_add(c, "state", jstr(db_col(st, 4, NULL)));
		json_object_object_add(c, "result", jstr(db_col(st, 5, NULL)));
		json_object_object_add(c, "client_number",
		    jstr(db_col(st, 6, NULL)));
		/* issue 15 §2.5: no number, and why. */
		json_object_object_add(c, "client_withheld",
		    json_object_new_boolean(db_col_i64(st, 25) != 0));
		json_object_object_add(c, "our_number", jstr(db_col(st, 7, NULL)));
		json_object_object_add(c, "extension", jstr(db_col(st, 8, NULL)));
		if (db_col_null(st, 9))
			o = NULL;
		else {
			o = json_object_new_object();
			json_object_object_add(o, "id", jid(st, 9));
			json_object_object_add(o, "login",
			    jstr(db_col(st, 10, NULL)));
			json_object_object_add(o, "name",
			    jstr(db_col(st, 11, NULL)));
		}
		json_object_object_add(c, "manager", o);
		if (db_col_null(st, 12))
			o = NULL;
		else {
			o = json_object_new_object();
			json_object_object_add(o, "id", jid(st, 12));
			json_object_object_add(o, "name",
			    jstr(db_col(st, 13, NULL)));
		}
		json_object_object_add(c, "customer", o);
		json_object_object_add(c, "order_id", jid(st, 14));
		json_object_object_add(c, "lead_id", jid(st, 15));
		json_object_object_add(c, "store_id", jid(st, 16));
		json_object_object_add(c, "started_at", jtime(db_col(st, 17, NULL)));
		json_object_object_add(c, "answered_at",
		    jtime(db_col(st, 18, NULL)));
		json_object_object_add(c, "ended_at", jtime(db_col(st, 19, NULL)));
		json_object_object_add(c, "talk_seconds",
		    json_object_new_int64(db_col_i64(st, 20)));
		json_object_object_add(c, "wait_seconds",
		    json_object_new_int64(db_col_i64(st, 21)));
		o = json_object_new_object();
		json_object_object_add(o, "state", jstr(db_col(st, 22, NULL)));
		json_object_object_add(c, "recording", o);
		json_object_object_add(c, "comment", jstr(db_col(st, 23, NULL)));
		json_object_object_add(c, "events",
		    json_object_new_int64(db_col_i64(st, 24)));
		if (f->said)
			json_object_object_add(c, "summary",
			    jstr(db_col(st, 26, NULL)));
		ids[n] = id;
		objs[n++] = c;
	}
	db_stmt_done(st);
	if (rc != CB_OK && rc != CB_ENOTFOUND) {
		for (k = 0; k < n; k++)
			json_object_put(objs[k]);
		free(ids);
		free(objs);
		return rc;
	}
	rc = CB_OK;
	/* Legs after the list: one statement's result at a time. */
	for (k = 0; k < n; k++) {
		if (rc == CB_OK)
			rc = add_legs(db, ids[k], objs[k]);
		json_object_array_add(arr, objs[k]);
	}
	if (n)
		*last_id = ids[n - 1];
	free(ids);
	free(objs);
	return rc;
}

static const char sql_customer_create[] =
    "INSERT INTO customers (name, email, manager_id, external_id, "
    "created_at) VALUES (?, ?, ?, ?, UTC_TIMESTAMP(3))";

enum cb_err
db_customer_create(struct db *db, const char *name, const char *email,
    int64_t manager_id, const char *external_id, int64_t *id)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_customer_create, &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, name);
	db_bind_text(st, 1, email);
	if (manager_id > 0)
		db_bind_i64(st, 2, manager_id);
	else
		db_bind_null(st, 2);
	db_bind_text(st, 3, external_id);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	*id = (int64_t)db_insert_id(st);
	return CB_OK;
}

static const char sql_add_phone[] =
    "INSERT INTO customer_phones (customer_id, phone, phone_digits_rev) "
    "VALUES (?, ?, ?)";

enum cb_err
db_customer_add_phone(struct db *db, int64_t customer_id, const char *phone,
    const char *digits_rev)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_add_phone, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, customer_id);
	db_bind_text(st, 1, phone);
	db_bind_text(st, 2, digits_rev);
	return db_exec(st);
}

static const char sql_user_by_login[] =
    "SELECT id FROM users WHERE login = ? AND active = 1";

enum cb_err
db_user_id_by_login(struct db *db, const char *login, int64_t *id)
{
	struct db_stmt *st;
	enum cb_err rc;

	*id = 0;
	if ((rc = db_stmt(db, sql_user_by_login, &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, login);
	if ((rc = db_exec(st)) != CB_OK || (rc = db_fetch(st)) != CB_OK)
		return rc;
	*id = db_col_i64(st, 0);
	db_stmt_done(st);
	return CB_OK;
}

static const char sql_unlinked[] =
    "SELECT c.id, i.link_to_leads FROM calls c "
    "JOIN integrations i ON i.id = c.integration_id "
    "WHERE c.client_digits_rev = ? AND c.customer_id IS NULL "
    "AND c.direction <> 'internal' ORDER BY c.id DESC LIMIT ?";

enum cb_err
db_unlinked_calls(struct db *db, const char *digits_rev, int64_t *ids,
    int *to_leads, unsigned n, unsigned *got)
{
	struct db_stmt *st;
	enum cb_err rc;

	*got = 0;
	if ((rc = db_stmt(db, sql_unlinked, &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, digits_rev);
	db_bind_i64(st, 1, n);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	while (*got < n && (rc = db_fetch(st)) == CB_OK) {
		ids[*got] = db_col_i64(st, 0);
		to_leads[*got] = (int)db_col_i64(st, 1);
		(*got)++;
	}
	db_stmt_done(st);
	return rc == CB_ENOTFOUND || rc == CB_OK ? CB_OK : rc;
}
