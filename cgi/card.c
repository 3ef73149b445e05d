/* card: the call card (issue 5 §1), the page a manager has open while the
 * phone rings and the content of the live popup.
 *
 *   GET  /calls/<id>            the card (HTML, or the same view model as
 *                               JSON with ?format=json)
 *   POST /calls/<id>/notes      note=<1..4000 characters>: saved with the
 *                               author, and made the call's comment
 *   POST /calls/<id>/callback   minutes=10|30|60: a call-back task for the
 *                               current user, linked to the call; or, when
 *                               the number has an open one, that task
 *                               joined (the redirect says &joined=1)
 *   POST /calls/<id>/hangup     asks the provider to end the live call
 *                               (card_hangup.c; calls.dial, as
 *                               click-to-call)
 *
 * Who may see a call: the role's `calls` permission, and with scope "own"
 * only calls whose manager is the user (DESIGN §3). The same rule guards the
 * two POSTs, checked before anything is written. The recording player is
 * drawn only for roles with `recordings.listen`; the bytes themselves are
 * checked again by the recording program on every request. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "auth/access.h"
#include "core/buf.h"
#include "core/strparse.h"
#include "core/timefmt.h"
#include "card.h"
#include "db/card.h"
#include "db/recording.h"
#include "core/utf8.h"
#include "http/app.h"
#include "http/call_labels.h"
#include "http/dial_link.h"
#include "http/phone_view.h"
#include "http/phone_where.h"
#include "http/escape.h"
#include "net/httpc.h"
#include "transcript.h"

static const char *
nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

static int64_t
id_of(const char *s)
{
	int64_t v;

	return s && strparse_i64z(s, 1, INT64_MAX, &v) == CB_OK ? v : 0;
}

/* "2026-11-23 08:15:00.000" (UTC, from the database) → ISO 8601 with Z,
 * as the JSON API writes times. NULL stays NULL. */
static const char *
iso_utc(struct ctx *ctx, const char *utc)
{
	if (utc == NULL || strlen(utc) < 19)
		return NULL;
	return arena_printf(ctx->arena, "%.10sT%sZ", utc, utc + 11);
}

static const char *
duration(struct ctx *ctx, int64_t seconds)
{
	char *out = arena_alloc(ctx->arena, 32);

	time_duration((long)seconds, out, 32);
	return out;
}

/* The page title's first half: "Incoming call" (one phrase to translate,
 * not "%s call", whose word order differs between languages). */
static const char *
title_kind(const char *d)
{
	if (d && strcmp(d, "in") == 0) return _("Incoming call");
	if (d && strcmp(d, "out") == 0) return _("Outgoing call");
	return _("Internal call");
}

static const char *
state_label(const char *s)
{
	if (s && strcmp(s, "ringing") == 0) return _("Ringing");
	if (s && strcmp(s, "talking") == 0) return _("Talking");
	return _("Ended");
}

/* A relative URL with query parameters; NULL values are left out. The
 * values are %-encoded, so a number or name cannot add a parameter. */
static const char *
link_with(struct ctx *ctx, const char *path, const char *const *kv)
{
	struct buf u;
	const char *r;
	char sep = '?';

	buf_init(&u, 2048);
	buf_puts(&u, path);
	for (; kv[0]; kv += 2) {
		if (kv[1] == NULL || *kv[1] == '\0')
			continue;
		buf_putc(&u, sep);
		buf_puts(&u, kv[0]);
		buf_putc(&u, '=');
		url_component(&u, kv[1], strlen(kv[1]));
		sep = '&';
	}
	r = u.err ? path : arena_strdup(ctx->arena, buf_cstr(&u));
	buf_free(&u);
	return r;
}

