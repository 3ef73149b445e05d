/* crm: the minimal CRM pages Callboard needs around its calls (issue 4 §2,
 * issue 5 §1). A real installation links to its own CRM instead.
 *
 *   GET  /customers/<id>   name, phones (call button; "Call history" only
 *                          when that number has calls), manager, open
 *                          orders and leads, the link to their calls
 *   GET  /orders/<id>      number, status, customer, store, total
 *   GET  /leads/<id>       a lead
 *   GET  /customers/new?phone=&call=      and POST /customers
 *   GET  /orders/new?customer=&store=&phone=&call=   and POST /orders
 *   GET  /leads/new?customer=&phone=&call=           and POST /leads
 *   POST /customers/<id>/link-call, /orders/<id>/link-call,
 *        /leads/<id>/link-call   call=<id>: move the user's live call here
 *
 * The create forms come from the call card's buttons and link the call
 * they came from (calls.customer_id / order_id / lead_id). A new customer
 * also gets the earlier calls from their number, through the same
 * functions the JSON API uses (db/apicall.h, calls/link.h). A call id in
 * a form must be a call the user may see (scope "own": their own).
 *
 * Who may see and create what is lib/auth/access.h (issue 16 §1-2): the
 * routes need customers / orders / leads to see and customers.edit /
 * orders.edit / leads.edit to create; scope "own" narrows each page to the
 * records the user manages. A number that already belongs to a customer
 * the author may not edit is kept flagged on the new customer
 * (customer_phones_shared), never moving that caller's calls or routing;
 * see new_customer_phone().
 *
 * While the user has a live call, each customer, order and lead page says
 * so and where the call is linked, with a one-button form to link it here
 * instead (issue 19 §6, seed 002); see live_call_offer(). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/access.h"
#include "calls/link.h"
#include "core/log.h"
#include "core/strparse.h"
#include "core/timefmt.h"
#include "db/access.h"
#include "db/apicall.h"
#include "db/crm.h"
#include "db/live.h"
#include "db/relink.h"
#include "http/call_labels.h"
#include "http/app.h"
#include "http/dial_link.h"
#include "http/phone_view.h"
#include "http/phone_where.h"
#include "http/escape.h"
#include "http/form.h"
#include "phone/phone.h"


static const char *
param(struct ctx *ctx, const char *name)
{
	const char *v = app_param(ctx, name);

	return v ? v : "";
}

/* What text_field() says about each field (form.h). */
static const struct form_text_words email_words = {
	N_("Enter the e-mail."), N_("The e-mail is at most {n} characters."),
	N_("The e-mail is not valid text."),
};
static const struct form_text_words order_number_words = {
	N_("Enter the order number."),
	N_("The order number is at most {n} characters."),
	N_("The order number is not valid text."),
};
static const struct form_text_words lead_name_words = {
	N_("Enter the lead name."),
	N_("The lead name is at most {n} characters."),
	N_("The lead name is not valid text."),
};
static const struct form_text_words comment_words = {
	N_("Enter the comment."), N_("The comment is at most {n} characters."),
	N_("The comment is not valid text."),
};

/* Trimmed, valid UTF-8, 1..max characters (0..max when optional); the
 * message goes to errors under the field's name. From the form, or from
 * the query when a GET pre-fills the form. */
static const char *
text_field(struct ctx *ctx, const char *name, long max, bool optional,
    const struct form_text_words *what, struct json_object *errors)
{
	const char *v = form_trim(ctx->arena, param(ctx, name));
	const char *why = form_text_error(ctx->arena, v, max, optional, what,
	    NULL);

	if (why != NULL)
		json_object_object_add(errors, name, app_jstr(why));
	return v;
}

/* An optional id parameter; -1 when present but not an id. */
static int64_t
id_param(struct ctx *ctx, const char *name)
{
	const char *v = param(ctx, name);
	int64_t id;

	if (*v == '\0')
		return 0;
	return strparse_i64z(v, 1, INT64_MAX, &id) == CB_OK ? id : -1;
}

/* The call a form came from: 0 when none; CB_EDENIED/CB_ENOTFOUND when
 * the user may not see it (the `calls` permission and its scope). */
static enum cb_err
source_call(struct ctx *ctx, int64_t *call_id)
{
	struct call_access c;
	enum cb_err rc;

	*call_id = id_param(ctx, "call");
	if (*call_id == 0)
		return CB_OK;
	if (*call_id < 0) {
		ctx->message = _("The call in the link is not a call id.");
		return CB_EINVAL;
	}
	if ((rc = db_call_access(ctx->db, *call_id, &c)) != CB_OK) {
		if (rc == CB_ENOTFOUND)
			ctx->message = _("There is no such call.");
		return rc;
	}
	if (!access_call(ctx->user, VIA_HISTORY, 0, &c.who)) {
		ctx->message = _("Your role does not allow linking this call.");
		return CB_EDENIED;
	}
	return CB_OK;
}

/* A phone typed in any format → E.164 (or digits) and its reversed-digit
 * key; false when it has no digits worth keeping. */
static bool
phone_key(struct ctx *ctx, const char *in, char *e164, char *rev)
{
	if (phone_normalize(in, strlen(in), ctx->cfg->default_country, e164,
	    PHONE_MAX) != PHONE_E164)
		return false;
	return phone_digits_rev(e164, strlen(e164), rev, PHONE_MAX) > 0;
}

/* 403 for a record outside the user's scope; msg says which. */
static enum cb_err
denied(struct ctx *ctx, const char *msg)
{
	ctx->message = msg;
	return CB_EDENIED;
}

