/* automation: Settings › Telephony › Automation and Settings › Triggers
 * (issue 6 §1 and §3, pages half). The engine that acts on these rows is
 * elsewhere (lib/automation, the worker); this program only edits them.
 *
 *   GET  /settings/automation     the three rules as one form, and each
 *                                 integration's "the lead follows a manual
 *                                 transfer" (issue 19 §2)
 *   POST /settings/automation     saves all of it in one transaction, or
 *                                 re-shows the form (400) with the errors
 *                                 next to the fields and what was typed
 *   GET  /settings/triggers       the triggers, enable/disable, delete
 *   GET  /settings/triggers/new   the form for a new trigger
 *   POST /settings/triggers/new   create (PRG to its page)
 *   GET  /settings/triggers/<id>  edit form and its runs, newest first
 *   POST /settings/triggers/<id>  save
 *   POST /settings/triggers/<id>/enabled   enabled=0|1
 *   POST /settings/triggers/<id>/delete
 *   /settings/sms...              SMS gateway accounts (sms_gateways.h)
 *
 * Every route needs the `settings` permission. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strparse.h"
#include "core/timefmt.h"
#include "core/utf8.h"
#include "db/leadcall.h"
#include "db/settings_automation.h"
#include "db/sms.h"
#include "db/triggers.h"
#include "http/app.h"
#include "http/form.h"
#include "sms/sms.h"
#include "sms_gateways.h"

#define USERS_MAX 1000
#define FOLLOW_MAX 200   /* integrations listed (db_lead_follow_list) */

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
	F_MISSED_TYPE, F_MISSED_MANAGER, F_RECEIVED_CALLS, F_RECEIVED_SOURCE,
	F_MISSED_SOURCE, F_FOLLOW, F__MAX
};

/* One integration's "the lead follows a manual transfer". */
struct follow_row {
	struct automation_follow f;
	const char *name;
	bool posted;          /* the form listed it (follow_ids) */
};

/* What the form shows: the rules, and the due offset as typed. */
struct form {
	struct automation_rule rules[RULE__MAX];
	const char *days, *hours, *minutes;
	int64_t author;
	struct follow_row follow[FOLLOW_MAX];
	size_t nfollow;
	const char *err[F__MAX];
};

static const char *db_down = N_("The database is not answering. Try again in "
    "a minute.");

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
	N_("Automatic lead for an answered call"),
	N_("Automatic lead for a missed call")
};

static enum cb_err
load_follow(struct ctx *ctx, struct form *f)
{
	struct db_stmt *st;
	enum cb_err rc;

	f->nfollow = 0;
	if ((rc = db_lead_follow_list(ctx->db, &st)) != CB_OK)
		return rc;
	while ((rc = db_fetch(st)) == CB_OK && f->nfollow < FOLLOW_MAX) {
		struct follow_row *r = &f->follow[f->nfollow++];
		r->f.integration_id = db_col_i64(st, 0);
		r->name = arena_strdup(ctx->arena, db_col(st, 1, NULL));
		r->f.on = db_col_i64(st, 2) != 0;
		r->posted = false;
	}
	db_stmt_done(st);
	return rc == CB_ENOTFOUND || rc == CB_OK ? CB_OK : rc;
}