enum cb_err
card_load_call(struct ctx *ctx, int64_t call_id, struct card *c)
{
	struct db_stmt *st;
	enum cb_err rc;
	unsigned i;

	memset(c, 0, sizeof(*c));
	if ((rc = db_card_call(ctx->db, call_id, &st)) != CB_OK) {
		ctx->message = rc == CB_ENOTFOUND ? _("There is no such call. "
		    "It may have been deleted.") : _("The database is not "
		    "answering. Try again in a minute.");
		return rc;
	}
	for (i = 0; i < CARD_COL__MAX; i++) {
		const char *v = db_col(st, i, NULL);
		c->v[i] = v ? arena_strdup(ctx->arena, v) : NULL;
	}
	db_stmt_done(st);
	c->id = call_id;
	c->manager_id = id_of(c->v[CARD_MANAGER_ID]);
	c->customer_id = id_of(c->v[CARD_CUSTOMER_ID]);
	c->order_id = id_of(c->v[CARD_ORDER_ID]);
	c->lead_id = id_of(c->v[CARD_LEAD_ID]);
	c->store_id = id_of(c->v[CARD_STORE_ID]);
	/* The route already required `calls`; scope "own" narrows it to the
	 * user's calls (lib/auth/access.c). */
	if (!access_call(ctx->user, VIA_HISTORY, 0, &(struct access_call){
	    c->manager_id, c->customer_id, c->order_id })) {
		ctx->message = _("Your role shows only your own calls, and "
		    "this call is not yours.");
		return CB_EDENIED;
	}
	return CB_OK;
}

static enum cb_err
add_legs(struct ctx *ctx, const struct card *c, struct json_object *m)
{
	struct json_object *legs = json_object_new_array();
	struct db_stmt *st;
	enum cb_err rc;

	json_object_object_add(m, "legs", legs);
	if ((rc = db_card_legs(ctx->db, c->id, &st)) != CB_OK)
		return rc;
	while ((rc = db_fetch(st)) == CB_OK) {
		struct json_object *l = json_object_new_object();
		const char *res = db_col(st, LEG_RESULT, NULL);
		int64_t off = db_col_i64(st, LEG_OFFSET);

		app_add_str(l, "type", db_col(st, LEG_TYPE, NULL));
		app_add_str(l, "type_label", call_leg_label(db_col(st, LEG_TYPE,
		    NULL)));
		app_add_str(l, "extension", db_col(st, LEG_EXTENSION, NULL));
		app_add_str(l, "user", db_col(st, LEG_USER_NAME, NULL));
		app_add_str(l, "number", db_col(st, LEG_NUMBER, NULL));
		app_add_str(l, "state", db_col(st, LEG_STATE, NULL));
		app_add_str(l, "result", res);
		app_add_str(l, "result_label", call_result_label(res));
		app_add_bool(l, "ok", res && strcmp(res, "answered") == 0);
		app_add_time(ctx, l, "started", db_col(st, LEG_STARTED_AT, NULL));
		app_add_str(l, "started_at", iso_utc(ctx,
		    db_col(st, LEG_STARTED_AT, NULL)));
		app_add_str(l, "answered_at", iso_utc(ctx,
		    db_col(st, LEG_ANSWERED_AT, NULL)));
		app_add_str(l, "ended_at", iso_utc(ctx,
		    db_col(st, LEG_ENDED_AT, NULL)));
		app_add_int(l, "offset_seconds", off);
		app_add_str(l, "offset", arena_printf(ctx->arena, "+%s",
		    duration(ctx, off)));
		app_add_int(l, "talk_seconds", db_col_i64(st, LEG_TALK));
		app_add_str(l, "talk", duration(ctx, db_col_i64(st, LEG_TALK)));
		json_object_array_add(legs, l);
	}
	db_stmt_done(st);
	return rc == CB_ENOTFOUND ? CB_OK : rc;
}

static enum cb_err
add_orders(struct ctx *ctx, const struct card *c, struct json_object *m)
{
	struct json_object *orders = json_object_new_array();
	struct db_stmt *st;
	enum cb_err rc;

	json_object_object_add(m, "orders", orders);
	if (c->customer_id == 0)
		return CB_OK;
	if ((rc = db_card_orders(ctx->db, c->customer_id, &st)) != CB_OK)
		return rc;
	while ((rc = db_fetch(st)) == CB_OK) {
		struct json_object *o = json_object_new_object();
		int64_t id = db_col_i64(st, ORD_ID);
		char label[48];

		order_label(label, sizeof(label), db_col(st, ORD_NUMBER, NULL),
		    id);
		app_add_int(o, "id", id);
		app_add_str(o, "number", label);
		app_add_str(o, "status", db_col(st, ORD_STATUS, NULL));
		app_add_decimal(ctx, o, "total", db_col(st, ORD_TOTAL, NULL));
		app_add_str(o, "currency", db_col(st, ORD_CURRENCY, NULL));
		app_add_str(o, "store", db_col(st, ORD_STORE, NULL));
		app_add_time(ctx, o, "created", db_col(st, ORD_CREATED_AT, NULL));
		app_add_bool(o, "this_call", id == c->order_id);
		app_add_str(o, "url", arena_printf(ctx->arena,
		    "/orders/%lld/calls", (long long)id));
		json_object_array_add(orders, o);
	}
	db_stmt_done(st);
	return rc == CB_ENOTFOUND ? CB_OK : rc;
}

