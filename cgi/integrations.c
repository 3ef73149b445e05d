/* integrations: Settings › Integrations and Settings › Exceptions (issue 6
 * §4 and §5, pages half).
 *
 *   GET  /settings/integrations          the list, with callback URLs
 *   GET  /settings/integrations/new?kind=K   the form for a new one
 *   POST /settings/integrations/new      create (PRG to its page)
 *   GET  /settings/integrations/<id>     edit form, callback URL, numbers,
 *                                        the "send a test event" button
 *   POST /settings/integrations/<id>     save (one transaction with the
 *                                        numbers); errors re-show the form
 *   POST /settings/integrations/<id>/test  sends a signed test event to
 *                                        the public callback URL and shows
 *                                        the answer on the page
 *
 * Secrets are stored encrypted (core/secretbox.h) and never shown back:
 * the form shows "•••• last 4", and an empty field keeps the stored value.
 *
 *   GET  /settings/integrations/dead-letters   refused events (issue 16
 *                                        §4): acknowledged provider events
 *                                        the database refused, newest
 *                                        first, with a safe preview
 *   POST /settings/integrations/dead-letters/<id>/retry   queues one for
 *                                        the worker, as `callboard
 *                                        dead-letters retry ID` does; the
 *                                        page then shows its outcome
 *
 *   GET  /settings/exceptions            the numbers whose calls are not
 *                                        stored, and the form to add one
 *   POST /settings/exceptions            phone=<any format>&comment=...
 *   POST /settings/exceptions/<id>/delete
 *
 * Every route needs the `settings` permission. */
#include "config.h"


#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <stdlib.h>
#include <time.h>

#include <openssl/crypto.h>

#include "cgi/integration_status.h"
#include "core/jsonget.h"
#include "core/secretbox.h"
#include "core/strparse.h"
#include "core/timefmt.h"
#include "core/utf8.h"
#include "calls/dead_preview.h"
#include "db/job.h"
#include "db/exceptions.h"
#include "db/integrations_admin.h"
#include "db/line_access.h"
#include "db/store_country.h"
#include "db/settings_automation.h"
#include "http/app.h"
#include "http/form.h"
#include "net/httpc.h"
#include "net/ipmatch.h"
#include "phone/phone.h"
#include "providers/registry.h"
#include "providers/test_event.h"

static const char *db_down = N_("The database is not answering. Try again in "
    "a minute.");



/* --------------------------------------------------------- exceptions -- */

/* The list page; with errors (a refused add) the form keeps what was
 * typed and the status is 400. */
static enum cb_err
exceptions_render(struct ctx *ctx, const char *phone, const char *comment,
    const char *phone_error, const char *comment_error)
{
	const char *v = kv_get(&ctx->req->query, "added");
	struct json_object *m, *list;
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_exceptions_list(ctx->db, &st)) != CB_OK) {
		ctx->message = _(db_down);
		return rc;
	}
	m = json_object_new_object();
	list = json_object_new_array();
	json_object_object_add(m, "exceptions", list);
	while ((rc = db_fetch(st)) == CB_OK) {
		struct json_object *e = json_object_new_object();
		int64_t id = db_col_i64(st, EXC_ID);

		app_add_int(e, "id", id);
		app_add_str(e, "phone", db_col(st, EXC_PHONE, NULL));
		app_add_str(e, "comment", db_col(st, EXC_COMMENT, NULL));
		app_add_str(e, "author", db_col(st, EXC_AUTHOR, NULL));
		app_add_time(ctx, e, "created", db_col(st, EXC_CREATED_AT,
		    NULL));
		app_add_str(e, "delete_url", arena_printf(ctx->arena,
		    "/settings/exceptions/%lld/delete", (long long)id));
		json_object_array_add(list, e);
	}
	db_stmt_done(st);
	if (rc != CB_ENOTFOUND) {
		json_object_put(m);
		ctx->message = _(db_down);
		return rc;
	}
	app_add_str(m, "title", _("Exceptions"));
	app_add_str(m, "phone", phone);
	app_add_str(m, "comment", comment);
	app_add_str(m, "phone_error", phone_error);
	app_add_str(m, "comment_error", comment_error);
	app_add_bool(m, "has_errors", phone_error || comment_error);
	app_add_str(m, "default_country", ctx->cfg->default_country);
	if (v && strcmp(v, "1") == 0)
		app_add_str(m, "confirmation", _("The number is on the list: its "
		    "calls will not be stored."));
	else if ((v = kv_get(&ctx->req->query, "deleted")) && *v == '1')
		app_add_str(m, "confirmation", _("The number is off the list."));
	else
		json_object_object_add(m, "confirmation", NULL);
	if (phone_error || comment_error)
		ctx->resp->status = 400;
	return app_render(ctx, "settings_exceptions.html", m);
}

static enum cb_err
page_exceptions(struct ctx *ctx)
{
	return exceptions_render(ctx, NULL, NULL, NULL, NULL);
}

static enum cb_err
post_exception(struct ctx *ctx)
{
	const char *phone = form_trimmed(ctx, "phone");
	const char *comment = form_trimmed(ctx, "comment");
	char e164[PHONE_MAX], rev[PHONE_MAX];
	const char *perr = NULL, *cerr = NULL;
	enum phone_kind k;
	long chars;
	int64_t id;
	enum cb_err rc;

	/* Normalised like the hook does (lib/calls/ingest.c), so "067 123 45
	 * 67" here matches "+380671234567" from a provider. */
	k = phone_normalize(phone, strlen(phone), ctx->cfg->default_country,
	    e164, sizeof(e164));
	if (*phone == '\0')
		perr = _("Type the number whose calls should not be stored.");
	else if (k == PHONE_INVALID)
		perr = _("This is not a phone number. Type it in any format, "
		    "e.g. +380 67 123 45 67 or 067 123 45 67.");
	else if (k == PHONE_EXTENSION)
		perr = _("This looks like an internal extension, not a customer's "
		    "number: calls between extensions are internal already.");
	chars = utf8_chars(comment, strlen(comment));
	if (chars < 0)
		cerr = _("The comment has bytes that are not text.");
	else if (chars > EXCEPTION_COMMENT_MAX)
		cerr = app_fill(ctx, ngettext("A comment is at most {max} "
		    "characters; this one has {n}.", "A comment is at most "
		    "{max} characters; this one has {n}.", (unsigned long)chars),
		    "{max}", arena_printf(ctx->arena, "%d",
		    EXCEPTION_COMMENT_MAX), "{n}", arena_printf(ctx->arena,
		    "%ld", chars), (const char *)NULL);
	if (perr || cerr)
		return exceptions_render(ctx, phone, comment, perr, cerr);
	phone_digits_rev(e164, strlen(e164), rev, sizeof(rev));
	rc = db_exception_add(ctx->db, e164, rev, *comment ? comment : NULL,
	    ctx->user->id, &id);
	if (rc == CB_DUPLICATE)
		return exceptions_render(ctx, phone, comment, arena_printf(
		    ctx->arena, "%s is already on the list.", e164), NULL);
	if (rc != CB_OK) {
		ctx->message = _("The number was not added: the database is not "
		    "answering. Try again in a minute.");
		return rc;
	}
	resp_redirect(ctx->resp, 303, "/settings/exceptions?added=1");
	return CB_OK;
}

static enum cb_err
post_exception_delete(struct ctx *ctx)
{
	enum cb_err rc;

	rc = db_exception_delete(ctx->db, ctx->ids[0]);
	if (rc == CB_ENOTFOUND) {
		ctx->message = _("That number is not on the list (any more).");
		return rc;
	}
	if (rc != CB_OK) {
		ctx->message = _(db_down);
		return rc;
	}
	resp_redirect(ctx->resp, 303, "/settings/exceptions?deleted=1");
	return CB_OK;
}

/* ------------------------------------------------------- dead letters -- */

#define DEAD_PAGE_MAX 100

/* A dead letter's state for data-state ("refused", "stored",
 * "retrying"): an N_() msgid too, translated where people read it. */
static const char *
dead_state_label(const char *state)
{
	if (state && strcmp(state, "failed") == 0)
		return N_("refused");
	if (state && strcmp(state, "done") == 0)
		return N_("stored");
	return N_("retrying");
}

/* One dead letter row (db/job.h DEAD_*) for the page. */
static struct json_object *
dead_model(struct ctx *ctx, struct db_stmt *st)
{
	struct json_object *o = json_object_new_object();
	int64_t id = db_col_i64(st, DEAD_ID);
	const char *state = db_col(st, DEAD_STATE, NULL);
	struct dead_parts p;

	memset(&p, 0, sizeof(p));
	p.method = db_col(st, DEAD_METHOD, NULL);
	p.query = db_col(st, DEAD_QUERY, NULL);
	p.content_type = db_col(st, DEAD_CONTENT_TYPE, NULL);
	p.body = db_col(st, DEAD_BODY, &p.body_len);
	p.body_cut = db_col_i64(st, DEAD_BODY_CUT) != 0;
	p.not_text = db_col_i64(st, DEAD_NOT_TEXT) != 0;
	app_add_int(o, "id", id);
	app_add_time(ctx, o, "received", db_col(st, DEAD_CREATED_AT, NULL));
	app_add_str(o, "integration", db_col(st, DEAD_SLUG, NULL));
	app_add_str(o, "state", state);
	app_add_str(o, "state_label", _(dead_state_label(state)));
	app_add_str(o, "reason", db_col(st, DEAD_ERROR, NULL));
	app_add_str(o, "preview", dead_preview(ctx->arena, &p));
	app_add_bool(o, "retryable", state && strcmp(state, "failed") == 0);
	app_add_str(o, "retry_url", arena_printf(ctx->arena,
	    "/settings/integrations/dead-letters/%lld/retry", (long long)id));
	return o;
}

/* What became of a retried dead letter, for the line above the list. */
static enum cb_err
dead_result(struct ctx *ctx, struct json_object *m, int64_t id)
{
	struct db_stmt *st;
	const char *state, *text;
	enum cb_err rc;

	rc = db_job_dead_get(ctx->db, id, &st);
	if (rc == CB_ENOTFOUND) {
		app_add_str(m, "result", app_fill_n(ctx, _("There is no "
		    "refused event {n}."), id));
		return CB_OK;
	}
	if (rc != CB_OK)
		return rc;
	state = db_col(st, DEAD_STATE, NULL);
	if (state && strcmp(state, "done") == 0)
		text = app_fill_n(ctx, _("Event {n} is stored now."),
		    (long long)id);
	else if (state && strcmp(state, "failed") == 0)
		text = arena_printf(ctx->arena, "%s %s", app_fill_n(ctx,
		    _("Event {n} was refused again:"), id), db_col(st,
		    DEAD_ERROR, NULL));
	else
		text = app_fill_n(ctx, _("Event {n} is queued: the worker tries "
		    "it within seconds. Reload this page to see the outcome."),
		    id);
	app_add_str(m, "result", text);
	app_add_str(m, "result_state", dead_state_label(state));
	db_stmt_done(st);
	return CB_OK;
}