/* ------------------------------------------------- the live call, here */

/* Whole sentences per kind: the noun's case differs between languages. */
static const char *const no_such[ACCESS_KIND__MAX] = {
	[ACCESS_CUSTOMER] = N_("There is no such customer."),
	[ACCESS_ORDER] = N_("There is no such order."),
	[ACCESS_LEAD] = N_("There is no such lead."),
};
static const char *const not_yours[ACCESS_KIND__MAX] = {
	[ACCESS_CUSTOMER] = N_("Your role shows only the customers you "
	    "manage, and this customer is not yours."),
	[ACCESS_ORDER] = N_("Your role shows only the orders you manage, and "
	    "this order is not yours."),
	[ACCESS_LEAD] = N_("Your role shows only the leads you manage, and "
	    "this lead is not yours."),
};
static const char *const no_linking[ACCESS_KIND__MAX] = {
	[ACCESS_CUSTOMER] = N_("Your role does not allow linking this call to "
	    "this customer."),
	[ACCESS_ORDER] = N_("Your role does not allow linking this call to "
	    "this order."),
	[ACCESS_LEAD] = N_("Your role does not allow linking this call to "
	    "this lead."),
};
static const char *const kind_paths[ACCESS_KIND__MAX] = {
	[ACCESS_CUSTOMER] = "customers", [ACCESS_ORDER] = "orders",
	[ACCESS_LEAD] = "leads",
};

/* Whether a call with links l is linked to the record (kind, id): a
 * customer's page counts only the customer alone (a call on one of their
 * orders or leads is linked there, not here). */
static bool
linked_here(const struct relink_links *l, enum access_kind kind, int64_t id)
{
	switch (kind) {
	case ACCESS_CUSTOMER:
		return l->customer_id == id && l->order_id == 0 &&
		    l->lead_id == 0;
	case ACCESS_ORDER:
		return l->order_id == id;
	case ACCESS_LEAD:
		return l->lead_id == id;
	default:
		abort();
	}
}

/* May the user move call c to a record of kind whose manager is mgr? The
 * one rule (lib/auth/access.h): they may see the call, and edit the
 * record (as creating a record from a call needs). */
static bool
may_link(struct ctx *ctx, const struct access_call *c, enum access_kind kind,
    int64_t mgr)
{
	return access_call(ctx->user, VIA_HISTORY, 0, c) &&
	    access_record(ctx->user, kind, ACCESS_EDIT, mgr);
}

/* The user's live call (the newest one they get a popup for): 0 = none.
 * With want != 0, whether that call is among them at all. */
static enum cb_err
live_call(struct ctx *ctx, int64_t want, int64_t *call_id, const char **number,
    const char **name)
{
	struct db_stmt *st;
	enum cb_err rc;

	*call_id = 0;
	if ((rc = db_live_active(ctx->db, ctx->user->id, &st)) != CB_OK)
		return rc;
	while ((rc = db_fetch(st)) == CB_OK) {
		int64_t id = db_col_i64(st, LIVE_ID);
		if (want != 0 && id != want)
			continue;
		*call_id = id;
		if (number != NULL)
			*number = db_col_i64(st, LIVE_WITHHELD) ?
			    call_withheld_label() : arena_strdup(ctx->arena,
			    db_col(st, LIVE_NUMBER, NULL) ? db_col(st,
			    LIVE_NUMBER, NULL) : "");
		if (name != NULL)
			*name = db_col(st, LIVE_NAME, NULL) ? arena_strdup(
			    ctx->arena, db_col(st, LIVE_NAME, NULL)) : NULL;
		break;
	}
	db_stmt_done(st);
	return rc == CB_ENOTFOUND ? CB_OK : rc;
}

/* m.live_call for the page of record (kind, id) whose manager is mgr. */
static enum cb_err
live_call_offer(struct ctx *ctx, struct json_object *m, enum access_kind kind,
    int64_t id, int64_t mgr)
{
	struct json_object *o;
	struct relink_state s;
	struct call_access ca;
	const char *number = NULL, *name = NULL;
	int64_t call_id, where = 0;
	const char *where_kind = NULL;
	enum cb_err rc;

	if ((rc = live_call(ctx, 0, &call_id, &number, &name)) != CB_OK ||
	    call_id == 0)
		return rc;
	if ((rc = db_relink_state(ctx->db, call_id, &s)) != CB_OK ||
	    (rc = db_call_access(ctx->db, call_id, &ca)) != CB_OK)
		return rc == CB_ENOTFOUND ? CB_OK : rc;
	o = json_object_new_object();
	app_add_int(o, "id", call_id);
	app_add_str(o, "number", number);
	app_add_str(o, "name", name);
	app_add_str(o, "card_url", arena_printf(ctx->arena, "/calls/%lld",
	    (long long)call_id));
	if (linked_here(&s.now, kind, id)) {
		app_add_bool(o, "here", true);
		if (s.moved_by[0] || s.moved_at[0]) {
			app_add_str(o, "moved_by", s.moved_by[0] ? s.moved_by :
			    _("a user since deleted"));
			app_add_time(ctx, o, "moved_at", s.moved_at);
		}
	} else {
		if (s.now.lead_id)
			where = s.now.lead_id, where_kind = "leads";
		else if (s.now.order_id)
			where = s.now.order_id, where_kind = "orders";
		else if (s.now.customer_id)
			where = s.now.customer_id, where_kind = "customers";
		if (where)
			app_add_str(o, "linked_url", arena_printf(ctx->arena,
			    "/%s/%lld", where_kind, (long long)where));
		if (s.withheld)
			app_add_str(o, "why_not", _("The caller withheld their "
			    "number, so the call is linked to nobody."));
		else if (!may_link(ctx, &ca.who, kind, mgr))
			app_add_str(o, "why_not", _("Your role does not allow "
			    "linking this call here."));
		else
			app_add_str(o, "action", arena_printf(ctx->arena,
			    "/%s/%lld/link-call", kind_paths[kind],
			    (long long)id));
	}
	json_object_object_add(m, "live_call", o);
	return CB_OK;
}