static enum cb_err
add_leads(struct ctx *ctx, const struct card *c, struct json_object *m)
{
	struct json_object *leads = json_object_new_array();
	const char *phone = nonempty(c->v[CARD_CLIENT_NUMBER]);
	struct db_stmt *st;
	enum cb_err rc;

	json_object_object_add(m, "leads", leads);
	if (c->customer_id == 0 && phone == NULL)
		return CB_OK;
	if ((rc = db_card_leads(ctx->db, c->customer_id, phone, &st)) != CB_OK)
		return rc;
	while ((rc = db_fetch(st)) == CB_OK) {
		struct json_object *l = json_object_new_object();
		int64_t cust = db_col_null(st, LEAD_CUSTOMER_ID) ? 0 :
		    db_col_i64(st, LEAD_CUSTOMER_ID);

		int64_t id = db_col_i64(st, LEAD_ID);

		app_add_int(l, "id", id);
		/* The popup lists orders and leads alike: number and status
		 * (only open leads are listed; a lead has no sum). */
		app_add_str(l, "number", arena_printf(ctx->arena, "#%lld",
		    (long long)id));
		app_add_str(l, "status", C_("lead status", "Open"));
		app_add_str(l, "name", db_col(st, LEAD_NAME, NULL));
		app_add_str(l, "lead_type", db_col(st, LEAD_TYPE, NULL));
		app_add_time(ctx, l, "created", db_col(st, LEAD_CREATED_AT, NULL));
		/* The lead's page where the role may open leads (cgi/crm.c
		 * checks the record again), else the customer's calls. */
		app_add_str(l, "url", perm_has(ctx->user, PERM_LEADS) ?
		    arena_printf(ctx->arena, "/leads/%lld", (long long)id) :
		    cust ? arena_printf(ctx->arena, "/customers/%lld/calls",
		    (long long)cust) : NULL);
		json_object_array_add(leads, l);
	}
	db_stmt_done(st);
	return rc == CB_ENOTFOUND ? CB_OK : rc;
}

static enum cb_err
add_notes(struct ctx *ctx, const struct card *c, struct json_object *m)
{
	struct json_object *notes = json_object_new_array();
	struct db_stmt *st;
	enum cb_err rc;

	json_object_object_add(m, "notes", notes);
	if ((rc = db_card_notes(ctx->db, c->id, &st)) != CB_OK)
		return rc;
	while ((rc = db_fetch(st)) == CB_OK) {
		struct json_object *n = json_object_new_object();
		const char *author = db_col(st, NOTE_AUTHOR, NULL);

		app_add_int(n, "id", db_col_i64(st, NOTE_ID));
		app_add_str(n, "author", author ? author : _("A former user"));
		app_add_str(n, "body", db_col(st, NOTE_BODY, NULL));
		app_add_time(ctx, n, "time", db_col(st, NOTE_CREATED_AT, NULL));
		app_add_str(n, "created_at", iso_utc(ctx,
		    db_col(st, NOTE_CREATED_AT, NULL)));
		json_object_array_add(notes, n);
	}
	db_stmt_done(st);
	return rc == CB_ENOTFOUND ? CB_OK : rc;
}

/* The open call-back tasks; with shown_task (the task a "call back in N"
 * request just created or joined, from the redirect's ?callback=<id>, with
 * &joined=1 when it joined) it also writes the confirmation. A request for
 * a number that already has an open call-back task does not make a second
 * one (issue 6 §1), so the message must say which happened: "created"
 * would send the manager looking for a task that is not there. */
