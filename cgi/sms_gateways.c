#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "sms_gateways.h"
#include "calls/recfetch.h"
#include "core/jsonget.h"
#include "core/secretbox.h"
#include "core/strparse.h"
#include "db/sms.h"
#include "http/form.h"
#include "sms/registry.h"

/* A translated sentence with the field's label ({field}) or a count ({n})
 * filled in. */
static const char *
field_msg(struct ctx *ctx, const char *msg, const char *label, long long n)
{
	static const char *const keys[] = { "{field}", "{n}" };
	const char *vals[2];
	char num[24], s[400];

	snprintf(num, sizeof(num), "%lld", n);
	vals[0] = label;
	vals[1] = num;
	i18n_fill(msg, keys, vals, 2, s, sizeof(s));
	return arena_strdup(ctx->arena, s);
}

static const char *db_down = N_("The database is not answering. Try "
    "again in a minute.");

/* One account as the form shows it (or as typed). */
struct gw_form {
	int64_t id;
	const struct sms_gateway *g;
	const char *name, *err_name;
	struct json_object *settings;   /* borrowed or arena-released */
	struct json_object *secrets;    /* the stored ones, decrypted */
	const char *err[32];            /* per field: gateway's, then common */
	bool errors;
};

static void
json_release(void *p)
{
	json_object_put(p);
}

static struct json_object *
keep(struct ctx *ctx, struct json_object *o)
{
	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = json_object_new_object();
	}
	arena_cleanup_add(ctx->arena, json_release, o);
	return o;
}

static const char *
masked(struct ctx *ctx, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0)
		return NULL;
	if (n < 12)
		return "••••";
	return arena_printf(ctx->arena, "•••• %s", s + n - 4);
}

/* The fields of a form: the gateway's, then the common ones. */
static const struct sms_field *
field_at(const struct sms_gateway *g, size_t i)
{
	size_t n;

	for (n = 0; g->fields[n].key; n++)
		;
	if (i < n)
		return &g->fields[i];
	return sms_common_fields[i - n].key ? &sms_common_fields[i - n] : NULL;
}

static enum cb_err
render(struct ctx *ctx, struct gw_form *f, const char *notice)
{
	struct json_object *m = json_object_new_object(),
	    *o = json_object_new_object(), *fields = json_object_new_array();
	const struct sms_field *fd;
	size_t i;

	app_add_bool(o, "is_new", f->id == 0);
	app_add_str(o, "name", f->name);
	app_add_str(o, "error_name", f->err_name);
	app_add_str(o, "kind", f->g->kind);
	app_add_str(o, "kind_label", f->g->label);
	app_add_str(o, "action", f->id ? arena_printf(ctx->arena,
	    "/settings/sms/%lld", (long long)f->id) : "/settings/sms/new");
	if (f->id)
		app_add_str(o, "delete_url", arena_printf(ctx->arena,
		    "/settings/sms/%lld/delete", (long long)f->id));
	for (i = 0; (fd = field_at(f->g, i)) != NULL; i++) {
		struct json_object *x = json_object_new_object();
		const char *v = json_member_str(fd->secret ? f->secrets :
		    f->settings, fd->key);

		app_add_str(x, "field", arena_printf(ctx->arena, "%s_%s",
		    fd->secret ? "k" : "s", fd->key));
		app_add_str(x, "label", fd->label);
		app_add_str(x, "hint", fd->hint);
		app_add_bool(x, "secret", fd->secret);
		app_add_bool(x, "plain", !fd->secret);
		app_add_bool(x, "required", fd->required);
		if (fd->secret) {
			app_add_bool(x, "is_set", v && *v);
			app_add_str(x, "masked", masked(ctx, v));
		} else
			app_add_str(x, "value", v);
		app_add_str(x, "error", i < 32 ? f->err[i] : NULL);
		json_object_array_add(fields, x);
	}
	json_object_object_add(o, "fields", fields);
	json_object_object_add(m, "gateway", o);
	app_add_bool(m, "has_errors", f->errors);
	app_add_str(m, "confirmation", notice);
	app_add_str(m, "title", f->id ? arena_printf(ctx->arena,
	    "%s · %s", f->name ? f->name : "", _("SMS gateways")) :
	    _("New SMS gateway"));
	if (f->errors)
		ctx->resp->status = 400;
	return app_render(ctx, "settings_sms_gateway.html", m);
}