/* POST /<kind>/<id>/link-call, call=<id>: the user's live call moves to
 * this record. */
static enum cb_err
post_link_call(struct ctx *ctx, enum access_kind kind)
{
	struct relink_links to;
	struct relink_state s;
	struct call_access ca;
	int64_t id = ctx->ids[0], call_id = id_param(ctx, "call"), live, mgr;
	enum cb_err rc;

	if (call_id <= 0) {
		ctx->message = _("Say which call to link (call=<id>); reload "
		    "the page and press the button again.");
		return CB_EINVAL;
	}
	if ((rc = db_relink_target(ctx->db, kind, id, &to, &mgr)) != CB_OK) {
		if (rc == CB_ENOTFOUND)
			ctx->message = _(no_such[kind]);
		return rc;
	}
	if (!access_record(ctx->user, kind, ACCESS_VIEW, mgr))
		return denied(ctx, _(not_yours[kind]));
	if ((rc = db_call_access(ctx->db, call_id, &ca)) != CB_OK) {
		if (rc == CB_ENOTFOUND)
			ctx->message = _("There is no such call.");
		return rc;
	}
	if (!may_link(ctx, &ca.who, kind, mgr))
		return denied(ctx, _(no_linking[kind]));
	if ((rc = live_call(ctx, call_id, &live, NULL, NULL)) != CB_OK)
		return rc;
	if ((rc = db_relink_state(ctx->db, call_id, &s)) != CB_OK)
		return rc;
	if (live == 0 || s.withheld) {
		app_fail(ctx, CB_EINVAL, 409, live == 0 ? _("This call is no "
		    "longer live (or it is not yours): it stays linked where "
		    "it was.") : _("The caller withheld their number: Callboard "
		    "links such calls to nobody."));
		return CB_OK;
	}
	if ((rc = db_begin(ctx->db)) != CB_OK)
		return rc;
	rc = link_move(ctx->db, call_id, ctx->user->id, &to);
	if (rc == CB_OK)
		rc = db_commit(ctx->db);
	if (rc != CB_OK) {
		db_rollback(ctx->db);
		return rc;
	}
	log_info("user %lld moved call %lld to %s %lld",
	    (long long)ctx->user->id, (long long)call_id, kind_paths[kind],
	    (long long)id);
	resp_redirect(ctx->resp, 303, arena_printf(ctx->arena,
	    "/%s/%lld?linked=%lld", kind_paths[kind], (long long)id,
	    (long long)call_id));
	return CB_OK;
}

static enum cb_err
post_customer_link(struct ctx *ctx)
{
	return post_link_call(ctx, ACCESS_CUSTOMER);
}

static enum cb_err
post_order_link(struct ctx *ctx)
{
	return post_link_call(ctx, ACCESS_ORDER);
}

static enum cb_err
post_lead_link(struct ctx *ctx)
{
	return post_link_call(ctx, ACCESS_LEAD);
}

/* "?linked=<call>" after a move: the page says so. */
static void
linked_notice(struct ctx *ctx, struct json_object *m)
{
	if (kv_get(&ctx->req->query, "linked"))
		app_add_str(m, "confirmation", _("The call is linked here now."));
}

/* -------------------------------------------------------------- customer */

