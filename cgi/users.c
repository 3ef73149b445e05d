/* users: the settings pages for people and what they may do (issue 4 §3-5).
 *
 *   GET  /settings/users            every user, with their role
 *   GET  /settings/users/new        the form; POST /settings/users creates
 *   GET  /settings/users/<id>       the form; POST saves it
 *   GET  /settings/users/me         anyone's own time zone and softphone-link
 *                                   preference (no settings permission)
 *   GET  /settings/roles[/new|/<id>] roles and their permissions, each
 *                                   with a scope (own calls or all)
 *   GET  /settings/listening-log    who played or downloaded which
 *                                   recording, when (filters, keyset pages)
 *
 * Every POST is a form with the session's CSRF token (checked by the front
 * line in lib/http/app.c), one transaction, and a 303 to the list; a
 * refused form is drawn again with the message next to its field (400).
 * An admin can never lock themselves out: they cannot deactivate
 * themselves or take `settings` away from their own role. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "auth/password.h"
#include "auth/session.h"
#include "core/log.h"
#include "core/strparse.h"
#include "core/timefmt.h"
#include "core/utf8.h"
#include "db/listening.h"
#include "db/user_prefs.h"
#include "db/users_admin.h"
#include "http/app.h"
#include "http/dial_link.h"
#include "http/form.h"
#include "http/escape.h"
#include "phone/phone.h"

#define LOG_PAGE 50
#define PASSWORD_MIN 8

/* Labels for the role form, index = enum perm. */
static const char *const perm_labels[PERM__MAX] = {
	[PERM_CALLS] = N_("Call history page and every recording in it"),
	[PERM_ORDERS_CALLS] = N_("An order's calls (and listening there)"),
	[PERM_CUSTOMERS_CALLS] = N_("A customer's calls (and listening there)"),
	[PERM_RECORDINGS_LISTEN] = N_("Listen to recordings"),
	[PERM_RECORDINGS_DOWNLOAD] = N_("Download recordings"),
	[PERM_CALLS_DIAL] = N_("Click-to-call"),
	[PERM_SETTINGS] = N_("Settings (users, roles, integrations...)"),
	[PERM_CUSTOMERS] = N_("See customers (own: those they manage)"),
	[PERM_CUSTOMERS_EDIT] = N_("Create and edit customers"),
	[PERM_ORDERS] = N_("See orders"),
	[PERM_ORDERS_EDIT] = N_("Create and edit orders"),
	[PERM_LEADS] = N_("See leads"),
	[PERM_LEADS_EDIT] = N_("Create and edit leads"),
	[PERM_ANALYTICS] = N_("Call analytics (own: only their calls)"),
	[PERM_TRANSCRIPTS_VIEW] = N_("Read transcripts of recordings they may hear"),
	[PERM_TRANSCRIPTS_EDIT] = N_("Correct transcripts and summaries"),
};

/* Zones offered in the form's list; any IANA name installed is accepted. */
static const char *const common_zones[] = {
	"UTC", "Europe/Kyiv", "Europe/Warsaw", "Europe/Berlin",
	"Europe/London", "Europe/Madrid", "America/New_York",
	"America/Chicago", "America/Los_Angeles", "Asia/Tbilisi", NULL
};

static struct json_object *
zone_list(void)
{
	struct json_object *a = json_object_new_array();
	int i;

	for (i = 0; common_zones[i]; i++)
		json_object_array_add(a, app_jstr(common_zones[i]));
	return a;
}

/* Trimmed text of 1..max characters (0..max when optional), valid UTF-8;
 * NULL with *why set otherwise. */
static const char *
text_field(struct ctx *ctx, const char *name, long max, bool optional,
    const struct form_text_words *what, const char **why)
{
	const char *v = form_trimmed(ctx, name);

	*why = form_text_error(ctx->arena, v, max, optional, what, NULL);
	return *why == NULL ? v : NULL;
}

/* What text_field() says about each field (form.h). */
static const struct form_text_words role_name_words = {
	N_("Enter the role name."),
	N_("The role name is at most {n} characters."),
	N_("The role name is not valid text."),
};
static const struct form_text_words description_words = {
	N_("Enter the description."),
	N_("The description is at most {n} characters."),
	N_("The description is not valid text."),
};

/* ------------------------------------------------------------------ users */

