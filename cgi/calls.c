/* calls: the call history page (/calls) and the customer and order call
 * feeds. Filters live in the URL, so a filtered view can be shared and the
 * back button works; pagination is by keyset, never COUNT(*) or OFFSET. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/strparse.h"
#include "core/timefmt.h"
#include "db/call.h"
#include "http/app.h"
#include "http/escape.h"
#include "phone/phone.h"

#define PAGE_SIZE 50

/* Query parameters this page understands; anything else gets a notice. */
static const char *const known_params[] = {
	"q", "direction", "result", "from", "to", "before", "format",
	"external_id", NULL
};

static const char *const directions[] = { "in", "out", "internal", NULL };
static const char *const results[] = {
	"answered", "missed", "busy", "failed", "no_answer", "unknown", NULL
};

static bool
one_of(const char *v, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(v, *set) == 0)
			return true;
	return false;
}

static const char *
nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

static void
add_str(struct json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, app_jstr(v));
}

/* Reads and validates the filters. CB_EINVAL with ctx->message set when a
 * value cannot be used. */
static enum cb_err
read_filter(struct ctx *ctx, struct call_filter *f, struct json_object *m)
{
	const char *tz = ctx->user->time_zone, *v;
	struct json_object *filters = json_object_new_object();
	struct json_object *notices = json_object_new_array();
	size_t i;

	json_object_object_add(m, "filters", filters);
	json_object_object_add(m, "notices", notices);
	for (i = 0; i < ctx->req->query.n; i++) {
		const char *k = ctx->req->query.v[i].key;
		size_t j;
		bool known = false;
		for (j = 0; known_params[j]; j++)
			known = known || strcmp(k, known_params[j]) == 0;
		if (!known)
			json_object_array_add(notices, app_jstr(arena_printf(
			    ctx->arena, "Unknown filter \"%s\" was ignored.", k)));
	}

	f->limit = PAGE_SIZE + 1; /* one extra row tells if there is more */
	if ((v = nonempty(app_param(ctx, "direction"))) != NULL) {
		if (!one_of(v, directions)) {
			ctx->message = "Direction must be in, out or internal.";
			return CB_EINVAL;
		}
		f->direction = v;
		add_str(filters, "direction", v);
		json_object_object_add(filters, arena_printf(ctx->arena,
		    "is_%s", v), json_object_new_boolean(1));
	}
	if ((v = nonempty(app_param(ctx, "result"))) != NULL) {
		if (!one_of(v, results)) {
			ctx->message = "Unknown call result in the filter.";
			return CB_EINVAL;
		}
		f->result = v;
		add_str(filters, "result", v);
		json_object_object_add(filters, arena_printf(ctx->arena,
		    "is_%s", v), json_object_new_boolean(1));
	}
	if ((v = nonempty(app_param(ctx, "q"))) != NULL) {
		char norm[PHONE_MAX], digits[PHONE_MAX], *rev;
		size_t n, k;

		add_str(filters, "q", v);
		/* A full number in any format matches its E.164 form; a few
		 * digits match the end of numbers. */
		if (phone_normalize(v, strlen(v), ctx->cfg->default_country,
		    norm, sizeof(norm)) == PHONE_E164)
			n = phone_digits(norm, strlen(norm), digits,
			    sizeof(digits));
		else
			n = phone_digits(v, strlen(v), digits, sizeof(digits));
		if (n == 0) {
			ctx->message = "Search by number needs some digits.";
			return CB_EINVAL;
		}
		rev = arena_alloc(ctx->arena, n + 1);
		for (k = 0; k < n; k++)
			rev[k] = digits[n - 1 - k];
		f->digits_rev = rev;
	}
	if ((v = nonempty(app_param(ctx, "external_id"))) != NULL) {
		if (strlen(v) > 128) {
			ctx->message = "A provider's call id is at most 128 "
			    "characters.";
			return CB_EINVAL;
		}
		f->external_id = v;
		add_str(filters, "external_id", v);
	}
	if ((v = nonempty(app_param(ctx, "from"))) != NULL) {
		char *utc = arena_alloc(ctx->arena, 32);
		if (time_local_to_utc(v, tz, utc, 32) != CB_OK) {
			ctx->message = "The \"from\" date must look like "
			    "2026-11-23 or 2026-11-23 14:30.";
			return CB_EINVAL;
		}
		f->from_utc = utc;
		add_str(filters, "from", v);
	}
	if ((v = nonempty(app_param(ctx, "to"))) != NULL) {
		char *utc = arena_alloc(ctx->arena, 32);
		char *end = arena_printf(ctx->arena, "%s%s", v,
		    strlen(v) == 10 ? " 23:59" : "");
		if (time_local_to_utc(end, tz, utc, 32) != CB_OK) {
			ctx->message = "The \"to\" date must look like "
			    "2026-11-23 or 2026-11-23 14:30.";
			return CB_EINVAL;
		}
		/* "to" includes its whole last minute: HH:MM:59.999. */
		f->to_utc = arena_printf(ctx->arena, "%.17s59.999", utc);
		add_str(filters, "to", v);
	}
	if ((v = nonempty(app_param(ctx, "before"))) != NULL) {
		const char *comma = strrchr(v, ',');
		char at[32];
		if (comma == NULL || (size_t)(comma - v) >= sizeof(at) ||
		    strparse_i64z(comma + 1, 1, INT64_MAX, &f->before_id) !=
		    CB_OK) {
			ctx->message = "The page link is broken; start again "
			    "from the first page.";
			return CB_EINVAL;
		}
		memcpy(at, v, (size_t)(comma - v));
		at[comma - v] = '\0';
		if (time_local_to_utc(at, "UTC", at, sizeof(at)) != CB_OK) {
			ctx->message = "The page link is broken; start again "
			    "from the first page.";
			return CB_EINVAL;
		}
		f->before_at = arena_strndup(ctx->arena, v,
		    (size_t)(comma - v));
	}
	return CB_OK;
}

