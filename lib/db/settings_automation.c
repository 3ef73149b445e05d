#include "config.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "db/leadcall.h"
#include "db/settings_automation.h"

static const char *const kind_names[RULE__MAX] = {
	"missed_call_task", "lead_on_received", "lead_on_missed"
};

const char *
automation_kind_name(enum automation_kind k)
{
	return k < RULE__MAX ? kind_names[k] : "";
}

static const char sql_load[] =
    "SELECT kind, enabled, assignee_ids, task_mode, due_offset_minutes, "
    "lead_type, lead_manager_id, even_if_open_order, even_if_open_lead, "
    "call_directions, COALESCE(lead_origin, '') FROM automation_rules";

/* assignee_ids as written by us or the engine: a JSON array of ids.
 * Anything else reads as no assignees (the page then asks for some). */
static void
parse_assignees(const char *s, struct automation_rule *r)
{
	struct json_object *a;
	size_t i, n;

	r->nassignees = 0;
	if (s == NULL || (a = json_tokener_parse(s)) == NULL)
		return;
	if (json_object_is_type(a, json_type_array)) {
		n = json_object_array_length(a);
		for (i = 0; i < n && r->nassignees < AUTOMATION_MAX_ASSIGNEES;
		    i++) {
			int64_t id = json_object_get_int64(
			    json_object_array_get_idx(a, i));
			if (id > 0)
				r->assignees[r->nassignees++] = id;
		}
	}
	json_object_put(a);
}

enum cb_err
db_automation_load(struct db *db, struct automation_rule rules[RULE__MAX])
{
	struct db_stmt *st;
	enum cb_err rc;
	int k;

	memset(rules, 0, sizeof(*rules) * RULE__MAX);
	for (k = 0; k < RULE__MAX; k++) {
		rules[k].due_offset_minutes = 30;
		snprintf(rules[k].directions, sizeof(rules[k].directions), "in");
	}
	if ((rc = db_stmt(db, sql_load, &st)) != CB_OK ||
	    (rc = db_exec(st)) != CB_OK)
		return rc;
	while ((rc = db_fetch(st)) == CB_OK) {
		const char *kind = db_col(st, 0, NULL), *v;
		struct automation_rule *r = NULL;

		for (k = 0; k < RULE__MAX; k++)
			if (kind && strcmp(kind, kind_names[k]) == 0)
				r = &rules[k];
		if (r == NULL)
			continue;
		r->enabled = db_col_i64(st, 1) != 0;
		parse_assignees(db_col(st, 2, NULL), r);
		v = db_col(st, 3, NULL);
		r->each = v && strcmp(v, "each") == 0;
		r->due_offset_minutes = (unsigned)db_col_i64(st, 4);
		v = db_col(st, 5, NULL);
		snprintf(r->lead_type, sizeof(r->lead_type), "%s", v ? v : "");
		r->lead_manager_id = db_col_null(st, 6) ? 0 :
		    db_col_i64(st, 6);
		r->even_if_open_order = db_col_i64(st, 7) != 0;
		r->even_if_open_lead = db_col_i64(st, 8) != 0;
		v = db_col(st, 9, NULL);
		snprintf(r->directions, sizeof(r->directions), "%s",
		    v ? v : "in");
		v = db_col(st, 10, NULL);
		snprintf(r->lead_origin, sizeof(r->lead_origin), "%s",
		    v ? v : "");
	}
	db_stmt_done(st);
	return rc == CB_ENOTFOUND ? CB_OK : rc;
}

static const char sql_save[] =
    "INSERT INTO automation_rules (kind, enabled, assignee_ids, task_mode, "
    "due_offset_minutes, lead_type, lead_manager_id, even_if_open_order, "
    "even_if_open_lead, call_directions, lead_origin, updated_by) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON DUPLICATE KEY UPDATE enabled = VALUES(enabled), "
    "assignee_ids = VALUES(assignee_ids), task_mode = VALUES(task_mode), "
    "due_offset_minutes = VALUES(due_offset_minutes), "
    "lead_type = VALUES(lead_type), lead_manager_id = VALUES(lead_manager_id), "
    "even_if_open_order = VALUES(even_if_open_order), "
    "even_if_open_lead = VALUES(even_if_open_lead), "
    "call_directions = VALUES(call_directions), "
    "lead_origin = VALUES(lead_origin), updated_by = VALUES(updated_by)";

enum cb_err
db_automation_save(struct db *db, const struct automation_rule rules[RULE__MAX],
    const struct automation_follow *follow, size_t nfollow, int64_t user_id)
{
	struct db_stmt *st;
	enum cb_err rc;
	int k;

	if ((rc = db_begin(db)) != CB_OK)
		return rc;
	for (k = 0; k < RULE__MAX; k++) {
		const struct automation_rule *r = &rules[k];
		struct json_object *a = json_object_new_array();
		size_t i;

		for (i = 0; i < r->nassignees; i++)
			json_object_array_add(a,
			    json_object_new_int64(r->assignees[i]));
		if ((rc = db_stmt(db, sql_save, &st)) != CB_OK) {
			json_object_put(a);
			goto fail;
		}
		db_bind_text(st, 0, kind_names[k]);
		db_bind_i64(st, 1, r->enabled);
		if (k == RULE_MISSED_TASK)
			db_bind_text(st, 2, json_object_to_json_string_ext(a,
			    JSON_C_TO_STRING_PLAIN));
		else
			db_bind_null(st, 2);
		db_bind_text(st, 3, r->each ? "each" : "shared");
		db_bind_i64(st, 4, r->due_offset_minutes);
		db_bind_text(st, 5, k != RULE_MISSED_TASK && r->lead_type[0] ?
		    r->lead_type : NULL);
		if (k != RULE_MISSED_TASK && r->lead_manager_id > 0)
			db_bind_i64(st, 6, r->lead_manager_id);
		else
			db_bind_null(st, 6);
		db_bind_i64(st, 7, r->even_if_open_order);
		db_bind_i64(st, 8, r->even_if_open_lead);
		/* Only the answered-call lead picks directions: a missed call
		 * is an incoming one. */
		db_bind_text(st, 9, k == RULE_LEAD_RECEIVED &&
		    r->directions[0] ? r->directions : "in");
		db_bind_text(st, 10, k != RULE_MISSED_TASK && r->lead_origin[0] ?
		    r->lead_origin : NULL);
		db_bind_i64(st, 11, user_id);
		rc = db_exec(st);
		json_object_put(a);
		if (rc != CB_OK)
			goto fail;
	}
	for (k = 0; (size_t)k < nfollow; k++)
		if ((rc = db_lead_follow_set(db, follow[k].integration_id,
		    follow[k].on)) != CB_OK)
			goto fail;
	return db_commit(db);
fail:
	db_rollback(db);
	return rc;
}

static const char sql_users[] =
    "SELECT id, name, login FROM users WHERE active = 1 ORDER BY name, id";

enum cb_err
db_automation_users(struct db *db, struct db_stmt **out)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_users, &st)) != CB_OK ||
	    (rc = db_exec(st)) != CB_OK)
		return rc;
	*out = st;
	return CB_OK;
}
