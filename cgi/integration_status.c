/* The integration's status page (cgi/integration_status.h). No SQL here
 * (lib/db/reconcile.h), no provider logic (lib/reconcile/). */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cgi/integration_status.h"
#include "core/timefmt.h"
#include "db/integrations_admin.h"
#include "db/reconcile.h"
#include "http/form.h"
#include "http/response.h"
#include "reconcile/inspect.h"
#include "reconcile/run.h"

#define STATUS_RUNS 10
#define STATUS_EVENTS 50

static const char db_down[] = N_("The database is not available. Try "
    "again in a minute.");

/* "every 5 minutes", "over the last 24 hours": counts in the viewer's
 * language (ngettext; a translation is never a printf format). */
static const char *
every_minutes(struct ctx *ctx, unsigned n)
{
	char s[160];

	i18n_fill_n(ngettext("every {n} minute", "every {n} minutes", n), n, s,
	    sizeof(s));
	return arena_strdup(ctx->arena, s);
}

static const char *
last_hours(struct ctx *ctx, unsigned n)
{
	char s[160];

	i18n_fill_n(ngettext("over the last {n} hour", "over the last {n} "
	    "hours", n), n, s, sizeof(s));
	return arena_strdup(ctx->arena, s);
}

/* The integration's id, name, slug, kind and config, or CB_ENOTFOUND. */
struct ig_head {
	const char *name, *slug, *kind;
	struct json_object *config;
};

static enum cb_err
head_of(struct ctx *ctx, struct ig_head *h)
{
	struct db_stmt *st;
	enum cb_err rc;
	const char *conf;

	memset(h, 0, sizeof(*h));
	if ((rc = db_integration_get(ctx->db, ctx->ids[0], &st)) != CB_OK)
		return rc;
	h->name = arena_strdup(ctx->arena, db_col(st, IC_NAME, NULL) ?
	    db_col(st, IC_NAME, NULL) : "");
	h->slug = arena_strdup(ctx->arena, db_col(st, IC_SLUG, NULL) ?
	    db_col(st, IC_SLUG, NULL) : "");
	h->kind = arena_strdup(ctx->arena, db_col(st, IC_KIND, NULL) ?
	    db_col(st, IC_KIND, NULL) : "");
	conf = db_col(st, IC_CONFIG, NULL);
	h->config = conf ? json_tokener_parse(conf) : NULL;
	db_stmt_done(st);
	return CB_OK;
}

static const char *
trigger_label(const char *t)
{
	if (t == NULL)
		return "";
	if (strcmp(t, "schedule") == 0)
		return _("scheduled");
	if (strcmp(t, "admin") == 0)
		return _("from this page");
	if (strcmp(t, "cli") == 0)
		return "callboard reconcile";
	return t;
}

/* A run's state (reconcile_runs.state) as people read it; the code stays
 * in the JSON and in data-state. */
static const char *
run_state_label(const char *s)
{
	if (s == NULL)
		return NULL;
	if (strcmp(s, "queued") == 0)
		return _("queued");
	if (strcmp(s, "running") == 0)
		return _("running");
	if (strcmp(s, "ok") == 0)
		return _("ok");
	if (strcmp(s, "failed") == 0)
		return _("failed");
	return s;
}

/* What became of an event (recv_status_name(), or 'stored' for a row of
 * call_events) as people read it; the code stays in data-outcome. */
static const char *
outcome_label(const char *o)
{
	static const char *const known[][2] = {
		{ "stored", N_("stored") }, { "duplicate", N_("duplicate") },
		{ "denied", N_("denied") }, { "malformed", N_("malformed") },
		{ "database down", N_("database down") },
		{ "refused", N_("refused") }, { "failed", N_("failed") },
		{ "unknown kind", N_("unknown kind") },
		{ "excepted", N_("excepted") },
	};
	size_t i;

	if (o == NULL)
		return NULL;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(o, known[i][0]) == 0)
			return _(known[i][1]);
	return o;
}