static enum cb_err
page_customer(struct ctx *ctx)
{
	int64_t id = ctx->ids[0];
	struct json_object *m = json_object_new_object(), *a;
	struct db_stmt *st;
	enum cb_err rc;
	bool has_calls, feed = perm_has(ctx->user, PERM_CUSTOMERS_CALLS);
	int64_t mgr;

	if ((rc = db_crm_customer(ctx->db, id, &st)) != CB_OK) {
		json_object_put(m);
		if (rc == CB_ENOTFOUND)
			ctx->message = _("There is no such customer.");
		return rc;
	}
	if (!access_record(ctx->user, ACCESS_CUSTOMER, ACCESS_VIEW,
	    db_col_i64(st, 5))) {
		db_stmt_done(st);
		json_object_put(m);
		return denied(ctx, _(not_yours[ACCESS_CUSTOMER]));
	}
	mgr = db_col_i64(st, 5);
	app_add_int(m, "id", id);
	app_add_str(m, "title", db_col(st, 0, NULL));
	app_add_str(m, "name", db_col(st, 0, NULL));
	app_add_str(m, "email", db_col(st, 1, NULL));
	app_add_str(m, "manager", db_col(st, 2, NULL));
	app_add_time(ctx, m, "created", db_col(st, 3, NULL));
	app_add_str(m, "comment", db_col(st, 4, NULL));
	db_stmt_done(st);

	a = json_object_new_array();
	json_object_object_add(m, "phones", a);
	if ((rc = db_crm_customer_phones(ctx->db, id, &st)) != CB_OK)
		goto fail;
	while ((rc = db_fetch(st)) == CB_OK) {
		struct json_object *p = json_object_new_object();
		const char *phone = db_col(st, 0, NULL);
		phone_view_add(ctx, p, "phone", phone);
		phone_where_add(ctx, p, phone);
		app_add_str(p, "dial_url", dial_href(ctx->arena, ctx->user, phone,
		    0));
		if (db_col_i64(st, 2))
			app_add_str(p, "shared", _("Another customer already had "
			    "this number: their calls and routing stay with "
			    "them."));
		/* The history link only when there is history to show, and
		 * only for roles that may open the history page. */
		if (db_col_i64(st, 1) && perm_has(ctx->user, PERM_CALLS)) {
			struct buf u;
			buf_init(&u, 256);
			buf_puts(&u, "/calls?q_mode=exact&q=");
			url_component(&u, phone, strlen(phone));
			if (u.err == CB_OK)
				app_add_str(p, "history_url", arena_strdup(
				    ctx->arena, buf_cstr(&u)));
			buf_free(&u);
		}
		json_object_array_add(a, p);
	}
	db_stmt_done(st);
	if (rc != CB_ENOTFOUND)
		goto fail;

	a = json_object_new_array();
	json_object_object_add(m, "orders", a);
	if ((rc = db_crm_customer_orders(ctx->db, id, &st)) != CB_OK)
		goto fail;
	while ((rc = db_fetch(st)) == CB_OK) {
		struct json_object *o;
		char label[48];

		if (!access_record(ctx->user, ACCESS_ORDER, ACCESS_VIEW,
		    db_col_i64(st, 6)))
			continue;
		o = json_object_new_object();
		app_add_int(o, "id", db_col_i64(st, 0));
		app_add_str(o, "url", arena_printf(ctx->arena, "/orders/%lld",
		    (long long)db_col_i64(st, 0)));
		order_label(label, sizeof(label), db_col(st, 1, NULL),
		    db_col_i64(st, 0));
		app_add_str(o, "number", label);
		app_add_str(o, "status", db_col(st, 2, NULL));
		app_add_decimal(ctx, o, "total", db_col(st, 3, NULL));
		app_add_str(o, "currency", db_col(st, 4, NULL));
		app_add_time(ctx, o, "created", db_col(st, 5, NULL));
		json_object_array_add(a, o);
	}
	db_stmt_done(st);
	if (rc != CB_ENOTFOUND)
		goto fail;

	a = json_object_new_array();
	json_object_object_add(m, "leads", a);
	if ((rc = db_crm_customer_leads(ctx->db, id, &st)) != CB_OK)
		goto fail;
	while ((rc = db_fetch(st)) == CB_OK) {
		struct json_object *o;
		if (!access_record(ctx->user, ACCESS_LEAD, ACCESS_VIEW,
		    db_col_i64(st, 4)))
			continue;
		o = json_object_new_object();
		app_add_int(o, "id", db_col_i64(st, 0));
		app_add_str(o, "url", arena_printf(ctx->arena, "/leads/%lld",
		    (long long)db_col_i64(st, 0)));
		app_add_str(o, "name", db_col(st, 1, NULL));
		app_add_str(o, "type", db_col(st, 2, NULL));
		app_add_time(ctx, o, "created", db_col(st, 3, NULL));
		json_object_array_add(a, o);
	}
	db_stmt_done(st);
	if (rc != CB_ENOTFOUND)
		goto fail;

	if ((rc = db_crm_customer_has_calls(ctx->db, id, &has_calls)) != CB_OK)
		goto fail;
	if (has_calls && feed)
		app_add_str(m, "calls_url", arena_printf(ctx->arena,
		    "/customers/%lld/calls", (long long)id));
	if (access_record_any(ctx->user, ACCESS_ORDER, ACCESS_EDIT))
		app_add_str(m, "add_order_url", arena_printf(ctx->arena,
		    "/orders/new?customer=%lld", (long long)id));
	if (access_record_any(ctx->user, ACCESS_LEAD, ACCESS_EDIT))
		app_add_str(m, "add_lead_url", arena_printf(ctx->arena,
		    "/leads/new?customer=%lld", (long long)id));
	if (kv_get(&ctx->req->query, "shared"))
		app_add_str(m, "confirmation", _("The customer is saved. Their "
		    "number already belongs to another customer, who keeps "
		    "its calls and routing; it is flagged below."));
	else if (kv_get(&ctx->req->query, "moved"))
		app_add_str(m, "confirmation", _("The customer is saved. Their "
		    "number belonged to another customer: its calls and "
		    "routing now go to this one."));
	else if (kv_get(&ctx->req->query, "created"))
		app_add_str(m, "confirmation", _("The customer is saved."));
	linked_notice(ctx, m);
	if ((rc = live_call_offer(ctx, m, ACCESS_CUSTOMER, id, mgr)) != CB_OK)
		goto fail;
	return app_render(ctx, "customer.html", m);
fail:
	json_object_put(m);
	return rc;
}

/* The end every create form shares: the call it links (if any), the
 * errors of a refused POST (400), the template. Takes m and errors. */
static enum cb_err
render_new_form(struct ctx *ctx, struct json_object *m, int64_t call_id,
    struct json_object *errors, const char *template)
{
	if (call_id)
		app_add_int(m, "call", call_id);
	if (errors) {
		ctx->resp->status = 400;
		json_object_object_add(m, "errors", errors);
		app_add_bool(m, "has_errors", true);
	}
	return app_render(ctx, template, m);
}

typedef enum cb_err (*form_fn)(struct ctx *ctx, int64_t call_id,
    struct json_object *errors);

/* GET of a create form: the call in the link must be one the user may
 * link; the form starts empty. */
