/* dial: click-to-call (issue 5 §3).
 *
 *   GET  /dial?number=…[&call=<id>][&placed=<slug>]
 *        the confirm page: the number, the integration picker when several
 *        integrations can place calls, the manager's extension; after a
 *        call was placed (PRG), what happens now
 *   POST /dial   csrf, number, integration, call
 *        normalises the number (refused with a message, and no request, when
 *        it is not a valid number), asks the provider to ring the manager's
 *        extension and then the customer (lib/dial/), and redirects to the
 *        GET (303); JSON clients (static/dial.js) get {"status":"calling",
 *        "message":…}. Provider failures re-show the page with the reason in
 *        plain words (502); the request is bounded by outbound_timeout_seconds.
 *
 * One click (issue 18): a phone's link is this GET, which static/dial.js
 * turns into the POST without an integration; the server then calls
 * through the default line (default_line()), and only when it has none
 * does the page ask which (the menu). The lines that cannot dial yet are
 * setup warnings: listed for admins only.
 *
 * Needs the calls.dial permission. Users with the deep-link preference get
 * sip:/tel: links from dial_href() and never come here, but the page offers
 * the tel: link too. Enabled integrations that could place calls once a
 * setting is filled in (Twilio's caller ID, a PBX's make_call_url) are
 * listed with what to set and, for users with `settings`, a link to the
 * integration's page; picking one is a 409 that says the same. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/jsonget.h"
#include "core/strparse.h"
#include "db/dial.h"
#include "db/integration.h"
#include "db/line_access.h"
#include "db/user_prefs.h"
#include "dial/dial.h"
#include "http/app.h"
#include "http/escape.h"
#include "net/httpc.h"
#include "phone/phone.h"

#define DIAL_MAX_INTEGRATIONS 50
#define NUMBER_INPUT_MAX 64

struct choice {
	const char *slug;
	const char *name;
	const char *kind;
	int64_t id;
	const char *missing;       /* what it needs before it can place calls
	                            * (dial_missing_setting()), NULL when it
	                            * can; such choices follow the others */
};

struct form {
	const char *number;        /* as typed */
	const char *slug;          /* the integration picked, or NULL */
	int64_t call_id;
	const char *error;         /* next to the number */
	const char *failure;       /* the provider's answer, in plain words */
	const char *placed;        /* after the redirect: what happens now */
};

/* The enabled integrations that can place calls, in the arena: out[0..n)
 * can; out[n..n + *npending) could once a setting is filled in (the page
 * says which, so "no integration can place calls" is never the whole
 * story when one is a field away). */
static enum cb_err
choices(struct ctx *ctx, struct choice *out, size_t *n, size_t *npending)
{
	struct choice pending[DIAL_MAX_INTEGRATIONS];
	struct db_stmt *st;
	enum cb_err rc;
	size_t i;

	*n = *npending = 0;
	if ((rc = db_dial_integrations(ctx->db, &st)) != CB_OK)
		return rc;
	while (*n + *npending < DIAL_MAX_INTEGRATIONS &&
	    (rc = db_fetch(st)) == CB_OK) {
		const char *cfg = db_col(st, DIAL_CONFIG, NULL);
		const char *kind = db_col(st, DIAL_KIND, NULL);
		struct json_object *c = cfg ? json_tokener_parse(cfg) : NULL;
		const char *missing = dial_missing_setting(kind, c);
		struct choice *ch = NULL;
		bool on_line;

		/* Only the lines the user is on (issue 19 item 5). */
		if ((rc = db_line_may(ctx->db, db_col_i64(st, DIAL_ID),
		    line_of_dial(c), ctx->user->id, &on_line)) != CB_OK) {
			json_object_put(c);
			db_stmt_done(st);
			return rc;
		}
		if (on_line && dial_capable(kind, c))
			ch = &out[(*n)++];
		else if (on_line && missing != NULL)
			ch = &pending[(*npending)++];
		if (ch != NULL) {
			ch->slug = arena_strdup(ctx->arena,
			    db_col(st, DIAL_SLUG, NULL));
			ch->name = arena_strdup(ctx->arena,
			    db_col(st, DIAL_NAME, NULL));
			ch->kind = arena_strdup(ctx->arena, kind);
			ch->id = db_col_i64(st, DIAL_ID);
			ch->missing = missing;
		}
		json_object_put(c);
	}
	db_stmt_done(st);
	for (i = 0; i < *npending; i++)
		out[*n + i] = pending[i];
	return rc == CB_OK || rc == CB_ENOTFOUND ? CB_OK : rc;
}