static struct json_object *
run_model(struct ctx *ctx, struct db_stmt *st)
{
	struct json_object *o = json_object_new_object();
	const char *state = db_col(st, 4, NULL);

	app_add_int(o, "id", db_col_i64(st, 0));
	app_add_str(o, "trigger", trigger_label(db_col(st, 1, NULL)));
	app_add_time(ctx, o, "window_from", db_col(st, 2, NULL));
	app_add_time(ctx, o, "window_to", db_col(st, 3, NULL));
	app_add_str(o, "state", state);
	app_add_str(o, "state_label", run_state_label(state));
	app_add_time(ctx, o, "created", db_col(st, 5, NULL));
	app_add_time(ctx, o, "finished", db_col(st, 6, NULL));
	app_add_count(ctx, o, "records", db_col_i64(st, 7));
	app_add_count(ctx, o, "recovered", db_col_i64(st, 8));
	app_add_count(ctx, o, "completed", db_col_i64(st, 9));
	app_add_count(ctx, o, "unchanged", db_col_i64(st, 10));
	app_add_count(ctx, o, "refused", db_col_i64(st, 11));
	app_add_str(o, "error", db_col(st, 12, NULL));
	app_add_bool(o, "failed", state && strcmp(state, "failed") == 0);
	return o;
}

static struct json_object *
event_model(struct ctx *ctx, struct db_stmt *st)
{
	struct json_object *o = json_object_new_object();
	const char *outcome = db_col(st, 2, NULL), *payload;
	size_t len = 0;

	app_add_time(ctx, o, "received", db_col(st, 0, NULL));
	app_add_str(o, "source", db_col(st, 1, NULL));
	app_add_str(o, "outcome", outcome);
	app_add_str(o, "outcome_label", outcome_label(outcome));
	app_add_str(o, "kind", db_col(st, 3, NULL));
	app_add_str(o, "call", db_col(st, 4, NULL));
	app_add_str(o, "why", db_col(st, 5, NULL));
	payload = db_col(st, 6, &len);
	/* A stored event's payload is raw: redacted the same way as the
	 * notes, whose preview was redacted when written. */
	app_add_str(o, "preview", db_col_i64(st, 7) ? inspect_preview(
	    ctx->arena, payload, len) : payload);
	return o;
}

/* "YYYY-MM-DD HH:MM" of unix time t in the viewer's zone. */
static const char *
local_of(struct ctx *ctx, int64_t t)
{
	char utc[32];
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(utc, sizeof(utc), "%Y-%m-%d %H:%M:%S", &tm);
	return app_local_time(ctx, utc);
}

static enum cb_err
status_render(struct ctx *ctx, const struct ig_head *h, const char *from,
    const char *to, const char *error)
{
	struct json_object *m = json_object_new_object(), *runs, *events, *ev;
	const struct cb_config *cfg = ctx->cfg;
	struct db_stmt *st;
	enum cb_err rc;
	bool history = reconcile_history_for(h->kind) != NULL;
	int64_t now = (int64_t)time(NULL);
	unsigned hours = cfg->reconcile_window_hours ?
	    cfg->reconcile_window_hours : 48;

	app_add_str(m, "title", app_fill(ctx, _("{name} · status"), "{name}",
	    h->name, (const char *)NULL));
	app_add_int(m, "id", ctx->ids[0]);
	app_add_str(m, "name", h->name);
	app_add_str(m, "slug", h->slug);
	app_add_str(m, "kind", h->kind);
	app_add_str(m, "settings_url", arena_printf(ctx->arena,
	    "/settings/integrations/%lld", (long long)ctx->ids[0]));
	app_add_str(m, "reconcile_url", arena_printf(ctx->arena,
	    "/settings/integrations/%lld/reconcile", (long long)ctx->ids[0]));
	app_add_bool(m, "history", history);
	app_add_str(m, "schedule", !history ? NULL :
	    !reconcile_enabled(h->kind, h->config) ?
	    _("off for this integration (its settings say \"reconcile\": false)") :
	    cfg->reconcile_seconds == 0 ? _("off (reconcile_seconds = 0)") :
	    arena_printf(ctx->arena, "%s, %s", every_minutes(ctx,
	    (cfg->reconcile_seconds + 59) / 60), last_hours(ctx, hours)));
	app_add_str(m, "from", from ? from : local_of(ctx, now -
	    (int64_t)hours * 3600));
	app_add_str(m, "to", to ? to : local_of(ctx, now));
	app_add_str(m, "error", error);
	app_add_str(m, "queued", kv_get(&ctx->req->query, "queued") ?
	    _("Reconciliation queued: the worker runs it now. Reload this page "
	    "for the result.") : NULL);

	ev = NULL;
	rc = db_integration_last_event(ctx->db, ctx->ids[0], &st);
	if (rc == CB_OK) {
		ev = json_object_new_object();
		app_add_time(ctx, ev, "received", db_col(st, 0, NULL));
		app_add_str(ev, "source", db_col(st, 1, NULL));
		app_add_str(ev, "kind", db_col(st, 2, NULL));
		db_stmt_done(st);
	} else if (rc != CB_ENOTFOUND)
		goto fail;
	json_object_object_add(m, "last_event", ev);

	runs = json_object_new_array();
	json_object_object_add(m, "runs", runs);
	if ((rc = db_reconcile_runs(ctx->db, ctx->ids[0], STATUS_RUNS, &st)) !=
	    CB_OK)
		goto fail;
	while ((rc = db_fetch(st)) == CB_OK)
		json_object_array_add(runs, run_model(ctx, st));
	db_stmt_done(st);
	if (rc != CB_ENOTFOUND)
		goto fail;
	json_object_object_add(m, "last_run", json_object_array_length(runs) ?
	    json_object_get(json_object_array_get_idx(runs, 0)) : NULL);

	events = json_object_new_array();
	json_object_object_add(m, "events", events);
	if ((rc = db_event_inspector(ctx->db, ctx->ids[0], STATUS_EVENTS,
	    &st)) != CB_OK)
		goto fail;
	while ((rc = db_fetch(st)) == CB_OK)
		json_object_array_add(events, event_model(ctx, st));
	db_stmt_done(st);
	if (rc != CB_ENOTFOUND)
		goto fail;
	app_add_int(m, "events_max", STATUS_EVENTS);
	if (error != NULL)
		ctx->resp->status = 400;
	return app_render(ctx, "settings_integration_status.html", m);
fail:
	json_object_put(m);
	ctx->message = _(db_down);
	return rc;
}

