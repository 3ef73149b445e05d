/* automation: Settings › Telephony › Automation and Settings › Triggers
 * (issue 6 §1 and §3, pages half). The engine that acts on these rows is
 * elsewhere (lib/automation, the worker); this program only edits them.
 *
 *   GET  /settings/automation     the three rules as one form
 *   POST /settings/automation     saves all three in one transaction, or
 *                                 re-shows the form (400) with the errors
 *                                 next to the fields and what was typed
 *
 * Every route needs the `settings` permission. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/strparse.h"
#include "core/utf8.h"
#include "db/settings_automation.h"
#include "http/app.h"

#define USERS_MAX 1000

struct user_opt {
	int64_t id;
	const char *name;
	const char *login;
};

struct users {
	struct user_opt v[USERS_MAX];
	size_t n;
};

/* Field errors of the form; NULL = fine. */
enum field {
	F_ASSIGNEES, F_AUTHOR, F_DUE, F_RECEIVED_TYPE, F_RECEIVED_MANAGER,
	F_MISSED_TYPE, F_MISSED_MANAGER, F__MAX
};

/* What the form shows: the rules, and the due offset as typed. */
struct form {
	struct automation_rule rules[RULE__MAX];
	const char *days, *hours, *minutes;
	int64_t author;
	const char *err[F__MAX];
};

static void
add_str(struct json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, app_jstr(v));
}

static void
add_int(struct json_object *o, const char *key, int64_t v)
{
	json_object_object_add(o, key, json_object_new_int64(v));
}

static void
add_bool(struct json_object *o, const char *key, bool v)
{
	json_object_object_add(o, key, json_object_new_boolean(v));
}

static const char *db_down = "The database is not answering. Try again in "
    "a minute.";

static enum cb_err
load_users(struct ctx *ctx, struct users *u)
{
	struct db_stmt *st;
	enum cb_err rc;

	u->n = 0;
	if ((rc = db_automation_users(ctx->db, &st)) != CB_OK)
		return rc;
	while ((rc = db_fetch(st)) == CB_OK && u->n < USERS_MAX) {
		u->v[u->n].id = db_col_i64(st, 0);
		u->v[u->n].name = arena_strdup(ctx->arena, db_col(st, 1, NULL));
		u->v[u->n].login = arena_strdup(ctx->arena,
		    db_col(st, 2, NULL));
		u->n++;
	}
	db_stmt_done(st);
	return rc == CB_ENOTFOUND || rc == CB_OK ? CB_OK : rc;
}

static bool
known_user(const struct users *u, int64_t id)
{
	size_t i;

	for (i = 0; i < u->n; i++)
		if (u->v[i].id == id)
			return true;
	return false;
}

static bool
has_assignee(const struct automation_rule *r, int64_t id)
{
	size_t i;

	for (i = 0; i < r->nassignees; i++)
		if (r->assignees[i] == id)
			return true;
	return false;
}

static const char *const lead_keys[2] = { "received", "missed" };
static const char *const lead_titles[2] = {
	"Automatic lead for a received call",
	"Automatic lead for a missed call"
};