enum cb_err
sms_page_list(struct ctx *ctx)
{
	struct json_object *m = json_object_new_object(),
	    *list = json_object_new_array(), *kinds = json_object_new_array();
	const char *v = kv_get(&ctx->req->query, "deleted");
	const struct sms_gateway *g;
	struct db_stmt *st;
	enum cb_err rc;
	size_t i;

	json_object_object_add(m, "gateways", list);
	json_object_object_add(m, "kinds", kinds);
	for (i = 0; sms_gateways[i]; i++) {
		struct json_object *k = json_object_new_object();

		app_add_str(k, "value", sms_gateways[i]->kind);
		app_add_str(k, "label", sms_gateways[i]->label);
		json_object_array_add(kinds, k);
	}
	if ((rc = db_sms_gateways(ctx->db, &st)) != CB_OK) {
		json_object_put(m);
		ctx->message = _(db_down);
		return rc;
	}
	while ((rc = db_fetch(st)) == CB_OK) {
		struct json_object *o = json_object_new_object();
		int64_t id = db_col_i64(st, SG_ID);

		g = sms_gateway_find(db_col(st, SG_KIND, NULL));
		app_add_int(o, "id", id);
		app_add_str(o, "name", db_col(st, SG_NAME, NULL));
		app_add_str(o, "kind_label", g ? g->label : "(unknown)");
		app_add_str(o, "url", arena_printf(ctx->arena,
		    "/settings/sms/%lld", (long long)id));
		json_object_array_add(list, o);
	}
	db_stmt_done(st);
	if (rc != CB_ENOTFOUND) {
		json_object_put(m);
		ctx->message = _(db_down);
		return rc;
	}
	app_add_str(m, "title", _("SMS gateways"));
	app_add_str(m, "confirmation", v && *v == '1' ? _("The SMS gateway is "
	    "deleted.") : NULL);
	return app_render(ctx, "settings_sms.html", m);
}

enum cb_err
sms_page_new(struct ctx *ctx)
{
	struct gw_form *f = arena_alloc(ctx->arena, sizeof(*f));

	memset(f, 0, sizeof(*f));
	f->g = sms_gateway_find(kv_get(&ctx->req->query, "kind"));
	if (f->g == NULL) {
		ctx->message = _("Choose a gateway from the list on Settings › "
		    "SMS gateways.");
		return CB_EINVAL;
	}
	f->settings = keep(ctx, NULL);
	f->secrets = keep(ctx, NULL);
	return render(ctx, f, NULL);
}

/* The stored account into f. */
static enum cb_err
load(struct ctx *ctx, int64_t id, struct gw_form *f)
{
	struct db_stmt *st;
	const char *sealed;
	char *plain;
	size_t plen;
	enum cb_err rc;

	memset(f, 0, sizeof(*f));
	if ((rc = db_sms_gateway_get(ctx->db, id, &st)) != CB_OK) {
		ctx->message = rc == CB_ENOTFOUND ? _("There is no such SMS "
		    "gateway.") : _(db_down);
		return rc;
	}
	f->id = id;
	f->g = sms_gateway_find(db_col(st, SG_KIND, NULL));
	f->name = arena_strdup(ctx->arena, db_col(st, SG_NAME, NULL));
	f->settings = keep(ctx, json_tokener_parse(db_col(st, SG_SETTINGS,
	    NULL) ? db_col(st, SG_SETTINGS, NULL) : "{}"));
	sealed = db_col(st, SG_SECRETS, NULL);
	f->secrets = NULL;
	if (sealed && *sealed && secretbox_open(ctx->cfg->secret_key, sealed,
	    strlen(sealed), &plain, &plen) == CB_OK) {
		f->secrets = json_tokener_parse(plain);
		OPENSSL_cleanse(plain, plen);
		free(plain);
	}
	f->secrets = keep(ctx, f->secrets);
	db_stmt_done(st);
	if (f->g == NULL) {
		ctx->message = _("This SMS gateway has a kind this version does "
		    "not know.");
		return CB_EINVAL;
	}
	return CB_OK;
}