static struct follow_row *
follow_of(struct form *f, int64_t id)
{
	size_t i;

	for (i = 0; i < f->nfollow; i++)
		if (f->follow[i].f.integration_id == id)
			return &f->follow[i];
	return NULL;
}

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

	app_add_str(o, "key", k);
	app_add_str(o, "heading", _(lead_titles[which]));
	app_add_bool(o, "enabled", r->enabled);
	app_add_str(o, "lead_type", r->lead_type);
	app_add_bool(o, "no_manager", r->lead_manager_id == 0);
	app_add_bool(o, "even_if_open_order", r->even_if_open_order);
	app_add_bool(o, "even_if_open_lead", r->even_if_open_lead);
	app_add_str(o, "f_enabled", arena_printf(ctx->arena, "lead_%s_enabled", k));
	app_add_str(o, "f_type", arena_printf(ctx->arena, "lead_%s_type", k));
	app_add_str(o, "f_manager", arena_printf(ctx->arena, "lead_%s_manager", k));
	app_add_str(o, "f_order", arena_printf(ctx->arena, "lead_%s_even_order",
	    k));
	app_add_str(o, "f_lead", arena_printf(ctx->arena, "lead_%s_even_lead", k));
	app_add_str(o, "id_type", arena_printf(ctx->arena, "lead-%s-type", k));
	app_add_str(o, "id_manager", arena_printf(ctx->arena, "lead-%s-manager",
	    k));
	app_add_str(o, "error_type", f->err[which == 0 ? F_RECEIVED_TYPE :
	    F_MISSED_TYPE]);
	app_add_str(o, "error_manager", f->err[which == 0 ? F_RECEIVED_MANAGER :
	    F_MISSED_MANAGER]);
	/* Seed 001: for incoming, outgoing or all calls (a missed call is
	 * always an incoming one), and the source of the new lead. */
	if (which == 0) {
		app_add_bool(o, "pick_calls", true);
		app_add_bool(o, "calls_in", strcmp(r->directions, "in") == 0);
		app_add_bool(o, "calls_out", strcmp(r->directions, "out") == 0);
		app_add_bool(o, "calls_all", strcmp(r->directions, "all") == 0);
		app_add_str(o, "error_calls", f->err[F_RECEIVED_CALLS]);
	}
	app_add_str(o, "origin", r->lead_origin);
	app_add_str(o, "f_origin", arena_printf(ctx->arena, "lead_%s_source",
	    k));
	app_add_str(o, "id_origin", arena_printf(ctx->arena, "lead-%s-source",
	    k));
	app_add_str(o, "error_origin", f->err[which == 0 ? F_RECEIVED_SOURCE :
	    F_MISSED_SOURCE]);
	for (i = 0; i < u->n; i++) {
		struct json_object *m = json_object_new_object();

		app_add_int(m, "id", u->v[i].id);
		app_add_str(m, "name", u->v[i].name);
		app_add_bool(m, "selected", u->v[i].id == r->lead_manager_id);
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

	app_add_bool(task, "enabled", t->enabled);
	app_add_bool(task, "shared", !t->each);
	app_add_bool(task, "each", t->each);
	app_add_str(task, "days", f->days);
	app_add_str(task, "hours", f->hours);
	app_add_str(task, "minutes", f->minutes);
	app_add_int(task, "due_offset_minutes", t->due_offset_minutes);
	app_add_str(task, "error_assignees", f->err[F_ASSIGNEES]);
	app_add_str(task, "error_author", f->err[F_AUTHOR]);
	app_add_str(task, "error_due", f->err[F_DUE]);
	for (i = 0; i < u->n; i++) {
		struct json_object *o = json_object_new_object();

		app_add_int(o, "id", u->v[i].id);
		app_add_str(o, "name", u->v[i].name);
		app_add_str(o, "login", u->v[i].login);
		app_add_str(o, "box_id", arena_printf(ctx->arena, "assignee-%lld",
		    (long long)u->v[i].id));
		app_add_bool(o, "checked", has_assignee(t, u->v[i].id));
		app_add_bool(o, "author", u->v[i].id == author);
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
	{
		struct json_object *a = json_object_new_array();
		for (i = 0; i < f->nfollow; i++) {
			struct json_object *o = json_object_new_object();
			app_add_int(o, "id", f->follow[i].f.integration_id);
			app_add_str(o, "name", f->follow[i].name);
			app_add_bool(o, "on", f->follow[i].f.on);
			app_add_str(o, "box_id", arena_printf(ctx->arena,
			    "follow-%lld", (long long)
			    f->follow[i].f.integration_id));
			json_object_array_add(a, o);
		}
		json_object_object_add(m, "follow", a);
		app_add_str(m, "error_follow", f->err[F_FOLLOW]);
	}
	for (e = 0; e < F__MAX; e++)
		nerr += f->err[e] != NULL;
	app_add_bool(m, "has_errors", nerr > 0);
	app_add_str(m, "title", _("Automation"));
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
	    (rc = db_automation_load(ctx->db, f->rules)) != CB_OK ||
	    (rc = load_follow(ctx, f)) != CB_OK) {
		ctx->message = _(db_down);
		return rc;
	}
	offset_parts(ctx, f);
	m = form_model(ctx, f, u);
	if (saved != NULL)
		app_add_str(m, "confirmation", _("The automation settings are saved."));
	return app_render(ctx, "settings_automation.html", m);
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

/* Issue 19 §3: which calls (the answered-call rule) and the source. */
static void
read_lead_more(struct ctx *ctx, struct form *f, int which)
{
	struct automation_rule *r = &f->rules[which == 0 ?
	    RULE_LEAD_RECEIVED : RULE_LEAD_MISSED];
	const char *k = lead_keys[which];
	const char *src = form_trim(ctx->arena, form_value(ctx,
	    arena_printf(ctx->arena, "lead_%s_source", k)));
	static const struct form_text_words source_words = {
		N_("Enter the lead source."),
		N_("The lead source is at most {n} characters."),
		N_("The lead source is not valid text."),
	};
	const char *why = form_text_error(ctx->arena, src,
	    AUTOMATION_ORIGIN_MAX, true, &source_words, NULL);
	const char *calls;

	if (why != NULL)
		f->err[which == 0 ? F_RECEIVED_SOURCE : F_MISSED_SOURCE] = why;
	/* A refused value stays in the field when it fits (never cut in
	 * the middle of a character). */
	snprintf(r->lead_origin, sizeof(r->lead_origin), "%s",
	    strlen(src) < sizeof(r->lead_origin) ? src : "");
	if (which != 0) {
		snprintf(r->directions, sizeof(r->directions), "in");
		return;
	}
	/* Absent (an older client): incoming, as before. */
	calls = kv_get(&ctx->req->form, "lead_received_calls");
	if (calls == NULL || *calls == '\0')
		calls = "in";
	if (strcmp(calls, "in") != 0 && strcmp(calls, "out") != 0 &&
	    strcmp(calls, "all") != 0) {
		f->err[F_RECEIVED_CALLS] = _("Choose incoming, outgoing or all "
		    "calls.");
		calls = "in";
	}
	snprintf(r->directions, sizeof(r->directions), "%s", calls);
}

/* The integrations the form listed (follow_ids: each one's setting
 * changes) and ticked (follow: on). Others keep theirs: one added while the
 * page was open, or all of them for a client that sends neither. */
static void
read_follow(struct ctx *ctx, struct form *f)
{
	static const char *const keys[2] = { "follow_ids", "follow" };
	struct follow_row *r;
	size_t i;
	int64_t id;
	int pass;

	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < ctx->req->form.n; i++) {
			const struct kv *kv = &ctx->req->form.v[i];

			if (strcmp(kv->key, keys[pass]) != 0)
				continue;
			if (strparse_i64z(kv->val, 1, INT64_MAX, &id) !=
			    CB_OK || (r = follow_of(f, id)) == NULL) {
				f->err[F_FOLLOW] = _("One of the integrations "
				    "no longer exists; reload the page and "
				    "choose again.");
				continue;
			}
			r->posted = true;
			r->f.on = pass == 1;
		}
}