static enum cb_err
page_users(struct ctx *ctx)
{
	struct json_object *m = json_object_new_object();
	struct json_object *users = json_object_new_array();
	struct db_stmt *st;
	enum cb_err rc;

	app_add_str(m, "title", _("Users"));
	json_object_object_add(m, "users", users);
	if ((rc = db_admin_users(ctx->db, &st)) != CB_OK) {
		json_object_put(m);
		return rc;
	}
	while ((rc = db_fetch(st)) == CB_OK) {
		struct json_object *u = json_object_new_object();
		int64_t id = db_col_i64(st, 0);
		json_object_object_add(u, "id", json_object_new_int64(id));
		app_add_str(u, "url", arena_printf(ctx->arena,
		    "/settings/users/%lld", (long long)id));
		app_add_str(u, "login", db_col(st, 1, NULL));
		app_add_str(u, "name", db_col(st, 2, NULL));
		app_add_str(u, "extension", db_col(st, 3, NULL));
		app_add_str(u, "phone", db_col(st, 4, NULL));
		app_add_str(u, "role", db_col(st, 5, NULL));
		app_add_str(u, "time_zone", db_col(st, 6, NULL));
		app_add_bool(u, "deep_link", db_col_i64(st, 7) != 0);
		app_add_bool(u, "active", db_col_i64(st, 8) != 0);
		app_add_str(u, "sip_domain", db_col(st, 9, NULL));
		json_object_array_add(users, u);
	}
	db_stmt_done(st);
	if (rc != CB_ENOTFOUND) {
		json_object_put(m);
		return rc;
	}
	if (kv_get(&ctx->req->query, "saved"))
		app_add_str(m, "confirmation", _("The user is saved."));
	return app_render(ctx, "settings_users.html", m);
}


/* The user form: u's values, errors (field → message) or NULL. Status 400
 * when there are errors. Takes ownership of errors. */
static enum cb_err
user_form(struct ctx *ctx, const struct admin_user *u,
    struct json_object *errors)
{
	struct json_object *m = json_object_new_object();
	struct json_object *f = json_object_new_object(), *roles;
	enum cb_err rc;

	if ((rc = form_options(ctx->db, db_admin_roles, u->role_id,
	    &roles)) != CB_OK) {
		json_object_put(m);
		json_object_put(f);
		json_object_put(errors);
		return rc;
	}
	app_add_str(m, "title", u->id ? arena_printf(ctx->arena, "%s %s",
	    _("User"), u->login) : _("New user"));
	app_add_str(m, "action", u->id ? arena_printf(ctx->arena,
	    "/settings/users/%lld", (long long)u->id) : "/settings/users");
	app_add_bool(m, "is_new", u->id == 0);
	app_add_str(f, "login", u->login);
	app_add_str(f, "name", u->name);
	app_add_str(f, "extension", u->extension);
	app_add_str(f, "phone", u->phone);
	app_add_str(f, "time_zone", u->time_zone);
	app_add_bool(f, "deep_link", u->deep_link);
	app_add_str(f, "sip_domain", u->sip_domain);
	app_add_bool(f, "active", u->active);
	json_object_object_add(m, "form", f);
	json_object_object_add(m, "roles", roles);
	json_object_object_add(m, "zones", zone_list());
	if (errors) {
		ctx->resp->status = 400;
		json_object_object_add(m, "errors", errors);
		app_add_bool(m, "has_errors", true);
	}
	return app_render(ctx, "settings_users_form.html", m);
}

/* How much a role may do: each permission counts, "all" more than
 * "own". Settings weighs most: it can grant everything else. */
static int
role_weight(const char *perms)
{
	struct user tmp;
	int i, w = 0;

	perm_load(&tmp, perms);
	for (i = 0; i < PERM__MAX; i++)
		if (tmp.perms[i] != SCOPE_NONE)
			w += (i == PERM_SETTINGS ? 100 : 2) +
			    (tmp.perms[i] == SCOPE_ALL ? 1 : 0);
	return w;
}

/* The role a new user starts with (issue 18): the least privileged one,
 * so a forgotten choice never makes an admin. 0 when there is no role or
 * the database does not answer (the form then shows none chosen). */
static int64_t
least_privileged_role(struct ctx *ctx)
{
	struct db_stmt *st;
	int64_t best = 0;
	int best_w = 0;

	if (db_admin_roles(ctx->db, &st) != CB_OK)
		return 0;
	while (db_fetch(st) == CB_OK) {
		int w = role_weight(db_col(st, 3, NULL));

		if (best == 0 || w < best_w) {
			best = db_col_i64(st, 0);
			best_w = w;
		}
	}
	db_stmt_done(st);
	return best;
}

static enum cb_err
page_user_new(struct ctx *ctx)
{
	struct admin_user u;

	memset(&u, 0, sizeof(u));
	u.role_id = least_privileged_role(ctx);
	snprintf(u.time_zone, sizeof(u.time_zone), "%s",
	    ctx->user->time_zone[0] ? ctx->user->time_zone : "UTC");
	u.active = true;
	return user_form(ctx, &u, NULL);
}

static enum cb_err
page_user_edit(struct ctx *ctx)
{
	struct admin_user u;
	enum cb_err rc;

	if ((rc = db_admin_user_get(ctx->db, ctx->ids[0], &u)) != CB_OK) {
		if (rc == CB_ENOTFOUND)
			ctx->message = _("There is no such user.");
		return rc;
	}
	return user_form(ctx, &u, NULL);
}

static bool
login_chars_ok(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' ||
		    *s == '-' || *s == '@'))
			return false;
	return true;
}

static bool
extension_ok(const char *s)
{
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || *s == '*' || *s == '#'))
			return false;
	return true;
}