/* "Twilio (demo) cannot place calls yet: …", for the page and for a POST
 * that picked it. */
static const char *
pending_message(struct ctx *ctx, const struct choice *c)
{
	static const char *const keys[] = { "{name}", "{missing}" };
	const char *vals[] = { c->name, _(c->missing) };
	char s[1024];

	i18n_fill(perm_has(ctx->user, PERM_SETTINGS) ? _("{name} cannot place "
	    "calls yet: set {missing} in Settings › Integrations › {name}.") :
	    _("{name} cannot place calls yet: ask an admin to set {missing} in "
	    "Settings › Integrations › {name}."), keys, vals, 2, s, sizeof(s));
	return arena_strdup(ctx->arena, s);
}

static int64_t
call_param(struct ctx *ctx)
{
	const char *v = app_param(ctx, "call");
	int64_t id;

	return v && strparse_i64z(v, 1, INT64_MAX, &id) == CB_OK ? id : 0;
}

/* "tel:+380671234567": digits and a leading '+' only. */
static const char *
tel_url(struct ctx *ctx, const char *number)
{
	char *out, *o;
	const char *p;

	if (number == NULL || *number == '\0')
		return NULL;
	o = out = arena_alloc(ctx->arena, strlen(number) + 5);
	memcpy(o, "tel:", 4);
	o += 4;
	for (p = number; *p; p++)
		if ((*p >= '0' && *p <= '9') || (*p == '+' && p == number))
			*o++ = *p;
	*o = '\0';
	return o == out + 4 ? NULL : out;
}

static enum cb_err
show(struct ctx *ctx, const struct form *f, const struct choice *ch,
    size_t n, size_t npending)
{
	struct json_object *m = json_object_new_object(), *list, *pend;
	const char *ext = ctx->user->extension;
	size_t i;

	pend = json_object_new_array();
	/* Setup warnings are for those who can fix them (issue 18). */
	if (!perm_has(ctx->user, PERM_SETTINGS))
		npending = 0;
	for (i = n; i < n + npending; i++) {
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "message", app_jstr(
		    pending_message(ctx, &ch[i])));
		/* The settings page only for those who may open it. */
		json_object_object_add(o, "settings_url", perm_has(ctx->user,
		    PERM_SETTINGS) ? app_jstr(arena_printf(ctx->arena,
		    "/settings/integrations/%lld#click-to-call",
		    (long long)ch[i].id)) : NULL);
		json_object_object_add(o, "name", app_jstr(ch[i].name));
		json_object_array_add(pend, o);
	}
	json_object_object_add(m, "unconfigured", pend);

	list = json_object_new_array();
	for (i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "slug", app_jstr(ch[i].slug));
		json_object_object_add(o, "name", app_jstr(ch[i].name));
		json_object_object_add(o, "selected", json_object_new_boolean(
		    f->slug != NULL && strcmp(f->slug, ch[i].slug) == 0));
		json_object_array_add(list, o);
	}
	json_object_object_add(m, "title", app_jstr(_("Call a customer")));
	json_object_object_add(m, "number", app_jstr(f->number));
	json_object_object_add(m, "tel_url", app_jstr(tel_url(ctx,
	    f->number)));
	json_object_object_add(m, "call_id", f->call_id > 0 ?
	    json_object_new_int64(f->call_id) : NULL);
	json_object_object_add(m, "back_url", app_jstr(f->call_id > 0 ?
	    arena_printf(ctx->arena, "/calls/%lld", (long long)f->call_id) :
	    "/calls"));
	json_object_object_add(m, "integrations", list);
	json_object_object_add(m, "several", json_object_new_boolean(n > 1));
	json_object_object_add(m, "only", n == 1 ? app_jstr(ch[0].slug) :
	    NULL);
	json_object_object_add(m, "only_name", n == 1 ? app_jstr(ch[0].name) :
	    NULL);
	json_object_object_add(m, "none", json_object_new_boolean(n == 0));
	json_object_object_add(m, "extension", app_jstr(*ext ? ext : NULL));
	json_object_object_add(m, "cannot_call", json_object_new_boolean(
	    n == 0 || *ext == '\0'));
	json_object_object_add(m, "error", app_jstr(f->error));
	json_object_object_add(m, "failure", app_jstr(f->failure));
	json_object_object_add(m, "placed", app_jstr(f->placed));
	return app_render(ctx, "dial.html", m);
}