enum cb_err
sms_page_edit(struct ctx *ctx)
{
	struct gw_form *f = arena_alloc(ctx->arena, sizeof(*f));
	const char *v = kv_get(&ctx->req->query, "saved");
	enum cb_err rc;

	if ((rc = load(ctx, ctx->ids[0], f)) != CB_OK)
		return rc;
	return render(ctx, f, v && *v == '1' ? _("The SMS gateway is saved.") :
	    v && *v == 'n' ? _("The SMS gateway is added.") : NULL);
}

/* A setting's value: printable, no control bytes, at most
 * SMS_FIELD_MAX bytes of UTF-8. */
static const char *
value_error(struct ctx *ctx, const struct sms_field *fd, const char *v)
{
	const char *e;
	size_t i;

	if (strlen(v) > SMS_FIELD_MAX - 1)
		return arena_printf(ctx->arena, "%s: %s", fd->label,
		    field_msg(ctx, _("at most {n} characters."), NULL,
		    SMS_FIELD_MAX - 1));
	for (i = 0; v[i]; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return arena_printf(ctx->arena, "%s: %s", fd->label,
			    _("no control characters."));
	if ((e = form_text_error(ctx->arena, v, SMS_FIELD_MAX, true,
	    &form_text_any, fd->label)) != NULL)
		return e;
	if (strcmp(fd->key, "api_base") == 0 && *v) {
		char out[1024];

		if (recfetch_api_base(v, out, sizeof(out)) != CB_OK)
			return _("Give an https:// address (http:// only to this "
			    "machine), without a query.");
	}
	if (strcmp(fd->key, "allow_private_hosts") == 0) {
		for (i = 0; v[i]; i++)
			if (!strchr("0123456789abcdefABCDEF:./, ", v[i]))
				return _("Addresses or networks like 127.0.0.1, "
				    "10.0.0.0/8 or ::1, comma-separated.");
	}
	return NULL;
}

static enum cb_err
save(struct ctx *ctx, struct gw_form *f)
{
	struct json_object *settings = keep(ctx, NULL),
	    *secrets = keep(ctx, NULL);
	const struct sms_field *fd;
	const char *sealed_s = NULL, *plain;
	char *sealed = NULL;
	int64_t id = f->id;
	enum cb_err rc;
	size_t i;

	f->name = form_trimmed(ctx, "name");
	f->err_name = form_text_error(ctx->arena, f->name, 128, false,
	    &form_text_name, NULL);
	for (i = 0; (fd = field_at(f->g, i)) != NULL && i < 32; i++) {
		const char *v = form_trimmed(ctx, arena_printf(ctx->arena,
		    "%s_%s", fd->secret ? "k" : "s", fd->key));
		const char *old = fd->secret ? json_member_str(f->secrets,
		    fd->key) : NULL;

		if (fd->secret && *v == '\0' && old && *old)
			v = old;        /* empty: keep the stored secret */
		if ((f->err[i] = value_error(ctx, fd, v)) == NULL &&
		    fd->required && *v == '\0')
			f->err[i] = field_msg(ctx, _("Enter the {field}."),
			    fd->label, 0);
		if (*v)
			json_object_object_add(fd->secret ? secrets : settings,
			    fd->key, json_object_new_string(v));
		if (f->err[i])
			f->errors = true;
	}
	f->errors = f->errors || f->err_name;
	if (f->errors) {
		/* Show what was typed (never a typed secret). */
		f->settings = settings;
		return render(ctx, f, NULL);
	}
	plain = json_object_to_json_string_ext(secrets, JSON_C_TO_STRING_PLAIN);
	if (secretbox_seal(ctx->cfg->secret_key, plain, strlen(plain),
	    &sealed) != CB_OK) {
		ctx->message = _("The server's secret_key is not 64 hex "
		    "characters, so secrets cannot be stored. Fix "
		    "callboard.conf.");
		return CB_EIO;
	}
	sealed_s = arena_strdup(ctx->arena, sealed);
	free(sealed);
	rc = db_sms_gateway_save(ctx->db, &id, f->g->kind, f->name,
	    json_object_to_json_string_ext(settings, JSON_C_TO_STRING_PLAIN),
	    sealed_s);
	if (rc != CB_OK) {
		ctx->message = rc == CB_ENOTFOUND ? _("There is no such SMS "
		    "gateway (any more).") : _("The SMS gateway was not saved: "
		    "the database is not answering. Try again in a minute.");
		return rc;
	}
	resp_redirect(ctx->resp, 303, arena_printf(ctx->arena,
	    "/settings/sms/%lld?saved=%s", (long long)id, f->id ? "1" : "n"));
	return CB_OK;
}

enum cb_err
sms_post_new(struct ctx *ctx)
{
	struct gw_form *f = arena_alloc(ctx->arena, sizeof(*f));

	memset(f, 0, sizeof(*f));
	if ((f->g = sms_gateway_find(form_trimmed(ctx, "kind"))) == NULL) {
		ctx->message = _("Choose a gateway from the list on Settings › "
		    "SMS gateways.");
		return CB_EINVAL;
	}
	f->settings = keep(ctx, NULL);
	f->secrets = keep(ctx, NULL);
	return save(ctx, f);
}

enum cb_err
sms_post_edit(struct ctx *ctx)
{
	struct gw_form *f = arena_alloc(ctx->arena, sizeof(*f));
	enum cb_err rc;

	if ((rc = load(ctx, ctx->ids[0], f)) != CB_OK)
		return rc;
	return save(ctx, f);
}

enum cb_err
sms_post_delete(struct ctx *ctx)
{
	enum cb_err rc;

	if ((rc = db_sms_gateway_delete(ctx->db, ctx->ids[0])) != CB_OK) {
		ctx->message = rc == CB_ENOTFOUND ? _("There is no such SMS "
		    "gateway (any more).") : _(db_down);
		return rc;
	}
	resp_redirect(ctx->resp, 303, "/settings/sms?deleted=1");
	return CB_OK;
}

enum cb_err
sms_gateway_options(struct ctx *ctx, const char *chosen,
    struct json_object **out)
{
	struct json_object *a = json_object_new_array();
	const struct sms_gateway *g;
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_sms_gateways(ctx->db, &st)) != CB_OK) {
		json_object_put(a);
		return rc;
	}
	while ((rc = db_fetch(st)) == CB_OK) {
		struct json_object *o = json_object_new_object();
		const char *id = db_col(st, SG_ID, NULL);

		g = sms_gateway_find(db_col(st, SG_KIND, NULL));
		app_add_str(o, "value", id);
		app_add_str(o, "label", arena_printf(ctx->arena, "%s (%s)",
		    db_col(st, SG_NAME, NULL), g ? g->label : "?"));
		app_add_bool(o, "selected", chosen && id && strcmp(chosen, id) ==
		    0);
		json_object_array_add(a, o);
	}
	db_stmt_done(st);
	if (rc != CB_ENOTFOUND) {
		json_object_put(a);
		return rc;
	}
	*out = a;
	return CB_OK;
}