/* The softphone link's SIP domain (issue 5 §3) into out, canonical;
 * when it is not a host[:port], out keeps what was typed (to show it
 * again) and errors gets the message. */
static void
read_sip_domain(struct ctx *ctx, char *out, size_t outsz,
    struct json_object *errors)
{
	const char *v = form_value(ctx, "sip_domain");

	if (strlen(v) <= DIAL_SIP_DOMAIN_MAX &&
	    dial_sip_domain_parse(v, out, outsz) == CB_OK)
		return;
	snprintf(out, outsz, "%s", v);
	json_object_object_add(errors, "sip_domain", app_jstr(_("A SIP domain "
	    "is the host of your SIP account, like pbx.example.com or "
	    "sip.example.com:5060 (no sip:, no user@).")));
}

/* Reads and checks the user form into u; errors gets one message per bad
 * field. The new password (or NULL) goes to *password. */
static void
read_user_form(struct ctx *ctx, struct admin_user *u,
    struct json_object *errors, const char **password)
{
	const char *why = NULL, *v;
	char norm[PHONE_MAX];
	int64_t role;
	enum perm_scope scopes[PERM__MAX];
	char rn[65], rd[256];

#define FIELD_ERR(k) do { json_object_object_add(errors, k, app_jstr(why)); \
	why = NULL; } while (0)
	if ((v = text_field(ctx, "name", 128, false, &form_text_name,
	    &why)) == NULL)
		FIELD_ERR("name");
	snprintf(u->name, sizeof(u->name), "%s", v ? v : form_value(ctx, "name"));
	v = form_value(ctx, "login");
	snprintf(u->login, sizeof(u->login), "%s", v);
	if (*v == '\0')
		json_object_object_add(errors, "login",
		    app_jstr(_("Enter a login.")));
	else if (strlen(v) > 64 || !login_chars_ok(v))
		json_object_object_add(errors, "login", app_jstr(_("A login is "
		    "up to 64 letters, digits and . _ - @ (no spaces).")));
	v = form_value(ctx, "extension");
	snprintf(u->extension, sizeof(u->extension), "%s", v);
	if (strlen(v) > 16 || !extension_ok(v))
		json_object_object_add(errors, "extension", app_jstr(_("An "
		    "extension is up to 16 digits (and * or #).")));
	v = form_value(ctx, "phone");
	snprintf(u->phone, sizeof(u->phone), "%s", v);
	if (*v) {
		if (phone_normalize(v, strlen(v), ctx->cfg->default_country,
		    norm, sizeof(norm)) == PHONE_E164)
			snprintf(u->phone, sizeof(u->phone), "%s", norm);
		else
			json_object_object_add(errors, "phone", app_jstr(
			    _("This is not a phone number we can dial; type it "
			    "with the country code, like +380 67 123 45 67.")));
	}
	v = form_value(ctx, "time_zone");
	snprintf(u->time_zone, sizeof(u->time_zone), "%s", v);
	if (!form_zone_valid(v))
		json_object_object_add(errors, "time_zone", app_jstr(_("Pick a "
		    "time zone from the list, like Europe/Kyiv or UTC.")));
	u->role_id = 0;
	if (strparse_i64z(form_value(ctx, "role_id"), 1, INT64_MAX, &role) !=
	    CB_OK || db_admin_role_get(ctx->db, role, rn, sizeof(rn), rd,
	    sizeof(rd), scopes) != CB_OK)
		json_object_object_add(errors, "role_id",
		    app_jstr(_("Pick a role from the list.")));
	else
		u->role_id = role;
	u->deep_link = form_checked(ctx, "deep_link");
	read_sip_domain(ctx, u->sip_domain, sizeof(u->sip_domain), errors);
	u->active = form_checked(ctx, "active");
	*password = NULL;
	v = form_value(ctx, "password");
	if (*v) {
		long n = utf8_chars(v, strlen(v));
		if (n < PASSWORD_MIN || n > 256)
			json_object_object_add(errors, "password", app_jstr(
			    _("A password is 8 to 256 characters.")));
		else
			*password = v;
	} else if (u->id == 0)
		json_object_object_add(errors, "password",
		    app_jstr(_("Set a password of at least 8 characters.")));
	/* The lock-out guard: the admin saving their own account keeps it
	 * active and keeps a role with settings. */
	if (u->id == ctx->user->id) {
		if (!u->active)
			json_object_object_add(errors, "active", app_jstr(
			    _("You cannot deactivate yourself; ask another "
			    "admin.")));
		if (u->role_id && scopes[PERM_SETTINGS] == SCOPE_NONE)
			json_object_object_add(errors, "role_id", app_jstr(
			    _("This role has no settings permission: you would "
			    "lock yourself out. Ask another admin.")));
	}
#undef FIELD_ERR
}

