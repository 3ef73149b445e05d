#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/automation.h"

static void
bind_id(struct db_stmt *st, unsigned idx, int64_t id)
{
	if (id > 0)
		db_bind_i64(st, idx, id);
	else
		db_bind_null(st, idx);
}

static void
copy_col(struct db_stmt *st, unsigned idx, char *out, size_t outsz)
{
	const char *v = db_col(st, idx, NULL);

	snprintf(out, outsz, "%s", v ? v : "");
}

/* One row of integers: the first column into *a, the second into *b. */
static enum cb_err
one_id(struct db *db, const char *sql, int64_t p1, const char *p2,
    int64_t *a)
{
	struct db_stmt *st;
	enum cb_err rc;

	*a = 0;
	if ((rc = db_stmt(db, sql, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, p1);
	if (p2)
		db_bind_text(st, 1, p2);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	if ((rc = db_fetch(st)) == CB_OK)
		*a = db_col_i64(st, 0);
	db_stmt_done(st);
	return rc == CB_ENOTFOUND ? CB_OK : rc;
}

static const char sql_rule[] =
    "SELECT enabled, task_mode = 'each', due_offset_minutes, "
    "COALESCE(lead_type, ''), COALESCE(lead_manager_id, 0), "
    "even_if_open_order, even_if_open_lead, call_directions <> 'out', "
    "call_directions <> 'in', COALESCE(lead_origin, '') "
    "FROM automation_rules WHERE kind = ?";
/* Assignees in the order the admin chose; users since deactivated or
 * deleted drop out. */
static const char sql_rule_assignees[] =
    "SELECT u.id FROM automation_rules r, JSON_TABLE(r.assignee_ids, '$[*]' "
    "COLUMNS (ord FOR ORDINALITY, uid BIGINT UNSIGNED PATH '$')) j "
    "JOIN users u ON u.id = j.uid AND u.active = 1 "
    "WHERE r.kind = ? ORDER BY j.ord LIMIT 20";

static enum cb_err
rule_read(struct db *db, const char *kind, struct auto_rule *r)
{
	struct db_stmt *st;
	enum cb_err rc;

	memset(r, 0, sizeof(*r));
	if ((rc = db_stmt(db, sql_rule, &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, kind);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	if ((rc = db_fetch(st)) != CB_OK)
		return rc == CB_ENOTFOUND ? CB_OK : rc;
	r->enabled = db_col_i64(st, 0) != 0;
	r->each = db_col_i64(st, 1) != 0;
	r->due_offset_minutes = (unsigned)db_col_i64(st, 2);
	copy_col(st, 3, r->lead_type, sizeof(r->lead_type));
	r->lead_manager_id = db_col_i64(st, 4);
	r->even_if_open_order = db_col_i64(st, 5) != 0;
	r->even_if_open_lead = db_col_i64(st, 6) != 0;
	r->for_in = db_col_i64(st, 7) != 0;
	r->for_out = db_col_i64(st, 8) != 0;
	copy_col(st, 9, r->lead_origin, sizeof(r->lead_origin));
	db_stmt_done(st);
	if ((rc = db_stmt(db, sql_rule_assignees, &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, kind);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	while (r->nassignees < TASK_MAX_ASSIGNEES &&
	    (rc = db_fetch(st)) == CB_OK)
		r->assignees[r->nassignees++] = db_col_i64(st, 0);
	db_stmt_done(st);
	return rc == CB_ENOTFOUND || rc == CB_OK ? CB_OK : rc;
}

/* The customer is chosen by the number (the newest customer with it, as
 * linking does), else the call's own link. */
static const char sql_call[] =
    "SELECT c.id, c.integration_id, c.direction, c.state, c.result, "
    "c.client_number, COALESCE(c.client_name, ''), c.our_number, "
    "COALESCE(c.manager_id, 0), COALESCE(cu.id, 0), COALESCE(cu.name, ''), "
    "COALESCE(cu.manager_id, 0), COALESCE(c.store_id, sn.store_id, 0), "
    "DATE_FORMAT(c.started_at, '%Y-%m-%d %H:%i:%s'), "
    "COALESCE(DATE_FORMAT(c.ended_at, '%Y-%m-%d %H:%i:%s'), ''), "
    "FLOOR(UNIX_TIMESTAMP(c.started_at)), "
    "c.client_number <> '' AND EXISTS (SELECT 1 FROM users u "
    " WHERE u.phone = c.client_number AND u.active = 1) "
    "FROM calls c "
    "LEFT JOIN customers cu ON cu.id = COALESCE((SELECT x.id "
    " FROM customer_phones p JOIN customers x ON x.id = p.customer_id "
    " WHERE p.phone = c.client_number AND c.client_number <> '' "
    " ORDER BY x.created_at DESC, x.id DESC LIMIT 1), c.customer_id) "
    "LEFT JOIN store_numbers sn ON sn.number = c.our_number "
    "WHERE c.id = ?";

enum cb_err
db_auto_call(struct db *db, int64_t call_id, struct auto_call *c)
{
	struct db_stmt *st;
	enum cb_err rc;

	memset(c, 0, sizeof(*c));
	if ((rc = db_stmt(db, sql_call, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, call_id);
	if ((rc = db_exec(st)) != CB_OK || (rc = db_fetch(st)) != CB_OK)
		return rc;
	c->id = db_col_i64(st, 0);
	c->integration_id = db_col_i64(st, 1);
	copy_col(st, 2, c->direction, sizeof(c->direction));
	copy_col(st, 3, c->state, sizeof(c->state));
	copy_col(st, 4, c->result, sizeof(c->result));
	copy_col(st, 5, c->client_number, sizeof(c->client_number));
	copy_col(st, 6, c->client_name, sizeof(c->client_name));
	copy_col(st, 7, c->our_number, sizeof(c->our_number));
	c->manager_id = db_col_i64(st, 8);
	c->customer_id = db_col_i64(st, 9);
	copy_col(st, 10, c->customer_name, sizeof(c->customer_name));
	c->customer_manager_id = db_col_i64(st, 11);
	c->store_id = db_col_i64(st, 12);
	copy_col(st, 13, c->started_at, sizeof(c->started_at));
	copy_col(st, 14, c->ended_at, sizeof(c->ended_at));
	c->started_unix = db_col_i64(st, 15);
	c->own_number = db_col_i64(st, 16) != 0;
	db_stmt_done(st);
	return CB_OK;
}

static const char sql_triggers[] =
    "SELECT id, name, conditions, actions FROM triggers "
    "WHERE event = ? AND enabled = 1 ORDER BY id LIMIT 100";

static char *
dup_col(struct db_stmt *st, unsigned idx)
{
	size_t len;
	const char *v = db_col(st, idx, &len);
	char *s;

	if (v == NULL)
		v = "", len = 0;
	if ((s = malloc(len + 1)) == NULL)
		abort();
	memcpy(s, v, len);
	s[len] = '\0';
	return s;
}

static enum cb_err
triggers_read(struct db *db, const char *event, struct auto_trigger *out,
    unsigned *n)
{
	struct db_stmt *st;
	enum cb_err rc;

	*n = 0;
	if ((rc = db_stmt(db, sql_triggers, &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, event);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	while (*n < AUTO_MAX_TRIGGERS && (rc = db_fetch(st)) == CB_OK) {
		struct auto_trigger *t = &out[(*n)++];

		t->id = db_col_i64(st, 0);
		copy_col(st, 1, t->name, sizeof(t->name));
		t->conditions = dup_col(st, 2);
		t->actions = dup_col(st, 3);
	}
	db_stmt_done(st);
	if (rc != CB_OK && rc != CB_ENOTFOUND) {
		db_auto_triggers_free(out, *n);
		*n = 0;
		return rc;
	}
	return CB_OK;
}

void
db_auto_triggers_free(struct auto_trigger *t, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		free(t[i].conditions);
		free(t[i].actions);
	}
}

/* The worker's batch cache (db_auto_cache_begin): rules and triggers read
 * once per batch of jobs instead of once per job. */
#define CACHE_RULES 4
#define CACHE_EVENTS 2
static struct {
	bool on;
	unsigned nrules, nevents;
	struct {
		char kind[32];
		struct auto_rule r;
	} rules[CACHE_RULES];
	struct {
		char event[32];
		struct auto_trigger t[AUTO_MAX_TRIGGERS];
		unsigned n;
	} events[CACHE_EVENTS];
} cache;

void
db_auto_cache_begin(void)
{
	db_auto_cache_end();
	cache.on = true;
}

void
db_auto_cache_end(void)
{
	unsigned i;

	for (i = 0; i < cache.nevents; i++)
		db_auto_triggers_free(cache.events[i].t, cache.events[i].n);
	cache.nrules = cache.nevents = 0;
	cache.on = false;
}

enum cb_err
db_auto_rule(struct db *db, const char *kind, struct auto_rule *r)
{
	enum cb_err rc;
	unsigned i;

	for (i = 0; cache.on && i < cache.nrules; i++)
		if (strcmp(cache.rules[i].kind, kind) == 0) {
			*r = cache.rules[i].r;
			return CB_OK;
		}
	if ((rc = rule_read(db, kind, r)) != CB_OK)
		return rc;
	if (cache.on && cache.nrules < CACHE_RULES &&
	    strlen(kind) < sizeof(cache.rules[0].kind)) {
		snprintf(cache.rules[cache.nrules].kind,
		    sizeof(cache.rules[0].kind), "%s", kind);
		cache.rules[cache.nrules++].r = *r;
	}
	return CB_OK;
}

static char *
xstrdup(const char *s)
{
	char *d = strdup(s);

	if (d == NULL)
		abort();
	return d;
}

static void
copy_triggers(struct auto_trigger *to, const struct auto_trigger *from,
    unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		to[i] = from[i];
		to[i].conditions = xstrdup(from[i].conditions);
		to[i].actions = xstrdup(from[i].actions);
	}
}

enum cb_err
db_auto_triggers(struct db *db, const char *event, struct auto_trigger *out,
    unsigned *n)
{
	enum cb_err rc;
	unsigned i;

	for (i = 0; cache.on && i < cache.nevents; i++)
		if (strcmp(cache.events[i].event, event) == 0) {
			copy_triggers(out, cache.events[i].t,
			    cache.events[i].n);
			*n = cache.events[i].n;
			return CB_OK;
		}
	if ((rc = triggers_read(db, event, out, n)) != CB_OK)
		return rc;
	if (cache.on && cache.nevents < CACHE_EVENTS &&
	    strlen(event) < sizeof(cache.events[0].event)) {
		i = cache.nevents++;
		snprintf(cache.events[i].event, sizeof(cache.events[0].event),
		    "%s", event);
		copy_triggers(cache.events[i].t, out, *n);
		cache.events[i].n = *n;
	}
	return CB_OK;
}

enum cb_err
db_auto_any_triggers(struct db *db, const char *event, bool *any)
{
	struct auto_trigger *ts;
	enum cb_err rc;
	unsigned n = 0;

	if ((ts = calloc(AUTO_MAX_TRIGGERS, sizeof(*ts))) == NULL)
		abort();
	rc = db_auto_triggers(db, event, ts, &n);
	db_auto_triggers_free(ts, n);
	free(ts);
	*any = n > 0;
	return rc;
}

static const char sql_trigger_actions[] =
    "SELECT actions FROM triggers WHERE id = ?";

enum cb_err
db_auto_trigger_actions(struct db *db, int64_t trigger_id, char **actions)
{
	struct db_stmt *st;
	enum cb_err rc;

	*actions = NULL;
	if ((rc = db_stmt(db, sql_trigger_actions, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, trigger_id);
	if ((rc = db_exec(st)) != CB_OK || (rc = db_fetch(st)) != CB_OK)
		return rc;
	*actions = dup_col(st, 0);
	db_stmt_done(st);
	return CB_OK;
}

static const char sql_latest_order[] =
    "SELECT o.id FROM orders o JOIN order_statuses s ON s.id = o.status_id "
    "WHERE o.customer_id = ? AND s.status_group = 'open' "
    "ORDER BY o.created_at DESC, o.id DESC LIMIT 1";
static const char sql_latest_lead[] =
    "SELECT id FROM leads WHERE customer_id = ? AND state = 'open' "
    "ORDER BY created_at DESC, id DESC LIMIT 1";

enum cb_err
db_auto_latest_order(struct db *db, int64_t customer_id, int64_t *id)
{
	return one_id(db, sql_latest_order, customer_id, NULL, id);
}

enum cb_err
db_auto_latest_lead(struct db *db, int64_t customer_id, int64_t *id)
{
	return one_id(db, sql_latest_lead, customer_id, NULL, id);
}

static const char sql_lead_of_phone[] =
    "SELECT id FROM leads WHERE phone = ? AND state = 'open' LIMIT 1";

enum cb_err
db_auto_has_open_lead(struct db *db, int64_t customer_id, const char *phone,
    bool *yes)
{
	struct db_stmt *st;
	enum cb_err rc;
	int64_t id = 0;

	*yes = false;
	if (customer_id > 0)
		rc = db_auto_latest_lead(db, customer_id, &id);
	else if (phone && *phone) {
		if ((rc = db_stmt(db, sql_lead_of_phone, &st)) != CB_OK)
			return rc;
		db_bind_text(st, 0, phone);
		if ((rc = db_exec(st)) != CB_OK)
			return rc;
		if ((rc = db_fetch(st)) == CB_OK)
			id = db_col_i64(st, 0);
		db_stmt_done(st);
		if (rc == CB_ENOTFOUND)
			rc = CB_OK;
	} else
		rc = CB_OK;
	*yes = id > 0;
	return rc;
}

static const char sql_order_in[] =
    "SELECT o.id FROM orders o JOIN order_statuses s ON s.id = o.status_id "
    "WHERE o.customer_id = ? AND s.code = ? AND s.status_group = 'open' "
    "LIMIT 1";

enum cb_err
db_auto_has_order_in(struct db *db, int64_t customer_id, const char *code,
    bool *yes)
{
	int64_t id = 0;
	enum cb_err rc = CB_OK;

	if (customer_id > 0)
		rc = one_id(db, sql_order_in, customer_id, code, &id);
	*yes = id > 0;
	return rc;
}

static const char sql_lead_insert[] =
    "INSERT INTO leads (customer_id, name, phone, lead_type, state, source, "
    "manager_id, call_id, comment, origin, created_at) VALUES (?, "
    "LEFT(?, 255), ?, COALESCE(?, 'call'), 'open', ?, ?, ?, ?, ?, "
    "UTC_TIMESTAMP(3))";

enum cb_err
db_auto_lead_create(struct db *db, const struct auto_lead *l, int64_t *id)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_lead_insert, &st)) != CB_OK)
		return rc;
	bind_id(st, 0, l->customer_id);
	db_bind_text(st, 1, l->name);
	db_bind_text(st, 2, l->phone && *l->phone ? l->phone : NULL);
	db_bind_text(st, 3, l->lead_type && *l->lead_type ? l->lead_type :
	    NULL);
	db_bind_text(st, 4, l->source);
	bind_id(st, 5, l->manager_id);
	bind_id(st, 6, l->call_id);
	db_bind_text(st, 7, l->comment);
	db_bind_text(st, 8, l->origin && *l->origin ? l->origin : NULL);
	if ((rc = db_exec(st)) == CB_OK)
		*id = (int64_t)db_insert_id(st);
	return rc;
}

static const char sql_notify[] =
    "INSERT INTO notifications (user_id, kind, title, body, url, call_id, "
    "trigger_id, created_at) VALUES (?, ?, LEFT(?, 255), ?, ?, ?, ?, "
    "UTC_TIMESTAMP(3))";

enum cb_err
db_auto_notify(struct db *db, int64_t user_id, const char *kind,
    const char *title, const char *body, const char *url, int64_t call_id,
    int64_t trigger_id)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_notify, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, user_id);
	db_bind_text(st, 1, kind);
	db_bind_text(st, 2, title);
	db_bind_text(st, 3, body);
	db_bind_text(st, 4, url);
	bind_id(st, 5, call_id);
	bind_id(st, 6, trigger_id);
	return db_exec(st);
}

static const char sql_run_add[] =
    "INSERT INTO trigger_runs (trigger_id, call_id, action_index, action, "
    "result, error, created_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, "
    "UTC_TIMESTAMP(3), IF(? = 'queued', NULL, UTC_TIMESTAMP(3)))";

enum cb_err
db_auto_run_add(struct db *db, int64_t trigger_id, int64_t call_id,
    unsigned action_index, const char *action, const char *result,
    const char *error, int64_t *run_id)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_run_add, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, trigger_id);
	bind_id(st, 1, call_id);
	db_bind_i64(st, 2, action_index);
	db_bind_text(st, 3, action);
	db_bind_text(st, 4, result);
	db_bind_text(st, 5, error);
	db_bind_text(st, 6, result);
	if ((rc = db_exec(st)) == CB_OK && run_id)
		*run_id = (int64_t)db_insert_id(st);
	return rc;
}

static const char sql_run_job[] =
    "UPDATE trigger_runs SET job_id = ? WHERE id = ?";

enum cb_err
db_auto_run_set_job(struct db *db, int64_t run_id, int64_t job_id)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_run_job, &st)) != CB_OK)
		return rc;
	bind_id(st, 0, job_id);
	db_bind_i64(st, 1, run_id);
	return db_exec(st);
}