static void
read_lead(struct ctx *ctx, struct form *f, const struct users *u, int which)
{
	struct automation_rule *r = &f->rules[which == 0 ?
	    RULE_LEAD_RECEIVED : RULE_LEAD_MISSED];
	const char *k = lead_keys[which];
	const char *type = form_value(ctx, arena_printf(ctx->arena,
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
	r->enabled = form_checked(ctx, arena_printf(ctx->arena, "lead_%s_enabled",
	    k));
	r->even_if_open_order = form_checked(ctx, arena_printf(ctx->arena,
	    "lead_%s_even_order", k));
	r->even_if_open_lead = form_checked(ctx, arena_printf(ctx->arena,
	    "lead_%s_even_lead", k));
	chars = utf8_chars(type, len);
	snprintf(r->lead_type, sizeof(r->lead_type), "%.*s", (int)(len <
	    sizeof(r->lead_type) ? len : sizeof(r->lead_type) - 1), type);
	if (chars < 0)
		f->err[fe_type] = _("The lead type has bytes that are not text.");
	else if (chars > AUTOMATION_LEAD_TYPE_MAX)
		f->err[fe_type] = app_fill_n(ctx, _("A lead type is at most "
		    "{n} characters."), AUTOMATION_LEAD_TYPE_MAX);
	else if (r->enabled && chars == 0)
		f->err[fe_type] = _("Give the type of the leads to create "
		    "(e.g. call).");
	if (!picked_user(u, mgr, &r->lead_manager_id))
		f->err[fe_mgr] = _("Choose a manager from the list.");
	read_lead_more(ctx, f, which);
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
	if ((rc = load_users(ctx, u)) != CB_OK ||
	    (rc = load_follow(ctx, f)) != CB_OK) {
		ctx->message = _(db_down);
		return rc;
	}
	t->enabled = form_checked(ctx, "task_enabled");
	mode = kv_get(&ctx->req->form, "task_mode");
	t->each = mode != NULL && strcmp(mode, "each") == 0;
	for (i = 0; i < ctx->req->form.n; i++) {
		const struct kv *kv = &ctx->req->form.v[i];

		if (strcmp(kv->key, "assignee") != 0)
			continue;
		if (strparse_i64z(kv->val, 1, INT64_MAX, &id) != CB_OK ||
		    !known_user(u, id)) {
			f->err[F_ASSIGNEES] = _("One of the employees no longer "
			    "exists; choose from the list again.");
			continue;
		}
		if (has_assignee(t, id))
			continue;
		if (t->nassignees == AUTOMATION_MAX_ASSIGNEES) {
			f->err[F_ASSIGNEES] = app_fill_n(ctx, _("At most {n} "
			    "employees."), AUTOMATION_MAX_ASSIGNEES);
			break;
		}
		t->assignees[t->nassignees++] = id;
	}
	if (t->enabled && t->nassignees == 0 && f->err[F_ASSIGNEES] == NULL)
		f->err[F_ASSIGNEES] = _("Choose at least one employee for the "
		    "missed-call tasks.");
	/* The author is the first assignee (the contract): move the chosen
	 * one to the front. */
	if (!picked_user(u, kv_get(&ctx->req->form, "author"), &f->author))
		f->err[F_AUTHOR] = _("Choose the author from the list.");
	else if (f->author && !has_assignee(t, f->author))
		f->err[F_AUTHOR] = _("The author must be one of the chosen "
		    "employees.");
	else if (f->author) {
		for (i = 0; t->assignees[i] != f->author; i++)
			;
		for (; i > 0; i--)
			t->assignees[i] = t->assignees[i - 1];
		t->assignees[0] = f->author;
	}
	f->days = form_value(ctx, "due_days");
	f->hours = form_value(ctx, "due_hours");
	f->minutes = form_value(ctx, "due_minutes");
	if (!number(f->days, 365, &days) || !number(f->hours, 23, &hours) ||
	    !number(f->minutes, 59, &minutes))
		f->err[F_DUE] = _("Due in: days 0–365, hours 0–23, minutes "
		    "0–59, whole numbers.");
	else
		t->due_offset_minutes = (unsigned)(days * 1440 + hours * 60 +
		    minutes);
	read_lead(ctx, f, u, 0);
	read_lead(ctx, f, u, 1);
	read_follow(ctx, f);
	for (e = 0; e < F__MAX; e++)
		if (f->err[e] != NULL) {
			struct json_object *m = form_model(ctx, f, u);
			ctx->resp->status = 400;
			return app_render(ctx, "settings_automation.html", m);
		}
	{
		/* Only the listed integrations' settings are written. */
		struct automation_follow *w = arena_alloc(ctx->arena,
		    sizeof(*w) * (f->nfollow + 1));
		size_t n = 0;

		for (i = 0; i < f->nfollow; i++)
			if (f->follow[i].posted)
				w[n++] = f->follow[i].f;
		rc = db_automation_save(ctx->db, f->rules, w, n,
		    ctx->user->id);
	}
	if (rc != CB_OK) {
		ctx->message = _("The settings were not saved: the database is "
		    "not answering. Try again in a minute.");
		return rc;
	}
	resp_redirect(ctx->resp, 303, "/settings/automation?saved=1");
	return CB_OK;
}

/* ------------------------------------------------------------ triggers -- */

#define ACTION_ROWS_MAX 20
#define ACTION_ROWS_EMPTY 2

/* One action row of the form, as typed (or as stored). */
struct action_row {
	const char *type, *notify, *user, *url, *secret, *email, *subject,
	    *title, *assignee, *due, *status, *gateway, *text, *sms_zone;
	const char *masked;      /* the stored webhook secret, masked */
	const char *stored_secret;
	const char *error;
};

/* The action fields in the order each row posts them. */
enum afield {
	AF_TYPE, AF_NOTIFY, AF_USER, AF_URL, AF_SECRET, AF_EMAIL, AF_SUBJECT,
	AF_TITLE, AF_ASSIGNEE, AF_DUE, AF_STATUS, AF_GATEWAY, AF_TEXT, AF_SMS_ZONE,
	AF__MAX
};
static const char *const afield_names[AF__MAX] = {
	"a_type", "a_notify", "a_user", "a_url", "a_secret", "a_email",
	"a_subject", "a_title", "a_assignee", "a_due", "a_status",
	"a_gateway", "a_text", "a_sms_zone"
};

static const char **
afield(struct action_row *r, enum afield f)
{
	switch (f) {
	case AF_TYPE: return &r->type;
	case AF_NOTIFY: return &r->notify;
	case AF_USER: return &r->user;
	case AF_URL: return &r->url;
	case AF_SECRET: return &r->secret;
	case AF_EMAIL: return &r->email;
	case AF_SUBJECT: return &r->subject;
	case AF_TITLE: return &r->title;
	case AF_ASSIGNEE: return &r->assignee;
	case AF_DUE: return &r->due;
	case AF_STATUS: return &r->status;
	case AF_GATEWAY: return &r->gateway;
	case AF_TEXT: return &r->text;
	case AF_SMS_ZONE: return &r->sms_zone;
	default: abort();
	}
}

static const char *const action_types[][2] = {
	{ "", N_("(no action)") },
	{ "notify", N_("Notify") },
	{ "webhook", N_("HTTP webhook") },
	{ "email", N_("E-mail") },
	{ "task", N_("Task") },
	{ "create_customer", N_("Create the customer (unknown caller)") },
	{ "create_order", N_("Create an order") },
	{ "sms", N_("Send an SMS to the caller") },
};
#define NACTION_TYPES (sizeof(action_types) / sizeof(action_types[0]))

/* An action's name in the viewer's language ("notify": "Notify"); a
 * type this version does not know as it is stored. */
static const char *
action_label(const char *type)
{
	size_t i;

	for (i = 1; type && i < NACTION_TYPES; i++)
		if (strcmp(type, action_types[i][0]) == 0)
			return _(action_types[i][1]);
	return type;
}

/* trigger_runs.result in the viewer's language. */
static const char *
run_result_label(const char *result)
{
	static const char *const results[][2] = {
		{ "queued", N_("queued") }, { "ok", N_("ok") },
		{ "failed", N_("failed") }, { "skipped", N_("skipped") },
	};
	size_t i;

	for (i = 0; result && i < sizeof(results) / sizeof(results[0]); i++)
		if (strcmp(result, results[i][0]) == 0)
			return _(results[i][1]);
	return result;
}

struct tform {
	int64_t id;
	const char *name, *event;
	bool enabled;
	const char *direction, *integration, *customer, *order_status;
	const char *time_from, *time_to, *time_zone;
	struct action_row rows[ACTION_ROWS_MAX];
	size_t nrows;
	const char *err_name, *err_event, *err_direction, *err_integration,
	    *err_customer, *err_status, *err_time, *err_zone, *err_actions;
	bool errors;
};

static const char *
jtext(struct ctx *ctx, struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) || v == NULL)
		return NULL;
	return arena_strdup(ctx->arena, json_object_get_string(v));
}

static const char *
mask_secret(struct ctx *ctx, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0)
		return NULL;
	if (n < 12)
		return "••••";
	return arena_printf(ctx->arena, "•••• %s", s + n - 4);
}