static enum cb_err
save_user(struct ctx *ctx, int64_t id)
{
	struct json_object *errors = json_object_new_object();
	struct admin_user u;
	char hash[PASSWORD_HASH_MAX];
	const char *password;
	enum cb_err rc;

	memset(&u, 0, sizeof(u));
	if (id) {
		if ((rc = db_admin_user_get(ctx->db, id, &u)) != CB_OK) {
			json_object_put(errors);
			if (rc == CB_ENOTFOUND)
				ctx->message = _("There is no such user.");
			return rc;
		}
	}
	read_user_form(ctx, &u, errors, &password);
	if (json_object_object_length(errors) > 0)
		return user_form(ctx, &u, errors);
	if (password && (rc = password_hash(password, hash, sizeof(hash))) !=
	    CB_OK) {
		json_object_put(errors);
		return rc;
	}
	if ((rc = db_begin(ctx->db)) != CB_OK) {
		json_object_put(errors);
		return rc;
	}
	rc = db_admin_user_save(ctx->db, &u, password ? hash : NULL);
	/* Deactivated, or a new password: every session of theirs ends,
	 * the editor's own too when it is their own password (issue 16
	 * item 11: a stolen session must not outlive the password); they
	 * get a fresh one below, so they stay logged in here only. */
	if (rc == CB_OK && id && (!u.active || password))
		rc = db_admin_user_end_sessions(ctx->db, id);
	if (rc == CB_OK)
		rc = db_commit(ctx->db);
	if (rc == CB_OK && password && id == ctx->user->id &&
	    (rc = session_start(ctx->db, ctx->cfg, ctx->req, ctx->resp,
	    id)) != CB_OK) {
		json_object_put(errors);
		ctx->message = _("Your password is changed; please log in "
		    "again with it.");
		return rc;
	}
	if (rc == CB_DUPLICATE) {
		db_rollback(ctx->db);
		json_object_object_add(errors, "login", app_jstr(_("This login "
		    "is taken; choose another.")));
		return user_form(ctx, &u, errors);
	}
	json_object_put(errors);
	if (rc != CB_OK) {
		db_rollback(ctx->db);
		return rc;
	}
	log_info("user %lld saved user %lld", (long long)ctx->user->id,
	    (long long)u.id);
	resp_redirect(ctx->resp, 303, "/settings/users?saved=1");
	return CB_OK;
}

static enum cb_err post_user_new(struct ctx *ctx) { return save_user(ctx, 0); }
static enum cb_err post_user_edit(struct ctx *ctx)
{ return save_user(ctx, ctx->ids[0]); }

/* ---------------------------------------------------------------- profile */

/* The profile's language select (issue 18): every language in its own
 * name, the user's choice selected; "" is the browser's. */
static void
profile_languages(struct json_object *m, struct json_object *f,
    const char *chosen)
{
	struct json_object *list = json_object_new_array(), *o;
	int i;

	for (i = 0; i < LANG__MAX; i++) {
		o = json_object_new_object();
		app_add_str(o, "code", i18n_code((enum i18n_lang)i));
		app_add_str(o, "name", i18n_native_name((enum i18n_lang)i));
		app_add_bool(o, "selected", chosen != NULL &&
		    strcmp(chosen, i18n_code((enum i18n_lang)i)) == 0);
		json_object_array_add(list, o);
	}
	json_object_object_add(m, "languages", list);
	app_add_str(f, "language", chosen);
	app_add_bool(f, "language_auto", chosen == NULL || *chosen == '\0');
}

/* The profile's country (issue 18): "" (the default) or a region
 * libphonenumber knows, upper-cased into out[3]; false for anything else. */
static bool
read_country(const char *v, char out[3])
{
	size_t i;

	out[0] = '\0';
	if (v == NULL || *v == '\0')
		return true;
	if (strlen(v) != 2 || phone_country_code(v) == 0)
		return false;
	for (i = 0; i < 2; i++)   /* two ASCII letters: phone_country_code() */
		out[i] = (char)(v[i] >= 'a' ? v[i] - 'a' + 'A' : v[i]);
	out[2] = '\0';
	return true;
}

static enum cb_err
profile_form(struct ctx *ctx, const char *tz, bool deep_link,
    const char *sip_domain, struct json_object *errors)
{
	struct json_object *m = json_object_new_object();
	struct json_object *f = json_object_new_object();
	const char *country = form_value(ctx, "country");

	app_add_str(m, "title", _("My profile"));
	profile_languages(m, f, errors ? form_value(ctx, "language") :
	    ctx->user->language);
	app_add_str(f, "time_zone", tz);
	app_add_str(f, "country", ctx->req->method == HTTP_POST && country ?
	    country : ctx->user->country);
	app_add_str(m, "default_country", ctx->cfg->default_country);
	app_add_bool(f, "deep_link", deep_link);
	app_add_str(f, "sip_domain", sip_domain);
	json_object_object_add(m, "form", f);
	json_object_object_add(m, "zones", zone_list());
	if (errors) {
		ctx->resp->status = 400;
		json_object_object_add(m, "errors", errors);
		app_add_bool(m, "has_errors", true);
	}
	if (kv_get(&ctx->req->query, "saved"))
		app_add_str(m, "confirmation", _("Your profile is saved."));
	return app_render(ctx, "profile.html", m);
}

