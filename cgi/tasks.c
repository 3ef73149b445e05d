/* tasks: the user's own work (issue 6 §2, pages half).
 *
 *   GET  /tasks                    my open tasks: overdue, due, open
 *   GET  /tasks?view=done          the tasks I completed
 *   POST /tasks/<id>/done          complete one (shared: for everybody,
 *                                  kept in my done list; each: mine only)
 *   GET  /tasks/missed[?days=N]    incoming missed calls of the last N
 *                                  days (1..90, default 7) that no answered
 *                                  call has reached since and that no done
 *                                  task holds
 *   GET  /notifications            my notifications, newest first
 *   POST /notifications/<id>/read  mark one read
 *   POST /notifications/read       mark all read
 *
 * Every page needs only a session and shows only the user's own rows: the
 * user id comes from the session, never from the request. The missed-call
 * view lists calls, so it needs `calls` like the history, narrowed to the
 * user's calls with scope "own". */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "auth/access.h"
#include "core/strparse.h"
#include "core/timefmt.h"
#include "db/tasklist.h"
#include "http/app.h"
#include "http/call_labels.h"
#include "http/dial_link.h"
#include "http/phone_view.h"

static int64_t
id_of(const char *s)
{
	int64_t v;

	return s && strparse_i64z(s, 1, INT64_MAX, &v) == CB_OK ? v : 0;
}

static const char *
nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

static const char *
iso_utc(struct ctx *ctx, const char *utc)
{
	if (utc == NULL || strlen(utc) < 19)
		return NULL;
	return arena_printf(ctx->arena, "%.10sT%sZ", utc, utc + 11);
}

static const char *
kind_label(const char *k)
{
	if (k && strcmp(k, "missed_call") == 0) return N_("Missed call");
	if (k && strcmp(k, "call_back") == 0) return N_("Call back");
	if (k && strcmp(k, "trigger") == 0) return N_("Automation");
	return N_("Task");
}

static const char *db_down = N_("The database is not answering. Try again "
    "in a minute.");

/* Whether s begins with prefix, ignoring ASCII case. */
static bool
starts_with_ci(const char *s, const char *prefix)
{
	if (s == NULL)
		return false;
	for (; *prefix; prefix++, s++) {
		char a = *s, b = *prefix;

		if (a >= 'A' && a <= 'Z') a = (char)(a - 'A' + 'a');
		if (b >= 'A' && b <= 'Z') b = (char)(b - 'A' + 'a');
		if (a != b)
			return false;
	}
	return true;
}

/* One task row as the page and the JSON show it; "calls" is filled in
 * afterwards. */