static struct json_object *
lead_model(struct ctx *ctx, const struct form *f, const struct users *u,
    int which)
{
	const struct automation_rule *r = &f->rules[which == 0 ?
	    RULE_LEAD_RECEIVED : RULE_LEAD_MISSED];
	struct json_object *o = json_object_new_object(),
	    *managers = json_object_new_array();
	const char *k = lead_keys[which];
	size_t i;

	add_str(o, "key", k);
	add_str(o, "heading", lead_titles[which]);
	add_bool(o, "enabled", r->enabled);
	add_str(o, "lead_type", r->lead_type);
	add_bool(o, "no_manager", r->lead_manager_id == 0);
	add_bool(o, "even_if_open_order", r->even_if_open_order);
	add_bool(o, "even_if_open_lead", r->even_if_open_lead);
	add_str(o, "f_enabled", arena_printf(ctx->arena, "lead_%s_enabled", k));
	add_str(o, "f_type", arena_printf(ctx->arena, "lead_%s_type", k));
	add_str(o, "f_manager", arena_printf(ctx->arena, "lead_%s_manager", k));
	add_str(o, "f_order", arena_printf(ctx->arena, "lead_%s_even_order",
	    k));
	add_str(o, "f_lead", arena_printf(ctx->arena, "lead_%s_even_lead", k));
	add_str(o, "id_type", arena_printf(ctx->arena, "lead-%s-type", k));
	add_str(o, "id_manager", arena_printf(ctx->arena, "lead-%s-manager",
	    k));
	add_str(o, "error_type", f->err[which == 0 ? F_RECEIVED_TYPE :
	    F_MISSED_TYPE]);
	add_str(o, "error_manager", f->err[which == 0 ? F_RECEIVED_MANAGER :
	    F_MISSED_MANAGER]);
	for (i = 0; i < u->n; i++) {
		struct json_object *m = json_object_new_object();

		add_int(m, "id", u->v[i].id);
		add_str(m, "name", u->v[i].name);
		add_bool(m, "selected", u->v[i].id == r->lead_manager_id);
		json_object_array_add(managers, m);
	}
	json_object_object_add(o, "managers", managers);
	return o;
}

static struct json_object *
form_model(struct ctx *ctx, const struct form *f, const struct users *u)
{
	const struct automation_rule *t = &f->rules[RULE_MISSED_TASK];
	struct json_object *m = json_object_new_object(),
	    *task = json_object_new_object(), *users = json_object_new_array(),
	    *leads = json_object_new_array();
	int64_t author = f->author ? f->author : t->nassignees ?
	    t->assignees[0] : 0;
	size_t i;
	int e, nerr = 0;

	add_bool(task, "enabled", t->enabled);
	add_bool(task, "shared", !t->each);
	add_bool(task, "each", t->each);
	add_str(task, "days", f->days);
	add_str(task, "hours", f->hours);
	add_str(task, "minutes", f->minutes);
	add_int(task, "due_offset_minutes", t->due_offset_minutes);
	add_str(task, "error_assignees", f->err[F_ASSIGNEES]);
	add_str(task, "error_author", f->err[F_AUTHOR]);
	add_str(task, "error_due", f->err[F_DUE]);
	for (i = 0; i < u->n; i++) {
		struct json_object *o = json_object_new_object();

		add_int(o, "id", u->v[i].id);
		add_str(o, "name", u->v[i].name);
		add_str(o, "login", u->v[i].login);
		add_str(o, "box_id", arena_printf(ctx->arena, "assignee-%lld",
		    (long long)u->v[i].id));
		add_bool(o, "checked", has_assignee(t, u->v[i].id));
		add_bool(o, "author", u->v[i].id == author);
		json_object_array_add(users, o);
	}
	json_object_object_add(task, "users", users);
	/* The ids in their stored order, for JSON clients. */
	{
		struct json_object *a = json_object_new_array();
		for (i = 0; i < t->nassignees; i++)
			json_object_array_add(a,
			    json_object_new_int64(t->assignees[i]));
		json_object_object_add(task, "assignee_ids", a);
	}
	json_object_object_add(m, "task", task);
	json_object_array_add(leads, lead_model(ctx, f, u, 0));
	json_object_array_add(leads, lead_model(ctx, f, u, 1));
	json_object_object_add(m, "leads", leads);
	for (e = 0; e < F__MAX; e++)
		nerr += f->err[e] != NULL;
	add_bool(m, "has_errors", nerr > 0);
	add_str(m, "title", "Automation");
	json_object_object_add(m, "confirmation", NULL);
	return m;
}

static void
offset_parts(struct ctx *ctx, struct form *f)
{
	unsigned v = f->rules[RULE_MISSED_TASK].due_offset_minutes;

	f->days = arena_printf(ctx->arena, "%u", v / 1440);
	f->hours = arena_printf(ctx->arena, "%u", v / 60 % 24);
	f->minutes = arena_printf(ctx->arena, "%u", v % 60);
}

