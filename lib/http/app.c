#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include <fcgiapp.h>

#include "auth/session.h"
#include "core/log.h"
#include "core/rand.h"
#include "core/strparse.h"
#include "core/timefmt.h"
#include "i18n/i18n.h"
#include "http/app.h"
#include "http/escape.h"
#include "http/fcgi_keep.h"
#include "net/sig.h"

#define DEFAULT_MAX_BODY (64 * 1024)
#define APP_SPARE_BODY_MAX (1024 * 1024)

extern char **environ;

static volatile sig_atomic_t stopping;

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
	FCGX_ShutdownPending();
}

struct json_object *
app_jstr(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

void
app_add_str(struct json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, app_jstr(v));
}

void
app_add_int(struct json_object *o, const char *key, int64_t v)
{
	json_object_object_add(o, key, json_object_new_int64(v));
}

void
app_add_bool(struct json_object *o, const char *key, bool v)
{
	json_object_object_add(o, key, json_object_new_boolean(v));
}

const char *
app_local_time(struct ctx *ctx, const char *utc)
{
	char *out;

	if (utc == NULL)
		return NULL;
	out = arena_alloc(ctx->arena, 32);
	if (time_utc_to_local(utc, ctx->user->time_zone, out, 32) != CB_OK)
		snprintf(out, 32, "%.16s UTC", utc);
	return out;
}

void
app_add_time(struct ctx *ctx, struct json_object *o, const char *key,
    const char *utc)
{
	const char *local = app_local_time(ctx, utc);
	char shown[48], name[64];

	app_add_str(o, key, local);
	snprintf(name, sizeof(name), "%s_shown", key);
	if (local == NULL) {
		app_add_str(o, name, NULL);
		return;
	}
	i18n_format_datetime(ctx->lang, local, shown, sizeof(shown));
	app_add_str(o, name, shown);
}

/* o[key] = dec and o[key "_shown"] = fmt(dec) in the viewer's language. */
static void
add_shown(struct ctx *ctx, struct json_object *o, const char *key,
    const char *dec, void (*fmt)(enum i18n_lang, const char *, char *,
    size_t))
{
	char shown[256], name[64];

	app_add_str(o, key, dec);
	snprintf(name, sizeof(name), "%s_shown", key);
	if (dec == NULL) {
		app_add_str(o, name, NULL);
		return;
	}
	fmt(ctx->lang, dec, shown, sizeof(shown));
	app_add_str(o, name, shown);
}

void
app_add_count(struct ctx *ctx, struct json_object *o, const char *key,
    int64_t n)
{
	char shown[48], name[64];

	app_add_int(o, key, n);
	snprintf(name, sizeof(name), "%s_shown", key);
	i18n_format_int(ctx->lang, n, shown, sizeof(shown));
	app_add_str(o, name, shown);
}

void
app_add_decimal(struct ctx *ctx, struct json_object *o, const char *key,
    const char *dec)
{
	add_shown(ctx, o, key, dec, i18n_format_decimal);
}

void
app_add_percent(struct ctx *ctx, struct json_object *o, const char *key,
    const char *dec)
{
	add_shown(ctx, o, key, dec, i18n_format_percent);
}

const char *
app_param(const struct ctx *ctx, const char *name)
{
	const char *v = kv_get(&ctx->req->form, name);

	return v ? v : kv_get(&ctx->req->query, name);
}

/* Matches path against pattern; '#' matches one segment that is a positive
 * decimal id, '*' one segment of [A-Za-z0-9_-]{1,64} (a slug). */
static bool
route_match(struct arena *a, const char *pattern, const char *path,
    int64_t *ids, const char **segs)
{
	const char *p = pattern, *s = path;
	unsigned nids = 0, nsegs = 0;

	while (*p && *s) {
		if (*p == '#') {
			const char *e = s;
			int64_t v;
			while (*e >= '0' && *e <= '9')
				e++;
			if (e == s || *s == '0' || nids == APP_MAX_IDS ||
			    strparse_i64(s, (size_t)(e - s), 1, INT64_MAX,
			    &v) != CB_OK)
				return false;
			ids[nids++] = v;
			s = e;
			p++;
		} else if (*p == '*') {
			const char *e = s;
			while ((*e >= 'a' && *e <= 'z') || (*e >= 'A' &&
			    *e <= 'Z') || (*e >= '0' && *e <= '9') ||
			    *e == '_' || *e == '-')
				e++;
			if (e == s || e - s > 64 || nsegs == APP_MAX_IDS)
				return false;
			segs[nsegs++] = arena_strndup(a, s, (size_t)(e - s));
			s = e;
			p++;
		} else if (*p++ != *s++)
			return false;
	}
	return *p == '\0' && *s == '\0';
}

