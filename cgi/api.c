 /* api: the token-authenticated JSON API (/api/v1/...) for other systems
 * (a CRM, a custom PBX) and for the tests: calls with their links, the
 * responsible manager of a number, and customers (creating one links the
 * calls that arrived before it existed). Each endpoint lists the query
 * parameters it reads; any other, or one given twice, is a 400 naming it. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "auth/access.h"
#include "core/buf.h"
#include "core/jsonget.h"
#include "calls/link.h"
#include "calls/route.h"
#include "core/strparse.h"
#include "core/utf8.h"
#include "db/apicall.h"
#include "db/autolist.h"
#include "db/call.h"
#include "db/task.h"
#include "db/transcript.h"
#include "db/user.h"
#include "db/integration.h"
#include "db/route.h"
#include "http/app.h"
#include "phone/phone.h"


/* A phone number as typed: generous for spaces, dashes and brackets. */
#define PHONE_TEXT_MAX 64

/* The query parameters each endpoint reads. Anything else is a 400 that
 * names it: a client that sends ?phone_number= or ?limt= by mistake would
 * otherwise get every call back as if it had asked for no filter, and
 * never learn why. */
static const char *const q_none[] = { NULL };
static const char *const q_calls[] = { "integration", "external_id",
	"phone", "contains", "said", "limit", "before", NULL };
static const char *const q_route[] = { "phone", "integration", NULL };
/* The automation lists: only the filters each list's query applies
 * (lib/db/autolist.c), so ?state= on leads is refused, not ignored. */
static const char *const q_tasks[] = { "call_id", "phone", "user_id",
	"state", "limit", NULL };
static const char *const q_leads[] = { "call_id", "phone", "limit", NULL };
static const char *const q_notifications[] = { "call_id", "phone",
	"user_id", "limit", NULL };
static const char *const q_runs[] = { "call_id", "phone", "trigger_id",
	"limit", NULL };

/* CB_OK when every query parameter is one of known and none is given
 * twice; else CB_EINVAL with the message naming it (unprintable bytes of
 * the name as '?', at most 64 of them). */
static enum cb_err
query_known(struct ctx *ctx, const char *const *known)
{
	const struct kvlist *q = &ctx->req->query;
	size_t i, j, k;

	for (i = 0; i < q->n; i++) {
		const char *key = q->v[i].key;
		char shown[65];
		bool dup = false;

		for (k = 0; known[k] != NULL && strcmp(known[k], key) != 0; k++)
			;
		for (j = 0; j < i && !dup; j++)
			dup = strcmp(q->v[j].key, key) == 0;
		if (known[k] != NULL && !dup)
			continue;
		for (j = 0; key[j] != '\0' && j < sizeof(shown) - 1; j++)
			shown[j] = key[j] > ' ' && key[j] < 0x7f ? key[j] : '?';
		shown[j] = '\0';
		if (dup) {
			ctx->message = arena_printf(ctx->arena, "The query "
			    "parameter \"%s\" is given twice.", shown);
			return CB_EINVAL;
		}
		if (known[0] == NULL) {
			ctx->message = arena_printf(ctx->arena, "Unknown query "
			    "parameter \"%s\": %s takes none.", shown,
			    ctx->req->path);
			return CB_EINVAL;
		}
		{
			struct buf b;
			buf_init(&b, 256);
			for (k = 0; known[k] != NULL; k++)
				buf_printf(&b, "%s%s", k ? ", " : "", known[k]);
			ctx->message = arena_printf(ctx->arena, "Unknown query "
			    "parameter \"%s\": %s takes %s.", shown,
			    ctx->req->path, buf_cstr(&b));
			buf_free(&b);
		}
		return CB_EINVAL;
	}
	return CB_OK;
}

/* Why a JSON value cannot be stored as text of at most max characters, or
 * NULL when it can. A NUL inside a string would cut it short in every C
 * string it passes through (issue 16 item 12): refused, never truncated;
 * too long or malformed text would be refused by the database, which the
 * client must hear as its own mistake (400), not as "database down". */
static const char text_too_long[] = "is too long";

static const char *
text_problem(struct json_object *v, size_t max)
{
	const char *s;
	long n;
	int len;

	if (!json_object_is_type(v, json_type_string))
		return "must be a string";
	s = json_object_get_string(v);
	len = json_object_get_string_len(v);
	if (len < 0 || strlen(s) != (size_t)len)
		return "contains a NUL character (\\u0000); send the text "
		    "without it";
	if ((n = utf8_chars(s, (size_t)len)) < 0)
		return "is not valid UTF-8";
	if ((size_t)n > max)
		return text_too_long;
	return NULL;
}