static enum cb_err
page_new(struct ctx *ctx, form_fn form)
{
	int64_t call_id;
	enum cb_err rc;

	if ((rc = source_call(ctx, &call_id)) != CB_OK)
		return rc;
	return form(ctx, call_id, NULL);
}

static enum cb_err
customer_form(struct ctx *ctx, int64_t call_id, struct json_object *errors)
{
	struct json_object *m = json_object_new_object();

	app_add_str(m, "title", _("New customer"));
	app_add_str(m, "name", param(ctx, "name"));
	app_add_str(m, "phone", param(ctx, "phone"));
	app_add_str(m, "email", param(ctx, "email"));
	return render_new_form(ctx, m, call_id, errors, "customer_new.html");
}

static enum cb_err
page_customer_new(struct ctx *ctx)
{
	return page_new(ctx, customer_form);
}

enum phone_outcome { PHONE_ADDED, PHONE_MOVED, PHONE_SHARED };

/* A new customer's number (issue 16 §1). Linking and routing follow the
 * newest customer that has a number in customer_phones, so putting it
 * there moves that caller's calls and routing to the new customer. That
 * happens only when no customer has the number yet, or when the author
 * may edit every customer that has it (customers.edit covering their
 * manager: the responsible manager stays unless a role allowed to change
 * it does). Otherwise the number is kept flagged on the new customer
 * (customer_phones_shared) and the earlier customer keeps everything. */
static enum cb_err
new_customer_phone(struct ctx *ctx, int64_t id, const char *e164,
    const char *rev, enum phone_outcome *out)
{
	struct db_stmt *st;
	int64_t newest = 0;
	bool may_take = true;
	enum cb_err rc;

	if ((rc = db_crm_phone_holders(ctx->db, e164, &st)) != CB_OK)
		return rc;
	while ((rc = db_fetch(st)) == CB_OK) {
		if (newest == 0)
			newest = db_col_i64(st, 0);
		if (!access_record(ctx->user, ACCESS_CUSTOMER, ACCESS_EDIT,
		    db_col_i64(st, 1)))
			may_take = false;
	}
	db_stmt_done(st);
	if (rc != CB_ENOTFOUND)
		return rc;
	if (newest != 0 && !may_take) {
		*out = PHONE_SHARED;
		log_info("user %lld: number of customer %lld kept flagged on "
		    "customer %lld", (long long)ctx->user->id,
		    (long long)newest, (long long)id);
		return db_crm_add_shared_phone(ctx->db, id, e164, rev, newest,
		    ctx->user->id);
	}
	*out = newest != 0 ? PHONE_MOVED : PHONE_ADDED;
	return link_new_phone(ctx->db, id, e164, rev, NULL, NULL);
}

static enum cb_err
post_customer(struct ctx *ctx)
{
	struct json_object *errors = json_object_new_object();
	const char *name, *email, *phone = param(ctx, "phone");
	char e164[PHONE_MAX], rev[PHONE_MAX];
	int64_t call_id, id = 0, lead = 0;
	enum phone_outcome outcome = PHONE_ADDED;
	enum cb_err rc;

	if ((rc = source_call(ctx, &call_id)) != CB_OK) {
		json_object_put(errors);
		return rc;
	}
	name = text_field(ctx, "name", 255, false, &form_text_name, errors);
	email = text_field(ctx, "email", 255, true, &email_words, errors);
	if (*email && strchr(email, '@') == NULL)
		json_object_object_add(errors, "email", app_jstr(_("An e-mail "
		    "address has an @, like ann@example.com.")));
	if (*phone && !phone_key(ctx, phone, e164, rev))
		json_object_object_add(errors, "phone", app_jstr(_("This is not "
		    "a phone number; type it with the country code, like "
		    "+380 67 123 45 67.")));
	if (json_object_object_length(errors) > 0)
		return customer_form(ctx, call_id, errors);
	json_object_put(errors);
	if ((rc = db_begin(ctx->db)) != CB_OK)
		return rc;
	rc = db_customer_create(ctx->db, name, *email ? email : NULL,
	    ctx->user->id, NULL, &id);
	/* The missed call's automatic lead is the new customer's (issue 19
	 * §8): before the phone, so the number's earlier calls find it. */
	if (rc == CB_OK && call_id)
		rc = link_customer_takes_lead(ctx->db, call_id, id, &lead);
	if (rc == CB_OK && *phone)
		rc = new_customer_phone(ctx, id, e164, rev, &outcome);
	if (rc == CB_OK && call_id)
		rc = db_crm_link_call(ctx->db, call_id, id, 0, lead);
	if (rc == CB_OK)
		rc = db_commit(ctx->db);
	if (rc != CB_OK) {
		db_rollback(ctx->db);
		return rc;
	}
	log_info("user %lld created customer %lld", (long long)ctx->user->id,
	    (long long)id);
	resp_redirect(ctx->resp, 303, arena_printf(ctx->arena,
	    "/customers/%lld?created=1%s", (long long)id,
	    outcome == PHONE_SHARED ? "&shared=1" : outcome == PHONE_MOVED ?
	    "&moved=1" : ""));
	return CB_OK;
}

/* ----------------------------------------------------------------- order */