/* The stored conditions and actions into the form. */
static void
tform_from_json(struct ctx *ctx, struct tform *f, const char *conds,
    const char *actions)
{
	struct json_object *c = conds ? json_tokener_parse(conds) : NULL;
	struct json_object *a = actions ? json_tokener_parse(actions) : NULL;
	size_t i, n;

	if (c && json_object_is_type(c, json_type_object)) {
		f->direction = jtext(ctx, c, "direction");
		f->integration = jtext(ctx, c, "integration_id");
		f->customer = jtext(ctx, c, "customer");
		f->order_status = jtext(ctx, c, "order_status");
		f->time_from = jtext(ctx, c, "time_from");
		f->time_to = jtext(ctx, c, "time_to");
		f->time_zone = jtext(ctx, c, "time_zone");
	}
	if (a && json_object_is_type(a, json_type_array)) {
		n = json_object_array_length(a);
		for (i = 0; i < n && f->nrows < ACTION_ROWS_MAX; i++) {
			struct json_object *o = json_object_array_get_idx(a, i);
			struct action_row *r = &f->rows[f->nrows++];
			const char *t = jtext(ctx, o, "type");

			memset(r, 0, sizeof(*r));
			r->type = t;
			if (t && strcmp(t, "notify") == 0) {
				r->user = jtext(ctx, o, "user_id");
				r->notify = r->user ? "user" : "manager";
			} else if (t && strcmp(t, "webhook") == 0) {
				r->url = jtext(ctx, o, "url");
				r->stored_secret = jtext(ctx, o, "secret");
				r->masked = mask_secret(ctx, r->stored_secret);
			} else if (t && strcmp(t, "email") == 0) {
				r->email = jtext(ctx, o, "to");
				r->subject = jtext(ctx, o, "subject");
			} else if (t && strcmp(t, "task") == 0) {
				r->title = jtext(ctx, o, "title");
				r->assignee = jtext(ctx, o, "assignee");
				r->due = jtext(ctx, o, "due_minutes");
			} else if (t && strcmp(t, "create_order") == 0)
				r->status = jtext(ctx, o, "status");
			else if (t && strcmp(t, "sms") == 0) {
				r->gateway = jtext(ctx, o, "gateway_id");
				r->text = jtext(ctx, o, "text");
				r->sms_zone = jtext(ctx, o, "time_zone");
			}
		}
	}
	if (c)
		json_object_put(c);
	if (a)
		json_object_put(a);
}

static struct json_object *
options(struct ctx *ctx, struct db_stmt *st, const char *selected,
    enum cb_err *rc)
{
	struct json_object *a = json_object_new_array();

	while ((*rc = db_fetch(st)) == CB_OK) {
		struct json_object *o = json_object_new_object();
		const char *v = db_col(st, 0, NULL);

		app_add_str(o, "value", v);
		app_add_str(o, "label", db_col(st, 1, NULL));
		app_add_bool(o, "selected", selected && v && strcmp(v, selected) ==
		    0);
		json_object_array_add(a, o);
	}
	db_stmt_done(st);
	if (*rc == CB_ENOTFOUND)
		*rc = CB_OK;
	(void)ctx;
	return a;
}

static struct json_object *
choice(const char *const (*opts)[2], size_t n, const char *selected)
{
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();

		app_add_str(o, "value", opts[i][0]);
		app_add_str(o, "label", _(opts[i][1]));
		app_add_bool(o, "selected", strcmp(opts[i][0], selected ? selected :
		    "") == 0);
		json_object_array_add(a, o);
	}
	return a;
}

static const char *const directions[][2] = {
	{ "", N_("any") }, { "in", N_("incoming") }, { "out", N_("outgoing") }
};
static const char *const customers[][2] = {
	{ "", N_("any caller") }, { "known", N_("a known customer") },
	{ "unknown", N_("an unknown caller") }
};
static const char *const notify_to[][2] = {
	{ "manager", N_("the call's manager (else the customer's)") },
	{ "user", N_("this user:") }
};

/* "42 characters, 1 SMS (GSM-7) before {placeholders} are filled in",
 * for the SMS text under the field. */
static const char *
sms_length_hint(struct ctx *ctx, const char *text)
{
	struct sms_length l;

	if (text == NULL || *text == '\0')
		return NULL;
	sms_length(text, strlen(text), &l);
	return arena_printf(ctx->arena, "%s, %s (%s)%s%s", app_fill_n(ctx,
	    ngettext("{n} character", "{n} characters", (unsigned long)
	    l.chars), l.chars), app_fill_n(ctx, ngettext("{n} SMS", "{n} SMS",
	    l.segments), l.segments), l.ucs2 ? _("Unicode: 70 per SMS, 67 "
	    "per part") : _("GSM-7: 160 per SMS, 153 per part"),
	    strchr(text, '{') ? " " : "", strchr(text, '{') ?
	    _("before the placeholders are filled in") : "");
}