static struct json_object *
task_model(struct ctx *ctx, struct db_stmt *st)
{
	struct json_object *t = json_object_new_object();
	const char *phone = nonempty(db_col(st, TL_PHONE, NULL));
	int64_t id = db_col_i64(st, TL_ID), call = id_of(db_col(st,
	    TL_CALL_ID, NULL)), cust = id_of(db_col(st, TL_CUSTOMER_ID, NULL));
	bool overdue = db_col_i64(st, TL_OVERDUE) != 0;
	bool today = db_col_i64(st, TL_DUE_TODAY) != 0;

	app_add_int(t, "id", id);
	app_add_str(t, "anchor", arena_printf(ctx->arena, "task-%lld",
	    (long long)id));
	app_add_str(t, "kind", db_col(st, TL_KIND, NULL));
	app_add_str(t, "kind_label", _(kind_label(db_col(st, TL_KIND, NULL))));
	app_add_str(t, "title", db_col(st, TL_TITLE, NULL));
	/* "Missed call" beside "Missed call from +380..." says it twice.
	 * Titles are stored in English (docs/templates.md): compare with
	 * the English label. */
	app_add_bool(t, "show_kind", !starts_with_ci(db_col(st, TL_TITLE, NULL),
	    kind_label(db_col(st, TL_KIND, NULL))));
	app_add_str(t, "body", nonempty(db_col(st, TL_BODY, NULL)));
	app_add_str(t, "mode", db_col(st, TL_MODE, NULL));
	app_add_int(t, "assignees", db_col_i64(st, TL_ASSIGNEES));
	app_add_bool(t, "shared", db_col_i64(st, TL_ASSIGNEES) > 1 &&
	    strcmp(db_col(st, TL_MODE, NULL), "shared") == 0);
	phone_view_add(ctx, t, "phone", phone);
	app_add_str(t, "dial_url", dial_href(ctx->arena, ctx->user, phone, call));
	app_add_str(t, "customer", db_col(st, TL_CUSTOMER_NAME, NULL));
	app_add_str(t, "customer_url", cust ? arena_printf(ctx->arena,
	    "/customers/%lld/calls", (long long)cust) : NULL);
	app_add_time(ctx, t, "due", db_col(st, TL_DUE_AT, NULL));
	app_add_str(t, "due_at", iso_utc(ctx, db_col(st, TL_DUE_AT, NULL)));
	app_add_bool(t, "overdue", overdue);
	app_add_bool(t, "due_today", today);
	app_add_str(t, "status", overdue ? "overdue" : today ? "due" : "open");
	app_add_str(t, "status_label", overdue ? C_("task", "overdue") :
	    today ? C_("task", "due today") : C_("task", "open"));
	app_add_time(ctx, t, "created", db_col(st, TL_CREATED_AT,
	    NULL));
	app_add_str(t, "author", db_col(st, TL_AUTHOR, NULL));
	app_add_time(ctx, t, "done", db_col(st, TL_DONE_AT, NULL));
	app_add_str(t, "done_url", arena_printf(ctx->arena, "/tasks/%lld/done",
	    (long long)id));
	json_object_object_add(t, "calls", json_object_new_array());
	return t;
}

/* Attaches each gathered call to its task (rows are ordered by task). */
static enum cb_err
attach_calls(struct ctx *ctx, struct json_object *tasks, bool done)
{
	struct json_object *byid = json_object_new_object(), *t, *calls;
	struct db_stmt *st;
	enum cb_err rc;
	size_t i, n = json_object_array_length(tasks);

	for (i = 0; i < n; i++) {
		t = json_object_array_get_idx(tasks, i);
		json_object_object_add(byid, json_object_get_string(
		    json_object_object_get(t, "id")), json_object_get(t));
	}
	if ((rc = db_tasklist_calls(ctx->db, ctx->user->id, done, &st)) !=
	    CB_OK) {
		json_object_put(byid);
		return rc;
	}
	while ((rc = db_fetch(st)) == CB_OK) {
		struct json_object *c;
		const char *res = db_col(st, TLC_RESULT, NULL);
		int64_t id = db_col_i64(st, TLC_CALL_ID);

		if (!json_object_object_get_ex(byid, db_col(st, TLC_TASK_ID,
		    NULL), &t))
			continue;   /* past the page's LIMIT */
		calls = json_object_object_get(t, "calls");
		c = json_object_new_object();
		app_add_int(c, "id", id);
		app_add_str(c, "url", arena_printf(ctx->arena, "/calls/%lld",
		    (long long)id));
		app_add_time(ctx, c, "started", db_col(st,
		    TLC_STARTED_AT, NULL));
		app_add_str(c, "result", res);
		app_add_str(c, "result_label", call_result_label(res));
		app_add_str(c, "direction", db_col(st, TLC_DIRECTION, NULL));
		json_object_array_add(calls, c);
	}
	db_stmt_done(st);
	json_object_put(byid);
	return rc == CB_ENOTFOUND ? CB_OK : rc;
}