static void
add_me(struct ctx *ctx, struct json_object *model)
{
	struct json_object *me, *can;
	int i;

	if (ctx->user == NULL)
		return;
	me = json_object_new_object();
	json_object_object_add(me, "id", json_object_new_int64(ctx->user->id));
	json_object_object_add(me, "login", app_jstr(ctx->user->login));
	json_object_object_add(me, "name", app_jstr(ctx->user->name));
	json_object_object_add(me, "extension",
	    app_jstr(ctx->user->extension));
	json_object_object_add(me, "time_zone",
	    app_jstr(ctx->user->time_zone));
	json_object_object_add(me, "deep_link",
	    json_object_new_boolean(ctx->user->deep_link));
	/* Everyone's own page (time zone, softphone link), whatever the
	 * role: cgi/users.c serves it without the settings permission. */
	json_object_object_add(me, "profile_url",
	    app_jstr("/settings/users/me"));
	can = json_object_new_object();
	for (i = 0; i < PERM__MAX; i++) {
		char key[32];
		size_t j;
		/* "orders.calls" → "orders_calls": dots are path separators. */
		snprintf(key, sizeof(key), "%s", perm_name((enum perm)i));
		for (j = 0; key[j]; j++)
			if (key[j] == '.')
				key[j] = '_';
		json_object_object_add(can, key,
		    json_object_new_boolean(perm_has(ctx->user, (enum perm)i)));
	}
	json_object_object_add(me, "can", can);
	json_object_object_add(model, "me", me);
	json_object_object_add(model, "csrf", app_jstr(ctx->csrf));
}

enum cb_err
app_render(struct ctx *ctx, const char *tmpl, struct json_object *model)
{
	struct http_response *r = ctx->resp;
	enum cb_err rc;

	if (ctx->req->want == WANT_JSON || ctx->app->tmpl == NULL) {
		const char *s = json_object_to_json_string_ext(model,
		    JSON_C_TO_STRING_PLAIN);
		r->content_type = "application/json";
		rc = buf_puts(&r->body, s);
		buf_puts(&r->body, "\n");
		json_object_put(model);
		return rc;
	}
	add_me(ctx, model);
	app_add_str(model, "lang", i18n_code(ctx->lang));
	/* The scripts' words (partials/i18n.html) only where they differ
	 * from the English keys the scripts fall back to. */
	app_add_bool(model, "translated", ctx->lang != LANG_EN);
	resp_header(r, "Content-Language", "%s", i18n_code(ctx->lang));
	rc = tmpl_render(ctx->app->tmpl_lang[ctx->lang] ?
	    ctx->app->tmpl_lang[ctx->lang] : ctx->app->tmpl, tmpl, model,
	    &r->body);
	json_object_put(model);
	if (rc != CB_OK) {
		/* Whatever the cause (a cap, a missing include), a page that
		 * cannot be drawn is our fault: 500, never a 4xx. */
		log_error("rendering %s: %s", tmpl, cb_strerror(rc));
		buf_reset(&r->body);
		return CB_EIO;
	}
	return CB_OK;
}

/* What a person reads when a handler gave no message of its own: a
 * sentence in the viewer's language (cb_strerror's words are for logs
 * and for the API's programs, which keep them). */
static const char *
err_sentence(enum cb_err err)
{
	switch (err) {
	case CB_EINVAL:
		return _("This page cannot use a value of the request. Start "
		    "again from the page's own links and forms.");
	case CB_ETOOBIG:
		return _("The request body is too large.");
	case CB_ENOTFOUND:
		return _("There is nothing here: it may have been deleted, "
		    "or the link is wrong.");
	case CB_EDENIED:
		return _("Your role does not allow this. Ask an "
		    "administrator.");
	case CB_EAUTH:
		return _("Please log in.");
	case CB_EMETHOD:
		return _("This address does not accept that method.");
	case CB_EMEDIA:
		return _("This address does not accept that Content-Type.");
	case CB_EDB:
		return _("The database is not answering. Try again in a "
		    "minute.");
	case CB_EUPSTREAM:
		return _("The provider did not answer as expected. Try again "
		    "in a minute.");
	case CB_OK:
	case CB_ENOMEM:
	case CB_EIO:
	case CB_DUPLICATE:
	case CB_ERR__MAX:
	default:
		return _("Something went wrong on the server. Try again in a "
		    "minute; if it goes on, tell the administrator.");
	}
}

