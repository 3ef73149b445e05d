#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/utf8.h"
#include "http/form.h"
#include "i18n/i18n.h"

#define ZONEINFO_DIR "/usr/share/zoneinfo/"

const char *
form_value(const struct ctx *ctx, const char *name)
{
	const char *v = kv_get(&ctx->req->form, name);

	return v ? v : "";
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

const char *
form_trim(struct arena *a, const char *s)
{
	size_t n;

	if (s == NULL)
		return "";
	while (is_blank(*s))
		s++;
	n = strlen(s);
	while (n > 0 && is_blank(s[n - 1]))
		n--;
	return arena_strndup(a, s, n);
}

const char *
form_trimmed(struct ctx *ctx, const char *name)
{
	return form_trim(ctx->arena, kv_get(&ctx->req->form, name));
}

bool
form_checked(const struct ctx *ctx, const char *name)
{
	const char *v = kv_get(&ctx->req->form, name);

	return v != NULL && *v != '\0' && strcmp(v, "0") != 0;
}

const struct form_text_words form_text_any = {
	N_("Enter the {field}."),
	N_("The {field} is at most {n} characters."),
	N_("The {field} is not valid text."),
};

const struct form_text_words form_text_name = {
	N_("Enter the name."), N_("The name is at most {n} characters."),
	N_("The name is not valid text."),
};

const char *
form_text_error(struct arena *a, const char *v, long max, bool optional,
    const struct form_text_words *w, const char *label)
{
	static const char *const keys[] = { "{n}", "{field}" };
	long chars = utf8_chars(v, strlen(v));
	const char *msg, *vals[2];
	char num[24];
	size_t size;
	char *out;

	if (chars < 0)
		msg = w->bad;
	else if (chars == 0 && !optional)
		msg = w->empty;
	else if (chars > max)
		msg = w->too_long;
	else
		return NULL;
	msg = _(msg);
	snprintf(num, sizeof(num), "%ld", max);
	vals[0] = num;
	vals[1] = label;
	/* Room for each value four times (a sentence names it once). */
	size = strlen(msg) + 4 * (sizeof(num) + (label ? strlen(label) : 0))
	    + 1;
	if ((out = arena_alloc(a, size)) == NULL)
		return msg;
	i18n_fill(msg, keys, vals, 2, out, size);
	return out;
}

bool
form_zone_valid(const char *tz)
{
	char path[sizeof(ZONEINFO_DIR) + 64];
	struct stat sb;
	size_t n = strlen(tz);

	if (n == 0 || n >= 64 || tz[0] == '/' || strstr(tz, "..") != NULL ||
	    strspn(tz, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789/_-+") != n)
		return false;
	snprintf(path, sizeof(path), "%s%s", ZONEINFO_DIR, tz);
	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

bool
form_http_url_valid(const char *u)
{
	const char *host;
	size_t i, n = strlen(u);

	if (n > FORM_URL_MAX)
		return false;
	if (strncmp(u, "https://", 8) == 0)
		host = u + 8;
	else if (strncmp(u, "http://", 7) == 0)
		host = u + 7;
	else
		return false;
	if (*host == '\0' || *host == '/' || *host == ':' || *host == '?')
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)u[i] <= ' ' || u[i] == 0x7f)
			return false;
	return true;
}

enum cb_err
form_options(struct db *db, enum cb_err (*q)(struct db *, struct db_stmt **),
    int64_t chosen, struct json_object **out)
{
	struct json_object *a;
	struct db_stmt *st;
	enum cb_err rc;

	*out = NULL;
	if ((rc = q(db, &st)) != CB_OK)
		return rc;
	a = json_object_new_array();
	while ((rc = db_fetch(st)) == CB_OK) {
		struct json_object *o = json_object_new_object();
		int64_t id = db_col_i64(st, 0);

		app_add_int(o, "id", id);
		app_add_str(o, "name", db_col(st, 1, NULL));
		app_add_bool(o, "selected", id == chosen);
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