static enum cb_err
page_tasks(struct ctx *ctx)
{
	const char *view = kv_get(&ctx->req->query, "view");
	const char *notice = kv_get(&ctx->req->query, "completed");
	struct json_object *m, *tasks;
	struct db_stmt *st;
	int64_t overdue = 0, due = 0, n = 0;
	bool done;
	enum cb_err rc;

	if (view != NULL && strcmp(view, "open") != 0 &&
	    strcmp(view, "done") != 0) {
		ctx->message = _("Choose view=open (my open tasks) or "
		    "view=done (the tasks I completed).");
		return CB_EINVAL;
	}
	done = view != NULL && strcmp(view, "done") == 0;
	rc = done ? db_tasklist_done(ctx->db, ctx->user->id, &st) :
	    db_tasklist_open(ctx->db, ctx->user->id, &st);
	if (rc != CB_OK) {
		ctx->message = _(db_down);
		return rc;
	}
	m = json_object_new_object();
	tasks = json_object_new_array();
	json_object_object_add(m, "tasks", tasks);
	while ((rc = db_fetch(st)) == CB_OK) {
		struct json_object *t = task_model(ctx, st);

		overdue += db_col_i64(st, TL_OVERDUE) != 0;
		due += db_col_i64(st, TL_DUE_TODAY) != 0;
		n++;
		json_object_array_add(tasks, t);
	}
	db_stmt_done(st);
	if (rc != CB_ENOTFOUND || (rc = attach_calls(ctx, tasks, done)) !=
	    CB_OK) {
		json_object_put(m);
		ctx->message = _(db_down);
		return rc == CB_ENOTFOUND ? CB_EDB : rc;
	}
	app_add_str(m, "title", done ? _("Tasks I completed") : _("My tasks"));
	app_add_str(m, "view", done ? "done" : "open");
	app_add_bool(m, "done_view", done);
	app_add_int(m, "count", n);
	app_add_int(m, "overdue_count", done ? 0 : overdue);
	app_add_int(m, "due_count", done ? 0 : due);
	app_add_bool(m, "capped", n >= TASKLIST_MAX);
	app_add_str(m, "confirmation", notice && id_of(notice) ? app_fill(ctx,
	    _("Task {id} is done."), "{id}", arena_printf(ctx->arena, "%lld",
	    (long long)id_of(notice)), (const char *)NULL) : NULL);
	return app_render(ctx, "tasks.html", m);
}

static enum cb_err
post_task_done(struct ctx *ctx)
{
	enum cb_err rc;

	rc = db_tasklist_complete(ctx->db, ctx->ids[0], ctx->user->id);
	switch (rc) {
	case CB_OK:
		break;
	case CB_ENOTFOUND:
		ctx->message = _("There is no such task in your list.");
		return rc;
	case CB_DUPLICATE:
		/* Someone sharing it, or the call that reached the
		 * customer, was first: nothing left to do, and saying so is
		 * more useful than an error. */
		resp_redirect(ctx->resp, 303, arena_printf(ctx->arena,
		    "/tasks?completed=%lld", (long long)ctx->ids[0]));
		return CB_OK;
	default:
		ctx->message = _("The task could not be completed: the "
		    "database is not answering. Try again in a minute.");
		return rc;
	}
	resp_redirect(ctx->resp, 303, arena_printf(ctx->arena,
	    "/tasks?completed=%lld", (long long)ctx->ids[0]));
	return CB_OK;
}