static enum cb_err
trigger_render(struct ctx *ctx, struct tform *f, const char *notice,
    bool with_runs)
{
	struct json_object *m = json_object_new_object(),
	    *t = json_object_new_object(), *c = json_object_new_object(),
	    *rows = json_object_new_array();
	struct db_stmt *st;
	enum cb_err rc;
	size_t i;

	app_add_bool(t, "is_new", f->id == 0);
	if (f->id)
		app_add_int(t, "id", f->id);
	app_add_str(t, "name", f->name);
	app_add_bool(t, "enabled", f->enabled);
	app_add_bool(t, "on_new_call", f->event && strcmp(f->event, "new_call") ==
	    0);
	app_add_bool(t, "on_missed_call", f->event == NULL ||
	    strcmp(f->event, "missed_call") == 0);
	app_add_str(t, "action", f->id ? arena_printf(ctx->arena,
	    "/settings/triggers/%lld", (long long)f->id) :
	    "/settings/triggers/new");
	app_add_str(t, "error_name", f->err_name);
	app_add_str(t, "error_event", f->err_event);
	app_add_str(t, "error_actions", f->err_actions);
	json_object_object_add(m, "trigger", t);

	json_object_object_add(c, "directions", choice(directions, 3,
	    f->direction));
	json_object_object_add(c, "customers", choice(customers, 3,
	    f->customer));
	if ((rc = db_trigger_integrations(ctx->db, &st)) != CB_OK)
		goto fail;
	json_object_object_add(c, "integrations", options(ctx, st,
	    f->integration, &rc));
	if (rc != CB_OK || (rc = db_trigger_order_statuses(ctx->db, &st)) !=
	    CB_OK)
		goto fail;
	json_object_object_add(c, "statuses", options(ctx, st,
	    f->order_status, &rc));
	if (rc != CB_OK)
		goto fail;
	app_add_str(c, "time_from", f->time_from);
	app_add_str(c, "time_to", f->time_to);
	app_add_str(c, "time_zone", f->time_zone);
	app_add_str(c, "error_direction", f->err_direction);
	app_add_str(c, "error_integration", f->err_integration);
	app_add_str(c, "error_customer", f->err_customer);
	app_add_str(c, "error_status", f->err_status);
	app_add_str(c, "error_time", f->err_time);
	app_add_str(c, "error_zone", f->err_zone);
	json_object_object_add(m, "conditions", c);

	for (i = 0; i < f->nrows + ACTION_ROWS_EMPTY && i < ACTION_ROWS_MAX;
	    i++) {
		struct action_row empty, *r = i < f->nrows ? &f->rows[i] : NULL;
		struct json_object *o = json_object_new_object(), *assignees;

		if (r == NULL) {
			memset(&empty, 0, sizeof(empty));
			r = &empty;
		}
		app_add_int(o, "n", (int64_t)i + 1);
		json_object_object_add(o, "types", choice(action_types,
		    NACTION_TYPES, r->type));
		json_object_object_add(o, "notify_to", choice(notify_to, 2,
		    r->notify ? r->notify : "manager"));
		if ((rc = db_automation_users(ctx->db, &st)) != CB_OK) {
			json_object_put(o);
			goto fail;
		}
		json_object_object_add(o, "users", options(ctx, st, r->user,
		    &rc));
		if (rc != CB_OK || (rc = db_automation_users(ctx->db, &st)) !=
		    CB_OK) {
			json_object_put(o);
			goto fail;
		}
		assignees = options(ctx, st, r->assignee, &rc);
		json_object_object_add(o, "assignees", assignees);
		app_add_bool(o, "assignee_manager", r->assignee == NULL ||
		    strcmp(r->assignee, "manager") == 0);
		if (rc != CB_OK ||
		    (rc = db_trigger_order_statuses(ctx->db, &st)) != CB_OK) {
			json_object_put(o);
			goto fail;
		}
		json_object_object_add(o, "statuses", options(ctx, st,
		    r->status, &rc));
		app_add_str(o, "url", r->url);
		app_add_str(o, "masked", r->masked);
		app_add_str(o, "email", r->email);
		app_add_str(o, "subject", r->subject);
		app_add_str(o, "title", r->title);
		app_add_str(o, "due", r->due);
		app_add_str(o, "sms_text", r->text);
		app_add_str(o, "sms_zone", r->sms_zone);
		app_add_str(o, "sms_length", sms_length_hint(ctx, r->text));
		if (rc == CB_OK) {
			struct json_object *gws = NULL;

			if ((rc = sms_gateway_options(ctx, r->gateway, &gws)) ==
			    CB_OK)
				json_object_object_add(o, "gateways", gws);
		}
		app_add_str(o, "error", r->error);
		json_object_array_add(rows, o);
		if (rc != CB_OK)
			goto fail;
	}
	json_object_object_add(m, "actions", rows);
	rows = NULL;

	if (with_runs && f->id) {
		struct json_object *runs = json_object_new_array();

		json_object_object_add(m, "runs", runs);
		if ((rc = db_trigger_runs(ctx->db, f->id, &st)) != CB_OK)
			goto fail;
		while ((rc = db_fetch(st)) == CB_OK) {
			struct json_object *o = json_object_new_object();
			int64_t call = db_col_null(st, TR_CALL_ID) ? 0 :
			    db_col_i64(st, TR_CALL_ID);
			const char *res = db_col(st, TR_RESULT, NULL);

			app_add_int(o, "id", db_col_i64(st, TR_ID));
			app_add_str(o, "call_url", call ? arena_printf(ctx->arena,
			    "/calls/%lld", (long long)call) : NULL);
			app_add_str(o, "call_label", call ? arena_printf(ctx->arena,
			    "%s %lld%s%s", _("call"), (long long)call,
			    db_col(st, TR_CALL_NUMBER, NULL) ? " · " : "",
			    db_col(st, TR_CALL_NUMBER, NULL) ? db_col(st,
			    TR_CALL_NUMBER, NULL) : "") : NULL);
			app_add_int(o, "action_index", db_col_i64(st,
			    TR_ACTION_INDEX) + 1);
			app_add_str(o, "action", db_col(st, TR_ACTION, NULL));
			app_add_str(o, "action_label", action_label(db_col(st,
			    TR_ACTION, NULL)));
			app_add_str(o, "result", res);
			app_add_str(o, "result_label", run_result_label(res));
			app_add_bool(o, "failed", res && (strcmp(res, "failed") ==
			    0 || strcmp(res, "unknown") == 0));
			app_add_str(o, "error", db_col(st, TR_ERROR, NULL));
			app_add_time(ctx, o, "time", db_col(st, TR_CREATED_AT,
			    NULL));
			json_object_array_add(runs, o);
		}
		db_stmt_done(st);
		if (rc != CB_ENOTFOUND)
			goto fail;
	} else
		json_object_object_add(m, "runs", NULL);
	app_add_bool(m, "has_errors", f->errors);
	app_add_str(m, "confirmation", notice);
	app_add_str(m, "title", f->id ? arena_printf(ctx->arena, "%s · %s",
	    f->name ? f->name : "", _("Triggers")) : _("New trigger"));
	if (f->errors)
		ctx->resp->status = 400;
	return app_render(ctx, "settings_trigger.html", m);
fail:
	if (rows)
		json_object_put(rows);
	json_object_put(m);
	ctx->message = _(db_down);
	return rc == CB_ENOTFOUND ? CB_EDB : rc;
}

static enum cb_err
tform_load(struct ctx *ctx, int64_t id, struct tform *f)
{
	struct db_stmt *st;
	const char *conds, *acts;
	enum cb_err rc;

	memset(f, 0, sizeof(*f));
	if ((rc = db_trigger_get(ctx->db, id, &st)) != CB_OK) {
		ctx->message = rc == CB_ENOTFOUND ? _("There is no such trigger.")
		    : _(db_down);
		return rc;
	}
	f->id = id;
	f->name = arena_strdup(ctx->arena, db_col(st, TC_NAME, NULL));
	f->event = arena_strdup(ctx->arena, db_col(st, TC_EVENT, NULL));
	f->enabled = db_col_i64(st, TC_ENABLED) != 0;
	conds = db_col(st, TC_CONDITIONS, NULL);
	conds = conds ? arena_strdup(ctx->arena, conds) : NULL;
	acts = db_col(st, TC_ACTIONS, NULL);
	acts = acts ? arena_strdup(ctx->arena, acts) : NULL;
	db_stmt_done(st);
	tform_from_json(ctx, f, conds, acts);
	return CB_OK;
}

static const char *
event_label(const char *e)
{
	return e && strcmp(e, "missed_call") == 0 ? _("Missed call") :
	    _("New call");
}