static const char sql_run_finish[] =
    "UPDATE trigger_runs SET result = ?, error = ?, "
    "finished_at = IF(? = 'queued', NULL, UTC_TIMESTAMP(3)) WHERE id = ?";

enum cb_err
db_auto_run_finish(struct db *db, int64_t run_id, const char *result,
    const char *error)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_run_finish, &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, result);
	db_bind_text(st, 1, error);
	db_bind_text(st, 2, result);
	db_bind_i64(st, 3, run_id);
	return db_exec(st);
}

static const char sql_status_id[] =
    "SELECT id FROM order_statuses WHERE code = ?";
static const char sql_order_insert[] =
    "INSERT INTO orders (customer_id, status_id, store_id, manager_id, "
    "comment, created_at) VALUES (?, ?, ?, ?, 'Created by a trigger', "
    "UTC_TIMESTAMP(3))";

enum cb_err
db_auto_order_create(struct db *db, int64_t customer_id,
    const char *status_code, int64_t manager_id, int64_t store_id,
    int64_t *id)
{
	struct db_stmt *st;
	enum cb_err rc;
	int64_t status = 0;

	if ((rc = db_stmt(db, sql_status_id, &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, status_code);
	if ((rc = db_exec(st)) != CB_OK || (rc = db_fetch(st)) != CB_OK)
		return rc;
	status = db_col_i64(st, 0);
	db_stmt_done(st);
	if ((rc = db_stmt(db, sql_order_insert, &st)) != CB_OK)
		return rc;
	bind_id(st, 0, customer_id);
	db_bind_i64(st, 1, status);
	bind_id(st, 2, store_id);
	bind_id(st, 3, manager_id);
	if ((rc = db_exec(st)) == CB_OK)
		*id = (int64_t)db_insert_id(st);
	return rc;
}

static const char sql_call_link[] =
    "UPDATE calls SET customer_id = COALESCE(customer_id, ?), "
    "order_id = COALESCE(?, order_id) WHERE id = ?";

enum cb_err
db_auto_call_link(struct db *db, int64_t call_id, int64_t customer_id,
    int64_t order_id)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_call_link, &st)) != CB_OK)
		return rc;
	bind_id(st, 0, customer_id);
	bind_id(st, 1, order_id);
	db_bind_i64(st, 2, call_id);
	return db_exec(st);
}