static enum cb_err
page_order(struct ctx *ctx)
{
	int64_t id = ctx->ids[0], cust, mgr, store;
	struct json_object *m = json_object_new_object(), *a;
	struct db_stmt *st;
	enum cb_err rc;
	bool has_calls;
	char label[48];

	if ((rc = db_crm_order(ctx->db, id, &st)) != CB_OK) {
		json_object_put(m);
		if (rc == CB_ENOTFOUND)
			ctx->message = _("There is no such order.");
		return rc;
	}
	if (!access_record(ctx->user, ACCESS_ORDER, ACCESS_VIEW,
	    db_col_i64(st, 10))) {
		db_stmt_done(st);
		json_object_put(m);
		return denied(ctx, _(not_yours[ACCESS_ORDER]));
	}
	mgr = db_col_i64(st, 10);
	app_add_int(m, "id", id);
	order_label(label, sizeof(label), db_col(st, 0, NULL), id);
	app_add_str(m, "number", label);
	app_add_str(m, "title", app_fill(ctx, _("Order {number}"),
	    "{number}", label, (const char *)NULL));
	app_add_str(m, "status", db_col(st, 1, NULL));
	app_add_bool(m, "open", strcmp(db_col(st, 2, NULL), "open") == 0);
	cust = db_col_null(st, 3) ? 0 : db_col_i64(st, 3);
	if (cust) {
		app_add_str(m, "customer_url", arena_printf(ctx->arena,
		    "/customers/%lld", (long long)cust));
		app_add_str(m, "customer", db_col(st, 4, NULL));
	}
	app_add_str(m, "store", db_col(st, 5, NULL));
	app_add_decimal(ctx, m, "total", db_col(st, 6, NULL));
	app_add_str(m, "currency", db_col(st, 7, NULL));
	app_add_str(m, "manager", db_col(st, 8, NULL));
	app_add_time(ctx, m, "created", db_col(st, 9, NULL));
	store = db_col_i64(st, 11);
	db_stmt_done(st);

	a = json_object_new_array();
	json_object_object_add(m, "phones", a);
	if (cust) {
		if ((rc = db_crm_customer_phones(ctx->db, cust, &st)) != CB_OK)
			goto fail;
		while ((rc = db_fetch(st)) == CB_OK) {
			struct json_object *p = json_object_new_object();
			const char *phone = db_col(st, 0, NULL);
			phone_view_add(ctx, p, "phone", phone);
			app_add_str(p, "dial_url", dial_href_store(ctx->arena, ctx->user,
			    phone, store));
			json_object_array_add(a, p);
		}
		db_stmt_done(st);
		if (rc != CB_ENOTFOUND)
			goto fail;
	}
	if ((rc = db_crm_order_has_calls(ctx->db, id, &has_calls)) != CB_OK)
		goto fail;
	if (has_calls && perm_has(ctx->user, PERM_ORDERS_CALLS))
		app_add_str(m, "calls_url", arena_printf(ctx->arena,
		    "/orders/%lld/calls", (long long)id));
	if (kv_get(&ctx->req->query, "created"))
		app_add_str(m, "confirmation", _("The order is saved."));
	linked_notice(ctx, m);
	if ((rc = live_call_offer(ctx, m, ACCESS_ORDER, id, mgr)) != CB_OK)
		goto fail;
	return app_render(ctx, "order.html", m);
fail:
	json_object_put(m);
	return rc;
}

static enum cb_err
order_form(struct ctx *ctx, int64_t call_id, struct json_object *errors)
{
	struct json_object *m = json_object_new_object(), *stores, *statuses;
	int64_t cust = id_param(ctx, "customer"), store = id_param(ctx,
	    "store"), status = id_param(ctx, "status");
	char name[256];
	int64_t mgr = 0;
	enum cb_err rc;

	if (cust > 0 && db_crm_customer_name(ctx->db, cust, name,
	    sizeof(name), &mgr) == CB_OK && access_record(ctx->user,
	    ACCESS_CUSTOMER, ACCESS_VIEW, mgr)) {
		app_add_int(m, "customer_id", cust);
		app_add_str(m, "customer", name);
	}
	if ((rc = form_options(ctx->db, db_crm_stores, store, &stores)) !=
	    CB_OK) {
		json_object_put(m);
		json_object_put(errors);
		return rc;
	}
	json_object_object_add(m, "stores", stores);
	if ((rc = form_options(ctx->db, db_crm_open_statuses, status,
	    &statuses)) != CB_OK) {
		json_object_put(m);
		json_object_put(errors);
		return rc;
	}
	json_object_object_add(m, "statuses", statuses);
	app_add_str(m, "title", _("New order"));
	app_add_str(m, "number", param(ctx, "number"));
	app_add_str(m, "total", *param(ctx, "total") ? param(ctx, "total") : "0");
	return render_new_form(ctx, m, call_id, errors, "order_new.html");
}

static enum cb_err
page_order_new(struct ctx *ctx)
{
	return page_new(ctx, order_form);
}

/* 0 to 9,999,999,999.99: digits with at most two decimals. */
static bool
money_ok(const char *s)
{
	size_t i = 0, before = 0, after = 0;

	while (s[i] >= '0' && s[i] <= '9') {
		i++;
		before++;
	}
	if (s[i] == '.') {
		i++;
		while (s[i] >= '0' && s[i] <= '9') {
			i++;
			after++;
		}
	}
	return s[i] == '\0' && before >= 1 && before <= 10 && after <= 2;
}