static const struct choice *
find(const struct choice *ch, size_t n, const char *slug)
{
	size_t i;

	for (i = 0; slug != NULL && i < n; i++)
		if (strcmp(ch[i].slug, slug) == 0)
			return &ch[i];
	return NULL;
}

static const struct choice *
find_id(const struct choice *ch, size_t n, int64_t id)
{
	size_t i;

	for (i = 0; id > 0 && i < n; i++)
		if (ch[i].id == id)
			return &ch[i];
	return NULL;
}

/* The line a click calls through when none was picked (issue 18): the one
 * the user last called through, else the store's (the call's store, or the
 * store param of an order's page, else the line the call came through),
 * else the only one; never one outside ch[0..n), which holds only lines
 * that can dial and that line_acl_allows() for this user (choices()).
 * NULL: several lines and no default, so the user picks. */
static enum cb_err
default_line(struct ctx *ctx, const struct choice *ch, size_t n,
    int64_t call_id, const struct choice **out)
{
	const char *sv = app_param(ctx, "store");
	int64_t id, store = 0;
	enum cb_err rc;

	*out = NULL;
	if (n == 0)
		return CB_OK;
	if ((rc = db_user_last_line(ctx->db, ctx->user->id, &id)) != CB_OK)
		return rc;
	if ((*out = find_id(ch, n, id)) != NULL)
		return CB_OK;
	if (sv != NULL && strparse_i64z(sv, 1, INT64_MAX, &store) != CB_OK)
		store = 0;
	if ((rc = db_store_line(ctx->db, call_id, store, &id)) != CB_OK)
		return rc;
	if ((*out = find_id(ch, n, id)) != NULL)
		return CB_OK;
	*out = n == 1 ? &ch[0] : NULL;
	return CB_OK;
}

static enum cb_err
page_dial(struct ctx *ctx)
{
	struct choice ch[DIAL_MAX_INTEGRATIONS];
	struct form f;
	const struct choice *placed;
	size_t n, np;
	enum cb_err rc;

	if ((rc = choices(ctx, ch, &n, &np)) != CB_OK)
		return rc;
	memset(&f, 0, sizeof(f));
	f.number = app_param(ctx, "number");
	f.call_id = call_param(ctx);
	f.slug = app_param(ctx, "integration");
	if (f.number != NULL && strlen(f.number) > NUMBER_INPUT_MAX)
		f.number = NULL;
	if (f.slug == NULL) {
		const struct choice *d;
		if ((rc = default_line(ctx, ch, n, f.call_id, &d)) != CB_OK)
			return rc;
		f.slug = d ? d->slug : NULL;
	}
	if ((placed = find(ch, n, app_param(ctx, "placed"))) != NULL) {
		struct dial_target t = { .kind = placed->kind,
		    .name = placed->name };
		f.slug = placed->slug;
		static const char *const keys[] = { "{name}", "{extension}",
		    "{number}" };
		const char *vals[] = { dial_provider_name(&t),
		    ctx->user->extension, f.number ? f.number :
		    _("the customer") };
		char s[512];

		i18n_fill(_("{name} is calling your extension {extension}. "
		    "Pick up, and you will be connected to {number}."), keys,
		    vals, 3, s, sizeof(s));
		f.placed = arena_strdup(ctx->arena, s);
	}
	return show(ctx, &f, ch, n, np);
}