static enum cb_err
page_profile(struct ctx *ctx)
{
	return profile_form(ctx, ctx->user->time_zone, ctx->user->deep_link,
	    ctx->user->sip_domain, NULL);
}

static enum cb_err
post_profile(struct ctx *ctx)
{
	const char *tz = form_value(ctx, "time_zone");
	const char *lang = form_value(ctx, "language");
	bool deep = form_checked(ctx, "deep_link");
	struct json_object *e = json_object_new_object();
	char sip[DIAL_SIP_DOMAIN_MAX + 1], country[3];
	enum i18n_lang l;
	enum cb_err rc;

	if (!form_zone_valid(tz))
		json_object_object_add(e, "time_zone", app_jstr(_("Pick a time "
		    "zone from the list, like Europe/Kyiv or UTC.")));
	if (*lang != '\0' && !i18n_parse(lang, &l))
		json_object_object_add(e, "language", app_jstr(_("Pick a "
		    "language from the list.")));
	if (!read_country(form_value(ctx, "country"), country))
		json_object_object_add(e, "country", app_jstr(arena_printf(
		    ctx->arena, "%s (%s).", _("Enter a two-letter country code "
		    "like UA, PL or US, or leave it empty for the default"),
		    ctx->cfg->default_country[0] ? ctx->cfg->default_country :
		    _("none"))));
	read_sip_domain(ctx, sip, sizeof(sip), e);
	if (json_object_object_length(e) > 0)
		return profile_form(ctx, tz, deep, sip, e);
	json_object_put(e);
	if ((rc = db_admin_profile_save(ctx->db, ctx->user->id, tz, deep,
	    sip)) != CB_OK ||
	    (rc = db_user_set_language(ctx->db, ctx->user->id, lang)) != CB_OK ||
	    (rc = db_user_country_save(ctx->db, ctx->user->id, country)) !=
	    CB_OK)
		return rc;
	resp_redirect(ctx->resp, 303, "/settings/users/me?saved=1");
	return CB_OK;
}

/* ------------------------------------------------------------------ roles */

static enum cb_err
page_roles(struct ctx *ctx)
{
	struct json_object *m = json_object_new_object();
	struct json_object *roles = json_object_new_array();
	struct db_stmt *st;
	enum cb_err rc;

	app_add_str(m, "title", _("Roles"));
	json_object_object_add(m, "roles", roles);
	if ((rc = db_admin_roles(ctx->db, &st)) != CB_OK) {
		json_object_put(m);
		return rc;
	}
	while ((rc = db_fetch(st)) == CB_OK) {
		struct json_object *r = json_object_new_object();
		struct json_object *perms = json_object_new_array();
		struct user tmp;
		int i;

		json_object_object_add(r, "id",
		    json_object_new_int64(db_col_i64(st, 0)));
		app_add_str(r, "url", arena_printf(ctx->arena,
		    "/settings/roles/%lld", (long long)db_col_i64(st, 0)));
		app_add_str(r, "name", db_col(st, 1, NULL));
		app_add_str(r, "description", db_col(st, 2, NULL));
		perm_load(&tmp, db_col(st, 3, NULL));
		for (i = 0; i < PERM__MAX; i++)
			if (tmp.perms[i] != SCOPE_NONE)
				json_object_array_add(perms, app_jstr(
				    arena_printf(ctx->arena, "%s (%s)",
				    perm_name((enum perm)i), tmp.perms[i] ==
				    SCOPE_ALL ? _("all") : _("own"))));
		json_object_object_add(r, "permissions", perms);
		json_object_array_add(roles, r);
	}
	db_stmt_done(st);
	if (rc != CB_ENOTFOUND) {
		json_object_put(m);
		return rc;
	}
	if (kv_get(&ctx->req->query, "saved"))
		app_add_str(m, "confirmation", _("The role is saved."));
	return app_render(ctx, "settings_roles.html", m);
}

static enum cb_err
role_form(struct ctx *ctx, int64_t id, const char *name, const char *descr,
    const enum perm_scope scopes[PERM__MAX], struct json_object *errors)
{
	struct json_object *m = json_object_new_object();
	struct json_object *perms = json_object_new_array();
	int i;

	app_add_str(m, "title", id ? arena_printf(ctx->arena, "%s %s", _("Role"),
	    name) : _("New role"));
	app_add_str(m, "action", id ? arena_printf(ctx->arena,
	    "/settings/roles/%lld", (long long)id) : "/settings/roles");
	app_add_str(m, "name", name);
	app_add_str(m, "description", descr);
	for (i = 0; i < PERM__MAX; i++) {
		struct json_object *p = json_object_new_object();
		app_add_str(p, "perm", perm_name((enum perm)i));
		app_add_str(p, "field", arena_printf(ctx->arena, "perm_%s",
		    perm_name((enum perm)i)));
		app_add_str(p, "label", _(perm_labels[i]));
		app_add_bool(p, "none", scopes[i] == SCOPE_NONE);
		app_add_bool(p, "own", scopes[i] == SCOPE_OWN);
		app_add_bool(p, "all", scopes[i] == SCOPE_ALL);
		json_object_array_add(perms, p);
	}
	json_object_object_add(m, "permissions", perms);
	if (errors) {
		ctx->resp->status = 400;
		json_object_object_add(m, "errors", errors);
		app_add_bool(m, "has_errors", true);
	}
	return app_render(ctx, "settings_roles_form.html", m);
}