static enum cb_err
add_callbacks(struct ctx *ctx, const struct card *c, struct json_object *m,
    int64_t shown_task, bool joined)
{
	struct json_object *tasks = json_object_new_array();
	struct db_stmt *st;
	enum cb_err rc;

	json_object_object_add(m, "callbacks", tasks);
	if ((rc = db_card_callbacks(ctx->db, c->id,
	    nonempty(c->v[CARD_CLIENT_NUMBER]), &st)) != CB_OK)
		return rc;
	while ((rc = db_fetch(st)) == CB_OK) {
		struct json_object *t = json_object_new_object();
		int64_t id = db_col_i64(st, TASK_ID);
		const char *due;

		app_add_int(t, "id", id);
		app_add_str(t, "title", db_col(st, TASK_TITLE, NULL));
		app_add_time(ctx, t, "due", db_col(st, TASK_DUE_AT, NULL));
		/* the confirmation says it as the page does */
		due = json_object_get_string(json_object_object_get(t,
		    "due_shown"));
		app_add_str(t, "due_at", iso_utc(ctx,
		    db_col(st, TASK_DUE_AT, NULL)));
		app_add_bool(t, "overdue", db_col_i64(st, TASK_OVERDUE) != 0);
		app_add_str(t, "author", db_col(st, TASK_AUTHOR, NULL));
		app_add_bool(t, "just_created", id == shown_task && !joined);
		app_add_bool(t, "just_joined", id == shown_task && joined);
		if (id == shown_task && joined)
			app_add_str(m, "confirmation", app_fill(ctx,
			    _("Added to the open call-back task #{id}, due "
			    "{due}."), "{id}", arena_printf(ctx->arena, "%lld",
			    (long long)id), "{due}", due ? due : _("soon"),
			    (const char *)NULL));
		else if (id == shown_task)
			app_add_str(m, "confirmation", app_fill(ctx,
			    _("Call-back task created, due {due}."), "{due}",
			    due ? due : _("soon"), (const char *)NULL));
		json_object_array_add(tasks, t);
	}
	db_stmt_done(st);
	return rc == CB_ENOTFOUND ? CB_OK : rc;
}