void
app_fail(struct ctx *ctx, enum cb_err err, int status, const char *message)
{
	struct http_response *r = ctx->resp;
	struct json_object *model;

	if (status == 0)
		status = http_status_for_err(err);
	if (message == NULL)
		message = ctx->message ? ctx->message :
		    ctx->app->prog->uses_templates ? err_sentence(err) :
		    cb_strerror(err);
	if (status >= 500)
		log_error("%d %s %s: %s%s%s", status, ctx->req->method_name,
		    ctx->req->path, message, err == CB_EDB ? ": " : "",
		    err == CB_EDB ? db_error(ctx->db) : "");
	else
		log_debug("%d %s %s: %s", status, ctx->req->method_name,
		    ctx->req->path, message);
	buf_reset(&r->body);
	r->status = status;
	model = json_object_new_object();
	if (ctx->req->want == WANT_JSON || ctx->app->tmpl == NULL) {
		struct json_object *e = json_object_new_object();
		json_object_object_add(e, "status",
		    json_object_new_int(status));
		json_object_object_add(e, "message", app_jstr(message));
		json_object_object_add(model, "error", e);
		(void)app_render(ctx, NULL, model);
		return;
	}
	json_object_object_add(model, "status", json_object_new_int(status));
	json_object_object_add(model, "title",
	    app_jstr(_(http_reason(status))));
	json_object_object_add(model, "message", app_jstr(message));
	if (app_render(ctx, "error.html", model) != CB_OK) {
		r->content_type = "text/plain; charset=utf-8";
		buf_printf(&r->body, "%d %s\n%s\n", status, http_reason(status),
		    message);
	}
}

static const char *
translate_for(void *arg, const char *msgid, const char *name, long line)
{
	(void)name;
	(void)line;
	return i18n_gettext(*(const enum i18n_lang *)arg, msgid);
}

/* The catalogs, then the templates once per language (translated at
 * compile time, so rendering costs the same in every language). A
 * missing catalog leaves its language in English and says so: the pages
 * still work. */
static enum cb_err
load_languages(struct app *app, struct buf *err)
{
	static enum i18n_lang ids[LANG__MAX];
	struct buf why;
	enum cb_err rc;
	int i;

	buf_init(&why, 4096);
	if (i18n_load(app->cfg.locale_dir, &why) != CB_OK)
		log_error("languages: %s (those pages stay in English)",
		    buf_cstr(&why));
	buf_free(&why);
	if ((rc = tmpl_set_load(app->cfg.templates_dir, &app->tmpl, err)) !=
	    CB_OK)
		return rc;
	app->tmpl_lang[LANG_EN] = app->tmpl;
	for (i = 1; i < LANG__MAX; i++) {
		struct tmpl_i18n tr;
		ids[i] = (enum i18n_lang)i;
		tr.lang = i18n_code(ids[i]);
		tr.translate = translate_for;
		tr.arg = &ids[i];
		if ((rc = tmpl_set_load_i18n(app->cfg.templates_dir, &tr,
		    &app->tmpl_lang[i], err)) != CB_OK)
			return rc;
	}
	return CB_OK;
}

static void
free_languages(struct app *app)
{
	int i;

	for (i = 1; i < LANG__MAX; i++)
		tmpl_set_free(app->tmpl_lang[i]);
	tmpl_set_free(app->tmpl);
	memset(app->tmpl_lang, 0, sizeof(app->tmpl_lang));
	app->tmpl = NULL;
	i18n_unload();
}

/* With CALLBOARD_CHILDREN=N (N > 1) the process forks N children that all
 * accept on the inherited listening socket, and restarts any that die.
 * systemd socket activation hands one socket to one process; this is how
 * such a unit serves several requests at once (spawn-fcgi -F does the same
 * locally). Templates are parsed before the fork and shared copy-on-write;
 * the database connection is opened lazily, so each child has its own.
 * Returns 0 in a child, 1 in the parent once every child has exited. */