/* The text member key of o: NULL when it is absent or null; CB_EINVAL
 * with a message naming the member when it is present but unusable. */
static enum cb_err
text_member(struct ctx *ctx, struct json_object *o, const char *key,
    size_t max, const char **out)
{
	struct json_object *v;
	const char *why;

	*out = NULL;
	if (o == NULL || !json_object_object_get_ex(o, key, &v) || v == NULL)
		return CB_OK;
	if ((why = text_problem(v, max)) != NULL) {
		ctx->message = arena_printf(ctx->arena, "\"%s\" %s%s.", key,
		    why, why == text_too_long ? arena_printf(ctx->arena,
		    " (at most %zu characters)", max) : "");
		return CB_EINVAL;
	}
	*out = json_object_get_string(v);
	return CB_OK;
}

/* A number in any format → reversed digits of its E.164 form (or of its
 * digits when it cannot be normalised): what calls.client_digits_rev and
 * customer_phones.phone_digits_rev hold. false when it has no digits. */
static bool
number_key(const char *in, const char *country, char *e164, char *rev)
{
	char norm[PHONE_MAX];
	enum phone_kind k;

	k = phone_normalize(in, strlen(in), country, norm, sizeof(norm));
	if (k == PHONE_INVALID)
		return false;
	if (e164)
		snprintf(e164, PHONE_MAX, "%s", norm);
	return phone_digits_rev(norm, strlen(norm), rev, PHONE_MAX) > 0;
}

/* m's "notices" array, made on first use (contains and said both add). */
static struct json_object *
notices_of(struct json_object *m)
{
	struct json_object *notes;

	if (json_object_object_get_ex(m, "notices", &notes))
		return notes;
	notes = json_object_new_array();
	json_object_object_add(m, "notices", notes);
	return notes;
}

/* ?contains=: a fragment of the client number, normalised to its digits
 * as the history does (cgi/calls.c read_number). Only separators: ignored,
 * said in "notices". "+" or zeros alone: in every number, a 400. Fewer than
 * CALL_GRAM_LEN digits: a 400 too (the API has no date range to bound a
 * scan with). */
static enum cb_err
read_contains(struct ctx *ctx, const char *v, char *crev,
    struct json_object *m, struct api_call_filter *f)
{
	size_t n;

	if (strlen(v) > PHONE_TEXT_MAX) {
		ctx->message = "contains: at most 64 characters.";
		return CB_EINVAL;
	}
	if (v[strspn(v, " -().\t/")] == '\0') {
		json_object_array_add(notices_of(m), json_object_new_string(
		    "contains had no digits; it was ignored."));
		return CB_OK;
	}
	n = phone_digits_rev(v, strlen(v), crev, PHONE_MAX);
	if (n == 0 && strchr(v, '+') == NULL) {
		ctx->message = "contains: send some digits of a number.";
		return CB_EINVAL;
	}
	if (strspn(crev, "0") == n) {
		ctx->message = "contains: \"+\" or \"0\" alone is in nearly "
		    "every number; send some more digits of it.";
		return CB_EINVAL;
	}
	if (n < CALL_GRAM_LEN) {
		ctx->message = arena_printf(ctx->arena, "contains: send at "
		    "least %d digits (shorter fragments are not indexed).",
		    CALL_GRAM_LEN);
		return CB_EINVAL;
	}
	f->contains_rev = crev;
	return CB_OK;
}

/* ?said=<words> (issue 22): the token acts with its user's role. The
 * search needs what the history's needs (access_transcript_list_manager)
 * and covers only the calls whose transcripts that role may read; a token
 * of no user, or of a disabled one, reads no transcript. On success the
 * reader is in *u and the query in said (TRANSCRIPT_SAID_MAX * 2). */
static enum cb_err
read_said(struct ctx *ctx, const char *v, struct user *u, char *said,
    struct json_object *m, struct api_call_filter *f)
{
	char shorts[TRANSCRIPT_SAID_MAX], stops[TRANSCRIPT_SAID_MAX];
	int64_t of;
	enum cb_err rc;