/* The call itself: type, number, status, times, recording. */
static struct json_object *
call_model(struct ctx *ctx, const struct card *c)
{
	struct json_object *o = json_object_new_object();
	const char *const *v = c->v;
	const char *number = nonempty(v[CARD_CLIENT_NUMBER]);
	const char *rec = v[CARD_RECORDING_STATE];
	const char *state = v[CARD_STATE];
	int64_t dur = id_of(v[CARD_DURATION]), talk = id_of(v[CARD_TALK]),
	    wait = id_of(v[CARD_WAIT]);

	app_add_int(o, "id", c->id);
	app_add_str(o, "external_id", v[CARD_EXTERNAL_ID]);
	app_add_str(o, "direction", v[CARD_DIRECTION]);
	app_add_str(o, "direction_label", call_direction_label(v[CARD_DIRECTION]));
	app_add_str(o, "result", v[CARD_RESULT]);
	app_add_str(o, "result_label", call_result_label(v[CARD_RESULT]));
	app_add_bool(o, "ok", v[CARD_RESULT] &&
	    strcmp(v[CARD_RESULT], "answered") == 0);
	app_add_str(o, "state", state);
	app_add_str(o, "state_label", state_label(state));
	app_add_bool(o, "live", state && strcmp(state, "ended") != 0);
	/* "Hang up" (issue 19 §1): only while live, for users who may
	 * click-to-call, when the provider can end this call. */
	app_add_str(o, "hangup_url", state && strcmp(state, "ended") != 0 ?
	    card_hangup_url(ctx, c) : NULL);
	/* A caller who withheld their number (issue 15 §2.5): these words,
	 * and nothing to dial. */
	if (v[CARD_CLIENT_WITHHELD] && strcmp(v[CARD_CLIENT_WITHHELD], "1") ==
	    0) {
		app_add_str(o, "number", call_withheld_label());
		app_add_bool(o, "number_withheld", true);
		number = NULL;
	} else {
		/* number stays as stored for JSON clients (the popup reads
		 * number_shown); the clock and place beside it (issue 18). */
		phone_view_add(ctx, o, "number", number);
		phone_where_add(ctx, o, number);
	}
	app_add_str(o, "number_url", dial_href(ctx->arena, ctx->user, number,
	    c->id));
	app_add_str(o, "caller_name", nonempty(v[CARD_CLIENT_NAME]));
	app_add_str(o, "our_number", nonempty(v[CARD_OUR_NUMBER]));
	app_add_str(o, "integration", v[CARD_INTEGRATION_NAME]);
	app_add_str(o, "provider", v[CARD_INTEGRATION_KIND]);
	app_add_time(ctx, o, "started", v[CARD_STARTED_AT]);
	app_add_time(ctx, o, "answered", v[CARD_ANSWERED_AT]);
	app_add_time(ctx, o, "ended", v[CARD_ENDED_AT]);
	app_add_str(o, "started_at", iso_utc(ctx, v[CARD_STARTED_AT]));
	app_add_str(o, "answered_at", iso_utc(ctx, v[CARD_ANSWERED_AT]));
	app_add_str(o, "ended_at", iso_utc(ctx, v[CARD_ENDED_AT]));
	app_add_int(o, "duration_seconds", dur);
	app_add_str(o, "duration", duration(ctx, dur));
	app_add_int(o, "talk_seconds", talk);
	app_add_str(o, "talk", duration(ctx, talk));
	app_add_int(o, "wait_seconds", wait);
	app_add_str(o, "wait", duration(ctx, wait));
	app_add_str(o, "hangup_cause", v[CARD_HANGUP_CAUSE]);
	app_add_str(o, "comment", v[CARD_COMMENT]);
	app_add_str(o, "recording_state", rec);
	if (rec && strcmp(rec, "stored") == 0) {
		/* Same rule as the history: no player without
		 * recordings.listen, and the JSON does not hand out the
		 * address either. */
		if (perm_has(ctx->user, PERM_RECORDINGS_LISTEN)) {
			app_add_str(o, "recording_url", arena_printf(ctx->arena,
			    "/calls/%lld/recording", (long long)c->id));
			if (perm_has(ctx->user, PERM_RECORDINGS_DOWNLOAD))
				app_add_str(o, "download_url", arena_printf(
				    ctx->arena, "/calls/%lld/recording?"
				    "download=1", (long long)c->id));
		} else
			app_add_str(o, "recording_note", "recorded");
	} else if (rec && (strcmp(rec, "pending") == 0 ||
	    strcmp(rec, "failed") == 0)) {
		/* With the worker's reason when a try failed (the provider
		 * or the recording store down: issue 23 §3). */
		char why[300];
		bool pending = strcmp(rec, "pending") == 0;

		if (db_recording_last_error(ctx->db, c->id, why,
		    sizeof(why)) != CB_OK)
			why[0] = '\0';
		app_add_str(o, "recording_note", why[0] == '\0' ? (pending ?
		    _("recording is being fetched") :
		    _("recording could not be fetched")) : app_fill(ctx,
		    pending ? _("recording is being fetched; the last try "
		    "said: {why}") : _("recording could not be fetched: "
		    "{why}"), "{why}", why, (const char *)NULL));
	} else
		app_add_str(o, "recording_note", _("no recording"));
	return o;
}

/* Who and where: customer, lead, manager, store, and the links of the
 * "Create customer" / "Add order" / "Add lead" buttons. */