static enum cb_err
page_triggers(struct ctx *ctx)
{
	struct json_object *m, *list;
	struct db_stmt *st;
	const char *v = kv_get(&ctx->req->query, "deleted");
	enum cb_err rc;

	if ((rc = db_triggers_list(ctx->db, &st)) != CB_OK) {
		ctx->message = _(db_down);
		return rc;
	}
	m = json_object_new_object();
	list = json_object_new_array();
	json_object_object_add(m, "triggers", list);
	while ((rc = db_fetch(st)) == CB_OK) {
		struct json_object *o = json_object_new_object(), *a;
		int64_t id = db_col_i64(st, TC_ID);
		bool on = db_col_i64(st, TC_ENABLED) != 0;

		app_add_int(o, "id", id);
		app_add_str(o, "name", db_col(st, TC_NAME, NULL));
		app_add_str(o, "event", db_col(st, TC_EVENT, NULL));
		app_add_str(o, "event_label", event_label(db_col(st, TC_EVENT,
		    NULL)));
		app_add_bool(o, "enabled", on);
		a = json_tokener_parse(db_col(st, TC_ACTIONS, NULL) ?
		    db_col(st, TC_ACTIONS, NULL) : "[]");
		app_add_int(o, "actions", a && json_object_is_type(a,
		    json_type_array) ? (int64_t)json_object_array_length(a) : 0);
		if (a)
			json_object_put(a);
		app_add_count(ctx, o, "runs", db_col_i64(st, TC_RUNS));
		app_add_time(ctx, o, "last_run", db_col(st, TC_LAST_RUN, NULL));
		app_add_str(o, "url", arena_printf(ctx->arena,
		    "/settings/triggers/%lld", (long long)id));
		app_add_str(o, "enabled_url", arena_printf(ctx->arena,
		    "/settings/triggers/%lld/enabled", (long long)id));
		app_add_str(o, "delete_url", arena_printf(ctx->arena,
		    "/settings/triggers/%lld/delete", (long long)id));
		app_add_str(o, "toggle_value", on ? "0" : "1");
		json_object_array_add(list, o);
	}
	db_stmt_done(st);
	if (rc != CB_ENOTFOUND) {
		json_object_put(m);
		ctx->message = _(db_down);
		return rc;
	}
	app_add_str(m, "title", _("Triggers"));
	app_add_str(m, "confirmation", v && *v == '1' ? _("The trigger is deleted.")
	    : NULL);
	return app_render(ctx, "settings_triggers.html", m);
}

static enum cb_err
page_trigger_new(struct ctx *ctx)
{
	struct tform *f = arena_alloc(ctx->arena, sizeof(*f));

	memset(f, 0, sizeof(*f));
	f->enabled = true;
	f->event = "missed_call";
	return trigger_render(ctx, f, NULL, false);
}

static enum cb_err
page_trigger(struct ctx *ctx)
{
	struct tform *f = arena_alloc(ctx->arena, sizeof(*f));
	const char *v = kv_get(&ctx->req->query, "saved");
	enum cb_err rc;

	if ((rc = tform_load(ctx, ctx->ids[0], f)) != CB_OK)
		return rc;
	return trigger_render(ctx, f, v && *v == '1' ? _("The trigger is "
	    "saved.") : v && *v == 'n' ? _("The trigger is created.") : NULL, true);
}

/* HH:MM, 00:00 to 23:59. */
static bool
valid_hhmm(const char *s)
{
	return strlen(s) == 5 && s[2] == ':' &&
	    s[0] >= '0' && s[0] <= '2' && s[1] >= '0' && s[1] <= '9' &&
	    (s[0] < '2' || s[1] <= '3') && s[3] >= '0' && s[3] <= '5' &&
	    s[4] >= '0' && s[4] <= '9';
}

/* local@domain.tld: one @, a dot in the domain, no spaces (the SMTP
 * server has the last word; this catches typing mistakes). */
static bool
valid_email(const char *e)
{
	const char *at = strchr(e, '@'), *dot;
	size_t i, n = strlen(e);

	if (n < 5 || n > 254 || at == NULL || at == e ||
	    strchr(at + 1, '@') != NULL)
		return false;
	dot = strrchr(at + 1, '.');
	if (dot == NULL || dot == at + 1 || dot[1] == '\0')
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)e[i] <= ' ' || e[i] == '<' || e[i] == '>' ||
		    e[i] == ',' || e[i] == ';')
			return false;
	return true;
}

static bool
option_known(struct ctx *ctx, enum cb_err (*list)(struct db *,
    struct db_stmt **), const char *v, enum cb_err *rc)
{
	struct db_stmt *st;
	bool found = false;

	if ((*rc = list(ctx->db, &st)) != CB_OK)
		return false;
	while ((*rc = db_fetch(st)) == CB_OK)
		if (!found && db_col(st, 0, NULL) &&
		    strcmp(db_col(st, 0, NULL), v) == 0)
			found = true;
	db_stmt_done(st);
	if (*rc == CB_ENOTFOUND)
		*rc = CB_OK;
	return found;
}

static bool
sms_gateway_known(struct ctx *ctx, int64_t id, enum cb_err *rc)
{
	struct db_stmt *st;

	*rc = db_sms_gateway_get(ctx->db, id, &st);
	if (*rc == CB_OK) {
		db_stmt_done(st);
		return true;
	}
	if (*rc == CB_ENOTFOUND)
		*rc = CB_OK;
	return false;
}

/* Reads and validates the form; on success *conds and *acts hold the
 * JSON texts. stored: the rows as saved before (webhook secrets left
 * empty are kept from the same row). */