	if (v[strspn(v, " \t\r\n")] == '\0') {
		json_object_array_add(notices_of(m), json_object_new_string(
		    "said was empty; it was ignored."));
		return CB_OK;
	}
	if (strlen(v) > TRANSCRIPT_SAID_MAX) {
		ctx->message = arena_printf(ctx->arena, "said: at most %d "
		    "characters.", TRANSCRIPT_SAID_MAX);
		return CB_EINVAL;
	}
	if (ctx->token_user_id <= 0) {
		ctx->message = "said: this API token belongs to no user, and "
		    "transcripts are read with a user's role. Use a token made "
		    "for a user whose role has transcripts.view.";
		return CB_EDENIED;
	}
	if ((rc = db_user_active(ctx->db, ctx->token_user_id, u)) ==
	    CB_ENOTFOUND) {
		ctx->message = "said: this API token's user is disabled, so "
		    "it reads no transcripts.";
		return CB_EDENIED;
	} else if (rc != CB_OK)
		return rc;
	if ((of = access_transcript_list_manager(u, VIA_HISTORY)) < 0) {
		ctx->message = arena_printf(ctx->arena, "said: the role of "
		    "this token's user (%s) does not allow reading transcripts "
		    "(it needs transcripts.view and recordings.listen), so it "
		    "cannot search what was said in calls.", u->login);
		return CB_EDENIED;
	}
	transcript_said_query(v, said, TRANSCRIPT_SAID_MAX * 2, shorts,
	    sizeof(shorts), stops, sizeof(stops));
	if (said[0] == '\0') {
		ctx->message = arena_printf(ctx->arena, "said: nothing to "
		    "search for: words shorter than %d letters and very common "
		    "words (the, and, with...) are not indexed.",
		    TRANSCRIPT_WORD_MIN);
		return CB_EINVAL;
	}
	if (shorts[0])
		json_object_array_add(notices_of(m), json_object_new_string(
		    arena_printf(ctx->arena, "Words shorter than %d letters "
		    "are not searched: %s.", TRANSCRIPT_WORD_MIN, shorts)));
	if (stops[0])
		json_object_array_add(notices_of(m), json_object_new_string(
		    arena_printf(ctx->arena, "Very common words are not "
		    "searched: %s.", stops)));
	if (of > 0)
		json_object_array_add(notices_of(m), json_object_new_string(
		    "The role of this token's user reads the transcripts of "
		    "its own calls only: the search covers those calls."));
	f->said = said;
	f->manager_id = of;
	return CB_OK;
}

/* The JSON member's integer, 0 when absent or null. */
static int64_t
member_id(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) || v == NULL)
		return 0;
	return json_object_get_int64(v);
}

/* Each said result's summary only where u may read its transcript: the
 * one rule of access_transcript(), per call. */
static void
said_summaries(const struct user *u, struct json_object *arr)
{
	size_t i, n = json_object_array_length(arr);

	for (i = 0; i < n; i++) {
		struct json_object *c = json_object_array_get_idx(arr, i), *o;
		struct access_call ac = { 0, 0, 0 };

		if (json_object_object_get_ex(c, "manager", &o))
			ac.manager_id = member_id(o, "id");
		if (json_object_object_get_ex(c, "customer", &o))
			ac.customer_id = member_id(o, "id");
		ac.order_id = member_id(c, "order_id");
		if (!access_transcript(u, VIA_HISTORY, 0, &ac, TRANSCRIPT_READ))
			json_object_object_del(c, "summary");
	}
}