static int
prefork(volatile sig_atomic_t *stop)
{
	const char *v = getenv("CALLBOARD_CHILDREN");
	int64_t n = 1;
	pid_t *kids;
	int i, live = 0;

	if (v == NULL || strparse_i64z(v, 1, 64, &n) != CB_OK || n == 1)
		return 0;
	if ((kids = calloc((size_t)n, sizeof(*kids))) == NULL)
		return 0;
	for (;;) {
		pid_t pid;
		int status;

		for (i = 0; i < n && !*stop; i++) {
			if (kids[i] > 0)
				continue;
			if ((pid = fork()) == 0) {
				free(kids);
				return 0;
			}
			if (pid > 0) {
				kids[i] = pid;
				live++;
			}
		}
		if (live == 0)
			break;
		pid = waitpid(-1, &status, 0);
		if (pid < 0 && errno == EINTR && *stop) {
			for (i = 0; i < n; i++)
				if (kids[i] > 0)
					kill(kids[i], SIGTERM);
			continue;
		}
		if (pid < 0) {
			if (errno == ECHILD)
				break;
			continue;
		}
		for (i = 0; i < n; i++)
			if (kids[i] == pid) {
				kids[i] = 0;
				live--;
				if (!*stop)
					log_warn("child %ld exited (status %d); "
					    "starting another", (long)pid, status);
			}
		if (!*stop)
			sleep(1); /* no tight loop if children keep dying */
	}
	free(kids);
	return 1;
}

static long
fcgi_reader(void *p, char *buf, size_t n)
{
	int want = n > 65536 ? 65536 : (int)n;
	return FCGX_GetStr(buf, want, (FCGX_Stream *)p);
}

static long
cgi_reader(void *p, char *buf, size_t n)
{
	size_t got = fread(buf, 1, n, (FILE *)p);
	return got == 0 && ferror((FILE *)p) ? -1 : (long)got;
}

/* API tokens are random strings given to other systems; the database
 * keeps their SHA-256 (hex), like session tokens. */
static enum cb_err
token_check(struct ctx *ctx)
{
	const char *h = http_header(ctx->req, "Authorization");
	unsigned char digest[32];
	char hex[65];

	if (h == NULL || strncmp(h, "Bearer ", 7) != 0 || strlen(h + 7) < 8 ||
	    strlen(h + 7) > 256)
		return CB_EAUTH;
	sig_sha256(h + 7, strlen(h + 7), digest);
	sig_hex(digest, sizeof(digest), hex);
	return db_api_token_user(ctx->db, hex, &ctx->token_user_id);
}

