/* integrations: Settings › Integrations and Settings › Exceptions (issue 6
 * §4 and §5, pages half).
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

#include "core/strparse.h"
#include "core/timefmt.h"
#include "core/utf8.h"
#include "db/exceptions.h"
#include "http/app.h"
#include "phone/phone.h"

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

static const char *
local_time(struct ctx *ctx, const char *utc)
{
	char *out;

	if (utc == NULL)
		return NULL;
	out = arena_alloc(ctx->arena, 32);
	if (time_utc_to_local(utc, ctx->user->time_zone, out, 32) != CB_OK)
		snprintf(out, 32, "%.16s UTC", utc);
	return out;
}

/* A form value with spaces around it removed, in the arena; "" when
 * absent. */
static const char *
trimmed(struct ctx *ctx, const char *name)
{
	const char *v = kv_get(&ctx->req->form, name);
	size_t len;

	if (v == NULL)
		return "";
	while (*v == ' ' || *v == '\t')
		v++;
	len = strlen(v);
	while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t' ||
	    v[len - 1] == '\r' || v[len - 1] == '\n'))
		len--;
	return arena_strndup(ctx->arena, v, len);
}

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
		ctx->message = db_down;
		return rc;
	}
	m = json_object_new_object();
	list = json_object_new_array();
	json_object_object_add(m, "exceptions", list);
	while ((rc = db_fetch(st)) == CB_OK) {
		struct json_object *e = json_object_new_object();
		int64_t id = db_col_i64(st, EXC_ID);

		add_int(e, "id", id);
		add_str(e, "phone", db_col(st, EXC_PHONE, NULL));
		add_str(e, "comment", db_col(st, EXC_COMMENT, NULL));
		add_str(e, "author", db_col(st, EXC_AUTHOR, NULL));
		add_str(e, "created", local_time(ctx, db_col(st,
		    EXC_CREATED_AT, NULL)));
		add_str(e, "delete_url", arena_printf(ctx->arena,
		    "/settings/exceptions/%lld/delete", (long long)id));
		json_object_array_add(list, e);
	}
	db_stmt_done(st);
	if (rc != CB_ENOTFOUND) {
		json_object_put(m);
		ctx->message = db_down;
		return rc;
	}
	add_str(m, "title", "Exceptions");
	add_str(m, "phone", phone);
	add_str(m, "comment", comment);
	add_str(m, "phone_error", phone_error);
	add_str(m, "comment_error", comment_error);
	add_bool(m, "has_errors", phone_error || comment_error);
	add_str(m, "default_country", ctx->cfg->default_country);
	if (v && strcmp(v, "1") == 0)
		add_str(m, "confirmation", "The number is on the list: its "
		    "calls will not be stored.");
	else if ((v = kv_get(&ctx->req->query, "deleted")) && *v == '1')
		add_str(m, "confirmation", "The number is off the list.");
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
	const char *phone = trimmed(ctx, "phone");
	const char *comment = trimmed(ctx, "comment");
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
		perr = "Type the number whose calls should not be stored.";
	else if (k == PHONE_INVALID)
		perr = "This is not a phone number. Type it in any format, "
		    "e.g. +380 67 123 45 67 or 067 123 45 67.";
	else if (k == PHONE_EXTENSION)
		perr = "This looks like an internal extension, not a customer's "
		    "number: calls between extensions are internal already.";
	chars = utf8_chars(comment, strlen(comment));
	if (chars < 0)
		cerr = "The comment has bytes that are not text.";
	else if (chars > EXCEPTION_COMMENT_MAX)
		cerr = arena_printf(ctx->arena, "A comment is at most %d "
		    "characters; this one has %ld.", EXCEPTION_COMMENT_MAX,
		    chars);
	if (perr || cerr)
		return exceptions_render(ctx, phone, comment, perr, cerr);
	phone_digits_rev(e164, strlen(e164), rev, sizeof(rev));
	rc = db_exception_add(ctx->db, e164, rev, *comment ? comment : NULL,
	    ctx->user->id, &id);
	if (rc == CB_DUPLICATE)
		return exceptions_render(ctx, phone, comment, arena_printf(
		    ctx->arena, "%s is already on the list.", e164), NULL);
	if (rc != CB_OK) {
		ctx->message = "The number was not added: the database is not "
		    "answering. Try again in a minute.";
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
		ctx->message = "That number is not on the list (any more).";
		return rc;
	}
	if (rc != CB_OK) {
		ctx->message = db_down;
		return rc;
	}
	resp_redirect(ctx->resp, 303, "/settings/exceptions?deleted=1");
	return CB_OK;
}

static const struct route routes[] = {
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
	phone_init();
	return app_main(&program, argc, argv);
}