static enum cb_err
page_dead_letters(struct ctx *ctx)
{
	struct json_object *m = json_object_new_object(),
	    *list = json_object_new_array();
	const char *v = kv_get(&ctx->req->query, "retried");
	struct db_stmt *st;
	int64_t id;
	unsigned n = 0;
	enum cb_err rc;

	json_object_object_add(m, "letters", list);
	json_object_object_add(m, "result", NULL);
	if (v && strparse_i64z(v, 1, INT64_MAX, &id) == CB_OK &&
	    (rc = dead_result(ctx, m, id)) != CB_OK)
		goto fail;
	/* One more than shown tells whether there are more. */
	if ((rc = db_job_dead_list(ctx->db, DEAD_PAGE_MAX + 1, &st)) != CB_OK)
		goto fail;
	while ((rc = db_fetch(st)) == CB_OK)
		if (n++ < DEAD_PAGE_MAX)
			json_object_array_add(list, dead_model(ctx, st));
	db_stmt_done(st);
	if (rc != CB_ENOTFOUND)
		goto fail;
	app_add_bool(m, "more", n > DEAD_PAGE_MAX);
	app_add_int(m, "limit", DEAD_PAGE_MAX);
	app_add_str(m, "title", _("Refused events"));
	return app_render(ctx, "settings_dead_letters.html", m);
fail:
	json_object_put(m);
	ctx->message = _(db_down);
	return rc;
}

/* The same one step as `callboard dead-letters retry ID`
 * (db_job_dead_retry): the worker tries it once. */
static enum cb_err
post_dead_letter_retry(struct ctx *ctx)
{
	enum cb_err rc = db_job_dead_retry(ctx->db, ctx->ids[0]);

	if (rc == CB_ENOTFOUND) {
		ctx->message = _("This event is not waiting for a retry: it was "
		    "stored, or is being retried already. See the list.");
		return rc;
	}
	if (rc != CB_OK) {
		ctx->message = _(db_down);
		return rc;
	}
	resp_redirect(ctx->resp, 303, arena_printf(ctx->arena,
	    "/settings/integrations/dead-letters?retried=%lld",
	    (long long)ctx->ids[0]));
	return CB_OK;
}

/* ------------------------------------------------------- integrations -- */

struct iform;
static void provider_settings_load(struct ctx *ctx, struct iform *f);

/* The form's fields come from the provider's descriptor (its .fields
 * schema, its .dial setting, its .time_zone and .networks): this file
 * names no provider. */
#define FIELDS_MAX 8
#define NUMBER_ROWS_EMPTY 3

static enum prov_dial_setting
dial_setting(const struct provider *p)
{
	return p->dial != NULL ? p->dial->setting : PROV_DIALSET_NONE;
}

/* Whether the provider's form has a section of its own (the time zone its
 * times are in, the addresses its webhooks come from). */
static bool
has_provider_settings(const struct provider *p)
{
	return p->time_zone != NULL || p->networks != NULL;
}

/* The i-th field of the provider's schema is a secret the form edits. */
static bool
secret_field(const struct provider *p, size_t i)
{
	return p->fields != NULL && i < FIELDS_MAX &&
	    p->fields[i].name != NULL && p->fields[i].secret;
}

static size_t
nfields(const struct provider *p)
{
	size_t n = 0;

	while (p->fields != NULL && n < FIELDS_MAX && p->fields[n].name != NULL)
		n++;
	return n;
}

/* "Choose the provider: twilio, zadarma, ... or generic." */
static const char *
choose_provider(struct ctx *ctx)
{
	struct buf b;
	const char *r;

	buf_init(&b, 1024);
	buf_puts(&b, _("Choose the provider:"));
	buf_putc(&b, ' ');
	provider_kinds_text(&b);
	buf_putc(&b, '.');
	r = arena_strdup(ctx->arena, b.err == CB_OK ? buf_cstr(&b) :
	    _("Choose the provider."));
	buf_free(&b);
	return r;
}

/* One external number row of the form, as typed. */
struct number_row {
	const char *number;
	const char *store;
	const char *label;
	const char *error;
};

/* The integration form: what is shown, what was typed, and the errors. */
struct iform {
	int64_t id;                      /* 0 = new */
	const struct provider *kind;
	const char *slug, *name, *country;
	bool enabled, link_to_leads;
	const char *fb_type, *fb_target, *fb_user;
	const char *masked[FIELDS_MAX]; /* "•••• abcd", or NULL when unset */
	struct number_row *rows;
	size_t nrows;
	const char *err_name, *err_slug, *err_country, *err_fallback;
	const char *err_secret[FIELDS_MAX];
	const char *err_numbers;
	const char *config;              /* the stored config JSON, or NULL */
	const char *caller_id;           /* click-to-call, as typed/stored */
	const char *call_url, *call_method;
	const char *err_dial;
	/* The hang-up request (generic format, Asterisk: URL-kind dial). */
	const char *hangup_url, *hangup_method;
	const char *err_hangup;
	bool transcribe;                 /* config transcribe_recordings */
	/* The provider's own section (Zadarma has one): the account's zone
	 * and the source addresses notifications come from, as typed or
	 * stored; an empty zone means "the country's". */
	const char *time_zone, *allowed_ips;
	const char *err_provider;
	/* The provider's non-secret fields (config_fields_*): as typed or
	 * stored, and what is wrong with each. */
	const char *cfg_value[FIELDS_MAX];
	const char *err_cfg[FIELDS_MAX];
	bool cfg_loaded;
	bool errors;
	struct json_object *test;        /* the test event's result, or NULL */
	/* Kinds by country (issue 19 item 7): the store a new integration
	 * is for (0 = none: the system's country), and the refusal. */
	int64_t store_id;
	const char *err_kind, *err_store;
	/* Who sees the lines (issue 19 item 5): as typed after a refused
	 * save, else NULL (then the stored lists are shown). */
	struct line_sel *lines;
	size_t nlines;
	const char *err_lines;
};

/* The stored secrets decrypted, or an empty object (none, or not
 * readable with this key: the page then asks for them again). Caller
 * puts it. */
static struct json_object *
secrets_open(struct ctx *ctx, const char *stored, bool *unreadable)
{
	struct json_object *o = NULL;
	char *plain;
	size_t len;

	*unreadable = false;
	if (stored != NULL && *stored) {
		if (secretbox_open(ctx->cfg->secret_key, stored, strlen(stored),
		    &plain, &len) == CB_OK) {
			o = json_tokener_parse(plain);
			OPENSSL_cleanse(plain, len);
			free(plain);
		}
		if (o == NULL || !json_object_is_type(o, json_type_object)) {
			if (o)
				json_object_put(o);
			o = NULL;
			*unreadable = true;
		}
	}
	return o ? o : json_object_new_object();
}

/* "•••• " + the last 4 characters; short values show nothing of
 * themselves. */
static const char *
mask(struct ctx *ctx, struct json_object *secrets, const char *key)
{
	struct json_object *v;
	const char *s;
	size_t n;

	if (!json_object_object_get_ex(secrets, key, &v) ||
	    (s = json_object_get_string(v)) == NULL || *s == '\0')
		return NULL;
	n = strlen(s);
	if (n < 12)
		return "••••";
	return arena_printf(ctx->arena, "•••• %s", s + n - 4);
}

static const char *
callback_url(struct ctx *ctx, const char *slug)
{
	const char *base = ctx->cfg->public_url;
	size_t n = strlen(base);

	while (n > 0 && base[n - 1] == '/')
		n--;
	return arena_printf(ctx->arena, "%.*s/hook/%s", (int)n, base, slug);
}

static enum cb_err
stores_model(struct ctx *ctx, struct json_object **out)
{
	struct json_object *a = json_object_new_array();
	struct db_stmt *st;
	enum cb_err rc;

	*out = a;
	if ((rc = db_stores(ctx->db, &st)) != CB_OK)
		return rc;
	while ((rc = db_fetch(st)) == CB_OK) {
		struct json_object *o = json_object_new_object();

		app_add_str(o, "id", db_col(st, 0, NULL));
		app_add_str(o, "name", db_col(st, 1, NULL));
		json_object_array_add(a, o);
	}
	db_stmt_done(st);
	return rc == CB_ENOTFOUND ? CB_OK : rc;
}

static enum cb_err
users_model(struct ctx *ctx, const char *selected, struct json_object **out)
{
	struct json_object *a = json_object_new_array();
	struct db_stmt *st;
	enum cb_err rc;

	*out = a;
	if ((rc = db_automation_users(ctx->db, &st)) != CB_OK)
		return rc;
	while ((rc = db_fetch(st)) == CB_OK) {
		struct json_object *o = json_object_new_object();
		const char *id = db_col(st, 0, NULL);

		app_add_str(o, "id", id);
		app_add_str(o, "name", db_col(st, 1, NULL));
		app_add_bool(o, "selected", selected && id &&
		    strcmp(selected, id) == 0);
		json_object_array_add(a, o);
	}
	db_stmt_done(st);
	return rc == CB_ENOTFOUND ? CB_OK : rc;
}

/* CB_OK when id is an active user, CB_ENOTFOUND when not. */
static enum cb_err
user_known(struct ctx *ctx, int64_t id)
{
	struct db_stmt *st;
	enum cb_err rc;
	bool found = false;

	if ((rc = db_automation_users(ctx->db, &st)) != CB_OK)
		return rc;
	while ((rc = db_fetch(st)) == CB_OK)
		found = found || db_col_i64(st, 0) == id;
	db_stmt_done(st);
	if (rc != CB_ENOTFOUND)
		return rc;
	return found ? CB_OK : CB_ENOTFOUND;
}

static bool
str_eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static enum cb_err kinds_model(struct ctx *ctx, struct iform *f,
    struct json_object *m);
static enum cb_err lines_model(struct ctx *ctx, struct iform *f,
    struct json_object *m);

/* ---- the provider's non-secret fields (issue 17: Phonet's domain,
 * Yeastar's API address): kept in config under their names, shown in
 * clear, checked by the provider's check_setting. One concern, here. ---- */

#define CFG_FIELD_MAX 200

static bool
config_field(const struct provider *p, size_t i)
{
	return p->fields != NULL && i < FIELDS_MAX &&
	    p->fields[i].name != NULL && !p->fields[i].secret;
}

/* The stored values (an integration being shown first). */
static void
config_fields_load(struct ctx *ctx, struct iform *f)
{
	struct json_object *c = f->config ? json_tokener_parse(f->config) :
	    NULL;
	size_t i;

	for (i = 0; i < nfields(f->kind); i++)
		if (config_field(f->kind, i)) {
			const char *v = json_member_str(c,
			    f->kind->fields[i].name);

			f->cfg_value[i] = v ? arena_strdup(ctx->arena, v) : "";
		}
	json_object_put(c);
	f->cfg_loaded = true;
}