static void
people_model(struct ctx *ctx, const struct card *c, struct json_object *m)
{
	const char *const *v = c->v;
	const char *number = nonempty(v[CARD_CLIENT_NUMBER]);
	const char *call = arena_printf(ctx->arena, "%lld", (long long)c->id);
	const char *cust = c->customer_id ? arena_printf(ctx->arena, "%lld",
	    (long long)c->customer_id) : NULL;
	const char *store = c->store_id ? arena_printf(ctx->arena, "%lld",
	    (long long)c->store_id) : NULL;
	struct json_object *o, *actions = json_object_new_object();

	if (c->customer_id) {
		o = json_object_new_object();
		app_add_int(o, "id", c->customer_id);
		app_add_str(o, "name", v[CARD_CUSTOMER_NAME]);
		app_add_str(o, "url", arena_printf(ctx->arena,
		    "/customers/%s/calls", cust));
		json_object_object_add(m, "customer", o);
	} else
		json_object_object_add(m, "customer", NULL);
	app_add_bool(m, "unknown", c->customer_id == 0);
	app_add_str(m, "contact", c->customer_id ? v[CARD_CUSTOMER_NAME] :
	    _("Unknown caller"));
	if (c->lead_id) {
		o = json_object_new_object();
		app_add_int(o, "id", c->lead_id);
		app_add_str(o, "name", v[CARD_LEAD_NAME]);
		json_object_object_add(m, "lead", o);
	} else
		json_object_object_add(m, "lead", NULL);
	/* Who took the call (issue 18): the other popups of a ring group say
	 * "Answered by <name>" and fold away; "me" is this viewer. */
	if (nonempty(v[CARD_ANSWERED_AT]) && (c->manager_id ||
	    nonempty(v[CARD_EXTENSION]))) {
		o = json_object_new_object();
		app_add_str(o, "name", nonempty(v[CARD_MANAGER_NAME]) ?
		    v[CARD_MANAGER_NAME] : nonempty(v[CARD_EXTENSION]) ?
		    arena_printf(ctx->arena, "ext. %s", v[CARD_EXTENSION]) :
		    "a colleague");
		app_add_bool(o, "me", c->manager_id != 0 && c->manager_id ==
		    ctx->user->id);
		json_object_object_add(m, "answered_by", o);
	} else
		json_object_object_add(m, "answered_by", NULL);
	if (c->manager_id || nonempty(v[CARD_EXTENSION])) {
		o = json_object_new_object();
		if (c->manager_id)
			app_add_int(o, "id", c->manager_id);
		else
			json_object_object_add(o, "id", NULL);
		app_add_str(o, "name", v[CARD_MANAGER_NAME]);
		app_add_str(o, "login", v[CARD_MANAGER_LOGIN]);
		app_add_str(o, "extension", nonempty(v[CARD_EXTENSION]));
		json_object_object_add(m, "manager", o);
	} else
		json_object_object_add(m, "manager", NULL);
	if (c->store_id) {
		o = json_object_new_object();
		app_add_int(o, "id", c->store_id);
		app_add_str(o, "name", v[CARD_STORE_NAME]);
		json_object_object_add(m, "store", o);
	} else
		json_object_object_add(m, "store", NULL);

	/* The create forms are not part of the card yet: plain links that
	 * carry the number, the customer, the store and the call. */
	/* Only for roles that may create them (lib/auth/access.h). */
	if (c->customer_id == 0 && access_record_any(ctx->user,
	    ACCESS_CUSTOMER, ACCESS_EDIT)) {
		const char *kv[] = { "phone", number, "call", call, NULL };
		app_add_str(actions, "create_customer_url", link_with(ctx,
		    "/customers/new", kv));
	}
	if (access_record_any(ctx->user, ACCESS_ORDER, ACCESS_EDIT)) {
		const char *kv[] = { "customer", cust, "store", store,
		    "phone", number, "call", call, NULL };
		app_add_str(actions, "add_order_url", link_with(ctx,
		    "/orders/new", kv));
	}
	if (access_record_any(ctx->user, ACCESS_LEAD, ACCESS_EDIT)) {
		const char *kv[] = { "customer", cust, "phone", number,
		    "call", call, NULL };
		app_add_str(actions, "add_lead_url", link_with(ctx, "/leads/new",
		    kv));
	}
	app_add_str(actions, "notes_url", arena_printf(ctx->arena,
	    "/calls/%s/notes", call));
	app_add_str(actions, "callback_url", arena_printf(ctx->arena,
	    "/calls/%s/callback", call));
	json_object_object_add(m, "actions", actions);
}

/* shown_task and joined as for add_callbacks(). */
enum cb_err
card_model(struct ctx *ctx, int64_t call_id, int64_t shown_task, bool joined,
    struct json_object **out)
{
	struct json_object *m;
	struct card c;
	enum cb_err rc;