enum cb_err
page_integration_status(struct ctx *ctx)
{
	struct ig_head h;
	enum cb_err rc;

	if ((rc = head_of(ctx, &h)) != CB_OK) {
		ctx->message = rc == CB_ENOTFOUND ? _("There is no such "
		    "integration.") : _(db_down);
		return rc;
	}
	rc = status_render(ctx, &h, NULL, NULL, NULL);
	json_object_put(h.config);
	return rc;
}

/* A time the viewer typed, in their zone → unix seconds. */
static bool
typed_time(struct ctx *ctx, const char *v, int64_t *out)
{
	char utc[32];
	struct tm tm;

	if (v == NULL || *v == '\0' || strlen(v) > 19 ||
	    time_local_to_utc(v, ctx->user->time_zone, utc, sizeof(utc)) !=
	    CB_OK)
		return false;
	memset(&tm, 0, sizeof(tm));
	if (sscanf(utc, "%4d-%2d-%2d %2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return false;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*out = (int64_t)timegm(&tm);
	return true;
}

/* The longest window one run may ask for: Zadarma's statistics allow 3
 * requests a minute, and one run reads every page before storing. */
#define RECONCILE_MAX_DAYS 31

enum cb_err
post_integration_reconcile(struct ctx *ctx)
{
	const char *from = form_trimmed(ctx, "from"), *to = form_trimmed(ctx,
	    "to"), *error = NULL;
	struct ig_head h;
	int64_t f = 0, t = 0, run_id;
	enum cb_err rc;

	if ((rc = head_of(ctx, &h)) != CB_OK) {
		ctx->message = rc == CB_ENOTFOUND ? _("There is no such "
		    "integration.") : _(db_down);
		return rc;
	}
	if (reconcile_history_for(h.kind) == NULL)
		error = _("This kind of integration has no call history to "
		    "reconcile from.");
	else if (!typed_time(ctx, from, &f) || !typed_time(ctx, to, &t))
		error = _("Give the window as two times \"YYYY-MM-DD HH:MM\" in "
		    "your time zone.");
	else if (t <= f)
		error = _("The window must end after it starts.");
	else if (t - f > (int64_t)RECONCILE_MAX_DAYS * 86400)
		error = _("The window can be at most 31 days: reconcile a longer "
		    "time in several windows.");
	if (error != NULL) {
		rc = status_render(ctx, &h, from, to, error);
		json_object_put(h.config);
		return rc;
	}
	json_object_put(h.config);
	if ((rc = db_reconcile_queue(ctx->db, ctx->ids[0], "admin", f, t,
	    &run_id)) != CB_OK) {
		ctx->message = _(db_down);
		return rc;
	}
	resp_redirect(ctx->resp, 303, arena_printf(ctx->arena,
	    "/settings/integrations/%lld/status?queued=%lld",
	    (long long)ctx->ids[0], (long long)run_id));
	return CB_OK;
}