/* The fixed front line. Returns with ctx->resp filled (not sent). */
static void
dispatch(struct ctx *ctx, char **envp, http_body_reader reader, void *rctx)
{
	const struct program *prog = ctx->app->prog;
	const char *path = http_env(envp, "DOCUMENT_URI");
	const char *method = http_env(envp, "REQUEST_METHOD");
	enum http_method m = http_method_parse(method ? method : "GET");
	const struct route *route = NULL;
	unsigned allowed = 0;
	struct user *user;
	enum cb_err rc;
	size_t i;

	if (path == NULL)
		path = (path = http_env(envp, "SCRIPT_NAME")) ? path : "/";
	for (i = 0; i < prog->nroutes; i++) {
		int64_t ids[APP_MAX_IDS];
		const char *segs[APP_MAX_IDS];
		if (!route_match(ctx->arena, prog->routes[i].pattern, path,
		    ids, segs))
			continue;
		allowed |= prog->routes[i].methods;
		if (prog->routes[i].methods & HTTP_M(m) ||
		    (m == HTTP_HEAD &&
		    prog->routes[i].methods & HTTP_M(HTTP_GET))) {
			route = &prog->routes[i];
			memcpy(ctx->ids, ids, sizeof(ids));
			memcpy(ctx->segs, segs, sizeof(segs));
			break;
		}
	}
	ctx->route = route;
	rc = http_request_read(ctx->req, ctx->arena, envp, reader, rctx,
	    route && route->max_body ? route->max_body : DEFAULT_MAX_BODY);
	if (ctx->req->request_id == NULL) {
		char id[17];
		ctx->req->request_id = rand_hex(id, sizeof(id), 8) == CB_OK ?
		    arena_strdup(ctx->arena, id) : "-";
	}
	log_set_request(ctx->req->request_id, ctx->req->remote_addr);
	/* Until a session says otherwise (login page, 404, a user who chose
	 * no language), the browser's languages decide. */
	ctx->lang = i18n_negotiate(http_header(ctx->req, "Accept-Language"));
	i18n_use(ctx->lang);
	if (route == NULL && allowed == 0) {
		app_fail(ctx, CB_ENOTFOUND, 0, _("There is no page at this "
		    "address. Check the link, or start from the call history."));
		return;
	}
	if (route == NULL) {
		struct buf allow;
		int k;
		buf_init(&allow, 128);
		for (k = 0; k < HTTP_OTHER; k++)
			if (allowed & HTTP_M(k) || (k == HTTP_HEAD &&
			    allowed & HTTP_M(HTTP_GET)))
				buf_printf(&allow, "%s%s", allow.len ? ", " :
				    "", (const char *[]){ "GET", "HEAD",
				    "POST", "PUT", "DELETE", "PATCH",
				    "OPTIONS" }[k]);
		resp_header(ctx->resp, "Allow", "%s", buf_cstr(&allow));
		buf_free(&allow);
		app_fail(ctx, CB_EMETHOD, 0, _("This address does not accept "
		    "that method."));
		return;
	}
	if (rc == CB_ETOOBIG) {
		app_fail(ctx, rc, 0, _("The request body is too large."));
		return;
	}
	if (ctx->req->body_len > 0 && ctx->req->content_type &&
	    !((route->bodies & BODY_FORM) &&
	    http_media_is_form(ctx->req->content_type)) &&
	    !((route->bodies & BODY_JSON) && strcmp(ctx->req->content_type,
	    "application/json") == 0)) {
		app_fail(ctx, CB_EMEDIA, 0, _("This address does not accept "
		    "that Content-Type."));
		return;
	}
	if (rc != CB_OK) {
		app_fail(ctx, rc, 0, arena_printf(ctx->arena,
		    "%s: %s.", _("The request could not be read"),
		    ctx->req->error ? ctx->req->error : cb_strerror(rc)));
		return;
	}
	if (route->auth == AUTH_TOKEN) {
		rc = token_check(ctx);
		if (rc == CB_EAUTH) {
			resp_header(ctx->resp, "WWW-Authenticate",
			    "Bearer realm=\"callboard\"");
			app_fail(ctx, rc, 0, _("A valid API token is required: "
			    "send Authorization: Bearer <token>."));
			return;
		}
		if (rc != CB_OK) {
			app_fail(ctx, rc, 0, _("The database is not "
			    "answering. Try again in a minute."));
			return;
		}
	}
	if (route->auth == AUTH_SESSION) {
		user = arena_alloc(ctx->arena, sizeof(*user));
		rc = session_load(ctx->db, ctx->req, user, ctx->csrf);
		if (rc == CB_EAUTH || rc == CB_ENOTFOUND) {
			if (ctx->req->want == WANT_HTML && (m == HTTP_GET ||
			    m == HTTP_HEAD)) {
				struct buf loc;
				buf_init(&loc, 4096);
				buf_puts(&loc, "/login?next=");
				url_component(&loc, ctx->req->request_uri,
				    strlen(ctx->req->request_uri));
				resp_redirect(ctx->resp, 303,
				    loc.err ? "/login" : buf_cstr(&loc));
				buf_free(&loc);
				return;
			}
			app_fail(ctx, CB_EAUTH, 0, _("Please log in."));
			return;
		}
		if (rc != CB_OK) {
			app_fail(ctx, rc, 0, _("The database is not "
			    "answering. Try again in a minute."));
			return;
		}
		ctx->user = user;
		if (i18n_parse(user->language, &ctx->lang))
			i18n_use(ctx->lang);
		if (m != HTTP_GET && m != HTTP_HEAD) {
			const char *tok = kv_get(&ctx->req->form, "csrf");
			if (tok == NULL)
				tok = http_header(ctx->req, "X-CSRF-Token");
			if (!csrf_equal(ctx->csrf, tok)) {
				app_fail(ctx, CB_EDENIED, 0, _("This form has "
				    "expired or came from another site. Reload "
				    "the page and try again."));
				return;
			}
		}
		if (route->perm != PERM_NONE && !perm_has(user, route->perm)) {
			app_fail(ctx, CB_EDENIED, 0, _("Your role does not allow "
			    "this page. Ask an administrator."));
			return;
		}
	}
	rc = route->fn(ctx);
	if (rc != CB_OK && rc != CB_DUPLICATE)
		app_fail(ctx, rc, 0, NULL);
}