	*out = NULL;
	if ((rc = card_load_call(ctx, call_id, &c)) != CB_OK)
		return rc;
	m = json_object_new_object();
	app_add_str(m, "title", arena_printf(ctx->arena, "%s · %s",
	    title_kind(c.v[CARD_DIRECTION]),
	    c.customer_id ? c.v[CARD_CUSTOMER_NAME] :
	    nonempty(c.v[CARD_CLIENT_NUMBER]) ? c.v[CARD_CLIENT_NUMBER] :
	    _("Unknown caller")));
	json_object_object_add(m, "call", call_model(ctx, &c));
	people_model(ctx, &c, m);
	json_object_object_add(m, "confirmation", NULL);
	json_object_object_add(m, "note_error", NULL);
	json_object_object_add(m, "note_draft", NULL);
	app_add_int(m, "note_max", CARD_NOTE_MAX);
	if ((rc = add_orders(ctx, &c, m)) != CB_OK ||
	    (rc = add_leads(ctx, &c, m)) != CB_OK ||
	    (rc = add_legs(ctx, &c, m)) != CB_OK ||
	    (rc = add_notes(ctx, &c, m)) != CB_OK ||
	    (rc = add_callbacks(ctx, &c, m, shown_task, joined)) != CB_OK ||
	    (rc = transcript_card_model(ctx, c.id, &(struct access_call){
	    c.manager_id, c.customer_id, c.order_id },
	    c.v[CARD_RECORDING_STATE], m)) != CB_OK) {
		json_object_put(m);
		ctx->message = _("The database is not answering. Try again in "
		    "a minute.");
		return rc;
	}
	*out = m;
	return CB_OK;
}

static enum cb_err
page_card(struct ctx *ctx)
{
	struct json_object *m;
	const char *v;
	int64_t task = 0;
	bool joined;
	enum cb_err rc;

	/* Confirmations after the redirects of the two POSTs. A broken
	 * value shows no confirmation; the card itself is still right. */
	if ((v = kv_get(&ctx->req->query, "callback")) != NULL)
		task = id_of(v);
	joined = (v = kv_get(&ctx->req->query, "joined")) != NULL &&
	    strcmp(v, "1") == 0;
	if ((rc = card_model(ctx, ctx->ids[0], task, joined, &m)) != CB_OK)
		return rc;
	if ((v = kv_get(&ctx->req->query, "note")) != NULL &&
	    strcmp(v, "saved") == 0)
		app_add_str(m, "confirmation", _("Your note is saved."));
	if ((v = kv_get(&ctx->req->query, "hangup")) != NULL &&
	    strcmp(v, "requested") == 0)
		card_hangup_requested(ctx, m);
	if ((v = kv_get(&ctx->req->query, "transcript")) != NULL)
		app_add_str(m, "confirmation", strcmp(v, "saved") == 0 ?
		    _("Your correction is saved.") : strcmp(v, "queued") == 0 ?
		    _("The transcript is queued; it appears here when ready.") :
		    strcmp(v, "busy") == 0 ? _("A transcript of this call is "
		    "already being made.") : NULL);
	return app_render(ctx, "card.html", m);
}


static bool
is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' ||
	    ch == '\f' || ch == '\v';
}

/* The card again with the note's error next to the field and what the
 * user typed kept in it: status 400. */
static enum cb_err
note_refused(struct ctx *ctx, const char *why, const char *draft)
{
	struct json_object *m;
	enum cb_err rc;

	if ((rc = card_model(ctx, ctx->ids[0], 0, false, &m)) != CB_OK)
		return rc;
	app_add_str(m, "note_error", why);
	app_add_str(m, "note_draft", draft);
	ctx->resp->status = 400;
	return app_render(ctx, "card.html", m);
}

static enum cb_err
post_note(struct ctx *ctx)
{
	const struct kv *kv = NULL;
	struct card c;
	const char *body;
	size_t i, len, start;
	int64_t note_id;
	long chars;
	enum cb_err rc;

	for (i = 0; i < ctx->req->form.n; i++)
		if (strcmp(ctx->req->form.v[i].key, "note") == 0)
			kv = &ctx->req->form.v[i];
	/* The call and the user's right to it first: a stranger's call gets
	 * 403 or 404 whatever the note says. */
	if ((rc = card_load_call(ctx, ctx->ids[0], &c)) != CB_OK)
		return rc;
	if (kv == NULL)
		return note_refused(ctx, _("Write a note first."), NULL);
	len = kv->val_len;
	for (start = 0; start < len && is_space(kv->val[start]); start++)
		;
	while (len > start && is_space(kv->val[len - 1]))
		len--;
	body = arena_strndup(ctx->arena, kv->val + start, len - start);
	chars = utf8_chars(body, len - start);
	if (chars < 0)
		return note_refused(ctx, _("The note has bytes that are not "
		    "text (not UTF-8). Type it again."), NULL);
	if (chars == 0)
		return note_refused(ctx, _("Write a note first."), NULL);
	if (chars > CARD_NOTE_MAX)
		return note_refused(ctx, app_fill(ctx, ngettext("A note is at "
		    "most {max} characters; this one has {n}.", "A note is at "
		    "most {max} characters; this one has {n}.", (unsigned long)
		    chars), "{max}", arena_printf(ctx->arena, "%d",
		    CARD_NOTE_MAX), "{n}", arena_printf(ctx->arena, "%ld",
		    chars), (const char *)NULL), body);
	if ((rc = db_card_add_note(ctx->db, ctx->ids[0], ctx->user->id, body,
	    &note_id)) != CB_OK) {
		ctx->message = _("The note could not be saved: the database "
		    "is not answering. Try again in a minute.");
		return rc;
	}
	resp_redirect(ctx->resp, 303, arena_printf(ctx->arena,
	    "/calls/%lld?note=saved#notes", (long long)ctx->ids[0]));
	return CB_OK;
}