static enum cb_err
post_order(struct ctx *ctx)
{
	struct json_object *errors = json_object_new_object();
	struct crm_order_new o;
	const char *total = param(ctx, "total");
	char name[256];
	int64_t call_id, id = 0, mgr = 0;
	bool ok;
	enum cb_err rc;

	if ((rc = source_call(ctx, &call_id)) != CB_OK) {
		json_object_put(errors);
		return rc;
	}
	memset(&o, 0, sizeof(o));
	o.manager_id = ctx->user->id;
	o.number = text_field(ctx, "number", 32, true, &order_number_words,
	    errors);
	if (o.number[0] == '\0')
		o.number = NULL;
	o.customer_id = id_param(ctx, "customer");
	/* A customer the user may not see is "no such customer" too. */
	if (o.customer_id <= 0 || db_crm_customer_name(ctx->db, o.customer_id,
	    name, sizeof(name), &mgr) != CB_OK || !access_record(ctx->user,
	    ACCESS_CUSTOMER, ACCESS_VIEW, mgr))
		json_object_object_add(errors, "customer", app_jstr(_("An order "
		    "needs a customer: open it from the customer's page or "
		    "create the customer first.")));
	o.store_id = id_param(ctx, "store");
	if (o.store_id < 0 || (o.store_id > 0 && (db_crm_store_exists(
	    ctx->db, o.store_id, &ok) != CB_OK || !ok)))
		json_object_object_add(errors, "store",
		    app_jstr(_("Pick the store from the list.")));
	o.status_id = id_param(ctx, "status");
	if (o.status_id <= 0 || db_crm_open_status_exists(ctx->db,
	    o.status_id, &ok) != CB_OK || !ok)
		json_object_object_add(errors, "status",
		    app_jstr(_("Pick the status from the list.")));
	if (*total == '\0')
		total = "0";
	if (!money_ok(total))
		json_object_object_add(errors, "total", app_jstr(_("The total is "
		    "a number like 1250 or 1250.50.")));
	o.total = total;
	if (json_object_object_length(errors) > 0)
		return order_form(ctx, call_id, errors);
	if ((rc = db_begin(ctx->db)) != CB_OK) {
		json_object_put(errors);
		return rc;
	}
	rc = db_crm_order_create(ctx->db, &o, &id);
	if (rc == CB_OK && call_id)
		rc = db_crm_link_call(ctx->db, call_id, o.customer_id, id, 0);
	if (rc == CB_OK)
		rc = db_commit(ctx->db);
	if (rc == CB_DUPLICATE) {
		db_rollback(ctx->db);
		json_object_object_add(errors, "number", app_jstr(_("An order "
		    "with this number exists; choose another or leave it "
		    "empty.")));
		return order_form(ctx, call_id, errors);
	}
	json_object_put(errors);
	if (rc != CB_OK) {
		db_rollback(ctx->db);
		return rc;
	}
	resp_redirect(ctx->resp, 303, arena_printf(ctx->arena,
	    "/orders/%lld?created=1", (long long)id));
	return CB_OK;
}

/* ------------------------------------------------------------------ lead */

static enum cb_err
page_lead(struct ctx *ctx)
{
	struct json_object *m = json_object_new_object();
	struct db_stmt *st;
	enum cb_err rc;
	int64_t mgr;

	if ((rc = db_crm_lead(ctx->db, ctx->ids[0], &st)) != CB_OK) {
		json_object_put(m);
		if (rc == CB_ENOTFOUND)
			ctx->message = _("There is no such lead.");
		return rc;
	}
	if (!access_record(ctx->user, ACCESS_LEAD, ACCESS_VIEW,
	    db_col_i64(st, 9))) {
		db_stmt_done(st);
		json_object_put(m);
		return denied(ctx, _(not_yours[ACCESS_LEAD]));
	}
	mgr = db_col_i64(st, 9);
	app_add_int(m, "id", ctx->ids[0]);
	app_add_str(m, "title", db_col(st, 0, NULL));
	app_add_str(m, "name", db_col(st, 0, NULL));
	phone_view_add(ctx, m, "phone", db_col(st, 1, NULL));
	if (db_col(st, 1, NULL))
		app_add_str(m, "dial_url", dial_href(ctx->arena, ctx->user,
		    db_col(st, 1, NULL), 0));
	app_add_str(m, "type", db_col(st, 2, NULL));
	app_add_str(m, "state", db_col(st, 3, NULL));
	app_add_str(m, "state_label", db_col(st, 3, NULL) && strcmp(db_col(st,
	    3, NULL), "open") == 0 ? C_("lead status", "Open") :
	    C_("lead status", "Closed"));
	app_add_str(m, "origin", db_col(st, 10, NULL));
	if (!db_col_null(st, 4)) {
		app_add_str(m, "customer_url", arena_printf(ctx->arena,
		    "/customers/%lld", (long long)db_col_i64(st, 4)));
		app_add_str(m, "customer", db_col(st, 5, NULL));
	}
	app_add_str(m, "comment", db_col(st, 6, NULL));
	app_add_time(ctx, m, "created", db_col(st, 7, NULL));
	if (!db_col_null(st, 8))
		app_add_str(m, "call_url", arena_printf(ctx->arena, "/calls/%lld",
		    (long long)db_col_i64(st, 8)));
	db_stmt_done(st);
	if (kv_get(&ctx->req->query, "created"))
		app_add_str(m, "confirmation", _("The lead is saved."));
	linked_notice(ctx, m);
	if ((rc = live_call_offer(ctx, m, ACCESS_LEAD, ctx->ids[0], mgr)) !=
	    CB_OK) {
		json_object_put(m);
		return rc;
	}
	return app_render(ctx, "lead.html", m);
}