/* A refusal for a form: the page again with the message (HTML), or the
 * JSON error. */
static enum cb_err
refuse(struct ctx *ctx, int status, struct form *f, const struct choice *ch,
    size_t n, size_t np)
{
	const char *msg = f->error ? f->error : f->failure;

	if (ctx->req->want == WANT_JSON) {
		app_fail(ctx, status >= 500 ? CB_EUPSTREAM : CB_EINVAL, status,
		    msg);
		return CB_OK;
	}
	ctx->resp->status = status;
	return show(ctx, f, ch, n, np);
}

/* Whether slug names an integration whose line this user is not on
 * (lib/auth/line_access.h): choices() left it out, and picking it anyway
 * is a 403 that says why. */
static enum cb_err
line_refused(struct ctx *ctx, const char *slug, struct form *f)
{
	static const char *const keys[] = { "{name}" };
	const char *vals[1];
	struct integration ig;
	enum cb_err rc;
	char s[1024];
	bool ok;

	if (slug == NULL || *slug == '\0')
		return CB_OK;
	rc = db_integration_by_slug(ctx->db, ctx->arena, slug, &ig);
	if (rc == CB_ENOTFOUND)
		return CB_OK;
	if (rc != CB_OK || (rc = db_line_may(ctx->db, ig.id,
	    line_of_dial(ig.config), ctx->user->id, &ok)) != CB_OK)
		return rc;
	if (ok)
		return CB_OK;
	f->slug = NULL;
	vals[0] = ig.name;
	i18n_fill(perm_has(ctx->user, PERM_SETTINGS) ? _("You are not on the "
	    "lines of {name}, so you cannot call through it. Add yourself in "
	    "Settings › Integrations › {name} › Who sees the lines.") :
	    _("You are not on the lines of {name}, so you cannot call through "
	    "it. Ask an admin to add you in Settings › Integrations › {name} › "
	    "Who sees the lines."), keys, vals, 1, s, sizeof(s));
	f->failure = arena_strdup(ctx->arena, s);
	return CB_EDENIED;
}