static const char *
result_label(const char *r)
{
	if (strcmp(r, "answered") == 0) return "Answered";
	if (strcmp(r, "missed") == 0) return "Missed";
	if (strcmp(r, "busy") == 0) return "Busy";
	if (strcmp(r, "failed") == 0) return "Failed";
	if (strcmp(r, "no_answer") == 0) return "No answer";
	return "Unknown";
}

static const char *
direction_label(const char *d)
{
	if (strcmp(d, "in") == 0) return "Incoming";
	if (strcmp(d, "out") == 0) return "Outgoing";
	return "Internal";
}

/* from: the feed a row is shown in ("customer:7", "order:9") or NULL for
 * the history: the recording program checks the permission of that page. */
static struct json_object *
call_row(struct ctx *ctx, struct db_stmt *st, const char *from)
{
	struct json_object *c = json_object_new_object();
	const char *started = db_col(st, CALL_STARTED_AT, NULL);
	const char *result = db_col(st, CALL_RESULT, NULL);
	const char *dir = db_col(st, CALL_DIRECTION, NULL);
	const char *number = db_col(st, CALL_CLIENT_NUMBER, NULL);
	const char *rec = db_col(st, CALL_RECORDING_STATE, NULL);
	const char *name;
	char local[32], dur[32];
	int64_t id = db_col_i64(st, CALL_ID);

	json_object_object_add(c, "id", json_object_new_int64(id));
	if (time_utc_to_local(started, ctx->user->time_zone, local,
	    sizeof(local)) != CB_OK)
		snprintf(local, sizeof(local), "%s", started ? started : "");
	add_str(c, "time", local);
	add_str(c, "started_at_utc", started);
	add_str(c, "direction", dir);
	add_str(c, "direction_label", direction_label(dir ? dir : ""));
	add_str(c, "result", result);
	add_str(c, "result_label", result_label(result ? result : ""));
	json_object_object_add(c, "ok", json_object_new_boolean(
	    result && strcmp(result, "answered") == 0));
	add_str(c, "number", number);
	if (number && *number)
		add_str(c, "number_url", arena_printf(ctx->arena, "tel:%s",
		    number));
	if (!db_col_null(st, CALL_CUSTOMER_ID)) {
		add_str(c, "contact", db_col(st, CALL_CUSTOMER_NAME, NULL));
		add_str(c, "contact_url", arena_printf(ctx->arena,
		    "/customers/%lld/calls",
		    (long long)db_col_i64(st, CALL_CUSTOMER_ID)));
	} else if ((name = db_col(st, CALL_LEAD_NAME, NULL)) != NULL) {
		add_str(c, "contact", name);
	} else if ((name = db_col(st, CALL_CLIENT_NAME, NULL)) != NULL &&
	    *name) {
		add_str(c, "contact", name);
	}
	json_object_object_add(c, "unknown", json_object_new_boolean(
	    db_col_null(st, CALL_CUSTOMER_ID)));
	add_str(c, "manager", db_col(st, CALL_MANAGER_NAME, NULL));
	add_str(c, "extension", db_col(st, CALL_EXTENSION, NULL));
	add_str(c, "integration", db_col(st, CALL_INTEGRATION_NAME, NULL));
	add_str(c, "provider", db_col(st, CALL_INTEGRATION_KIND, NULL));
	add_str(c, "our_number", db_col(st, CALL_OUR_NUMBER, NULL));
	add_str(c, "external_id", db_col(st, CALL_EXTERNAL_ID, NULL));
	time_duration((long)db_col_i64(st, CALL_TALK), dur, sizeof(dur));
	add_str(c, "talk", dur);
	json_object_object_add(c, "talk_seconds",
	    json_object_new_int64(db_col_i64(st, CALL_TALK)));
	json_object_object_add(c, "wait_seconds",
	    json_object_new_int64(db_col_i64(st, CALL_WAIT)));
	add_str(c, "comment", db_col(st, CALL_COMMENT, NULL));
	add_str(c, "recording_state", rec);
	if (rec && strcmp(rec, "stored") == 0) {
		add_str(c, "recording_url", arena_printf(ctx->arena,
		    "/calls/%lld/recording%s%s", (long long)id,
		    from ? "?from=" : "", from ? from : ""));
		add_str(c, "download_url", arena_printf(ctx->arena,
		    "/calls/%lld/recording?download=1%s%s", (long long)id,
		    from ? "&from=" : "", from ? from : ""));
	} else if (rec && strcmp(rec, "pending") == 0)
		add_str(c, "recording_note", "recording is being fetched");
	else if (rec && strcmp(rec, "failed") == 0)
		add_str(c, "recording_note", "recording could not be fetched");
	else
		add_str(c, "recording_note", "no recording");
	add_str(c, "card_url", arena_printf(ctx->arena, "/calls/%lld",
	    (long long)id));
	return c;
}