static enum cb_err
post_callback(struct ctx *ctx)
{
	const char *v = app_param(ctx, "minutes");
	struct card_callback t;
	struct card c;
	int64_t task_id;
	bool joined;
	enum cb_err rc;

	if ((rc = card_load_call(ctx, ctx->ids[0], &c)) != CB_OK)
		return rc;
	if (v == NULL || (strcmp(v, "10") != 0 && strcmp(v, "30") != 0 &&
	    strcmp(v, "60") != 0)) {
		ctx->message = _("Choose when to call back: in 10, 30 or 60 "
		    "minutes.");
		return CB_EINVAL;
	}
	memset(&t, 0, sizeof(t));
	t.call_id = c.id;
	t.user_id = ctx->user->id;
	t.minutes = (unsigned)id_of(v);
	t.phone = nonempty(c.v[CARD_CLIENT_NUMBER]);
	t.customer_id = c.customer_id;
	t.order_id = c.order_id;
	t.lead_id = c.lead_id;
	t.title = arena_printf(ctx->arena, "Call back %s",
	    c.customer_id && nonempty(c.v[CARD_CUSTOMER_NAME]) ?
	    c.v[CARD_CUSTOMER_NAME] : t.phone ? t.phone :
	    "the caller (no number)");
	if ((rc = db_card_add_callback(ctx->db, &t, &task_id, &joined)) !=
	    CB_OK) {
		ctx->message = _("The task could not be saved: the database "
		    "is not answering. Try again in a minute.");
		return rc;
	}
	resp_redirect(ctx->resp, 303, arena_printf(ctx->arena,
	    "/calls/%lld?callback=%lld%s#callbacks", (long long)c.id,
	    (long long)task_id, joined ? "&joined=1" : ""));
	return CB_OK;
}

static const struct route routes[] = {
	{ "/calls/#", HTTP_M(HTTP_GET), AUTH_SESSION,
	    PERM_CALLS, 0, 0, page_card },
	{ "/calls/#/notes", HTTP_M(HTTP_POST), AUTH_SESSION, PERM_CALLS,
	    BODY_FORM, 0, post_note },
	{ "/calls/#/callback", HTTP_M(HTTP_POST), AUTH_SESSION, PERM_CALLS,
	    BODY_FORM, 0, post_callback },
	/* The click-to-call permission: hanging up is the other end of it. */
	{ "/calls/#/hangup", HTTP_M(HTTP_POST), AUTH_SESSION, PERM_CALLS_DIAL,
	    BODY_FORM, 0, card_post_hangup },
	/* Transcripts (cgi/transcript.h, issue 22). */
	{ "/calls/#/transcript", HTTP_M(HTTP_POST), AUTH_SESSION,
	    PERM_TRANSCRIPTS_VIEW, BODY_FORM, 0, transcript_post_request },
	{ "/calls/#/transcript/edit", HTTP_M(HTTP_POST), AUTH_SESSION,
	    PERM_TRANSCRIPTS_EDIT, BODY_FORM, 0, transcript_post_edit },
};

static const struct program program = {
	"card", routes, sizeof(routes) / sizeof(routes[0]), true
};

int
main(int argc, char *argv[])
{
	int rc;

	httpc_global_init();    /* hang-up asks the provider */
	rc = app_main(&program, argc, argv);
	httpc_global_cleanup();
	return rc;
}