static enum cb_err
page_role_new(struct ctx *ctx)
{
	enum perm_scope scopes[PERM__MAX];
	int i;

	for (i = 0; i < PERM__MAX; i++)
		scopes[i] = SCOPE_NONE;
	return role_form(ctx, 0, "", "", scopes, NULL);
}

static enum cb_err
page_role_edit(struct ctx *ctx)
{
	enum perm_scope scopes[PERM__MAX];
	char name[65], descr[256];
	enum cb_err rc;

	if ((rc = db_admin_role_get(ctx->db, ctx->ids[0], name, sizeof(name),
	    descr, sizeof(descr), scopes)) != CB_OK) {
		if (rc == CB_ENOTFOUND)
			ctx->message = _("There is no such role.");
		return rc;
	}
	return role_form(ctx, ctx->ids[0], name, descr, scopes, NULL);
}

static enum cb_err
save_role(struct ctx *ctx, int64_t id)
{
	struct json_object *errors = json_object_new_object();
	enum perm_scope scopes[PERM__MAX], old[PERM__MAX];
	char oname[65], odescr[256];
	const char *name, *descr, *why = NULL;
	enum cb_err rc;
	int i;

	if (id && (rc = db_admin_role_get(ctx->db, id, oname, sizeof(oname),
	    odescr, sizeof(odescr), old)) != CB_OK) {
		json_object_put(errors);
		if (rc == CB_ENOTFOUND)
			ctx->message = _("There is no such role.");
		return rc;
	}
	if ((name = text_field(ctx, "name", 64, false, &role_name_words,
	    &why)) == NULL) {
		json_object_object_add(errors, "name", app_jstr(why));
		name = form_value(ctx, "name");
		why = NULL;
	}
	if ((descr = text_field(ctx, "description", 255, true,
	    &description_words, &why)) == NULL) {
		json_object_object_add(errors, "description", app_jstr(why));
		descr = "";
	}
	for (i = 0; i < PERM__MAX; i++) {
		const char *v = form_value(ctx, arena_printf(ctx->arena, "perm_%s",
		    perm_name((enum perm)i)));
		if (*v == '\0' || strcmp(v, "none") == 0)
			scopes[i] = SCOPE_NONE;
		else if (strcmp(v, "own") == 0)
			scopes[i] = SCOPE_OWN;
		else if (strcmp(v, "all") == 0)
			scopes[i] = SCOPE_ALL;
		else {
			scopes[i] = SCOPE_NONE;
			json_object_object_add(errors, "permissions", app_jstr(
			    _("Each permission is none, own calls or all.")));
		}
	}
	if (id && id == ctx->user->role_id && scopes[PERM_SETTINGS] ==
	    SCOPE_NONE)
		json_object_object_add(errors, "permissions", app_jstr(_("This "
		    "is your own role: without the settings permission you "
		    "would lock yourself out.")));
	if (json_object_object_length(errors) > 0)
		return role_form(ctx, id, name, descr, scopes, errors);
	if ((rc = db_begin(ctx->db)) == CB_OK &&
	    (rc = db_admin_role_save(ctx->db, &id, name, descr, scopes)) ==
	    CB_OK)
		rc = db_commit(ctx->db);
	if (rc == CB_DUPLICATE) {
		db_rollback(ctx->db);
		json_object_object_add(errors, "name", app_jstr(_("A role with "
		    "this name exists; choose another name.")));
		return role_form(ctx, id, name, descr, scopes, errors);
	}
	json_object_put(errors);
	if (rc != CB_OK) {
		db_rollback(ctx->db);
		return rc;
	}
	log_info("user %lld saved role %lld", (long long)ctx->user->id,
	    (long long)id);
	resp_redirect(ctx->resp, 303, "/settings/roles?saved=1");
	return CB_OK;
}

static enum cb_err post_role_new(struct ctx *ctx) { return save_role(ctx, 0); }
static enum cb_err post_role_edit(struct ctx *ctx)
{ return save_role(ctx, ctx->ids[0]); }

/* ---------------------------------------------------------- listening log */

static enum cb_err
read_log_date(struct ctx *ctx, const char *name, bool end, const char **out,
    struct json_object *filters)
{
	const char *v = kv_get(&ctx->req->query, name);
	char *utc;