/* The URL of the next page: this page's filters plus the cursor. */
static const char *
next_url(struct ctx *ctx, const char *base, const char *at, int64_t id)
{
	struct buf u;
	const char *r;
	size_t i;

	buf_init(&u, 8192);
	buf_puts(&u, base);
	buf_puts(&u, "?");
	for (i = 0; i < ctx->req->query.n; i++) {
		const struct kv *kv = &ctx->req->query.v[i];
		/* The link is the page's URL: the cursor is replaced, and the
		 * format stays with the client that asked for it. */
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

static enum cb_err
render_list(struct ctx *ctx, struct call_filter *f, struct json_object *m,
    const char *base, const char *from)
{
	struct json_object *calls = json_object_new_array();
	struct db_stmt *st;
	enum cb_err rc;
	unsigned n = 0;

	json_object_object_add(m, "calls", calls);
	if ((rc = db_call_list(ctx->db, f, &st)) != CB_OK)
		goto fail;
	while ((rc = db_fetch(st)) == CB_OK) {
		if (++n > PAGE_SIZE) {
			/* The cursor is the last row shown. */
			struct json_object *last = json_object_array_get_idx(
			    calls, PAGE_SIZE - 1);
			struct json_object *at, *id;
			json_object_object_get_ex(last, "started_at_utc", &at);
			json_object_object_get_ex(last, "id", &id);
			add_str(m, "next_url", next_url(ctx, base,
			    json_object_get_string(at),
			    json_object_get_int64(id)));
			break;
		}
		json_object_array_add(calls, call_row(ctx, st, from));
	}
	db_stmt_done(st);
	if (rc != CB_OK && rc != CB_ENOTFOUND)
		goto fail;
	json_object_object_add(m, "empty", json_object_new_boolean(n == 0));
	if (f->before_at)
		add_str(m, "first_url", base);
	return app_render(ctx, "calls.html", m);
fail:
	json_object_put(m);
	ctx->message = "The database is not answering. Try again in a minute.";
	return rc;
}

static enum cb_err
page_calls(struct ctx *ctx)
{
	struct json_object *m = json_object_new_object();
	struct call_filter f;
	enum cb_err rc;

	memset(&f, 0, sizeof(f));
	add_str(m, "title", "Call history");
	add_str(m, "base_url", "/calls");
	if ((rc = read_filter(ctx, &f, m)) != CB_OK) {
		json_object_put(m);
		return rc;
	}
	return render_list(ctx, &f, m, "/calls", NULL);
}

static enum cb_err
page_customer_calls(struct ctx *ctx)
{
	struct json_object *m = json_object_new_object();
	struct call_filter f;
	enum cb_err rc;
	const char *base = arena_printf(ctx->arena, "/customers/%lld/calls",
	    (long long)ctx->ids[0]);

	memset(&f, 0, sizeof(f));
	add_str(m, "title", "Customer's calls");
	add_str(m, "base_url", base);
	if ((rc = read_filter(ctx, &f, m)) != CB_OK) {
		json_object_put(m);
		return rc;
	}
	f.customer_id = ctx->ids[0];
	return render_list(ctx, &f, m, base, arena_printf(ctx->arena,
	    "customer:%lld", (long long)ctx->ids[0]));
}

static enum cb_err
page_order_calls(struct ctx *ctx)
{
	struct json_object *m = json_object_new_object();
	struct call_filter f;
	enum cb_err rc;
	const char *base = arena_printf(ctx->arena, "/orders/%lld/calls",
	    (long long)ctx->ids[0]);

	memset(&f, 0, sizeof(f));
	add_str(m, "title", "Order's calls");
	add_str(m, "base_url", base);
	if ((rc = read_filter(ctx, &f, m)) != CB_OK) {
		json_object_put(m);
		return rc;
	}
	f.order_id = ctx->ids[0];
	return render_list(ctx, &f, m, base, arena_printf(ctx->arena,
	    "order:%lld", (long long)ctx->ids[0]));
}

static const struct route routes[] = {
	{ "/calls", HTTP_M(HTTP_GET), AUTH_SESSION, PERM_CALLS, 0, 0,
	    page_calls },
	{ "/customers/#/calls", HTTP_M(HTTP_GET), AUTH_SESSION,
	    PERM_CUSTOMERS_CALLS, 0, 0, page_customer_calls },
	{ "/orders/#/calls", HTTP_M(HTTP_GET), AUTH_SESSION,
	    PERM_ORDERS_CALLS, 0, 0, page_order_calls },
};

static const struct program program = {
	"calls", routes, sizeof(routes) / sizeof(routes[0]), true
};

int
main(int argc, char *argv[])
{
	return app_main(&program, argc, argv);
}