static enum cb_err
tform_read(struct ctx *ctx, struct tform *f, const struct tform *stored,
    const char **conds, const char **acts)
{
	struct json_object *c = json_object_new_object(),
	    *a = json_object_new_array();
	size_t counts[AF__MAX] = { 0 }, i;
	long chars;
	int64_t v;
	enum cb_err rc = CB_OK;
	int e;

	f->name = form_trimmed(ctx, "name");
	chars = utf8_chars(f->name, strlen(f->name));
	if (chars <= 0 || chars > TRIGGER_NAME_MAX)
		f->err_name = _("Give the trigger a name of 1 to 128 characters.");
	f->event = form_trimmed(ctx, "event");
	if (strcmp(f->event, "new_call") != 0 &&
	    strcmp(f->event, "missed_call") != 0)
		f->err_event = _("Choose when the trigger runs: on a new call or "
		    "on a missed call.");
	f->enabled = kv_get(&ctx->req->form, "enabled") != NULL;

	f->direction = form_trimmed(ctx, "direction");
	if (*f->direction) {
		if (strcmp(f->direction, "in") && strcmp(f->direction, "out"))
			f->err_direction = _("Choose incoming, outgoing or any.");
		else
			json_object_object_add(c, "direction",
			    json_object_new_string(f->direction));
	}
	f->integration = form_trimmed(ctx, "integration_id");
	if (*f->integration) {
		if (strparse_i64z(f->integration, 1, INT64_MAX, &v) != CB_OK ||
		    !option_known(ctx, db_trigger_integrations, f->integration,
		    &rc))
			f->err_integration = _("Choose an integration from the "
			    "list.");
		else
			json_object_object_add(c, "integration_id",
			    json_object_new_int64(v));
		if (rc != CB_OK)
			goto fail;
	}
	f->customer = form_trimmed(ctx, "customer");
	if (*f->customer) {
		if (strcmp(f->customer, "known") && strcmp(f->customer,
		    "unknown"))
			f->err_customer = _("Choose known, unknown or any caller.");
		else
			json_object_object_add(c, "customer",
			    json_object_new_string(f->customer));
	}
	f->order_status = form_trimmed(ctx, "order_status");
	if (*f->order_status) {
		if (!option_known(ctx, db_trigger_order_statuses,
		    f->order_status, &rc))
			f->err_status = _("Choose an order status from the list.");
		else
			json_object_object_add(c, "order_status",
			    json_object_new_string(f->order_status));
		if (rc != CB_OK)
			goto fail;
	}
	f->time_from = form_trimmed(ctx, "time_from");
	f->time_to = form_trimmed(ctx, "time_to");
	f->time_zone = form_trimmed(ctx, "time_zone");
	if (*f->time_from || *f->time_to) {
		if (!valid_hhmm(f->time_from) || !valid_hhmm(f->time_to))
			f->err_time = _("Give both times as HH:MM (00:00 to "
			    "23:59); a window may wrap midnight, e.g. 22:00 "
			    "to 06:00.");
		else {
			json_object_object_add(c, "time_from",
			    json_object_new_string(f->time_from));
			json_object_object_add(c, "time_to",
			    json_object_new_string(f->time_to));
		}
	}
	if (*f->time_zone) {
		if (!form_zone_valid(f->time_zone))
			f->err_zone = _("Unknown time zone: use a name like "
			    "Europe/Kyiv or UTC.");
		else
			json_object_object_add(c, "time_zone",
			    json_object_new_string(f->time_zone));
	}

	/* Action rows: the i-th value of each field makes the i-th row. */
	for (i = 0; i < ctx->req->form.n; i++) {
		const struct kv *kv = &ctx->req->form.v[i];

		for (e = 0; e < AF__MAX; e++)
			if (strcmp(kv->key, afield_names[e]) == 0)
				break;
		if (e == AF__MAX)
			continue;
		if (counts[e] >= ACTION_ROWS_MAX) {
			f->err_actions = _("At most 20 actions.");
			continue;
		}
		*afield(&f->rows[counts[e]], (enum afield)e) = kv->val;
		if (++counts[e] > f->nrows)
			f->nrows = counts[e];
	}
	for (i = 0; i < f->nrows; i++) {
		struct action_row *r = &f->rows[i];
		const struct action_row *old = stored && i < stored->nrows ?
		    &stored->rows[i] : NULL;
		struct json_object *o;
		const char *t = r->type ? r->type : "";

		if (*t == '\0')
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "type", json_object_new_string(t));
		if (strcmp(t, "notify") == 0) {
			if (r->notify && strcmp(r->notify, "user") == 0) {
				if (r->user == NULL || strparse_i64z(r->user, 1,
				    INT64_MAX, &v) != CB_OK ||
				    !option_known(ctx, db_automation_users,
				    r->user, &rc))
					r->error = _("Choose the user to notify.");
				else
					json_object_object_add(o, "user_id",
					    json_object_new_int64(v));
			} else
				json_object_object_add(o, "to",
				    json_object_new_string("manager"));
		} else if (strcmp(t, "webhook") == 0) {
			const char *secret = r->secret && *r->secret ?
			    r->secret : old && old->type && strcmp(old->type,
			    "webhook") == 0 ? old->stored_secret : NULL;

			if (r->url == NULL || !form_http_url_valid(r->url))
				r->error = _("The webhook URL must start with "
				    "http:// or https:// and have no spaces.");
			else if (secret == NULL || *secret == '\0')
				r->error = _("Give the webhook a secret: the "
				    "receiver checks X-Callboard-Signature with "
				    "it.");
			else if (strlen(secret) > 256)
				r->error = _("The secret is at most 256 "
				    "characters.");
			else {
				json_object_object_add(o, "url",
				    json_object_new_string(r->url));
				json_object_object_add(o, "secret",
				    json_object_new_string(secret));
			}
			r->stored_secret = secret;
			r->masked = mask_secret(ctx, secret);
		} else if (strcmp(t, "email") == 0) {
			if (r->email == NULL || !valid_email(r->email))
				r->error = _("Give an e-mail address like "
				    "name@example.com.");
			else if (r->subject && utf8_chars(r->subject,
			    strlen(r->subject)) > 200)
				r->error = _("The subject is at most 200 "
				    "characters.");
			else {
				json_object_object_add(o, "to",
				    json_object_new_string(r->email));
				if (r->subject && *r->subject)
					json_object_object_add(o, "subject",
					    json_object_new_string(r->subject));
			}
		} else if (strcmp(t, "task") == 0) {
			long tc = r->title ? utf8_chars(r->title,
			    strlen(r->title)) : 0;
			int64_t due = 0, uid = 0;

			if (tc <= 0 || tc > 255)
				r->error = _("Give the task a title of 1 to 255 "
				    "characters.");
			else if (r->assignee == NULL || (strcmp(r->assignee,
			    "manager") != 0 && (strparse_i64z(r->assignee, 1,
			    INT64_MAX, &uid) != CB_OK || !option_known(ctx,
			    db_automation_users, r->assignee, &rc))))
				r->error = _("Choose who gets the task.");
			else if (r->due == NULL || strparse_i64z(r->due, 0,
			    AUTOMATION_MAX_OFFSET_MINUTES, &due) != CB_OK)
				r->error = _("Due in: whole minutes, 0 to 525600.");
			else {
				json_object_object_add(o, "title",
				    json_object_new_string(r->title));
				json_object_object_add(o, "assignee", uid ?
				    json_object_new_int64(uid) :
				    json_object_new_string("manager"));
				json_object_object_add(o, "due_minutes",
				    json_object_new_int64(due));
			}
		} else if (strcmp(t, "create_order") == 0) {
			if (r->status == NULL || !option_known(ctx,
			    db_trigger_order_statuses, r->status, &rc))
				r->error = _("Choose the new order's status.");
			else
				json_object_object_add(o, "status",
				    json_object_new_string(r->status));
		} else if (strcmp(t, "sms") == 0) {
			int64_t gw = 0;
			struct sms_length l;

			if (r->gateway == NULL || strparse_i64z(r->gateway, 1,
			    INT64_MAX, &gw) != CB_OK || !sms_gateway_known(ctx,
			    gw, &rc))
				r->error = _("Choose the SMS gateway (add one on "
				    "Settings › SMS gateways).");
			else if (r->text == NULL || *form_trim(ctx->arena,
			    r->text) == '\0')
				r->error = _("Write the SMS text.");
			else if (strlen(r->text) > SMS_TEXT_MAX_BYTES ||
			    !utf8_valid(r->text, strlen(r->text)))
				r->error = _("The SMS text is at most 2000 bytes "
				    "of text.");
			else if (sms_length(r->text, strlen(r->text), &l),
			    l.segments > SMS_TEXT_MAX_SEGMENTS)
				r->error = _("The SMS text is longer than 10 SMS "
				    "parts.");
			else if (r->sms_zone && *r->sms_zone &&
			    !form_zone_valid(r->sms_zone))
				r->error = _("Unknown time zone for {time}: use a "
				    "name like Europe/Kyiv or UTC.");
			else {
				if (r->sms_zone && *r->sms_zone)
					json_object_object_add(o, "time_zone",
					    json_object_new_string(r->sms_zone));
				json_object_object_add(o, "gateway_id",
				    json_object_new_int64(gw));
				json_object_object_add(o, "text",
				    json_object_new_string(r->text));
			}
		} else if (strcmp(t, "create_customer") != 0)
			r->error = _("Choose an action from the list.");
		if (rc != CB_OK) {
			json_object_put(o);
			goto fail;
		}
		if (r->error) {
			json_object_put(o);
			f->errors = true;
		} else
			json_object_array_add(a, o);
	}
	if (json_object_array_length(a) == 0 && !f->errors)
		f->err_actions = _("Add at least one action.");
	f->errors = f->errors || f->err_name || f->err_event ||
	    f->err_direction || f->err_integration || f->err_customer ||
	    f->err_status || f->err_time || f->err_zone || f->err_actions;
	*conds = arena_strdup(ctx->arena, json_object_to_json_string_ext(c,
	    JSON_C_TO_STRING_PLAIN));
	*acts = arena_strdup(ctx->arena, json_object_to_json_string_ext(a,
	    JSON_C_TO_STRING_PLAIN));
	json_object_put(c);
	json_object_put(a);
	return CB_OK;