static enum cb_err
page_automation(struct ctx *ctx)
{
	struct users *u = arena_alloc(ctx->arena, sizeof(*u));
	struct form *f = arena_alloc(ctx->arena, sizeof(*f));
	const char *saved = kv_get(&ctx->req->query, "saved");
	struct json_object *m;
	enum cb_err rc;

	memset(f, 0, sizeof(*f));
	if ((rc = load_users(ctx, u)) != CB_OK ||
	    (rc = db_automation_load(ctx->db, f->rules)) != CB_OK) {
		ctx->message = db_down;
		return rc;
	}
	offset_parts(ctx, f);
	m = form_model(ctx, f, u);
	if (saved != NULL)
		add_str(m, "confirmation", "The automation settings are saved.");
	return app_render(ctx, "settings_automation.html", m);
}

static bool
checked(struct ctx *ctx, const char *name)
{
	const char *v = kv_get(&ctx->req->form, name);

	return v != NULL && (strcmp(v, "1") == 0 || strcmp(v, "on") == 0);
}

/* A whole number field; "" is 0. */
static bool
number(const char *v, int64_t max, int64_t *out)
{
	*out = 0;
	if (v == NULL || *v == '\0')
		return true;
	return strparse_i64z(v, 0, max, out) == CB_OK;
}

static const char *
field_text(struct ctx *ctx, const char *name)
{
	const char *v = kv_get(&ctx->req->form, name);

	return v ? v : "";
}

/* A user id picked from a list: "" = none (0), else a known user. */
static bool
picked_user(const struct users *u, const char *v, int64_t *out)
{
	*out = 0;
	if (v == NULL || *v == '\0')
		return true;
	return strparse_i64z(v, 1, INT64_MAX, out) == CB_OK &&
	    known_user(u, *out);
}

static void
read_lead(struct ctx *ctx, struct form *f, const struct users *u, int which)
{
	struct automation_rule *r = &f->rules[which == 0 ?
	    RULE_LEAD_RECEIVED : RULE_LEAD_MISSED];
	const char *k = lead_keys[which];
	const char *type = field_text(ctx, arena_printf(ctx->arena,
	    "lead_%s_type", k));
	const char *mgr = kv_get(&ctx->req->form, arena_printf(ctx->arena,
	    "lead_%s_manager", k));
	enum field fe_type = which == 0 ? F_RECEIVED_TYPE : F_MISSED_TYPE;
	enum field fe_mgr = which == 0 ? F_RECEIVED_MANAGER : F_MISSED_MANAGER;
	size_t len = strlen(type);
	long chars;

	while (len > 0 && type[len - 1] == ' ')
		len--;
	while (*type == ' ')
		type++, len--;
	r->enabled = checked(ctx, arena_printf(ctx->arena, "lead_%s_enabled",
	    k));
	r->even_if_open_order = checked(ctx, arena_printf(ctx->arena,
	    "lead_%s_even_order", k));
	r->even_if_open_lead = checked(ctx, arena_printf(ctx->arena,
	    "lead_%s_even_lead", k));
	chars = utf8_chars(type, len);
	snprintf(r->lead_type, sizeof(r->lead_type), "%.*s", (int)(len <
	    sizeof(r->lead_type) ? len : sizeof(r->lead_type) - 1), type);
	if (chars < 0)
		f->err[fe_type] = "The lead type has bytes that are not text.";
	else if (chars > AUTOMATION_LEAD_TYPE_MAX)
		f->err[fe_type] = arena_printf(ctx->arena, "A lead type is at "
		    "most %d characters.", AUTOMATION_LEAD_TYPE_MAX);
	else if (r->enabled && chars == 0)
		f->err[fe_type] = "Give the type of the leads to create "
		    "(e.g. call).";
	if (!picked_user(u, mgr, &r->lead_manager_id))
		f->err[fe_mgr] = "Choose a manager from the list.";
}