static enum cb_err
api_calls(struct ctx *ctx)
{
	struct json_object *m = json_object_new_object();
	struct json_object *arr = json_object_new_array();
	struct api_call_filter f;
	struct user reader;
	char rev[PHONE_MAX], crev[PHONE_MAX], said[TRANSCRIPT_SAID_MAX * 2];
	const char *v;
	int64_t n = 50, last = 0;
	enum cb_err rc;

	if ((rc = query_known(ctx, q_calls)) != CB_OK) {
		json_object_put(m);
		json_object_put(arr);
		return rc;
	}
	memset(&f, 0, sizeof(f));
	json_object_object_add(m, "calls", arr);
	f.integration = kv_get(&ctx->req->query, "integration");
	f.external_id = kv_get(&ctx->req->query, "external_id");
	if ((v = kv_get(&ctx->req->query, "phone")) != NULL) {
		if (!number_key(v, ctx->cfg->default_country, NULL, rev)) {
			json_object_put(m);
			ctx->message = "phone: no digits in it.";
			return CB_EINVAL;
		}
		f.digits_rev = rev;
	}
	if ((v = kv_get(&ctx->req->query, "contains")) != NULL &&
	    (rc = read_contains(ctx, v, crev, m, &f)) != CB_OK) {
		json_object_put(m);
		return rc;
	}
	if ((v = kv_get(&ctx->req->query, "said")) != NULL &&
	    (rc = read_said(ctx, v, &reader, said, m, &f)) != CB_OK) {
		json_object_put(m);
		return rc;
	}
	if (((v = kv_get(&ctx->req->query, "limit")) != NULL &&
	    strparse_i64z(v, 1, 500, &n) != CB_OK) ||
	    ((v = kv_get(&ctx->req->query, "before")) != NULL &&
	    strparse_i64z(v, 1, INT64_MAX, &f.before_id) != CB_OK)) {
		json_object_put(m);
		ctx->message = "limit must be 1..500 and before a call id.";
		return CB_EINVAL;
	}
	f.limit = (unsigned)n;
	/* db_read: the replica, when configured (docs/scaling.md). */
	if ((rc = db_api_calls(db_reader(ctx->db), &f, arr, &last)) != CB_OK) {
		json_object_put(m);
		return rc;
	}
	if (f.said)
		said_summaries(&reader, arr);
	if (last && json_object_array_length(arr) == (size_t)n)
		json_object_object_add(m, "next", json_object_new_string(
		    arena_printf(ctx->arena, "%lld", (long long)last)));
	ctx->req->want = WANT_JSON;
	return app_render(ctx, NULL, m);
}

/* GET /api/v1/route?phone=&integration= — who answers this number
 * (Asterisk dialplans and generic PBXs ask this before ringing). */
static enum cb_err
api_route(struct ctx *ctx)
{
	const char *phone = kv_get(&ctx->req->query, "phone");
	const char *slug = kv_get(&ctx->req->query, "integration");
	struct json_object *m, *o;
	struct integration ig;
	struct route_answer ra;
	int64_t customer = 0;
	enum cb_err rc;

	if ((rc = query_known(ctx, q_route)) != CB_OK)
		return rc;
	if (phone == NULL || *phone == '\0') {
		ctx->message = "phone is required.";
		return CB_EINVAL;
	}
	memset(&ig, 0, sizeof(ig));
	snprintf(ig.default_country, sizeof(ig.default_country), "%s",
	    ctx->cfg->default_country);
	if (slug && (rc = db_integration_by_slug(ctx->db, ctx->arena, slug,
	    &ig)) != CB_OK) {
		ctx->message = "No integration with that slug.";
		return rc;
	}
	if ((rc = route_lookup(ctx->db, ctx->arena, &ig, ctx->cfg->public_url,
	    phone, &ra, &customer)) != CB_OK)
		return rc;
	m = json_object_new_object();
	json_object_object_add(m, "extension", app_jstr(ra.extension));
	json_object_object_add(m, "manager_email", app_jstr(ra.manager_email));
	if (customer) {
		o = json_object_new_object();
		json_object_object_add(o, "id", json_object_new_int64(customer));
		json_object_object_add(o, "name", app_jstr(ra.customer_name));
		json_object_object_add(o, "url", app_jstr(ra.customer_url));
		json_object_object_add(m, "customer", o);
	} else
		json_object_object_add(m, "customer", NULL);
	if (ra.fallback_kind) {
		o = json_object_new_object();
		json_object_object_add(o, "kind", app_jstr(ra.fallback_kind));
		json_object_object_add(o, "target", app_jstr(ra.fallback_target));
		json_object_object_add(m, "fallback", o);
	} else
		json_object_object_add(m, "fallback", NULL);
	ctx->req->want = WANT_JSON;
	return app_render(ctx, NULL, m);
}

/* Collects the ids of the calls a new phone linked into the answer. */
static void
note_linked(void *arg, int64_t call_id)
{
	json_object_array_add(arg, json_object_new_int64(call_id));
}

/* A phone as typed, normalised, then stored and its earlier calls linked. */
static enum cb_err
add_phone_and_relink(struct ctx *ctx, int64_t customer_id, const char *phone,
    struct json_object *linked)
{
	char e164[PHONE_MAX], rev[PHONE_MAX];