static enum cb_err
do_dial(struct ctx *ctx)
{
	struct choice ch[DIAL_MAX_INTEGRATIONS];
	const struct choice *c;
	struct integration ig;
	struct dial_target t;
	struct form f;
	char e164[PHONE_MAX], msg[512];
	const char *region;
	size_t n, np;
	enum cb_err rc;

	if ((rc = choices(ctx, ch, &n, &np)) != CB_OK)
		return rc;
	memset(&f, 0, sizeof(f));
	f.number = kv_get(&ctx->req->form, "number");
	f.slug = kv_get(&ctx->req->form, "integration");
	f.call_id = call_param(ctx);
	if (f.slug != NULL && find(ch, n + np, f.slug) == NULL &&
	    (rc = line_refused(ctx, f.slug, &f)) != CB_OK) {
		if (rc != CB_EDENIED)
			return rc;
		return refuse(ctx, 403, &f, ch, n, np);
	}
	if (ctx->user->extension[0] == '\0') {
		f.failure = _("Your user has no extension, so there is no "
		    "phone to ring first. Ask an admin to set it in Settings › "
		    "Users.");
		return refuse(ctx, 409, &f, ch, n, np);
	}
	if (f.slug != NULL && (c = find(ch + n, np, f.slug)) != NULL) {
		f.failure = pending_message(ctx, c);
		return refuse(ctx, 409, &f, ch, n, np);
	}
	if (n == 0) {
		f.failure = _("No integration can place calls yet. An admin "
		    "can set one up in Settings › Integrations.");
		return refuse(ctx, 409, &f, ch, n, np);
	}
	if (f.slug == NULL || *f.slug == '\0') {
		const struct choice *d;
		if ((rc = default_line(ctx, ch, n, f.call_id, &d)) != CB_OK)
			return rc;
		f.slug = d ? d->slug : NULL;
	}
	if ((c = find(ch, n, f.slug)) == NULL) {
		f.slug = NULL;
		f.failure = _("Pick the integration to call through.");
		return refuse(ctx, 400, &f, ch, n, np);
	}
	if ((rc = db_integration_by_slug(ctx->db, ctx->arena, c->slug, &ig)) !=
	    CB_OK)
		return rc;
	region = ig.default_country[0] ? ig.default_country :
	    ctx->cfg->default_country;
	if (f.number == NULL || *f.number == '\0' ||
	    strlen(f.number) > NUMBER_INPUT_MAX ||
	    phone_normalize(f.number, strlen(f.number), region, e164,
	    sizeof(e164)) != PHONE_E164) {
		f.error = f.number && *f.number ? arena_printf(ctx->arena,
		    "“%.64s” %s", f.number, _("is not a phone number that can "
		    "be dialled. Check it and try again.")) : _("Enter the "
		    "number to call.");
		return refuse(ctx, 400, &f, ch, n, np);
	}
	memset(&t, 0, sizeof(t));
	t.kind = ig.kind;
	t.slug = ig.slug;
	t.name = ig.name;
	t.config = ig.config;
	t.secrets = ig.secrets;
	t.extension = ctx->user->extension;
	t.number = e164;
	t.public_url = ctx->cfg->public_url;
	t.call_id = f.call_id;
	t.now = (long long)time(NULL);
	rc = dial_place(&t, ctx->cfg->outbound_timeout_seconds, msg,
	    sizeof(msg));
	if (rc != CB_OK) {
		if (rc == CB_EINVAL)
			log_warn("dial: integration %s: %s", ig.slug, msg);
		f.failure = arena_strdup(ctx->arena, msg);
		return refuse(ctx, 502, &f, ch, n, np);
	}
	/* The next click's default (issue 18); the call is placed already,
	 * so a failure here is only logged. */
	if (db_user_last_line_save(ctx->db, ctx->user->id, ig.id) != CB_OK)
		log_warn("dial: could not remember user %lld's line",
		    (long long)ctx->user->id);
	if (ctx->req->want == WANT_JSON) {
		struct json_object *m = json_object_new_object();
		json_object_object_add(m, "status", app_jstr("calling"));
		json_object_object_add(m, "message", app_jstr(msg));
		json_object_object_add(m, "number", app_jstr(e164));
		json_object_object_add(m, "integration", app_jstr(ig.slug));
		return app_render(ctx, NULL, m);
	}
	{
		struct buf loc;
		buf_init(&loc, 1024);
		buf_puts(&loc, "/dial?number=");
		url_component(&loc, e164, strlen(e164));
		if (f.call_id > 0)
			buf_printf(&loc, "&call=%lld", (long long)f.call_id);
		buf_puts(&loc, "&placed=");
		url_component(&loc, ig.slug, strlen(ig.slug));
		resp_redirect(ctx->resp, 303, buf_cstr(&loc));
		buf_free(&loc);
	}
	return CB_OK;
}

static const struct route routes[] = {
	{ "/dial", HTTP_M(HTTP_GET), AUTH_SESSION, PERM_CALLS_DIAL, 0, 0,
	    page_dial },
	{ "/dial", HTTP_M(HTTP_POST), AUTH_SESSION, PERM_CALLS_DIAL, BODY_FORM,
	    8192, do_dial },
};

static const struct program program = {
	"dial", routes, sizeof(routes) / sizeof(routes[0]), true
};

int
main(int argc, char *argv[])
{
	int rc;

	phone_init();
	httpc_global_init();
	rc = app_main(&program, argc, argv);
	httpc_global_cleanup();
	return rc;
}