static enum cb_err
post_automation(struct ctx *ctx)
{
	struct users *u = arena_alloc(ctx->arena, sizeof(*u));
	struct form *f = arena_alloc(ctx->arena, sizeof(*f));
	struct automation_rule *t;
	const char *mode;
	int64_t days, hours, minutes, id;
	size_t i;
	int e;
	enum cb_err rc;

	memset(f, 0, sizeof(*f));
	t = &f->rules[RULE_MISSED_TASK];
	if ((rc = load_users(ctx, u)) != CB_OK) {
		ctx->message = db_down;
		return rc;
	}
	t->enabled = checked(ctx, "task_enabled");
	mode = kv_get(&ctx->req->form, "task_mode");
	t->each = mode != NULL && strcmp(mode, "each") == 0;
	for (i = 0; i < ctx->req->form.n; i++) {
		const struct kv *kv = &ctx->req->form.v[i];

		if (strcmp(kv->key, "assignee") != 0)
			continue;
		if (strparse_i64z(kv->val, 1, INT64_MAX, &id) != CB_OK ||
		    !known_user(u, id)) {
			f->err[F_ASSIGNEES] = "One of the employees no longer "
			    "exists; choose from the list again.";
			continue;
		}
		if (has_assignee(t, id))
			continue;
		if (t->nassignees == AUTOMATION_MAX_ASSIGNEES) {
			f->err[F_ASSIGNEES] = arena_printf(ctx->arena, "At most "
			    "%d employees.", AUTOMATION_MAX_ASSIGNEES);
			break;
		}
		t->assignees[t->nassignees++] = id;
	}
	if (t->enabled && t->nassignees == 0 && f->err[F_ASSIGNEES] == NULL)
		f->err[F_ASSIGNEES] = "Choose at least one employee for the "
		    "missed-call tasks.";
	/* The author is the first assignee (the contract): move the chosen
	 * one to the front. */
	if (!picked_user(u, kv_get(&ctx->req->form, "author"), &f->author))
		f->err[F_AUTHOR] = "Choose the author from the list.";
	else if (f->author && !has_assignee(t, f->author))
		f->err[F_AUTHOR] = "The author must be one of the chosen "
		    "employees.";
	else if (f->author) {
		for (i = 0; t->assignees[i] != f->author; i++)
			;
		for (; i > 0; i--)
			t->assignees[i] = t->assignees[i - 1];
		t->assignees[0] = f->author;
	}
	f->days = field_text(ctx, "due_days");
	f->hours = field_text(ctx, "due_hours");
	f->minutes = field_text(ctx, "due_minutes");
	if (!number(f->days, 365, &days) || !number(f->hours, 23, &hours) ||
	    !number(f->minutes, 59, &minutes))
		f->err[F_DUE] = "Due in: days 0–365, hours 0–23, minutes "
		    "0–59, whole numbers.";
	else
		t->due_offset_minutes = (unsigned)(days * 1440 + hours * 60 +
		    minutes);
	read_lead(ctx, f, u, 0);
	read_lead(ctx, f, u, 1);
	for (e = 0; e < F__MAX; e++)
		if (f->err[e] != NULL) {
			struct json_object *m = form_model(ctx, f, u);
			ctx->resp->status = 400;
			return app_render(ctx, "settings_automation.html", m);
		}
	if ((rc = db_automation_save(ctx->db, f->rules, ctx->user->id)) !=
	    CB_OK) {
		ctx->message = "The settings were not saved: the database is "
		    "not answering. Try again in a minute.";
		return rc;
	}
	resp_redirect(ctx->resp, 303, "/settings/automation?saved=1");
	return CB_OK;
}

static const struct route routes[] = {
	{ "/settings/automation", HTTP_M(HTTP_GET), AUTH_SESSION,
	    PERM_SETTINGS, 0, 0, page_automation },
	{ "/settings/automation", HTTP_M(HTTP_POST), AUTH_SESSION,
	    PERM_SETTINGS, BODY_FORM, 0, post_automation },
};

static const struct program program = {
	"automation", routes, sizeof(routes) / sizeof(routes[0]), true
};

int
main(int argc, char *argv[])
{
	return app_main(&program, argc, argv);
}