	if (!number_key(phone, ctx->cfg->default_country, e164, rev))
		return CB_EINVAL;
	return link_new_phone(ctx->db, customer_id, e164, rev, note_linked,
	    linked);
}

/* POST /api/v1/customers {"name", "phones": [...], "email",
 * "manager_login", "external_id"}: creates the customer and links the
 * calls that came from their numbers before (DESIGN §3). */
static enum cb_err
api_customer_create(struct ctx *ctx)
{
	struct json_object *body = ctx->req->json, *phones, *m, *linked;
	const char *name, *mgr, *email, *external;
	int64_t id = 0, manager = 0;
	size_t i, n;
	enum cb_err rc;

	if ((rc = query_known(ctx, q_none)) != CB_OK)
		return rc;
	if (body == NULL || !json_object_is_type(body, json_type_object)) {
		ctx->message = "Send a JSON object with a \"name\" (and "
		    "\"phones\": [\"...\"]).";
		return CB_EINVAL;
	}
	/* The limits are the columns' (customers, users.login). */
	if ((rc = text_member(ctx, body, "name", 255, &name)) != CB_OK ||
	    (rc = text_member(ctx, body, "email", 255, &email)) != CB_OK ||
	    (rc = text_member(ctx, body, "external_id", 128, &external)) !=
	    CB_OK ||
	    (rc = text_member(ctx, body, "manager_login", 64, &mgr)) != CB_OK)
		return rc;
	if (name == NULL || *name == '\0') {
		ctx->message = "Send a JSON object with a \"name\" (and "
		    "\"phones\": [\"...\"]).";
		return CB_EINVAL;
	}
	if (!json_object_object_get_ex(body, "phones", &phones))
		phones = NULL;
	if (phones && !json_object_is_type(phones, json_type_array)) {
		ctx->message = "\"phones\" must be an array of strings.";
		return CB_EINVAL;
	}
	n = phones ? json_object_array_length(phones) : 0;
	if (n > 20) {
		ctx->message = "At most 20 phones per customer.";
		return CB_EINVAL;
	}
	for (i = 0; i < n; i++) {
		const char *why = text_problem(json_object_array_get_idx(phones,
		    i), PHONE_TEXT_MAX);

		if (why != NULL) {
			ctx->message = arena_printf(ctx->arena, "\"phones\"[%zu] "
			    "%s.", i, why);
			return CB_EINVAL;
		}
	}
	if ((rc = db_begin(ctx->db)) != CB_OK)
		return rc;
	if (mgr != NULL &&
	    (rc = db_user_id_by_login(ctx->db, mgr, &manager)) != CB_OK) {
		db_rollback(ctx->db);
		ctx->message = "manager_login names no active user.";
		return rc == CB_ENOTFOUND ? CB_EINVAL : rc;
	}
	if ((rc = db_customer_create(ctx->db, name, email, manager, external,
	    &id)) != CB_OK) {
		db_rollback(ctx->db);
		if (rc == CB_DUPLICATE) {
			ctx->message = "A customer with this external_id exists.";
			return CB_EINVAL;
		}
		return rc;
	}
	linked = json_object_new_array();
	for (i = 0; i < n; i++) {
		struct json_object *p = json_object_array_get_idx(phones, i);

		rc = json_object_is_type(p, json_type_string) ?
		    add_phone_and_relink(ctx, id, json_object_get_string(p),
		    linked) : CB_EINVAL;
		if (rc != CB_OK) {
			db_rollback(ctx->db);
			json_object_put(linked);
			if (rc == CB_EINVAL)
				ctx->message = "Every phone must be a number.";
			return rc;
		}
	}
	if ((rc = db_commit(ctx->db)) != CB_OK) {
		json_object_put(linked);
		return rc;
	}
	m = json_object_new_object();
	json_object_object_add(m, "id", json_object_new_int64(id));
	json_object_object_add(m, "linked_calls", linked);
	ctx->resp->status = 201;
	ctx->req->want = WANT_JSON;
	return app_render(ctx, NULL, m);
}

static const char sql_customer_exists[] = "SELECT id FROM customers WHERE id = ?";

/* POST /api/v1/customers/<id>/phones {"phone": "..."}: a new phone of an
 * existing customer; earlier calls from it are linked to them. */