	if (v == NULL || *v == '\0')
		return CB_OK;
	utc = arena_alloc(ctx->arena, 32);
	if (time_local_to_utc(end && strlen(v) == 10 ? arena_printf(
	    ctx->arena, "%s 23:59", v) : v, ctx->user->time_zone, utc, 32) !=
	    CB_OK) {
		static const char *const key[] = { "{name}" };
		const char *val[] = { name };
		char msg[300];

		i18n_fill(_("The \"{name}\" date must look like 2026-11-23 or "
		    "2026-11-23 14:30."), key, val, 1, msg, sizeof(msg));
		ctx->message = arena_strdup(ctx->arena, msg);
		return CB_EINVAL;
	}
	*out = end ? arena_printf(ctx->arena, "%.17s59.999", utc) : utc;
	app_add_str(filters, name, v);
	return CB_OK;
}

static enum cb_err
read_log_filter(struct ctx *ctx, struct listening_filter *f,
    struct json_object *filters)
{
	const char *v;
	enum cb_err rc;

	memset(f, 0, sizeof(*f));
	f->limit = LOG_PAGE + 1;
	if ((v = kv_get(&ctx->req->query, "user")) != NULL && *v) {
		if (strparse_i64z(v, 1, INT64_MAX, &f->user_id) != CB_OK) {
			ctx->message = _("Pick the user from the list.");
			return CB_EINVAL;
		}
	}
	if ((v = kv_get(&ctx->req->query, "call")) != NULL && *v) {
		if (strparse_i64z(v, 1, INT64_MAX, &f->call_id) != CB_OK) {
			ctx->message = _("A call id is a whole number, like 1234.");
			return CB_EINVAL;
		}
		app_add_str(filters, "call", v);
	}
	if ((rc = read_log_date(ctx, "from", false, &f->from_utc, filters)) !=
	    CB_OK || (rc = read_log_date(ctx, "to", true, &f->to_utc,
	    filters)) != CB_OK)
		return rc;
	if ((v = kv_get(&ctx->req->query, "before")) != NULL && *v) {
		const char *comma = strrchr(v, ',');
		char at[32];
		if (comma == NULL || (size_t)(comma - v) >= sizeof(at) ||
		    strparse_i64z(comma + 1, 1, INT64_MAX, &f->cursor_id) !=
		    CB_OK)
			goto broken;
		memcpy(at, v, (size_t)(comma - v));
		at[comma - v] = '\0';
		if (time_local_to_utc(at, "UTC", at, sizeof(at)) != CB_OK)
			goto broken;
		f->cursor_at = arena_strndup(ctx->arena, v,
		    (size_t)(comma - v));
		f->has_cursor = true;
	}
	return CB_OK;
broken:
	ctx->message = _("The page link is broken; start again from the first "
	    "page.");
	return CB_EINVAL;
}

/* The next page: this page's filters plus the last row's cursor. */
static const char *
log_next_url(struct ctx *ctx, const char *at, int64_t id)
{
	struct buf u;
	const char *r;
	size_t i;

	buf_init(&u, 8192);
	buf_puts(&u, "/settings/listening-log?");
	for (i = 0; i < ctx->req->query.n; i++) {
		const struct kv *kv = &ctx->req->query.v[i];
		if (strcmp(kv->key, "before") == 0 ||
		    strcmp(kv->key, "format") == 0)
			continue;
		url_component(&u, kv->key, strlen(kv->key));
		buf_putc(&u, '=');
		url_component(&u, kv->val, kv->val_len);
		buf_putc(&u, '&');
	}
	buf_puts(&u, "before=");
	url_component(&u, at, strlen(at));
	buf_printf(&u, "%%2C%lld", (long long)id);
	r = u.err ? NULL : arena_strdup(ctx->arena, buf_cstr(&u));
	buf_free(&u);
	return r;
}

/* What was done (listening_log.action) and on which page (.context), as
 * people read them; the codes stay in the JSON. */
static const char *const listen_actions[][2] = {
	{ "play", N_("listened") }, { "download", N_("downloaded") },
	{ "transcript", N_("read the transcript") }, { NULL, NULL },
};
static const char *const listen_contexts[][2] = {
	{ "calls", N_("call history") }, { "customer", N_("customer") },
	{ "order", N_("order") }, { "card", N_("call card") },
	{ "api", N_("API") }, { NULL, NULL },
};

static const char *
listen_label(const char *const set[][2], const char *code)
{
	size_t i;

	for (i = 0; code != NULL && set[i][0] != NULL; i++)
		if (strcmp(code, set[i][0]) == 0)
			return _(set[i][1]);
	return code;
}