/* What is wrong with a typed value, or NULL. */
static const char *
config_field_check(const struct provider *p, const char *name,
    const char *v)
{
	size_t n = strlen(v), i;

	if (n > CFG_FIELD_MAX || !utf8_valid(v, n))
		return _("At most 200 characters of text.");
	for (i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return _("One line of text.");
	return p->check_setting != NULL ? p->check_setting(name, v) : NULL;
}

/* The typed values into the config JSON (row->config, after the other
 * settings' edits): a value replaces, an empty field removes the key, a
 * form without the field (a script's POST) keeps what is stored. */
static void
config_fields_read(struct ctx *ctx, struct iform *f,
    struct integration_row *row)
{
	const char *base = row->config ? row->config : f->config;
	struct json_object *c;
	bool any = false;
	size_t i;

	for (i = 0; i < nfields(f->kind); i++)
		any = any || config_field(f->kind, i);
	if (!any)
		return;
	c = base ? json_tokener_parse(base) : NULL;
	if (c == NULL || !json_object_is_type(c, json_type_object)) {
		json_object_put(c);
		c = json_object_new_object();
	}
	for (i = 0; i < nfields(f->kind); i++) {
		const struct prov_field *pf = &f->kind->fields[i];
		const char *key, *v;

		if (!config_field(f->kind, i))
			continue;
		key = arena_printf(ctx->arena, "config_%s", pf->name);
		if (kv_get(&ctx->req->form, key) == NULL) {
			v = json_member_str(c, pf->name);
			f->cfg_value[i] = v ? arena_strdup(ctx->arena, v) : "";
			continue;
		}
		v = f->cfg_value[i] = form_trimmed(ctx, key);
		f->err_cfg[i] = NULL;
		if (*v == '\0') {
			if (pf->required)
				f->err_cfg[i] = app_fill(ctx, _("The provider "
				    "needs this: type the {field}."),
				    "{field}", pf->label, NULL);
			else
				json_object_object_del(c, pf->name);
			continue;
		}
		if ((f->err_cfg[i] = config_field_check(f->kind, pf->name,
		    v)) != NULL)
			continue;
		json_object_object_add(c, pf->name, json_object_new_string(v));
	}
	f->cfg_loaded = true;
	row->config = arena_strdup(ctx->arena, json_object_to_json_string_ext(
	    c, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(c);
	for (i = 0; i < nfields(f->kind); i++)
		f->errors = f->errors || f->err_cfg[i] != NULL;
}

/* The page's "config_fields" list and "has_config_fields". */
static void
config_fields_render(struct ctx *ctx, struct iform *f, struct json_object *m)
{
	struct json_object *list = json_object_new_array();
	size_t i;

	if (!f->cfg_loaded)
		config_fields_load(ctx, f);
	for (i = 0; i < nfields(f->kind); i++) {
		struct json_object *o;

		if (!config_field(f->kind, i))
			continue;
		o = json_object_new_object();
		app_add_str(o, "key", f->kind->fields[i].name);
		app_add_str(o, "field", arena_printf(ctx->arena, "config_%s",
		    f->kind->fields[i].name));
		app_add_str(o, "label", f->kind->fields[i].label);
		app_add_str(o, "help", f->kind->fields[i].help);
		app_add_str(o, "value", f->cfg_value[i]);
		app_add_str(o, "error", f->err_cfg[i]);
		json_object_array_add(list, o);
	}
	app_add_bool(m, "has_config_fields",
	    json_object_array_length(list) > 0);
	json_object_object_add(m, "config_fields", list);
}

/* m.transcribe: the "Transcribe recordings automatically" box (providers
 * with recordings) and the engine this server is set to use. */
static void
transcribe_render(struct ctx *ctx, struct iform *f, struct json_object *m)
{
	struct json_object *o = json_object_new_object();
	const char *eng = ctx->cfg->transcribe_engine;

	app_add_bool(o, "shown", f->kind->recording != NULL);
	app_add_bool(o, "checked", f->transcribe);
	app_add_str(o, "engine", *eng ? eng : NULL);
	json_object_object_add(m, "transcribe", o);
}

static enum cb_err
integration_render(struct ctx *ctx, struct iform *f, const char *notice)
{
	struct json_object *m = json_object_new_object(),
	    *o = json_object_new_object(), *secrets = json_object_new_array(),
	    *rows = json_object_new_array(), *stores, *users;
	enum cb_err rc;
	size_t i, j;

	if ((rc = stores_model(ctx, &stores)) != CB_OK ||
	    (rc = users_model(ctx, f->fb_user, &users)) != CB_OK) {
		json_object_put(stores);
		json_object_put(m);
		json_object_put(o);
		json_object_put(secrets);
		json_object_put(rows);
		ctx->message = _(db_down);
		return rc;
	}
	app_add_bool(o, "is_new", f->id == 0);
	if (f->id)
		app_add_int(o, "id", f->id);
	app_add_str(o, "kind", f->kind->kind);
	app_add_str(o, "kind_label", f->kind->label);
	app_add_str(o, "where", f->kind->where);
	app_add_str(o, "slug", f->slug);
	app_add_str(o, "name", f->name);
	app_add_str(o, "country", f->country);
	app_add_bool(o, "enabled", f->enabled);
	app_add_bool(o, "link_to_leads", f->link_to_leads);
	app_add_str(o, "callback_url", f->id ? callback_url(ctx, f->slug) : NULL);
	app_add_str(o, "action", f->id ? arena_printf(ctx->arena,
	    "/settings/integrations/%lld", (long long)f->id) :
	    "/settings/integrations/new");
	app_add_str(o, "test_url", f->id ? arena_printf(ctx->arena,
	    "/settings/integrations/%lld/test", (long long)f->id) : NULL);
	app_add_str(o, "status_url", f->id ? arena_printf(ctx->arena,
	    "/settings/integrations/%lld/status", (long long)f->id) : NULL);
	if (f->id && f->kind->panel_file != NULL) {
		app_add_str(o, "panel_file_url", arena_printf(ctx->arena,
		    "/settings/integrations/%lld/panel-file", (long long)f->id));
		app_add_str(o, "panel_file_label", f->kind->panel_file->label);
	}
	app_add_str(o, "error_name", f->err_name);
	app_add_str(o, "error_slug", f->err_slug);
	app_add_str(o, "error_country", f->err_country);
	app_add_str(o, "error_fallback", f->err_fallback);
	app_add_str(o, "error_numbers", f->err_numbers);
	json_object_object_add(m, "integration", o);
	o = json_object_new_object();
	app_add_bool(o, "caller_id_kind", dial_setting(f->kind) ==
	    PROV_DIALSET_CALLER_ID);
	app_add_bool(o, "url_kind", dial_setting(f->kind) ==
	    PROV_DIALSET_URL);
	app_add_str(o, "caller_id", f->caller_id);
	app_add_str(o, "url", f->call_url);
	app_add_bool(o, "get", str_eq(f->call_method, "GET"));
	app_add_str(o, "error", f->err_dial);
	app_add_str(o, "hangup_url", f->hangup_url);
	app_add_bool(o, "hangup_get", str_eq(f->hangup_method, "GET"));
	app_add_str(o, "error_hangup", f->err_hangup);
	json_object_object_add(m, "dial", o);
	transcribe_render(ctx, f, m);
	if (f->time_zone == NULL)   /* a new integration: the defaults */
		provider_settings_load(ctx, f);
	o = json_object_new_object();
	app_add_bool(o, "settings", has_provider_settings(f->kind));
	app_add_bool(o, "zone_kind", f->kind->time_zone != NULL);
	app_add_bool(o, "networks_kind", f->kind->networks != NULL);
	app_add_str(o, "time_zone", f->time_zone);
	app_add_str(o, "country_zone", phone_region_time_zone(f->country));
	app_add_str(o, "allowed_ips", f->allowed_ips);
	app_add_str(o, "error", f->err_provider);
	json_object_object_add(m, "provider", o);
	for (i = 0; i < nfields(f->kind); i++) {
		struct json_object *sf;

		if (!secret_field(f->kind, i))
			continue;
		sf = json_object_new_object();
		app_add_str(sf, "key", f->kind->fields[i].name);
		app_add_str(sf, "field", arena_printf(ctx->arena, "secret_%s",
		    f->kind->fields[i].name));
		app_add_str(sf, "label", f->kind->fields[i].label);
		app_add_str(sf, "help", f->kind->fields[i].help);
		app_add_str(sf, "masked", f->masked[i]);
		app_add_bool(sf, "is_set", f->masked[i] != NULL);
		app_add_str(sf, "error", f->err_secret[i]);
		json_object_array_add(secrets, sf);
	}
	json_object_object_add(m, "secrets", secrets);
	config_fields_render(ctx, f, m);
	o = json_object_new_object();
	app_add_bool(o, "none", f->fb_type == NULL || *f->fb_type == '\0');
	app_add_bool(o, "queue", str_eq(f->fb_type, "queue"));
	app_add_bool(o, "voicemail", str_eq(f->fb_type, "voicemail"));
	app_add_bool(o, "manager", str_eq(f->fb_type, "manager"));
	app_add_str(o, "target", f->fb_target);
	json_object_object_add(o, "users", users);
	json_object_object_add(m, "fallback", o);
	for (i = 0; i < f->nrows + NUMBER_ROWS_EMPTY; i++) {
		const struct number_row *r = i < f->nrows ? &f->rows[i] : NULL;
		struct json_object *row = json_object_new_object(),
		    *ss = json_object_new_array();
		size_t n = json_object_array_length(stores);

		app_add_str(row, "number", r ? r->number : NULL);
		app_add_str(row, "label", r ? r->label : NULL);
		app_add_str(row, "error", r ? r->error : NULL);
		app_add_bool(row, "no_store", r == NULL || r->store == NULL ||
		    *r->store == '\0');
		for (j = 0; j < n; j++) {
			struct json_object *s = json_object_array_get_idx(
			    stores, j), *c = json_object_new_object();
			const char *sid = json_object_get_string(
			    json_object_object_get(s, "id"));

			app_add_str(c, "id", sid);
			app_add_str(c, "name", json_object_get_string(
			    json_object_object_get(s, "name")));
			app_add_bool(c, "selected", r && str_eq(r->store, sid));
			json_object_array_add(ss, c);
		}
		json_object_object_add(row, "stores", ss);
		json_object_array_add(rows, row);
	}
	json_object_put(stores);
	json_object_object_add(m, "numbers", rows);
	if ((rc = kinds_model(ctx, f, m)) != CB_OK ||
	    (rc = lines_model(ctx, f, m)) != CB_OK) {
		json_object_put(m);
		ctx->message = _(db_down);
		return rc;
	}
	app_add_bool(m, "has_errors", f->errors);
	app_add_str(m, "confirmation", notice);
	app_add_str(m, "title", f->id ? app_fill(ctx, _("{name} · "
	    "Integrations"), "{name}", f->name, NULL) :
	    _("New integration"));
	json_object_object_add(m, "test", f->test ? json_object_get(f->test) :
	    NULL);
	if (f->errors)
		ctx->resp->status = 400;
	return app_render(ctx, "settings_integration.html", m);
}

static const char *
col_dup(struct ctx *ctx, struct db_stmt *st, unsigned i)
{
	const char *v = db_col(st, i, NULL);

	return v ? arena_strdup(ctx->arena, v) : NULL;
}

/* The click-to-call, hang-up and transcription settings out of the
 * stored config. */
static void
dial_settings_load(struct ctx *ctx, struct iform *f)
{
	struct json_object *c = f->config ? json_tokener_parse(f->config) :
	    NULL, *t;
	const char *v;

	if ((v = json_member_str(c, "caller_id")) != NULL)
		f->caller_id = arena_strdup(ctx->arena, v);
	if ((v = json_member_str(c, "make_call_url")) != NULL)
		f->call_url = arena_strdup(ctx->arena, v);
	if ((v = json_member_str(c, "make_call_method")) != NULL)
		f->call_method = strcasecmp(v, "GET") == 0 ? "GET" : "POST";
	if ((v = json_member_str(c, "hangup_url")) != NULL)
		f->hangup_url = arena_strdup(ctx->arena, v);
	if ((v = json_member_str(c, "hangup_method")) != NULL)
		f->hangup_method = strcasecmp(v, "GET") == 0 ? "GET" : "POST";
	f->transcribe = c != NULL && json_object_object_get_ex(c,
	    "transcribe_recordings", &t) && json_object_get_boolean(t);
	json_object_put(c);
}

/* The provider's time zone and source addresses out of the stored config
 * (or their defaults: the country's zone, the provider's networks), one
 * address or network a line. */
static void
provider_settings_load(struct ctx *ctx, struct iform *f)
{
	struct json_object *c = f->config ? json_tokener_parse(f->config) :
	    NULL, *list;
	const char *const *def = f->kind->networks;
	struct buf b;
	size_t i, n;

	if (!has_provider_settings(f->kind)) {
		json_object_put(c);
		return;
	}
	/* A new integration's field stays empty (its hint names the
	 * country's zone): a zone filled in here would stay when the admin
	 * then picks another country. */
	if (f->kind->time_zone != NULL)
		f->time_zone = f->id == 0 && c == NULL ? "" : arena_strdup(
		    ctx->arena, f->kind->time_zone(c, f->country));
	else
		f->time_zone = "";
	buf_init(&b, 4096);
	if (c != NULL && json_object_object_get_ex(c, "allowed_ips", &list) &&
	    json_object_is_type(list, json_type_array)) {
		n = json_object_array_length(list);
		for (i = 0; i < n; i++)
			buf_printf(&b, "%s%s", i ? "\n" : "",
			    json_object_get_string(json_object_array_get_idx(
			    list, i)));
	} else
		for (i = 0; def != NULL && def[i] != NULL; i++)
			buf_printf(&b, "%s%s", i ? "\n" : "", def[i]);
	f->allowed_ips = arena_strdup(ctx->arena, b.err == CB_OK ?
	    buf_cstr(&b) : "");
	buf_free(&b);
	json_object_put(c);
}

/* The stored allow-list (or the provider's networks) as the form shows
 * it. */
static void
provider_settings_keep_ips(struct ctx *ctx, struct iform *f,
    struct json_object *c)
{
	const char *tz = f->time_zone;

	f->config = json_object_to_json_string_ext(c, JSON_C_TO_STRING_PLAIN);
	f->config = arena_strdup(ctx->arena, f->config);
	provider_settings_load(ctx, f);
	f->time_zone = tz;
}

/* One allow-list entry: an address, or a network "address/bits". */
static bool
ip_entry_valid(const char *e)
{
	char addr[64];
	unsigned char a[16];
	const char *slash = strchr(e, '/');
	size_t n = slash ? (size_t)(slash - e) : strlen(e);
	int64_t bits;
	bool v4;

	if (n == 0 || n >= sizeof(addr))
		return false;
	memcpy(addr, e, n);
	addr[n] = '\0';
	if (!ip_parse(addr, a, &v4))
		return false;
	return slash == NULL || strparse_i64z(slash + 1, 0, v4 ? 32 : 128,
	    &bits) == CB_OK;
}

/* The provider's own fields into the config JSON (other keys kept): an
 * empty zone is the country's, stored as such so that the page shows what
 * is used; an empty address list turns the source check off (issue 16
 * §7). */
static void
provider_settings_read(struct ctx *ctx, struct iform *f,
    struct integration_row *row)
{
	struct json_object *c, *list;
	const char *base = row->config ? row->config : f->config;
	char *ips, *tok, *save = NULL;

	if (!has_provider_settings(f->kind))
		return;
	c = base ? json_tokener_parse(base) : NULL;
	if (c == NULL || !json_object_is_type(c, json_type_object)) {
		json_object_put(c);
		c = json_object_new_object();
	}
	/* A form without the zone field (a script's POST) keeps the stored
	 * one; a new integration then gets its country's. */
	if (f->kind->time_zone != NULL && (f->id == 0 ||
	    kv_get(&ctx->req->form, "time_zone") != NULL)) {
		f->time_zone = form_trimmed(ctx, "time_zone");
		if (*f->time_zone == '\0')
			f->time_zone = phone_region_time_zone(f->err_country ?
			    NULL : f->country);
		if (!form_zone_valid(f->time_zone))
			f->err_provider = app_fill(ctx, _("The time zone is a "
			    "name like Europe/Kyiv (the zone your {provider} "
			    "account keeps its clock in); leave it empty for "
			    "your country's."), "{provider}", f->kind->label,
			    NULL);
		else
			json_object_object_add(c, "time_zone",
			    json_object_new_string(f->time_zone));
	}
	if (f->kind->networks == NULL)
		goto out;
	/* A form without the field (a script's POST) keeps what is stored:
	 * the provider's networks when nothing is. */
	if (kv_get(&ctx->req->form, "allowed_ips") == NULL) {
		f->allowed_ips = NULL;
		provider_settings_keep_ips(ctx, f, c);
		goto out;
	}
	f->allowed_ips = form_trimmed(ctx, "allowed_ips");
	list = json_object_new_array();
	ips = arena_strdup(ctx->arena, f->allowed_ips);
	for (tok = strtok_r(ips, " \t\r\n,", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t\r\n,", &save)) {
		if (!ip_entry_valid(tok)) {
			f->err_provider = arena_printf(ctx->arena, "\"%.64s\" "
			    "is not an address or a network like "
			    "185.45.152.0/24.", tok);
			break;
		}
		json_object_array_add(list, json_object_new_string(tok));
	}
	json_object_object_add(c, "allowed_ips", list);
out:
	row->config = arena_strdup(ctx->arena, json_object_to_json_string_ext(
	    c, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(c);
}

/* One request setting of the generic format (click-to-call's
 * make_call_url, the hang-up's hangup_url; docs/generic-format.md §9):
 * the URL field and its method field (POST or GET) into c under the same
 * names. The one rule for both: an http(s) URL (its {placeholders} are
 * text like any other), an empty URL removes both keys, and a form without
 * the URL field (a script's POST) keeps what is stored. *url and *method
 * are what the form shows; returns what is wrong (bad_url for the URL),
 * or NULL. */
static const char *
url_setting_read(struct ctx *ctx, struct json_object *c, const char *ukey,
    const char *mkey, const char *bad_url, const char **url,
    const char **method)
{
	if (kv_get(&ctx->req->form, ukey) == NULL)
		return NULL;
	*url = form_trimmed(ctx, ukey);
	*method = form_trimmed(ctx, mkey);
	if (**method == '\0')
		*method = "POST";
	if (strcmp(*method, "POST") != 0 && strcmp(*method, "GET") != 0)
		return _("Send the request as POST or GET.");
	if (**url == '\0') {
		json_object_object_del(c, ukey);
		json_object_object_del(c, mkey);
		return NULL;
	}
	if (!form_http_url_valid(*url))
		return bad_url;
	json_object_object_add(c, ukey, json_object_new_string(*url));
	json_object_object_add(c, mkey, json_object_new_string(*method));
	return NULL;
}

/* The click-to-call fields of the form (and, for the generic format and
 * Asterisk, the hang-up request's), checked, into the config JSON the
 * integration keeps (other keys, set by the admin's tool or by hand, are
 * kept as they are): row->config is the new text, or NULL when this kind
 * has nothing to set. An empty field removes its key, which turns
 * click-to-call off for the integration (lib/dial/dial.c dial_capable()),
 * or the card's Hang up button (lib/dial/hangup.c); a form without the
 * field keeps what is stored. */
static void
dial_settings_read(struct ctx *ctx, struct iform *f,
    struct integration_row *row)
{
	struct json_object *c;
	char e164[PHONE_MAX];

	if (dial_setting(f->kind) == PROV_DIALSET_NONE)
		return;
	c = f->config ? json_tokener_parse(f->config) : NULL;
	if (c == NULL || !json_object_is_type(c, json_type_object)) {
		json_object_put(c);
		c = json_object_new_object();
	}
	if (dial_setting(f->kind) == PROV_DIALSET_CALLER_ID) {
		if (kv_get(&ctx->req->form, "caller_id") == NULL)
			;       /* a script's POST: kept */
		else if (*(f->caller_id = form_trimmed(ctx, "caller_id")) ==
		    '\0')
			json_object_object_del(c, "caller_id");
		else if (strlen(f->caller_id) > 32 || phone_normalize(
		    f->caller_id, strlen(f->caller_id), f->err_country ? NULL :
		    f->country, e164, sizeof(e164)) != PHONE_E164)
			f->err_dial = _("The caller ID is your Twilio number (or "
			    "a verified caller ID) in international format, "
			    "like +14155550100; leave it empty to turn "
			    "click-to-call off.");
		else {
			f->caller_id = arena_strdup(ctx->arena, e164);
			json_object_object_add(c, "caller_id",
			    json_object_new_string(e164));
		}
	} else {
		f->err_dial = url_setting_read(ctx, c, "make_call_url",
		    "make_call_method", _("The click-to-call address is an "
		    "http:// or https:// URL of your PBX, like https://pbx."
		    "example.com/callboard/call?ext={extension}&to={number}; "
		    "leave it empty to turn click-to-call off."), &f->call_url,
		    &f->call_method);
		f->err_hangup = url_setting_read(ctx, c, "hangup_url",
		    "hangup_method", _("The hang-up address is an http:// or "
		    "https:// URL of your PBX, like https://pbx.example.com/"
		    "callboard/hangup?call={call_id}; leave it empty for no "
		    "Hang up button."), &f->hangup_url, &f->hangup_method);
	}
	row->config = arena_strdup(ctx->arena, json_object_to_json_string_ext(
	    c, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(c);
}

/* "Transcribe recordings automatically" (issue 22) into the config JSON
 * (after the other settings' edits), for providers that have recordings:
 * ticked stores "transcribe_recordings": true (lib/calls/recfetch.c reads
 * it), unticked removes the key. A checkbox is absent when unticked, so
 * the form says it showed the box (transcribe_recordings_shown); a form
 * without that (a script's POST) keeps what is stored. */
static void
transcribe_setting_read(struct ctx *ctx, struct iform *f,
    struct integration_row *row)
{
	const char *base = row->config ? row->config : f->config;
	struct json_object *c;

	if (f->kind->recording == NULL ||
	    kv_get(&ctx->req->form, "transcribe_recordings_shown") == NULL)
		return;
	c = base ? json_tokener_parse(base) : NULL;
	if (c == NULL || !json_object_is_type(c, json_type_object)) {
		json_object_put(c);
		c = json_object_new_object();
	}
	f->transcribe = kv_get(&ctx->req->form, "transcribe_recordings") !=
	    NULL;
	if (f->transcribe)
		json_object_object_add(c, "transcribe_recordings",
		    json_object_new_boolean(1));
	else
		json_object_object_del(c, "transcribe_recordings");
	row->config = arena_strdup(ctx->arena, json_object_to_json_string_ext(
	    c, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(c);
}

/* The stored integration into the form. *secrets (caller puts) is the
 * decrypted object. */
static enum cb_err
iform_load(struct ctx *ctx, int64_t id, struct iform *f,
    struct json_object **secrets)
{
	struct json_object *fb;
	struct db_stmt *st;
	const char *stored;
	bool unreadable;
	enum cb_err rc;
	size_t i, cap = 8;

	memset(f, 0, sizeof(*f));
	*secrets = NULL;
	if ((rc = db_integration_get(ctx->db, id, &st)) != CB_OK) {
		ctx->message = rc == CB_ENOTFOUND ? _("There is no such "
		    "integration.") : _(db_down);
		return rc;
	}
	f->id = id;
	f->kind = provider_by_kind(db_col(st, IC_KIND, NULL));
	if (f->kind == NULL) {
		/* The column is plain text (0018): a kind written by hand, or
		 * of a provider this version no longer has. The admin's fix,
		 * not the server's fault. */
		const char *k = db_col(st, IC_KIND, NULL);

		char kind[33];

		snprintf(kind, sizeof(kind), "%s", k != NULL ? k : "");
		ctx->message = arena_printf(ctx->arena, "%s %s", app_fill(ctx,
		    _("This integration's provider \"{kind}\" is not known to "
		    "this version of Callboard."), "{kind}", kind, NULL),
		    choose_provider(ctx));
		db_stmt_done(st);
		return CB_EINVAL;
	}
	f->slug = col_dup(ctx, st, IC_SLUG);
	f->name = col_dup(ctx, st, IC_NAME);
	f->country = col_dup(ctx, st, IC_COUNTRY);
	f->enabled = db_col_i64(st, IC_ENABLED) != 0;
	f->link_to_leads = db_col_i64(st, IC_LINK_LEADS) != 0;
	stored = col_dup(ctx, st, IC_SECRETS);
	f->config = col_dup(ctx, st, IC_CONFIG);
	dial_settings_load(ctx, f);
	provider_settings_load(ctx, f);
	if ((fb = json_tokener_parse(db_col(st, IC_FALLBACK, NULL) ?
	    db_col(st, IC_FALLBACK, NULL) : "null")) != NULL) {
		struct json_object *v;

		if (json_object_object_get_ex(fb, "type", &v))
			f->fb_type = arena_strdup(ctx->arena,
			    json_object_get_string(v));
		if (json_object_object_get_ex(fb, "target", &v))
			f->fb_target = arena_strdup(ctx->arena,
			    json_object_get_string(v));
		if (json_object_object_get_ex(fb, "user_id", &v))
			f->fb_user = arena_strdup(ctx->arena,
			    json_object_get_string(v));
		json_object_put(fb);
	}
	db_stmt_done(st);
	*secrets = secrets_open(ctx, stored, &unreadable);
	for (i = 0; i < nfields(f->kind); i++)
		if (secret_field(f->kind, i))
			f->masked[i] = mask(ctx, *secrets,
			    f->kind->fields[i].name);
	if (unreadable)
		f->err_secret[0] = _("The stored secrets cannot be read with this "
		    "server's secret_key: type them again.");
	if ((rc = db_integration_numbers(ctx->db, id, &st)) != CB_OK) {
		ctx->message = _(db_down);
		return rc;
	}
	f->rows = arena_alloc(ctx->arena, cap * sizeof(*f->rows));
	while ((rc = db_fetch(st)) == CB_OK) {
		f->rows = arena_grow(ctx->arena, f->rows, f->nrows, &cap,
		    sizeof(*f->rows));
		memset(&f->rows[f->nrows], 0, sizeof(f->rows[0]));
		f->rows[f->nrows].number = col_dup(ctx, st, INC_NUMBER);
		f->rows[f->nrows].store = col_dup(ctx, st, INC_STORE_ID);
		f->rows[f->nrows].label = col_dup(ctx, st, INC_LABEL);
		f->nrows++;
	}
	db_stmt_done(st);
	return rc == CB_ENOTFOUND ? CB_OK : rc;
}

/* ---------------------------------- kinds by country (issue 19 item 7) -- */

/* The country new integrations without a store are for. */
static const char *
system_country(struct ctx *ctx)
{
	return ctx->cfg->default_country[0] ? ctx->cfg->default_country :
	    "UA";
}

/* A store and the country its integrations are offered kinds for (its
 * own, else the system's). */
struct store_c {
	int64_t id;
	const char *name, *country;
};

/* Every store (db_store_countries()) into *out, in the arena. */
static enum cb_err
stores_load(struct ctx *ctx, struct store_c **out, size_t *n)
{
	struct db_stmt *st;
	enum cb_err rc;
	size_t cap = 16;

	*n = 0;
	*out = arena_alloc(ctx->arena, cap * sizeof(**out));
	if ((rc = db_store_countries(ctx->db, &st)) != CB_OK)
		return rc;
	while ((rc = db_fetch(st)) == CB_OK) {
		const char *c = db_col(st, SC_COUNTRY, NULL);

		*out = arena_grow(ctx->arena, *out, *n, &cap, sizeof(**out));
		(*out)[*n].id = db_col_i64(st, SC_ID);
		(*out)[*n].name = col_dup(ctx, st, SC_NAME);
		(*out)[*n].country = c && *c ? arena_strdup(ctx->arena, c) :
		    system_country(ctx);
		(*n)++;
	}
	db_stmt_done(st);
	return rc == CB_ENOTFOUND ? CB_OK : rc;
}

static const struct store_c *
store_find(const struct store_c *s, size_t n, int64_t id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i].id == id)
			return &s[i];
	return NULL;
}

/* "Twilio Voice, Zadarma or Generic": the kinds offered for country. */
static const char *
offered_text(struct ctx *ctx, const char *country)
{
	struct buf b;
	const char *r, *last = NULL;
	size_t i;

	buf_init(&b, 1024);
	for (i = 0; i < provider_count(); i++) {
		if (!provider_serves(provider_at(i), country))
			continue;
		if (last != NULL)
			buf_printf(&b, "%s%s", b.len ? ", " : "", last);
		last = provider_at(i)->label;
	}
	if (last != NULL)
		buf_printf(&b, "%s%s", b.len ? " or " : "", last);
	r = arena_strdup(ctx->arena, b.err == CB_OK ? buf_cstr(&b) : "");
	buf_free(&b);
	return r;
}

/* The stores of every integration's numbers (db_integration_stores()),
 * for the notes on kinds no longer offered. */
struct istore {
	int64_t integration;
	const char *store, *country;
};

static enum cb_err
istores_load(struct ctx *ctx, struct istore **out, size_t *n)
{
	struct db_stmt *st;
	enum cb_err rc;
	size_t cap = 16;

	*n = 0;
	*out = arena_alloc(ctx->arena, cap * sizeof(**out));
	if ((rc = db_integration_stores(ctx->db, &st)) != CB_OK)
		return rc;
	while ((rc = db_fetch(st)) == CB_OK) {
		const char *c = db_col(st, IS_COUNTRY, NULL);

		*out = arena_grow(ctx->arena, *out, *n, &cap, sizeof(**out));
		(*out)[*n].integration = db_col_i64(st, IS_INTEGRATION);
		(*out)[*n].store = col_dup(ctx, st, IS_STORE);
		(*out)[*n].country = c && *c ? arena_strdup(ctx->arena, c) :
		    system_country(ctx);
		(*n)++;
	}
	db_stmt_done(st);
	return rc == CB_ENOTFOUND ? CB_OK : rc;
}

/* The note for integration id of kind p when p is no longer offered for
 * the country of one of its stores (the system's when it has none), or
 * NULL. It keeps working: the note only says why it is not in the list. */
static const char *
kind_note(struct ctx *ctx, const struct provider *p, int64_t id,
    const struct istore *is, size_t n)
{
	bool any = false;
	size_t i;

	for (i = 0; i < n; i++) {
		if (is[i].integration != id)
			continue;
		any = true;
		if (!provider_serves(p, is[i].country))
			return app_fill(ctx, _("{provider} is not offered for "
			    "new integrations in {country} (the country of "
			    "{store}); this one keeps working."), "{provider}",
			    p->label, "{country}", is[i].country, "{store}",
			    is[i].store, NULL);
	}
	if (!any && !provider_serves(p, system_country(ctx)))
		return app_fill(ctx, _("{provider} is not offered for new "
		    "integrations in {country} (the system's country); this "
		    "one keeps working."), "{provider}", p->label, "{country}",
		    system_country(ctx), NULL);
	return NULL;
}

/* m.kinds: for a new integration, the kinds offered for the chosen
 * store's country (links keep the store) and the store picker; for a
 * saved one, the note when its kind is no longer offered. */
static enum cb_err
kinds_model(struct ctx *ctx, struct iform *f, struct json_object *m)
{
	struct json_object *k = json_object_new_object(),
	    *kl = json_object_new_array(), *stores = json_object_new_array();
	const char *country = system_country(ctx), *store = "";
	const struct store_c *chosen;
	struct store_c *sc;
	struct istore *is;
	size_t i, n;
	enum cb_err rc;

	json_object_object_add(k, "list", kl);
	json_object_object_add(k, "stores", stores);
	json_object_object_add(m, "kinds", k);
	if ((rc = stores_load(ctx, &sc, &n)) != CB_OK)
		return rc;
	for (i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();

		app_add_int(o, "id", sc[i].id);
		app_add_str(o, "title", arena_printf(ctx->arena, "%s (%s)",
		    sc[i].name, sc[i].country));
		app_add_bool(o, "selected", sc[i].id == f->store_id);
		json_object_array_add(stores, o);
	}
	if ((chosen = store_find(sc, n, f->store_id)) != NULL) {
		country = chosen->country;
		store = arena_printf(ctx->arena, "%lld",
		    (long long)f->store_id);
	}
	for (i = 0; i < provider_count(); i++) {
		struct json_object *o;
		const struct provider *p = provider_at(i);

		if (!provider_serves(p, country))
			continue;
		o = json_object_new_object();
		app_add_str(o, "kind", p->kind);
		app_add_str(o, "label", p->label);
		app_add_bool(o, "current", p == f->kind);
		app_add_str(o, "url", arena_printf(ctx->arena,
		    "/settings/integrations/new?kind=%s%s%s", p->kind,
		    *store ? "&store=" : "", store));
		json_object_array_add(kl, o);
	}
	app_add_str(k, "kind", f->kind->kind);
	app_add_str(k, "store", store);
	app_add_str(k, "country", country);
	app_add_str(k, "error", f->err_kind);
	app_add_str(k, "error_store", f->err_store);
	json_object_object_add(k, "note", NULL);
	if (f->id == 0)
		return CB_OK;
	if ((rc = istores_load(ctx, &is, &n)) != CB_OK)
		return rc;
	app_add_str(k, "note", kind_note(ctx, f->kind, f->id, is, n));
	return CB_OK;
}

/* The store a new integration is for, from the query (GET) or the form
 * (POST), checked against its country (the system's without a store): a
 * kind that does not serve it is refused beside the kind list, and a
 * number of a store in a country the kind does not serve beside the
 * number. Sets f->errors; with set_country (the new form) the form's
 * default country becomes the store's. Saved integrations are never
 * checked: one of a kind no longer offered keeps working (kinds_model()
 * notes it). */
static enum cb_err
kind_check(struct ctx *ctx, struct iform *f, const char *store,
    bool set_country)
{
	const char *country = system_country(ctx), *what = "this system";
	const struct store_c *chosen;
	struct store_c *sc;
	size_t i, n;
	enum cb_err rc;

	f->store_id = 0;
	if ((rc = stores_load(ctx, &sc, &n)) != CB_OK) {
		ctx->message = _(db_down);
		return rc;
	}
	if (store != NULL && *store != '\0' &&
	    (strparse_i64z(store, 1, INT64_MAX, &f->store_id) != CB_OK ||
	    (chosen = store_find(sc, n, f->store_id)) == NULL)) {
		f->store_id = 0;
		f->err_store = _("There is no such store (any more): choose one "
		    "from the list.");
		f->errors = true;
		return CB_OK;
	}
	if ((chosen = store_find(sc, n, f->store_id)) != NULL) {
		country = chosen->country;
		what = chosen->name;
		/* The new form's numbers are most likely the store's. */
		if (set_country)
			f->country = country;
	}
	if (!provider_serves(f->kind, country)) {
		f->err_kind = app_fill(ctx, _("{provider} does not serve "
		    "{country} (the country of {store}). Choose {offered}."),
		    "{provider}", f->kind->label, "{country}", country,
		    "{store}", what, "{offered}", offered_text(ctx, country),
		    NULL);
		f->errors = true;
	}
	for (i = 0; i < f->nrows; i++) {
		struct number_row *r = &f->rows[i];
		const struct store_c *s;
		int64_t sid;

		if (r->error != NULL || r->number == NULL ||
		    *r->number == '\0' || r->store == NULL ||
		    strparse_i64z(r->store, 1, INT64_MAX, &sid) != CB_OK ||
		    (s = store_find(sc, n, sid)) == NULL ||
		    provider_serves(f->kind, s->country))
			continue;
		r->error = app_fill(ctx, _("{provider} does not serve {country} "
		    "(the country of {store})."), "{provider}", f->kind->label,
		    "{country}", s->country, "{store}", s->name, NULL);
		f->errors = true;
	}
	return CB_OK;
}

/* ------------------------------ who sees the lines (issue 19 item 5) -- */

/* One line of the integration and the users on its list as shown. */
struct line_sel {
	const char *line;       /* "" = any line */
	const char *label;      /* the number's label, or NULL */
	int64_t *users;         /* LINE_ACL_MAX */
	size_t n;
	const char *error;
};

/* f->lines: "any line", then each of f's numbers, lists empty. */
static void
lines_init(struct ctx *ctx, struct iform *f)
{
	size_t i;

	f->nlines = 0;
	f->lines = arena_alloc(ctx->arena, (f->nrows + 1) *
	    sizeof(*f->lines));
	for (i = 0; i <= f->nrows; i++) {
		struct line_sel *l = &f->lines[f->nlines];

		if (i > 0 && (f->rows[i - 1].number == NULL ||
		    *f->rows[i - 1].number == '\0'))
			continue;
		memset(l, 0, sizeof(*l));
		l->line = i == 0 ? "" : f->rows[i - 1].number;
		l->label = i == 0 ? NULL : f->rows[i - 1].label;
		l->users = arena_alloc(ctx->arena, LINE_ACL_MAX *
		    sizeof(*l->users));
		f->nlines++;
	}
}

static struct line_sel *
line_find(struct iform *f, const char *line)
{
	size_t i;

	for (i = 0; i < f->nlines; i++)
		if (strcmp(f->lines[i].line, line) == 0)
			return &f->lines[i];
	return NULL;
}

static bool
line_has(const struct line_sel *l, int64_t uid)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->users[i] == uid)
			return true;
	return false;
}

/* The stored lists into f->lines. */
static enum cb_err
lines_load(struct ctx *ctx, struct iform *f)
{
	struct db_stmt *st;
	struct line_sel *l;
	enum cb_err rc;

	lines_init(ctx, f);
	if ((rc = db_line_access_list(ctx->db, f->id, &st)) != CB_OK)
		return rc;
	while ((rc = db_fetch(st)) == CB_OK) {
		const char *line = db_col(st, LA_LINE, NULL);

		if ((l = line_find(f, line ? line : "")) != NULL &&
		    l->n < LINE_ACL_MAX)
			l->users[l->n++] = db_col_i64(st, LA_USER_ID);
	}
	db_stmt_done(st);
	return rc == CB_ENOTFOUND ? CB_OK : rc;
}

/* m.lines (null for a new integration: it has no numbers yet). */
static enum cb_err
lines_model(struct ctx *ctx, struct iform *f, struct json_object *m)
{
	struct json_object *o, *list, *users;
	struct db_stmt *st;
	enum cb_err rc;
	size_t i, j, nu;

	json_object_object_add(m, "lines", NULL);
	if (f->id == 0)
		return CB_OK;
	if (f->lines == NULL && (rc = lines_load(ctx, f)) != CB_OK)
		return rc;
	if ((rc = db_automation_users(ctx->db, &st)) != CB_OK)
		return rc;
	users = json_object_new_array();
	while ((rc = db_fetch(st)) == CB_OK) {
		struct json_object *u = json_object_new_object();

		app_add_int(u, "id", db_col_i64(st, 0));
		app_add_str(u, "name", db_col(st, 1, NULL));
		json_object_array_add(users, u);
	}
	db_stmt_done(st);
	if (rc != CB_ENOTFOUND) {
		json_object_put(users);
		return rc;
	}
	nu = json_object_array_length(users);
	o = json_object_new_object();
	list = json_object_new_array();
	for (i = 0; i < f->nlines; i++) {
		const struct line_sel *l = &f->lines[i];
		struct json_object *lo = json_object_new_object(),
		    *us = json_object_new_array();

		app_add_bool(lo, "any", *l->line == '\0');
		app_add_str(lo, "number", *l->line ? l->line : NULL);
		app_add_str(lo, "label", l->label);
		app_add_str(lo, "field", arena_printf(ctx->arena, "users_%s",
		    *l->line ? l->line : "any"));
		app_add_str(lo, "id", arena_printf(ctx->arena, "line-%zu", i));
		app_add_bool(lo, "restricted", l->n > 0);
		app_add_str(lo, "error", l->error);
		for (j = 0; j < nu; j++) {
			struct json_object *u = json_object_array_get_idx(users,
			    j), *c = json_object_new_object();
			int64_t uid = json_object_get_int64(
			    json_object_object_get(u, "id"));

			app_add_int(c, "id", uid);
			app_add_str(c, "name", json_object_get_string(
			    json_object_object_get(u, "name")));
			app_add_bool(c, "checked", line_has(l, uid));
			json_object_array_add(us, c);
		}
		json_object_object_add(lo, "users", us);
		json_object_array_add(list, lo);
	}
	json_object_put(users);
	json_object_object_add(o, "list", list);
	app_add_str(o, "action", arena_printf(ctx->arena,
	    "/settings/integrations/%lld/lines", (long long)f->id));
	app_add_str(o, "error", f->err_lines);
	json_object_object_add(m, "lines", o);
	return CB_OK;
}

/* The active users' ids into *ids (arena), for the form's check. */
static enum cb_err
active_users(struct ctx *ctx, int64_t **ids, size_t *n)
{
	struct db_stmt *st;
	enum cb_err rc;
	size_t cap = 64;

	*n = 0;
	*ids = arena_alloc(ctx->arena, cap * sizeof(**ids));
	if ((rc = db_automation_users(ctx->db, &st)) != CB_OK)
		return rc;
	while ((rc = db_fetch(st)) == CB_OK) {
		*ids = arena_grow(ctx->arena, *ids, *n, &cap, sizeof(**ids));
		(*ids)[(*n)++] = db_col_i64(st, 0);
	}
	db_stmt_done(st);
	return rc == CB_ENOTFOUND ? CB_OK : rc;
}

/* The form's users_<line> fields into f->lines, checked. */
static enum cb_err
lines_read(struct ctx *ctx, struct iform *f)
{
	int64_t *active;
	size_t i, j, na;
	enum cb_err rc;

	if ((rc = active_users(ctx, &active, &na)) != CB_OK)
		return rc;
	lines_init(ctx, f);
	for (i = 0; i < ctx->req->form.n; i++) {
		const struct kv *kv = &ctx->req->form.v[i];
		const char *line;
		struct line_sel *l;
		int64_t uid;

		if (strncmp(kv->key, "users_", 6) != 0)
			continue;
		line = strcmp(kv->key + 6, "any") == 0 ? "" : kv->key + 6;
		if ((l = line_find(f, line)) == NULL) {
			char num[33];

			snprintf(num, sizeof(num), "%s", line);
			f->err_lines = app_fill(ctx, _("“{number}” is not a number "
			    "of this integration (any more): reload the page "
			    "and choose again."), "{number}", num, NULL);
			continue;
		}
		if (strparse_i64z(kv->val, 1, INT64_MAX, &uid) != CB_OK) {
			l->error = _("Choose users from the list.");
			continue;
		}
		for (j = 0; j < na && active[j] != uid; j++)
			;
		if (j == na) {
			l->error = app_fill_n(ctx, _("User {n} is not an "
			    "active user (any more): reload the page and "
			    "choose again."), uid);
			continue;
		}
		if (line_has(l, uid))
			continue;
		if (l->n == LINE_ACL_MAX) {
			l->error = app_fill_n(ctx, _("At most {n} users a "
			    "line; leave it empty for everybody."),
			    LINE_ACL_MAX);
			continue;
		}
		l->users[l->n++] = uid;
	}
	f->errors = f->err_lines != NULL;
	for (i = 0; i < f->nlines; i++)
		f->errors = f->errors || f->lines[i].error != NULL;
	return CB_OK;
}

/* POST /settings/integrations/<id>/lines: the lists, all at once. */
static enum cb_err
post_integration_lines(struct ctx *ctx)
{
	struct iform *f = arena_alloc(ctx->arena, sizeof(*f));
	struct json_object *secrets;
	struct line_grant *g;
	size_t i, j, n = 0, total = 0;
	enum cb_err rc;

	rc = iform_load(ctx, ctx->ids[0], f, &secrets);
	if (secrets)
		json_object_put(secrets);
	if (rc != CB_OK)
		return rc;
	/* A stored secret this key cannot read is not this form's error. */
	memset(f->err_secret, 0, sizeof(f->err_secret));
	if ((rc = lines_read(ctx, f)) != CB_OK) {
		ctx->message = _(db_down);
		return rc;
	}
	if (f->errors)
		return integration_render(ctx, f, NULL);
	for (i = 0; i < f->nlines; i++)
		total += f->lines[i].n;
	g = arena_alloc(ctx->arena, (total + 1) * sizeof(*g));
	for (i = 0; i < f->nlines; i++)
		for (j = 0; j < f->lines[i].n; j++) {
			g[n].line = f->lines[i].line;
			g[n++].user_id = f->lines[i].users[j];
		}
	rc = db_line_access_save(ctx->db, f->id, g, n);
	if (rc == CB_ENOTFOUND) {
		ctx->message = _("There is no such integration (any more).");
		return rc;
	}
	if (rc != CB_OK) {
		ctx->message = _("Nothing was saved: the database is not "
		    "answering. Try again in a minute.");
		return rc;
	}
	resp_redirect(ctx->resp, 303, arena_printf(ctx->arena,
	    "/settings/integrations/%lld?saved=lines#line-access",
	    (long long)f->id));
	return CB_OK;
}

static enum cb_err
page_integrations(struct ctx *ctx)
{
	struct json_object *m, *list;
	struct db_stmt *st;
	struct istore *is;
	size_t nis;
	enum cb_err rc;

	if ((rc = istores_load(ctx, &is, &nis)) != CB_OK ||
	    (rc = db_integrations_list(ctx->db, &st)) != CB_OK) {
		ctx->message = _(db_down);
		return rc;
	}
	m = json_object_new_object();
	list = json_object_new_array();
	json_object_object_add(m, "integrations", list);
	while ((rc = db_fetch(st)) == CB_OK) {
		struct json_object *o = json_object_new_object();
		const struct provider *k = provider_by_kind(db_col(st, IC_KIND,
		    NULL));
		int64_t id = db_col_i64(st, IC_ID);
		const char *slug = db_col(st, IC_SLUG, NULL);

		app_add_int(o, "id", id);
		app_add_str(o, "name", db_col(st, IC_NAME, NULL));
		app_add_str(o, "kind", db_col(st, IC_KIND, NULL));
		app_add_str(o, "kind_label", k ? k->label : db_col(st, IC_KIND,
		    NULL));
		app_add_str(o, "slug", slug);
		app_add_bool(o, "enabled", db_col_i64(st, IC_ENABLED) != 0);
		app_add_str(o, "country", db_col(st, IC_COUNTRY, NULL));
		app_add_int(o, "numbers", db_col_i64(st, IC_NUMBERS));
		app_add_str(o, "callback_url", callback_url(ctx, slug ? slug : ""));
		app_add_str(o, "url", arena_printf(ctx->arena,
		    "/settings/integrations/%lld", (long long)id));
		app_add_str(o, "kind_note", k ? kind_note(ctx, k, id, is, nis) :
		    NULL);
		json_object_array_add(list, o);
	}
	db_stmt_done(st);
	if (rc != CB_ENOTFOUND) {
		json_object_put(m);
		ctx->message = _(db_down);
		return rc;
	}
	{
		struct json_object *kl = json_object_new_array();
		size_t i;

		for (i = 0; i < provider_count(); i++) {
			struct json_object *k;

			/* New ones: the kinds of the system's country
			 * (the new page's store picker offers others). */
			if (!provider_serves(provider_at(i),
			    system_country(ctx)))
				continue;
			k = json_object_new_object();
			app_add_str(k, "label", provider_at(i)->label);
			app_add_str(k, "url", arena_printf(ctx->arena,
			    "/settings/integrations/new?kind=%s",
			    provider_at(i)->kind));
			json_object_array_add(kl, k);
		}
		json_object_object_add(m, "kinds", kl);
		app_add_str(m, "offer_country", system_country(ctx));
	}
	{
		int64_t dead = 0;

		if ((rc = db_job_dead_count(ctx->db, &dead)) != CB_OK) {
			json_object_put(m);
			ctx->message = _(db_down);
			return rc;
		}
		app_add_count(ctx, m, "dead_letters", dead);
	}
	app_add_str(m, "title", _("Integrations"));
	return app_render(ctx, "settings_integrations.html", m);
}

static enum cb_err
page_integration_new(struct ctx *ctx)
{
	struct iform *f = arena_alloc(ctx->arena, sizeof(*f));
	const char *k = kv_get(&ctx->req->query, "kind");
	enum cb_err rc;

	memset(f, 0, sizeof(*f));
	/* Without a choice, the last of the list: the generic format. */
	if ((f->kind = k != NULL ? provider_by_kind(k) :
	    provider_at(provider_count() - 1)) == NULL) {
		ctx->message = choose_provider(ctx);
		return CB_EINVAL;
	}
	f->enabled = true;
	f->country = ctx->cfg->default_country[0] ? ctx->cfg->default_country :
	    "UA";
	rc = kind_check(ctx, f, kv_get(&ctx->req->query, "store"), true);
	if (rc != CB_OK)
		return rc;
	return integration_render(ctx, f, NULL);
}

static enum cb_err
page_integration(struct ctx *ctx)
{
	struct iform *f = arena_alloc(ctx->arena, sizeof(*f));
	struct json_object *secrets;
	const char *v = kv_get(&ctx->req->query, "saved");
	enum cb_err rc;

	rc = iform_load(ctx, ctx->ids[0], f, &secrets);
	if (secrets)
		json_object_put(secrets);
	if (rc != CB_OK)
		return rc;
	return integration_render(ctx, f, v && *v == '1' ? _("The integration "
	    "is saved.") : v && *v == 'n' ? _("The integration is created. Paste "
	    "its callback URL into the provider's panel, then send a test "
	    "event.") : v && strcmp(v, "lines") == 0 ? _("Who sees the lines "
	    "is saved.") : NULL);
}

/* Reads the form's fields into f (over what iform_load put there) and
 * validates them; the sealed secrets and the numbers go to *row. */
static enum cb_err
iform_read(struct ctx *ctx, struct iform *f, struct json_object *secrets,
    struct integration_row *row)
{
	const char *v;
	struct json_object *fb = NULL;
	struct store_number *nums;
	size_t i, nn = 0, ns = 0, nl = 0;
	bool changed = false;
	long chars;
	char *sealed;

	memset(row, 0, sizeof(*row));
	f->name = form_trimmed(ctx, "name");
	chars = utf8_chars(f->name, strlen(f->name));
	if (chars <= 0 || chars > INTEGRATION_NAME_MAX)
		f->err_name = _("Give the integration a name of 1 to 128 "
		    "characters (e.g. \"Zadarma, Kyiv office\").");
	if (f->id == 0) {
		f->slug = form_trimmed(ctx, "slug");
		for (i = 0; f->slug[i]; i++)
			if (!((f->slug[i] >= 'a' && f->slug[i] <= 'z') ||
			    (f->slug[i] >= '0' && f->slug[i] <= '9') ||
			    (i > 0 && (f->slug[i] == '-' || f->slug[i] == '_'))))
				break;
		if (i == 0 || f->slug[i] != '\0' || i > INTEGRATION_SLUG_MAX)
			f->err_slug = _("The address part: 1 to 64 lower-case "
			    "letters, digits, - and _, starting with a letter "
			    "or digit (e.g. zadarma-kyiv).");
	}
	v = form_trimmed(ctx, "country");
	f->country = v;
	if (strlen(v) != 2 || phone_country_code(v) == 0)
		f->err_country = _("A two-letter country code such as UA, PL or "
		    "US.");
	else {
		char *up = arena_strdup(ctx->arena, v);
		up[0] = (char)(up[0] & ~0x20);
		up[1] = (char)(up[1] & ~0x20);
		f->country = up;
	}
	f->enabled = kv_get(&ctx->req->form, "enabled") != NULL;
	f->link_to_leads = kv_get(&ctx->req->form, "link_to_leads") != NULL;

	/* Routing fallback (lib/calls/route.c reads these shapes). */
	f->fb_type = form_trimmed(ctx, "fallback");
	f->fb_target = form_trimmed(ctx, "fallback_target");
	f->fb_user = form_trimmed(ctx, "fallback_user");
	if (*f->fb_type == '\0')
		fb = NULL;
	else if (strcmp(f->fb_type, "queue") == 0 ||
	    strcmp(f->fb_type, "voicemail") == 0) {
		size_t n = strlen(f->fb_target);

		if ((n == 0 && f->fb_type[0] == 'q') || n > 32 ||
		    strspn(f->fb_target, "0123456789abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ_*#-+") != n)
			f->err_fallback = _("The queue or voicemail number: 1 to "
			    "32 letters, digits, *, #, - or _.");
		fb = json_object_new_object();
		json_object_object_add(fb, "type",
		    json_object_new_string(f->fb_type));
		if (n)
			json_object_object_add(fb, "target",
			    json_object_new_string(f->fb_target));
	} else if (strcmp(f->fb_type, "manager") == 0) {
		int64_t uid = 0;

		enum cb_err urc;

		if (strparse_i64z(f->fb_user, 1, INT64_MAX, &uid) != CB_OK ||
		    (urc = user_known(ctx, uid)) == CB_ENOTFOUND)
			f->err_fallback = _("Choose the manager who takes the "
			    "calls nobody else is responsible for.");
		else if (urc != CB_OK) {
			ctx->message = _(db_down);
			return urc;
		}
		fb = json_object_new_object();
		json_object_object_add(fb, "type",
		    json_object_new_string("manager"));
		json_object_object_add(fb, "user_id",
		    json_object_new_int64(uid));
	} else
		f->err_fallback = _("Choose what happens to other calls: no "
		    "fallback, a queue, voicemail or a manager.");
	if (fb) {
		row->fallback = arena_strdup(ctx->arena,
		    json_object_to_json_string_ext(fb, JSON_C_TO_STRING_PLAIN));
		json_object_put(fb);
	}

	/* Secrets: a typed value replaces, an empty one keeps. */
	for (i = 0; i < nfields(f->kind); i++) {
		const char *key, *t;
		size_t n;

		if (!secret_field(f->kind, i))
			continue;
		key = f->kind->fields[i].name;
		t = form_trimmed(ctx, arena_printf(ctx->arena, "secret_%s",
		    key));
		n = strlen(t);
		if (n == 0) {
			if (f->kind->fields[i].required && f->masked[i] ==
			    NULL && f->err_secret[i] == NULL)
				f->err_secret[i] = app_fill(ctx,
				    _("The provider needs this: type the "
				    "{field}."), "{field}",
				    f->kind->fields[i].label, NULL);
			continue;
		}
		if (n > 512 || !utf8_valid(t, n)) {
			f->err_secret[i] = _("At most 512 characters of text.");
			continue;
		}
		f->err_secret[i] = NULL;
		json_object_object_add(secrets, key, json_object_new_string(t));
		changed = true;
	}
	if (changed) {
		const char *plain = json_object_to_json_string_ext(secrets,
		    JSON_C_TO_STRING_PLAIN);
		if (secretbox_seal(ctx->cfg->secret_key, plain, strlen(plain),
		    &sealed) != CB_OK) {
			ctx->message = _("The server's secret_key is not 64 hex "
			    "characters, so secrets cannot be stored. Fix "
			    "callboard.conf.");
			return CB_EIO;
		}
		row->secrets = arena_strdup(ctx->arena, sealed);
		free(sealed);
	}

	/* External numbers: the i-th number, store and label fields make
	 * the i-th row; an empty number drops the row. */
	for (i = 0; i < ctx->req->form.n; i++)
		nn += strcmp(ctx->req->form.v[i].key, "number") == 0;
	f->rows = arena_alloc(ctx->arena, (nn + 1) * sizeof(*f->rows));
	memset(f->rows, 0, (nn + 1) * sizeof(*f->rows));
	for (i = 0; i < ctx->req->form.n; i++) {
		const struct kv *kv = &ctx->req->form.v[i];

		if (strcmp(kv->key, "number") == 0)
			f->rows[f->nrows++].number = kv->val;
		else if (strcmp(kv->key, "store") == 0 && ns < nn)
			f->rows[ns++].store = kv->val;
		else if (strcmp(kv->key, "label") == 0 && nl < nn)
			f->rows[nl++].label = kv->val;
	}
	nums = arena_alloc(ctx->arena, (f->nrows + 1) * sizeof(*nums));
	for (i = 0; i < f->nrows; i++) {
		struct number_row *r = &f->rows[i];
		char e164[PHONE_MAX];
		enum phone_kind k;
		int64_t sid = 0;

		while (r->number && *r->number == ' ')
			r->number++;
		if (r->number == NULL || *r->number == '\0')
			continue;
		k = phone_normalize(r->number, strlen(r->number),
		    f->err_country ? NULL : f->country, e164, sizeof(e164));
		if (k != PHONE_E164 && k != PHONE_DIGITS) {
			r->error = _("Not a phone number.");
			continue;
		}
		if (r->store && *r->store && strparse_i64z(r->store, 1,
		    INT64_MAX, &sid) != CB_OK) {
			r->error = _("Choose the store from the list.");
			continue;
		}
		if (r->label && utf8_chars(r->label, strlen(r->label)) >
		    STORE_NUMBER_LABEL_MAX) {
			r->error = _("A label is at most 100 characters.");
			continue;
		}
		if (row->nnumbers == INTEGRATION_NUMBERS_MAX) {
			f->err_numbers = _("At most 100 numbers per integration.");
			break;
		}
		nums[row->nnumbers].number = arena_strdup(ctx->arena, e164);
		nums[row->nnumbers].store_id = sid;
		nums[row->nnumbers].label = r->label && *r->label ? r->label :
		    NULL;
		row->nnumbers++;
	}
	row->numbers = nums;
	dial_settings_read(ctx, f, row);
	provider_settings_read(ctx, f, row);
	transcribe_setting_read(ctx, f, row);
	row->kind = f->kind->kind;
	row->slug = f->slug;
	row->name = f->name;
	row->country = f->country;
	row->enabled = f->enabled;
	row->link_to_leads = f->link_to_leads;
	f->errors = f->err_name || f->err_slug || f->err_country ||
	    f->err_fallback || f->err_numbers || f->err_dial ||
	    f->err_hangup || f->err_provider;
	for (i = 0; i < nfields(f->kind); i++)
		f->errors = f->errors || f->err_secret[i];
	config_fields_read(ctx, f, row);
	for (i = 0; i < f->nrows; i++)
		f->errors = f->errors || f->rows[i].error;
	return CB_OK;
}

/* Saves the read form, or re-shows it with the conflict. */
static enum cb_err
iform_save(struct ctx *ctx, struct iform *f, struct integration_row *row)
{
	int64_t id = f->id;
	int conflict;
	enum cb_err rc;
	size_t i, j;

	if (f->errors)
		return integration_render(ctx, f, NULL);
	rc = db_integration_save(ctx->db, row, &id, &conflict);
	if (rc == CB_DUPLICATE) {
		f->errors = true;
		if (conflict < 0)
			f->err_slug = _("Another integration already has this "
			    "address; choose another.");
		else {
			/* Map the saved number back to its form row. */
			for (i = 0, j = 0; i < f->nrows; i++) {
				if (f->rows[i].number == NULL ||
				    *f->rows[i].number == '\0' ||
				    f->rows[i].error)
					continue;
				if (j++ == (size_t)conflict) {
					f->rows[i].error = _("This number "
					    "belongs to another integration (or "
					    "is listed twice).");
					break;
				}
			}
		}
		return integration_render(ctx, f, NULL);
	}
	if (rc == CB_ENOTFOUND) {
		ctx->message = _("There is no such integration (any more).");
		return rc;
	}
	if (rc != CB_OK) {
		ctx->message = _("The integration was not saved: the database "
		    "is not answering. Try again in a minute.");
		return rc;
	}
	resp_redirect(ctx->resp, 303, arena_printf(ctx->arena,
	    "/settings/integrations/%lld?saved=%s", (long long)id,
	    f->id ? "1" : "new"));
	return CB_OK;
}

static enum cb_err
post_integration_new(struct ctx *ctx)
{
	struct iform *f = arena_alloc(ctx->arena, sizeof(*f));
	struct json_object *secrets = json_object_new_object();
	struct integration_row row;
	enum cb_err rc;

	memset(f, 0, sizeof(*f));
	if ((f->kind = provider_by_kind(kv_get(&ctx->req->form, "kind"))) ==
	    NULL) {
		json_object_put(secrets);
		ctx->message = choose_provider(ctx);
		return CB_EINVAL;
	}
	rc = iform_read(ctx, f, secrets, &row);
	json_object_put(secrets);
	if (rc == CB_OK)
		rc = kind_check(ctx, f, kv_get(&ctx->req->form, "store"),
		    false);
	if (rc != CB_OK)
		return rc;
	return iform_save(ctx, f, &row);
}

static enum cb_err
post_integration(struct ctx *ctx)
{
	struct iform *f = arena_alloc(ctx->arena, sizeof(*f));
	struct json_object *secrets;
	struct integration_row row;
	enum cb_err rc;

	rc = iform_load(ctx, ctx->ids[0], f, &secrets);
	if (rc == CB_OK)
		rc = iform_read(ctx, f, secrets, &row);
	if (secrets)
		json_object_put(secrets);
	if (rc != CB_OK)
		return rc;
	return iform_save(ctx, f, &row);
}

/* What the hook's answer means, for a person. */
static const char *
test_explain(struct ctx *ctx, long status, const char *slug)
{
	switch (status) {
	case 403:
		return _("The hook refused the signature: the secret stored here "
		    "does not match. If you changed it in the last 30 seconds, "
		    "wait: the hook keeps integrations for 30 s.");
	case 404:
		return app_fill(ctx, _("Nothing answers at /hook/{slug} on the "
		    "public URL: check public_url in callboard.conf and that "
		    "nginx includes callboard.conf."), "{slug}", slug, NULL);
	case 410:
		return _("The integration is disabled: tick \"Enabled\" and save "
		    "first.");
	case 400:
		return _("The hook could not read the event (see the answer).");
	case 502: case 503: case 504:
		return _("nginx could not reach the hook program: is "
		    "callboard-hook running?");
	default:
		return app_fill_n(ctx, _("The hook answered HTTP {n}."),
		    status);
	}
}

static enum cb_err
post_integration_test(struct ctx *ctx)
{
	struct iform *f = arena_alloc(ctx->arena, sizeof(*f));
	struct json_object *secrets, *t;
	struct test_event ev;
	struct httpc_req rq;
	struct httpc_res res;
	struct buf body;
	const char *why, *url, *sign_url;
	int64_t call = 0;
	enum cb_err rc;

	if ((rc = iform_load(ctx, ctx->ids[0], f, &secrets)) != CB_OK) {
		if (secrets)
			json_object_put(secrets);
		return rc;
	}
	url = callback_url(ctx, f->slug);
	sign_url = url;
	t = json_object_new_object();
	f->test = t;
	rc = test_event_build(ctx->arena, f->kind->kind, url, sign_url,
	    secrets, f->nrows ? f->rows[0].number : NULL, time(NULL), &ev,
	    &why);
	json_object_put(secrets);
	app_add_str(t, "url", url);
	if (rc != CB_OK) {
		app_add_bool(t, "ok", false);
		app_add_str(t, "message", why ? why : _("The test event could "
		    "not be built."));
		rc = integration_render(ctx, f, NULL);
		json_object_put(t);
		return rc;
	}
	memset(&rq, 0, sizeof(rq));
	rq.method = ev.method;
	rq.url = ev.url;
	rq.headers = ev.headers;
	rq.body = ev.body;
	rq.body_len = ev.body_len;
	rq.content_type = ev.content_type;
	rq.timeout_s = 10;
	rq.max_bytes = 4096;
	buf_init(&body, 4096);
	rc = httpc_request(&rq, &body, &res);
	app_add_str(t, "method", ev.method == HTTPC_GET ? "GET" : "POST");
	if (rc != CB_OK) {
		app_add_bool(t, "ok", false);
		app_add_str(t, "message", app_fill(ctx, _("Could not reach {url}: "
		    "{error}. Check public_url in callboard.conf: this server "
		    "must be able to open it, as the provider will."), "{url}",
		    url, "{error}", res.error, NULL));
	} else {
		bool answered = res.status >= 200 && res.status < 300 &&
		    (ev.expect_body == NULL ||
		    strcmp(buf_cstr(&body), ev.expect_body) == 0);

		app_add_int(t, "status", res.status);
		app_add_str(t, "answer", body.len ? buf_cstr(&body) : NULL);
		if (answered && ev.external_id != NULL &&
		    db_integration_call_of(ctx->db, f->id, ev.external_id,
		    &call) == CB_OK && call == 0)
			answered = false;
		app_add_bool(t, "ok", answered);
		if (answered && call)
			app_add_str(t, "message", app_fill_n(ctx, _("It works: "
			    "the hook accepted the signed test event and "
			    "stored it as call {n}."), call));
		else if (answered)
			app_add_str(t, "message", _("It works: the hook answered "
			    "the provider's check exactly as expected."));
		else if (res.status >= 200 && res.status < 300)
			app_add_str(t, "message", ev.external_id ? _("The hook "
			    "answered, but no call was stored: is the test "
			    "number on the exception list?") : _("The hook "
			    "answered something else than the provider "
			    "expects."));
		else
			app_add_str(t, "message", test_explain(ctx, res.status,
			    f->slug));
	}
	buf_free(&body);
	app_add_str(t, "call_url", call ? arena_printf(ctx->arena, "/calls/%lld",
	    (long long)call) : NULL);
	if (call)
		app_add_int(t, "call_id", call);
	rc = integration_render(ctx, f, NULL);
	json_object_put(t);
	return rc;
}

/* GET /settings/integrations/<id>/panel-file: the file the admin uploads
 * in the provider's panel (3CX's CRM template), built by the provider for
 * this integration's callback URL and secrets. It holds the URL key:
 * settings permission, no-store. */
static enum cb_err
page_integration_panel_file(struct ctx *ctx)
{
	struct iform *f = arena_alloc(ctx->arena, sizeof(*f));
	const struct prov_panel_file *pf;
	struct json_object *secrets;
	struct prov_conf pc;
	const char *why = NULL;
	enum cb_err rc;

	if ((rc = iform_load(ctx, ctx->ids[0], f, &secrets)) != CB_OK) {
		if (secrets)
			json_object_put(secrets);
		return rc;
	}
	if ((pf = f->kind->panel_file) == NULL) {
		json_object_put(secrets);
		ctx->message = _("This provider has no file to upload in its panel.");
		return CB_ENOTFOUND;
	}
	memset(&pc, 0, sizeof(pc));
	pc.slug = f->slug;
	pc.hook_url = callback_url(ctx, f->slug);
	pc.secrets = secrets;
	pc.default_country = f->country;
	rc = pf->build(&pc, f->name, &ctx->resp->body, &why);
	json_object_put(secrets);
	if (rc != CB_OK) {
		buf_reset(&ctx->resp->body);
		ctx->message = why ? why : _("The file could not be built.");
		return rc == CB_EINVAL ? CB_EINVAL : rc;
	}
	ctx->resp->status = 200;
	ctx->resp->content_type = pf->content_type;
	ctx->resp->no_store = true;
	resp_header(ctx->resp, "Content-Disposition",
	    "attachment; filename=\"%s\"", pf->filename);
	return ctx->resp->body.err;
}

static const struct route routes[] = {
	{ "/settings/integrations", HTTP_M(HTTP_GET), AUTH_SESSION,
	    PERM_SETTINGS, 0, 0, page_integrations },
	{ "/settings/integrations/dead-letters", HTTP_M(HTTP_GET),
	    AUTH_SESSION, PERM_SETTINGS, 0, 0, page_dead_letters },
	{ "/settings/integrations/dead-letters/#/retry", HTTP_M(HTTP_POST),
	    AUTH_SESSION, PERM_SETTINGS, BODY_FORM, 0, post_dead_letter_retry },
	{ "/settings/integrations/new", HTTP_M(HTTP_GET), AUTH_SESSION,
	    PERM_SETTINGS, 0, 0, page_integration_new },
	{ "/settings/integrations/new", HTTP_M(HTTP_POST), AUTH_SESSION,
	    PERM_SETTINGS, BODY_FORM, 0, post_integration_new },
	{ "/settings/integrations/#", HTTP_M(HTTP_GET), AUTH_SESSION,
	    PERM_SETTINGS, 0, 0, page_integration },
	{ "/settings/integrations/#", HTTP_M(HTTP_POST), AUTH_SESSION,
	    PERM_SETTINGS, BODY_FORM, 0, post_integration },
	{ "/settings/integrations/#/test", HTTP_M(HTTP_POST), AUTH_SESSION,
	    PERM_SETTINGS, BODY_FORM, 0, post_integration_test },
	{ "/settings/integrations/#/lines", HTTP_M(HTTP_POST), AUTH_SESSION,
	    PERM_SETTINGS, BODY_FORM, 512 * 1024, post_integration_lines },
	{ "/settings/integrations/#/panel-file", HTTP_M(HTTP_GET),
	    AUTH_SESSION, PERM_SETTINGS, 0, 0, page_integration_panel_file },
	/* Status, reconciliation, event inspector: cgi/integration_status.c */
	{ "/settings/integrations/#/status", HTTP_M(HTTP_GET), AUTH_SESSION,
	    PERM_SETTINGS, 0, 0, page_integration_status },
	{ "/settings/integrations/#/reconcile", HTTP_M(HTTP_POST),
	    AUTH_SESSION, PERM_SETTINGS, BODY_FORM, 0,
	    post_integration_reconcile },
	{ "/settings/exceptions", HTTP_M(HTTP_GET), AUTH_SESSION,
	    PERM_SETTINGS, 0, 0, page_exceptions },
	{ "/settings/exceptions", HTTP_M(HTTP_POST), AUTH_SESSION,
	    PERM_SETTINGS, BODY_FORM, 0, post_exception },
	{ "/settings/exceptions/#/delete", HTTP_M(HTTP_POST), AUTH_SESSION,
	    PERM_SETTINGS, BODY_FORM, 0, post_exception_delete },
};

static const struct program program = {
	"integrations", routes, sizeof(routes) / sizeof(routes[0]), true
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