static enum cb_err
lead_form(struct ctx *ctx, int64_t call_id, struct json_object *errors)
{
	struct json_object *m = json_object_new_object();
	int64_t cust = id_param(ctx, "customer"), mgr = 0;
	char name[256];

	if (cust > 0 && db_crm_customer_name(ctx->db, cust, name,
	    sizeof(name), &mgr) == CB_OK && access_record(ctx->user,
	    ACCESS_CUSTOMER, ACCESS_VIEW, mgr)) {
		app_add_int(m, "customer_id", cust);
		app_add_str(m, "customer", name);
	}
	app_add_str(m, "title", _("New lead"));
	app_add_str(m, "name", *param(ctx, "name") ? param(ctx, "name") :
	    cust > 0 ? NULL : _("Unknown client"));
	app_add_str(m, "phone", param(ctx, "phone"));
	app_add_str(m, "comment", param(ctx, "comment"));
	return render_new_form(ctx, m, call_id, errors, "lead_new.html");
}

static enum cb_err
page_lead_new(struct ctx *ctx)
{
	return page_new(ctx, lead_form);
}

static enum cb_err
post_lead(struct ctx *ctx)
{
	struct json_object *errors = json_object_new_object();
	struct crm_lead_new l;
	const char *phone = param(ctx, "phone");
	char e164[PHONE_MAX], rev[PHONE_MAX], name[256];
	int64_t call_id, id = 0, mgr = 0;
	enum cb_err rc;

	if ((rc = source_call(ctx, &call_id)) != CB_OK) {
		json_object_put(errors);
		return rc;
	}
	memset(&l, 0, sizeof(l));
	l.manager_id = ctx->user->id;
	l.call_id = call_id;
	l.customer_id = id_param(ctx, "customer");
	if (l.customer_id < 0 || (l.customer_id > 0 && (db_crm_customer_name(
	    ctx->db, l.customer_id, name, sizeof(name), &mgr) != CB_OK ||
	    !access_record(ctx->user, ACCESS_CUSTOMER, ACCESS_VIEW, mgr))))
		json_object_object_add(errors, "customer", app_jstr(_("There is "
		    "no such customer.")));
	l.name = text_field(ctx, "name", 255, l.customer_id > 0,
	    &lead_name_words, errors);
	if (l.name[0] == '\0' && l.customer_id > 0)
		l.name = arena_strdup(ctx->arena, name);
	l.comment = text_field(ctx, "comment", 4000, true, &comment_words,
	    errors);
	if (l.comment[0] == '\0')
		l.comment = NULL;
	if (*phone) {
		if (!phone_key(ctx, phone, e164, rev))
			json_object_object_add(errors, "phone", app_jstr(_("This "
			    "is not a phone number; type it with the country "
			    "code, like +380 67 123 45 67.")));
		else
			l.phone = e164;
	}
	if (json_object_object_length(errors) > 0)
		return lead_form(ctx, call_id, errors);
	json_object_put(errors);
	if ((rc = db_begin(ctx->db)) != CB_OK)
		return rc;
	rc = db_crm_lead_create(ctx->db, &l, &id);
	if (rc == CB_OK && call_id)
		rc = db_crm_link_call(ctx->db, call_id, l.customer_id, 0, id);
	if (rc == CB_OK)
		rc = db_commit(ctx->db);
	if (rc != CB_OK) {
		db_rollback(ctx->db);
		return rc;
	}
	resp_redirect(ctx->resp, 303, arena_printf(ctx->arena,
	    "/leads/%lld?created=1", (long long)id));
	return CB_OK;
}

/* The route's permission is the first check (any scope); the handlers
 * narrow scope "own" to the records the user manages. */
static const struct route routes[] = {
	{ "/customers/new", HTTP_M(HTTP_GET), AUTH_SESSION,
	    PERM_CUSTOMERS_EDIT, 0, 0, page_customer_new },
	{ "/customers", HTTP_M(HTTP_POST), AUTH_SESSION, PERM_CUSTOMERS_EDIT,
	    BODY_FORM, 0, post_customer },
	{ "/customers/#", HTTP_M(HTTP_GET), AUTH_SESSION, PERM_CUSTOMERS, 0, 0,
	    page_customer },
	{ "/customers/#/link-call", HTTP_M(HTTP_POST), AUTH_SESSION,
	    PERM_CUSTOMERS_EDIT, BODY_FORM, 0, post_customer_link },
	{ "/orders/new", HTTP_M(HTTP_GET), AUTH_SESSION, PERM_ORDERS_EDIT, 0,
	    0, page_order_new },
	{ "/orders", HTTP_M(HTTP_POST), AUTH_SESSION, PERM_ORDERS_EDIT,
	    BODY_FORM, 0, post_order },
	{ "/orders/#", HTTP_M(HTTP_GET), AUTH_SESSION, PERM_ORDERS, 0, 0,
	    page_order },
	{ "/orders/#/link-call", HTTP_M(HTTP_POST), AUTH_SESSION,
	    PERM_ORDERS_EDIT, BODY_FORM, 0, post_order_link },
	{ "/leads/new", HTTP_M(HTTP_GET), AUTH_SESSION, PERM_LEADS_EDIT, 0, 0,
	    page_lead_new },
	{ "/leads", HTTP_M(HTTP_POST), AUTH_SESSION, PERM_LEADS_EDIT,
	    BODY_FORM, 0, post_lead },
	{ "/leads/#", HTTP_M(HTTP_GET), AUTH_SESSION, PERM_LEADS, 0, 0,
	    page_lead },
	{ "/leads/#/link-call", HTTP_M(HTTP_POST), AUTH_SESSION,
	    PERM_LEADS_EDIT, BODY_FORM, 0, post_lead_link },
};

static const struct program program = {
	"crm", routes, sizeof(routes) / sizeof(routes[0]), true
};

int
main(int argc, char *argv[])
{
	return app_main(&program, argc, argv);
}