static enum cb_err
page_listening_log(struct ctx *ctx)
{
	struct json_object *m = json_object_new_object();
	struct json_object *filters = json_object_new_object();
	struct json_object *rows = json_object_new_array();
	struct json_object *users = json_object_new_array();
	struct listening_filter f;
	struct db_stmt *st;
	enum cb_err rc;
	unsigned n = 0;
	char last_at[32] = "";
	int64_t last_id = 0;

	app_add_str(m, "title", _("Listening log"));
	json_object_object_add(m, "filters", filters);
	json_object_object_add(m, "rows", rows);
	json_object_object_add(m, "users", users);
	if ((rc = read_log_filter(ctx, &f, filters)) != CB_OK)
		goto fail;
	if ((rc = db_admin_users(ctx->db, &st)) != CB_OK)
		goto fail;
	while (db_fetch(st) == CB_OK) {
		struct json_object *o = json_object_new_object();
		int64_t id = db_col_i64(st, 0);
		json_object_object_add(o, "id", json_object_new_int64(id));
		app_add_str(o, "name", db_col(st, 2, NULL));
		app_add_bool(o, "selected", id == f.user_id);
		json_object_array_add(users, o);
	}
	db_stmt_done(st);
	if ((rc = db_listening_list(ctx->db, &f, &st)) != CB_OK)
		goto fail;
	while ((rc = db_fetch(st)) == CB_OK) {
		struct json_object *r;
		const char *at = db_col(st, LISTEN_CREATED_AT, NULL);

		if (++n > LOG_PAGE) {
			app_add_str(m, "next_url", log_next_url(ctx, last_at,
			    last_id));
			break;
		}
		r = json_object_new_object();
		last_id = db_col_i64(st, LISTEN_ID);
		snprintf(last_at, sizeof(last_at), "%s", at ? at : "");
		json_object_object_add(r, "id", json_object_new_int64(last_id));
		app_add_time(ctx, r, "time", at);
		app_add_str(r, "user", db_col(st, LISTEN_USER_NAME, NULL));
		json_object_object_add(r, "call_id", json_object_new_int64(
		    db_col_i64(st, LISTEN_CALL_ID)));
		app_add_str(r, "call_url", arena_printf(ctx->arena, "/calls/%lld",
		    (long long)db_col_i64(st, LISTEN_CALL_ID)));
		app_add_str(r, "action", db_col(st, LISTEN_ACTION, NULL));
		app_add_str(r, "action_label", listen_label(listen_actions,
		    db_col(st, LISTEN_ACTION, NULL)));
		app_add_str(r, "context", db_col(st, LISTEN_CONTEXT, NULL));
		app_add_str(r, "context_label", listen_label(listen_contexts,
		    db_col(st, LISTEN_CONTEXT, NULL)));
		app_add_str(r, "ip", db_col(st, LISTEN_IP, NULL));
		app_add_str(r, "user_agent", db_col(st, LISTEN_USER_AGENT, NULL));
		json_object_array_add(rows, r);
	}
	db_stmt_done(st);
	if (rc != CB_OK && rc != CB_ENOTFOUND)
		goto fail;
	app_add_bool(m, "empty", json_object_array_length(rows) == 0);
	if (f.has_cursor)
		app_add_str(m, "first_url", "/settings/listening-log");
	return app_render(ctx, "listening_log.html", m);
fail:
	json_object_put(m);
	return rc;
}

static const struct route routes[] = {
	{ "/settings/users", HTTP_M(HTTP_GET), AUTH_SESSION, PERM_SETTINGS, 0,
	    0, page_users },
	{ "/settings/users", HTTP_M(HTTP_POST), AUTH_SESSION, PERM_SETTINGS,
	    BODY_FORM, 0, post_user_new },
	{ "/settings/users/new", HTTP_M(HTTP_GET), AUTH_SESSION,
	    PERM_SETTINGS, 0, 0, page_user_new },
	{ "/settings/users/me", HTTP_M(HTTP_GET), AUTH_SESSION, PERM_NONE, 0,
	    0, page_profile },
	{ "/settings/users/me", HTTP_M(HTTP_POST), AUTH_SESSION, PERM_NONE,
	    BODY_FORM, 0, post_profile },
	{ "/settings/users/#", HTTP_M(HTTP_GET), AUTH_SESSION, PERM_SETTINGS,
	    0, 0, page_user_edit },
	{ "/settings/users/#", HTTP_M(HTTP_POST), AUTH_SESSION, PERM_SETTINGS,
	    BODY_FORM, 0, post_user_edit },
	{ "/settings/roles", HTTP_M(HTTP_GET), AUTH_SESSION, PERM_SETTINGS, 0,
	    0, page_roles },
	{ "/settings/roles", HTTP_M(HTTP_POST), AUTH_SESSION, PERM_SETTINGS,
	    BODY_FORM, 0, post_role_new },
	{ "/settings/roles/new", HTTP_M(HTTP_GET), AUTH_SESSION,
	    PERM_SETTINGS, 0, 0, page_role_new },
	{ "/settings/roles/#", HTTP_M(HTTP_GET), AUTH_SESSION, PERM_SETTINGS,
	    0, 0, page_role_edit },
	{ "/settings/roles/#", HTTP_M(HTTP_POST), AUTH_SESSION, PERM_SETTINGS,
	    BODY_FORM, 0, post_role_edit },
	{ "/settings/listening-log", HTTP_M(HTTP_GET), AUTH_SESSION,
	    PERM_SETTINGS, 0, 0, page_listening_log },
};

static const struct program program = {
	"users", routes, sizeof(routes) / sizeof(routes[0]), true
};

int
main(int argc, char *argv[])
{
	return app_main(&program, argc, argv);
}