/* A site the program has served: its configuration (callboard.conf with
 * the site's file over it) and its own database connection. */
struct app_site {
	struct cb_config cfg;
	struct db *db;
	uint64_t used;                 /* app->site_clock at the last use */
};

static void
site_close(struct app_site *s)
{
	if (s->db != NULL) {
		log_info("site %s: closing its database connection (the least "
		    "recently used of sites_max = %u)", s->cfg.site,
		    s->cfg.sites_max);
		db_free(s->db);
	}
	memset(s, 0, sizeof(*s));
}

/* The configuration and connection for the request's CALLBOARD_SITE
 * (nginx's fastcgi_param; none = callboard.conf's single site), opened on
 * first use. On failure ctx->message says what an admin does about it. */
static enum cb_err
site_select(struct app *app, char **envp, struct ctx *ctx)
{
	const char *name = http_env(envp, "CALLBOARD_SITE");
	struct app_site *s, *free_slot = NULL, *oldest = NULL;
	struct cb_config *cfg;
	struct buf err;
	enum cb_err rc;
	unsigned i, n = app->cfg.sites_max;

	ctx->cfg = &app->cfg;
	ctx->db = app->db;
	site_enter("");
	if (name == NULL || name[0] == '\0')
		return CB_OK;
	if (!site_name_valid(name)) {
		log_error("CALLBOARD_SITE '%.40s' is not a valid site name (1 to "
		    "%d of a-z, 0-9, '-'): fix the fastcgi_param in nginx",
		    name, SITE_NAME_MAX);
		ctx->message = _("This server's configuration names a site "
		    "that cannot exist. The administrator's log says what to "
		    "fix.");
		return CB_EINVAL;
	}
	if (app->sites == NULL &&
	    (app->sites = calloc(n, sizeof(*app->sites))) == NULL)
		return CB_ENOMEM;
	for (i = 0; i < n; i++) {
		s = &app->sites[i];
		if (s->db != NULL && strcmp(s->cfg.site, name) == 0) {
			s->used = ++app->site_clock;
			ctx->cfg = &s->cfg;
			ctx->db = s->db;
			site_enter(name);
			return CB_OK;
		}
		if (s->db == NULL && free_slot == NULL)
			free_slot = s;
		if (s->db != NULL && (oldest == NULL || s->used < oldest->used))
			oldest = s;
	}
	/* Read first: a site that cannot be served closes nobody's
	 * connection. */
	if ((cfg = malloc(sizeof(*cfg))) == NULL)
		return CB_ENOMEM;
	buf_init(&err, 4096);
	rc = config_load_site(app->config_path, &app->cfg, name, cfg, &err);
	if (rc != CB_OK) {
		log_error("%s", buf_cstr(&err));
		buf_free(&err);
		free(cfg);
		ctx->message = app_fill(ctx, rc == CB_ENOTFOUND ?
		    _("The site \"{site}\" is not set up on this server. The "
		    "administrator's log names the file to add or fix.") :
		    _("The site \"{site}\" is not set up on this server "
		    "correctly. The administrator's log names the file to add "
		    "or fix."), "{site}", name, (const char *)NULL);
		return rc;
	}
	buf_free(&err);
	s = free_slot != NULL ? free_slot : oldest;
	site_close(s);
	s->cfg = *cfg;
	free(cfg);
	s->db = db_new(&s->cfg);
	s->used = ++app->site_clock;
	ctx->cfg = &s->cfg;
	ctx->db = s->db;
	site_enter(name);
	return CB_OK;
}