static enum cb_err
page_missed(struct ctx *ctx)
{
	const char *v = kv_get(&ctx->req->query, "days");
	struct json_object *m, *calls;
	struct db_stmt *st;
	int64_t days = 7;
	enum cb_err rc;

	if (v != NULL && strparse_i64z(v, 1, 90, &days) != CB_OK) {
		ctx->message = _("days is a whole number from 1 to 90.");
		return CB_EINVAL;
	}
	/* The history's rule (lib/auth/access.c); the route required
	 * `calls`, so the list is never "nothing". */
	if ((rc = db_tasklist_missed(ctx->db, (int)days,
	    access_call_list_manager(ctx->user, VIA_HISTORY) > 0 ?
	    access_call_list_manager(ctx->user, VIA_HISTORY) : 0, &st)) !=
	    CB_OK) {
		ctx->message = _(db_down);
		return rc;
	}
	m = json_object_new_object();
	calls = json_object_new_array();
	json_object_object_add(m, "calls", calls);
	while ((rc = db_fetch(st)) == CB_OK) {
		struct json_object *c = json_object_new_object();
		int64_t id = db_col_i64(st, MC_CALL_ID);
		int64_t task = id_of(db_col(st, MC_OPEN_TASK_ID, NULL));
		const char *num = db_col(st, MC_NUMBER, NULL);
		const char *res = db_col(st, MC_RESULT, NULL);

		app_add_int(c, "id", id);
		app_add_str(c, "url", arena_printf(ctx->arena, "/calls/%lld",
		    (long long)id));
		phone_view_add(ctx, c, "number", num);
		app_add_str(c, "dial_url", dial_href(ctx->arena, ctx->user, num,
		    id));
		app_add_time(ctx, c, "started", db_col(st,
		    MC_STARTED_AT, NULL));
		app_add_str(c, "started_at", iso_utc(ctx, db_col(st,
		    MC_STARTED_AT, NULL)));
		app_add_str(c, "customer", db_col(st, MC_CUSTOMER_NAME, NULL));
		app_add_str(c, "manager", db_col(st, MC_MANAGER_NAME, NULL));
		app_add_str(c, "result_label", call_result_label(res));
		if (task)
			app_add_int(c, "open_task_id", task);
		else
			json_object_object_add(c, "open_task_id", NULL);
		json_object_array_add(calls, c);
	}
	db_stmt_done(st);
	if (rc != CB_ENOTFOUND) {
		json_object_put(m);
		ctx->message = _(db_down);
		return rc;
	}
	app_add_str(m, "title", _("Missed calls not yet handled"));
	app_add_int(m, "days", days);
	app_add_int(m, "count", (int64_t)json_object_array_length(calls));
	return app_render(ctx, "tasks_missed.html", m);
}

static enum cb_err
page_notifications(struct ctx *ctx)
{
	const char *v = kv_get(&ctx->req->query, "marked");
	struct json_object *m, *list;
	struct db_stmt *st;
	int64_t unread;
	enum cb_err rc;

	if ((rc = db_notifications_unread(ctx->db, ctx->user->id, &unread)) !=
	    CB_OK || (rc = db_notifications(ctx->db, ctx->user->id, &st)) !=
	    CB_OK) {
		ctx->message = _(db_down);
		return rc == CB_ENOTFOUND ? CB_EDB : rc;
	}
	m = json_object_new_object();
	list = json_object_new_array();
	json_object_object_add(m, "notifications", list);
	while ((rc = db_fetch(st)) == CB_OK) {
		struct json_object *n = json_object_new_object();
		int64_t id = db_col_i64(st, NC_ID);
		int64_t call = id_of(db_col(st, NC_CALL_ID, NULL));
		const char *url = nonempty(db_col(st, NC_URL, NULL));

		app_add_int(n, "id", id);
		app_add_str(n, "anchor", arena_printf(ctx->arena, "n%lld",
		    (long long)id));
		app_add_str(n, "kind", db_col(st, NC_KIND, NULL));
		app_add_str(n, "title", db_col(st, NC_TITLE, NULL));
		app_add_str(n, "body", nonempty(db_col(st, NC_BODY, NULL)));
		/* The call's card when the row names a call; the template's
		 * URL check refuses anything but relative and http(s). */
		app_add_str(n, "url", url ? url : call ? arena_printf(ctx->arena,
		    "/calls/%lld", (long long)call) : NULL);
		app_add_bool(n, "unread", db_col_null(st, NC_READ_AT));
		app_add_time(ctx, n, "time", db_col(st, NC_CREATED_AT,
		    NULL));
		app_add_str(n, "created_at", iso_utc(ctx, db_col(st,
		    NC_CREATED_AT, NULL)));
		app_add_str(n, "read_url", arena_printf(ctx->arena,
		    "/notifications/%lld/read", (long long)id));
		json_object_array_add(list, n);
	}
	db_stmt_done(st);
	if (rc != CB_ENOTFOUND) {
		json_object_put(m);
		ctx->message = _(db_down);
		return rc;
	}
	app_add_str(m, "title", unread ? arena_printf(ctx->arena,
	    "%s (%s: %lld)", _("Notifications"), _("unread"),
	    (long long)unread) : _("Notifications"));
	app_add_int(m, "unread", unread);
	app_add_str(m, "confirmation", v && strcmp(v, "all") == 0 ?
	    _("All notifications are marked read.") : NULL);
	return app_render(ctx, "notifications.html", m);
}