static enum cb_err
api_customer_add_phone(struct ctx *ctx)
{
	struct json_object *linked, *m;
	const char *phone;
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = query_known(ctx, q_none)) != CB_OK)
		return rc;
	if ((rc = text_member(ctx, ctx->req->json, "phone", PHONE_TEXT_MAX,
	    &phone)) != CB_OK)
		return rc;
	if (phone == NULL || *phone == '\0') {
		ctx->message = "Send {\"phone\": \"...\"}.";
		return CB_EINVAL;
	}
	if ((rc = db_begin(ctx->db)) != CB_OK)
		return rc;
	if ((rc = db_stmt(ctx->db, sql_customer_exists, &st)) != CB_OK)
		goto fail;
	db_bind_i64(st, 0, ctx->ids[0]);
	if ((rc = db_exec(st)) != CB_OK || (rc = db_fetch(st)) != CB_OK) {
		if (rc == CB_ENOTFOUND)
			ctx->message = "No customer with this id.";
		goto fail;
	}
	db_stmt_done(st);
	linked = json_object_new_array();
	if ((rc = add_phone_and_relink(ctx, ctx->ids[0], phone, linked)) !=
	    CB_OK || (rc = db_commit(ctx->db)) != CB_OK) {
		json_object_put(linked);
		if (rc == CB_EINVAL)
			ctx->message = "That is not a phone number.";
		goto fail;
	}
	m = json_object_new_object();
	json_object_object_add(m, "id", json_object_new_int64(ctx->ids[0]));
	json_object_object_add(m, "linked_calls", linked);
	ctx->resp->status = 201;
	ctx->req->want = WANT_JSON;
	return app_render(ctx, NULL, m);
fail:
	db_rollback(ctx->db);
	return rc;
}

/* The filters of the automation lists: ?call_id=&phone=&user_id=
 * &trigger_id=&state=&limit= (every one optional). */
static enum cb_err
autolist_filter_of(struct ctx *ctx, struct autolist_filter *f, char *e164)
{
	char rev[PHONE_MAX];
	const char *v;
	int64_t n = 100;

	memset(f, 0, sizeof(*f));
	if (((v = kv_get(&ctx->req->query, "call_id")) != NULL &&
	    strparse_i64z(v, 1, INT64_MAX, &f->call_id) != CB_OK) ||
	    ((v = kv_get(&ctx->req->query, "user_id")) != NULL &&
	    strparse_i64z(v, 1, INT64_MAX, &f->user_id) != CB_OK) ||
	    ((v = kv_get(&ctx->req->query, "trigger_id")) != NULL &&
	    strparse_i64z(v, 1, INT64_MAX, &f->trigger_id) != CB_OK) ||
	    ((v = kv_get(&ctx->req->query, "limit")) != NULL &&
	    strparse_i64z(v, 1, 500, &n) != CB_OK)) {
		ctx->message = "call_id, user_id and trigger_id must be ids, "
		    "limit 1..500.";
		return CB_EINVAL;
	}
	f->limit = (unsigned)n;
	if ((v = kv_get(&ctx->req->query, "phone")) != NULL) {
		if (!number_key(v, ctx->cfg->default_country, e164, rev)) {
			ctx->message = "phone: no digits in it.";
			return CB_EINVAL;
		}
		f->phone = e164;
	}
	if ((v = kv_get(&ctx->req->query, "state")) != NULL) {
		if (strcmp(v, "open") && strcmp(v, "done") &&
		    strcmp(v, "cancelled")) {
			ctx->message = "state must be open, done or cancelled.";
			return CB_EINVAL;
		}
		f->state = v;
	}
	return CB_OK;
}

typedef enum cb_err (*autolist_fn)(struct db *, const struct autolist_filter *,
    struct json_object *);

static enum cb_err
api_autolist(struct ctx *ctx, const char *name, autolist_fn fn,
    const char *const *known)
{
	struct autolist_filter f;
	struct json_object *m, *arr;
	char e164[PHONE_MAX];
	enum cb_err rc;

	if ((rc = query_known(ctx, known)) != CB_OK ||
	    (rc = autolist_filter_of(ctx, &f, e164)) != CB_OK)
		return rc;
	arr = json_object_new_array();
	if ((rc = fn(ctx->db, &f, arr)) != CB_OK) {
		json_object_put(arr);
		return rc;
	}
	m = json_object_new_object();
	json_object_object_add(m, name, arr);
	ctx->req->want = WANT_JSON;
	return app_render(ctx, NULL, m);
}