fail:
	json_object_put(c);
	json_object_put(a);
	ctx->message = _(db_down);
	return rc;
}

static enum cb_err
trigger_save(struct ctx *ctx, struct tform *f, const struct tform *stored)
{
	struct trigger_row row;
	const char *conds, *acts;
	int64_t id = f->id;
	enum cb_err rc;

	if ((rc = tform_read(ctx, f, stored, &conds, &acts)) != CB_OK)
		return rc;
	if (f->errors)
		return trigger_render(ctx, f, NULL, f->id != 0);
	row.name = f->name;
	row.event = f->event;
	row.enabled = f->enabled;
	row.conditions = conds;
	row.actions = acts;
	if ((rc = db_trigger_save(ctx->db, &row, ctx->user->id, &id)) !=
	    CB_OK) {
		ctx->message = rc == CB_ENOTFOUND ? _("There is no such trigger "
		    "(any more).") : _("The trigger was not saved: the database "
		    "is not answering. Try again in a minute.");
		return rc;
	}
	resp_redirect(ctx->resp, 303, arena_printf(ctx->arena,
	    "/settings/triggers/%lld?saved=%s", (long long)id, f->id ? "1" :
	    "new"));
	return CB_OK;
}

static enum cb_err
post_trigger_new(struct ctx *ctx)
{
	struct tform *f = arena_alloc(ctx->arena, sizeof(*f));

	memset(f, 0, sizeof(*f));
	return trigger_save(ctx, f, NULL);
}

static enum cb_err
post_trigger(struct ctx *ctx)
{
	struct tform *stored = arena_alloc(ctx->arena, sizeof(*stored));
	struct tform *f = arena_alloc(ctx->arena, sizeof(*f));
	enum cb_err rc;

	if ((rc = tform_load(ctx, ctx->ids[0], stored)) != CB_OK)
		return rc;
	memset(f, 0, sizeof(*f));
	f->id = stored->id;
	return trigger_save(ctx, f, stored);
}

static enum cb_err
post_trigger_enabled(struct ctx *ctx)
{
	const char *v = kv_get(&ctx->req->form, "enabled");
	enum cb_err rc;

	if (v == NULL || (strcmp(v, "0") != 0 && strcmp(v, "1") != 0)) {
		ctx->message = _("Send enabled=1 to enable or enabled=0 to "
		    "disable the trigger.");
		return CB_EINVAL;
	}
	rc = db_trigger_set_enabled(ctx->db, ctx->ids[0], *v == '1');
	if (rc != CB_OK) {
		ctx->message = rc == CB_ENOTFOUND ? _("There is no such trigger.")
		    : _(db_down);
		return rc;
	}
	resp_redirect(ctx->resp, 303, "/settings/triggers");
	return CB_OK;
}

static enum cb_err
post_trigger_delete(struct ctx *ctx)
{
	enum cb_err rc;

	if ((rc = db_trigger_delete(ctx->db, ctx->ids[0])) != CB_OK) {
		ctx->message = rc == CB_ENOTFOUND ? _("There is no such trigger "
		    "(any more).") : _(db_down);
		return rc;
	}
	resp_redirect(ctx->resp, 303, "/settings/triggers?deleted=1");
	return CB_OK;
}

static const struct route routes[] = {
	{ "/settings/automation", HTTP_M(HTTP_GET), AUTH_SESSION,
	    PERM_SETTINGS, 0, 0, page_automation },
	{ "/settings/automation", HTTP_M(HTTP_POST), AUTH_SESSION,
	    PERM_SETTINGS, BODY_FORM, 0, post_automation },
	{ "/settings/triggers", HTTP_M(HTTP_GET), AUTH_SESSION,
	    PERM_SETTINGS, 0, 0, page_triggers },
	{ "/settings/triggers/new", HTTP_M(HTTP_GET), AUTH_SESSION,
	    PERM_SETTINGS, 0, 0, page_trigger_new },
	{ "/settings/triggers/new", HTTP_M(HTTP_POST), AUTH_SESSION,
	    PERM_SETTINGS, BODY_FORM, 0, post_trigger_new },
	{ "/settings/triggers/#", HTTP_M(HTTP_GET), AUTH_SESSION,
	    PERM_SETTINGS, 0, 0, page_trigger },
	{ "/settings/triggers/#", HTTP_M(HTTP_POST), AUTH_SESSION,
	    PERM_SETTINGS, BODY_FORM, 0, post_trigger },
	{ "/settings/triggers/#/enabled", HTTP_M(HTTP_POST), AUTH_SESSION,
	    PERM_SETTINGS, BODY_FORM, 0, post_trigger_enabled },
	{ "/settings/triggers/#/delete", HTTP_M(HTTP_POST), AUTH_SESSION,
	    PERM_SETTINGS, BODY_FORM, 0, post_trigger_delete },
	{ "/settings/sms", HTTP_M(HTTP_GET), AUTH_SESSION,
	    PERM_SETTINGS, 0, 0, sms_page_list },
	{ "/settings/sms/new", HTTP_M(HTTP_GET), AUTH_SESSION,
	    PERM_SETTINGS, 0, 0, sms_page_new },
	{ "/settings/sms/new", HTTP_M(HTTP_POST), AUTH_SESSION,
	    PERM_SETTINGS, BODY_FORM, 0, sms_post_new },
	{ "/settings/sms/#", HTTP_M(HTTP_GET), AUTH_SESSION,
	    PERM_SETTINGS, 0, 0, sms_page_edit },
	{ "/settings/sms/#", HTTP_M(HTTP_POST), AUTH_SESSION,
	    PERM_SETTINGS, BODY_FORM, 0, sms_post_edit },
	{ "/settings/sms/#/delete", HTTP_M(HTTP_POST), AUTH_SESSION,
	    PERM_SETTINGS, BODY_FORM, 0, sms_post_delete },
};

static const struct program program = {
	"automation", routes, sizeof(routes) / sizeof(routes[0]), true
};

int
main(int argc, char *argv[])
{
	return app_main(&program, argc, argv);
}