static enum cb_err
post_notification_read(struct ctx *ctx)
{
	enum cb_err rc;

	rc = db_notification_read(ctx->db, ctx->ids[0], ctx->user->id);
	if (rc == CB_ENOTFOUND) {
		ctx->message = _("There is no such notification in your "
		    "list.");
		return rc;
	}
	if (rc != CB_OK) {
		ctx->message = _(db_down);
		return rc;
	}
	resp_redirect(ctx->resp, 303, arena_printf(ctx->arena,
	    "/notifications#n%lld", (long long)ctx->ids[0]));
	return CB_OK;
}

static enum cb_err
post_notifications_read(struct ctx *ctx)
{
	int64_t marked;
	enum cb_err rc;

	if ((rc = db_notifications_read_all(ctx->db, ctx->user->id,
	    &marked)) != CB_OK) {
		ctx->message = _(db_down);
		return rc;
	}
	resp_redirect(ctx->resp, 303, "/notifications?marked=all");
	return CB_OK;
}

/* GET /tasks/counts: the navigation's counters (issue 18), read by
 * static/nav.js on each page: {"open_tasks": n, "unread_notifications":
 * m}. Two indexed COUNTs (lib/db/tasklist.c, EXPLAIN in
 * tests/http/nav_counts.test.js). */
static enum cb_err
page_counts(struct ctx *ctx)
{
	struct json_object *m;
	int64_t open = 0, unread = 0;
	enum cb_err rc;

	if ((rc = db_tasklist_open_count(ctx->db, ctx->user->id, &open)) !=
	    CB_OK || (rc = db_notifications_unread(ctx->db, ctx->user->id,
	    &unread)) != CB_OK) {
		ctx->message = _(db_down);
		return rc;
	}
	m = json_object_new_object();
	app_add_int(m, "open_tasks", open);
	app_add_int(m, "unread_notifications", unread);
	ctx->req->want = WANT_JSON;
	return app_render(ctx, NULL, m);
}

static const struct route routes[] = {
	{ "/tasks/counts", HTTP_M(HTTP_GET), AUTH_SESSION, PERM_NONE, 0, 0,
	    page_counts },
	{ "/tasks", HTTP_M(HTTP_GET), AUTH_SESSION, PERM_NONE, 0, 0,
	    page_tasks },
	{ "/tasks/#/done", HTTP_M(HTTP_POST), AUTH_SESSION, PERM_NONE,
	    BODY_FORM, 0, post_task_done },
	{ "/tasks/missed", HTTP_M(HTTP_GET), AUTH_SESSION, PERM_CALLS, 0, 0,
	    page_missed },
	{ "/notifications", HTTP_M(HTTP_GET), AUTH_SESSION, PERM_NONE, 0, 0,
	    page_notifications },
	{ "/notifications/#/read", HTTP_M(HTTP_POST), AUTH_SESSION,
	    PERM_NONE, BODY_FORM, 0, post_notification_read },
	{ "/notifications/read", HTTP_M(HTTP_POST), AUTH_SESSION, PERM_NONE,
	    BODY_FORM, 0, post_notifications_read },
};

static const struct program program = {
	"tasks", routes, sizeof(routes) / sizeof(routes[0]), true
};

int
main(int argc, char *argv[])
{
	return app_main(&program, argc, argv);
}