static void
handle(struct app *app, struct arena *arena, char **envp,
    http_body_reader reader, void *rctx, struct http_out *out)
{
	struct http_request req;
	struct http_response resp;
	struct ctx ctx;
	const char *method = http_env(envp, "REQUEST_METHOD");

	memset(&ctx, 0, sizeof(ctx));
	memset(&req, 0, sizeof(req));
	req.envp = envp;
	req.method_name = method ? method : "GET";
	req.path = "/";
	req.request_uri = "/";
	req.remote_addr = "";
	resp_init(&resp, out, method && strcmp(method, "HEAD") == 0);
	if (app->spare_body.p) {
		resp.body = app->spare_body;
		buf_reset(&resp.body);
		buf_init(&app->spare_body, resp.body.max);
	}
	ctx.app = app;
	ctx.arena = arena;
	ctx.req = &req;
	ctx.resp = &resp;
	/* An unknown or broken site is the server's configuration, not the
	 * visitor's fault: 503, never another site's data. */
	if (site_select(app, envp, &ctx) != CB_OK)
		app_fail(&ctx, CB_EIO, 503, NULL);
	else
		dispatch(&ctx, envp, reader, rctx);
	if (resp_send(&resp) != CB_OK)
		log_info("client went away before the response was sent");
	/* Keep the body's memory for the next request: a history page is
	 * about 55 KB, built from 256 bytes by eight reallocs, and freeing a
	 * chunk over 64 KB makes glibc consolidate its fast bins
	 * (malloc_consolidate: 5 % of callboard-calls' CPU in perf). Up to
	 * 1 MiB; a rare bigger body is given back. */
	if (resp.body.cap <= APP_SPARE_BODY_MAX) {
		app->spare_body = resp.body;
		buf_init(&resp.body, resp.body.max);
	}
	resp_free(&resp);
	db_request_end(ctx.db);
	arena_reset(arena);
	log_set_request(NULL, NULL);
}

int
app_main(const struct program *prog, int argc, char *argv[])
{
	struct app app;
	struct arena *arena;
	struct buf err;
	struct sigaction sa;
	const char *path = config_path(argc, argv);
	unsigned i;

	memset(&app, 0, sizeof(app));
	app.prog = prog;
	app.config_path = path;
	buf_init(&err, 4096);
	log_init(prog->name, LOGL_INFO);
	if (config_load(path, &app.cfg, &err) != CB_OK) {
		log_error("%s", buf_cstr(&err));
		buf_free(&err);
		return 1;
	}
	log_init(prog->name, app.cfg.log_level);
	if (prog->uses_templates && load_languages(&app, &err) != CB_OK) {
		log_error("templates: %s", buf_cstr(&err));
		buf_free(&err);
		return 1;
	}
	buf_free(&err);
	app.db = db_new(&app.cfg);
	arena = arena_new();

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (FCGX_IsCGI()) {
		struct http_out out = { NULL, stdout, NULL };
		handle(&app, arena, environ, cgi_reader, stdin, &out);
		fflush(stdout);
	} else {
		FCGX_Request fr;

		FCGX_Init();
		if (prefork(&stopping) != 0) {
			/* The supervising parent: its children have exited. */
			arena_free(arena);
			db_free(app.db);
			free_languages(&app);
			db_library_end();
			return 0;
		}
		FCGX_InitRequest(&fr, 0, 0);
		log_info("ready");
		while (!stopping && FCGX_Accept_r(&fr) >= 0) {
			struct http_out out = { fr.out, NULL, &fr };
			handle(&app, arena, fr.envp, fcgi_reader, fr.in, &out);
			FCGX_Finish_r(&fr);
			if (!fcgi_keep_wait(&fr, &stopping))
				break;
		}
		FCGX_Free(&fr, 1);
		log_info("stopping");
	}
	arena_free(arena);
	buf_free(&app.spare_body);
	for (i = 0; app.sites != NULL && i < app.cfg.sites_max; i++)
		db_free(app.sites[i].db);
	free(app.sites);
	db_free(app.db);
	free_languages(&app);
	db_library_end();
	return 0;
}

const char *
app_fill(struct ctx *ctx, const char *msg, ...)
{
	const char *keys[8], *vals[8], *p;
	size_t n = 0, size = strlen(msg) + 1, i;
	va_list ap;
	char *out;

	va_start(ap, msg);
	while (n < 8 && (keys[n] = va_arg(ap, const char *)) != NULL) {
		vals[n] = va_arg(ap, const char *);
		n++;
	}
	va_end(ap);
	/* Room for every occurrence of every value: nothing is cut. */
	for (i = 0; i < n; i++)
		for (p = msg; vals[i] && (p = strstr(p, keys[i])) != NULL;
		    p += strlen(keys[i]))
			size += strlen(vals[i]);
	if ((out = arena_alloc(ctx->arena, size)) == NULL)
		return msg;
	i18n_fill(msg, keys, vals, n, out, size);
	return out;
}

const char *
app_fill_n(struct ctx *ctx, const char *msg, long long n)
{
	char num[24];

	snprintf(num, sizeof(num), "%lld", n);
	return app_fill(ctx, msg, "{n}", num, (const char *)NULL);
}