/* GET /api/v1/tasks: tasks with their assignees and calls. */
static enum cb_err
api_tasks(struct ctx *ctx)
{
	return api_autolist(ctx, "tasks", db_autolist_tasks, q_tasks);
}

static enum cb_err
api_leads(struct ctx *ctx)
{
	return api_autolist(ctx, "leads", db_autolist_leads, q_leads);
}

static enum cb_err
api_notifications(struct ctx *ctx)
{
	return api_autolist(ctx, "notifications", db_autolist_notifications,
	    q_notifications);
}

static enum cb_err
api_trigger_runs(struct ctx *ctx)
{
	return api_autolist(ctx, "trigger_runs", db_autolist_trigger_runs,
	    q_runs);
}

/* POST /api/v1/tasks/<id>/done {"user_id": N} (or {"login": "..."}; none:
 * the token's user): that assignee completes the task (lib/db/task.h). */
static enum cb_err
api_task_done(struct ctx *ctx)
{
	struct json_object *body = ctx->req->json, *v, *m;
	const char *login;
	int64_t user = ctx->token_user_id;
	enum cb_err rc;

	if ((rc = query_known(ctx, q_none)) != CB_OK)
		return rc;
	if ((rc = text_member(ctx, body, "login", 64, &login)) != CB_OK)
		return rc;
	if (body && json_object_object_get_ex(body, "user_id", &v)) {
		if (!json_object_is_type(v, json_type_int) ||
		    (user = json_object_get_int64(v)) <= 0) {
			ctx->message = "user_id must be a user's id.";
			return CB_EINVAL;
		}
	} else if (login && (rc = db_user_id_by_login(ctx->db, login,
	    &user)) != CB_OK) {
		ctx->message = "login names no active user.";
		return rc == CB_ENOTFOUND ? CB_EINVAL : rc;
	}
	if (user <= 0) {
		ctx->message = "Say who did it: {\"user_id\": N}.";
		return CB_EINVAL;
	}
	rc = db_task_complete(ctx->db, ctx->ids[0], user);
	if (rc == CB_ENOTFOUND)
		ctx->message = "No task with this id.";
	else if (rc == CB_EDENIED)
		ctx->message = "This user is not assigned to the task.";
	if (rc != CB_OK && rc != CB_DUPLICATE)
		return rc;
	m = json_object_new_object();
	json_object_object_add(m, "id", json_object_new_int64(ctx->ids[0]));
	json_object_object_add(m, "done_by", json_object_new_int64(user));
	json_object_object_add(m, "already_done",
	    json_object_new_boolean(rc == CB_DUPLICATE));
	ctx->req->want = WANT_JSON;
	return app_render(ctx, NULL, m);
}

static const struct route routes[] = {
	{ "/api/v1/tasks", HTTP_M(HTTP_GET), AUTH_TOKEN, PERM_NONE, 0, 0,
	    api_tasks },
	{ "/api/v1/tasks/#/done", HTTP_M(HTTP_POST), AUTH_TOKEN, PERM_NONE,
	    BODY_JSON, 4096, api_task_done },
	{ "/api/v1/leads", HTTP_M(HTTP_GET), AUTH_TOKEN, PERM_NONE, 0, 0,
	    api_leads },
	{ "/api/v1/notifications", HTTP_M(HTTP_GET), AUTH_TOKEN, PERM_NONE, 0,
	    0, api_notifications },
	{ "/api/v1/trigger-runs", HTTP_M(HTTP_GET), AUTH_TOKEN, PERM_NONE, 0,
	    0, api_trigger_runs },
	{ "/api/v1/calls", HTTP_M(HTTP_GET), AUTH_TOKEN, PERM_NONE, 0, 0,
	    api_calls },
	{ "/api/v1/route", HTTP_M(HTTP_GET), AUTH_TOKEN, PERM_NONE, 0, 0,
	    api_route },
	{ "/api/v1/customers", HTTP_M(HTTP_POST), AUTH_TOKEN, PERM_NONE,
	    BODY_JSON, 64 * 1024, api_customer_create },
	{ "/api/v1/customers/#/phones", HTTP_M(HTTP_POST), AUTH_TOKEN,
	    PERM_NONE, BODY_JSON, 4096, api_customer_add_phone },
};

static const struct program program = {
	"api", routes, sizeof(routes) / sizeof(routes[0]), false
};

int
main(int argc, char *argv[])
{
	phone_init();
	return app_main(&program, argc, argv);
}
