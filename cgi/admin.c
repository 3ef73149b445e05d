/* admin: logging in and out, the health check, and (issue 6) settings. */
#include "config.h"

#include <string.h>

#include "auth/password.h"
#include "auth/session.h"
#include "auth/throttle.h"
#include "calls/live.h"
#include "core/log.h"
#include "core/rand.h"
#include "core/strparse.h"
#include "http/app.h"

/* Only a path of this site may follow a login (issue 16 item 6): "/"
 * then a byte that is neither '/' nor '\\' ("//evil.example" and
 * "/\\evil.example" name another host), and no control byte or space
 * anywhere: browsers drop tabs and newlines from a Location, so
 * "/\t/evil.example" would become "//evil.example". The result is
 * %-encoded (backslash, quotes, <>, non-ASCII...) so what the browser
 * reads is exactly the path checked here. In the arena; "/" (the user's
 * start page, page_home()) for anything else. */
static const char *
safe_next(struct ctx *ctx, const char *next)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	struct buf b;
	const char *out;

	if (next == NULL || next[0] != '/' || next[1] == '/' ||
	    next[1] == '\\' || strlen(next) > 2048 ||
	    strncmp(next, "/login", 6) == 0 || strncmp(next, "/logout", 7) == 0)
		return "/";
	for (p = (const unsigned char *)next; *p != '\0'; p++)
		if (*p <= 0x20 || *p == 0x7f)
			return "/";
	buf_init(&b, 3 * 2048);
	for (p = (const unsigned char *)next; *p != '\0'; p++) {
		if (*p < 0x80 && strchr("\\\"'<>^`{|}", *p) == NULL)
			buf_putc(&b, (char)*p);
		else {
			buf_putc(&b, '%');
			buf_putc(&b, hex[*p >> 4]);
			buf_putc(&b, hex[*p & 15]);
		}
	}
	out = b.err == CB_OK ? arena_strdup(ctx->arena, buf_cstr(&b)) : NULL;
	buf_free(&b);
	return out != NULL ? out : "/";
}

static enum cb_err
show_login(struct ctx *ctx, const char *error, const char *login)
{
	struct json_object *m = json_object_new_object();
	const char *tok = kv_get(&ctx->req->cookies, PRELOGIN_COOKIE);
	char fresh[RAND_TOKEN_LEN + 1];

	/* The login form's CSRF token is a double-submit cookie: there is
	 * no session to keep it in yet. */
	if (tok == NULL || strlen(tok) != RAND_TOKEN_LEN) {
		if (rand_token(fresh, sizeof(fresh)) != CB_OK) {
			json_object_put(m);
			return CB_EIO;
		}
		resp_cookie(ctx->resp, PRELOGIN_COOKIE, fresh, -1, true,
		    ctx->cfg->cookie_secure);
		tok = arena_strdup(ctx->arena, fresh);
	}
	json_object_object_add(m, "title", app_jstr(_("Log in")));
	json_object_object_add(m, "csrf", app_jstr(tok));
	json_object_object_add(m, "next",
	    app_jstr(safe_next(ctx, app_param(ctx, "next"))));
	json_object_object_add(m, "login", app_jstr(login));
	json_object_object_add(m, "error", app_jstr(error));
	return app_render(ctx, "login.html", m);
}

static enum cb_err
page_login(struct ctx *ctx)
{
	struct user u;
	char csrf[CSRF_LEN + 1];

	/* Already logged in: straight to the history. */
	if (session_load(ctx->db, ctx->req, &u, csrf) == CB_OK) {
		resp_redirect(ctx->resp, 303, safe_next(ctx, app_param(ctx, "next")));
		return CB_OK;
	}
	return show_login(ctx, NULL, NULL);
}

static enum cb_err
do_login(struct ctx *ctx)
{
	const char *login = kv_get(&ctx->req->form, "login");
	const char *password = kv_get(&ctx->req->form, "password");
	const char *csrf = kv_get(&ctx->req->form, "csrf");
	const char *addr = ctx->req->remote_addr;
	char hash[PASSWORD_HASH_MAX] = "";
	int64_t user_id = 0, wait_s = 0;
	char msg[400];
	enum cb_err rc;
	int slot;
	bool ok;

	if (!csrf_equal(kv_get(&ctx->req->cookies, PRELOGIN_COOKIE), csrf)) {
		ctx->resp->status = 403;
		return show_login(ctx, _("The form expired. Please try again."),
		    login);
	}
	if (login == NULL || password == NULL || !*login || !*password ||
	    strlen(login) > 64 || strlen(password) > 256) {
		ctx->resp->status = 400;
		return show_login(ctx, _("Enter your login and password."),
		    login);
	}
	/* Throttled (lib/auth/throttle.h): refused at once, nothing hashed,
	 * nothing counted, never a sleep in this process. */
	if ((rc = throttle_wait(ctx->db, addr, login, &wait_s)) != CB_OK) {
		ctx->message = _("The database is not answering. Try again in "
		    "a minute.");
		return rc;
	}
	if (wait_s > 0) {
		log_info("login refused: too many failures from %s (%lld s "
		    "left)", addr, (long long)wait_s);
		ctx->resp->status = 429;
		resp_header(ctx->resp, "Retry-After", "%lld", (long long)wait_s);
		if (wait_s > 90)
			i18n_fill_n(ngettext("Too many wrong passwords from "
			    "your address. Try again in {n} minute.", "Too "
			    "many wrong passwords from your address. Try "
			    "again in {n} minutes.", (unsigned long)(wait_s +
			    59) / 60), (wait_s + 59) / 60, msg, sizeof(msg));
		else
			i18n_fill_n(ngettext("Too many wrong passwords from "
			    "your address. Try again in {n} second.", "Too "
			    "many wrong passwords from your address. Try "
			    "again in {n} seconds.", (unsigned long)wait_s),
			    wait_s, msg, sizeof(msg));
		return show_login(ctx, arena_strdup(ctx->arena, msg), login);
	}
	rc = db_user_login(ctx->db, login, &user_id, hash, sizeof(hash));
	if (rc != CB_OK && rc != CB_ENOTFOUND) {
		ctx->message = _("The database is not answering. Try again in "
		    "a minute.");
		return rc;
	}
	if ((slot = throttle_hash_take(ctx->cfg)) == -1) {
		ctx->resp->status = 503;
		resp_header(ctx->resp, "Retry-After", "1");
		return show_login(ctx, _("Many logins are being checked at "
		    "this moment. Try again in a second."), login);
	}
	/* Verify even for an unknown login: same time either way. */
	ok = password_verify(password, rc == CB_OK ? hash : NULL);
	throttle_hash_release(slot);
	explicit_bzero(hash, sizeof(hash));
	if (!ok) {
		log_info("failed login from %s", addr);
		ctx->resp->status = 401;
		if (throttle_failed(ctx->db, addr, login) != CB_OK ||
		    throttle_wait(ctx->db, addr, login, &wait_s) != CB_OK) {
			log_warn("login: cannot count a failure: %s",
			    db_error(ctx->db));
			wait_s = 0;
		}
		if (wait_s > 0) {
			/* Said now, not discovered on the next try. */
			resp_header(ctx->resp, "Retry-After", "%lld",
			    (long long)wait_s);
			i18n_fill_n(ngettext("Wrong login or password. After "
			    "several wrong passwords, wait {n} second before "
			    "the next try.", "Wrong login or password. After "
			    "several wrong passwords, wait {n} seconds before "
			    "the next try.", (unsigned long)wait_s), wait_s,
			    msg, sizeof(msg));
			return show_login(ctx, arena_strdup(ctx->arena, msg),
			    login);
		}
		return show_login(ctx, _("Wrong login or password."), login);
	}
	if (throttle_succeeded(ctx->db, addr, login) != CB_OK)
		log_warn("login: cannot clear failures: %s", db_error(ctx->db));
	if ((rc = session_start(ctx->db, ctx->cfg, ctx->req, ctx->resp,
	    user_id)) != CB_OK)
		return rc;
	log_info("user %lld logged in", (long long)user_id);
	resp_redirect(ctx->resp, 303, safe_next(ctx, kv_get(&ctx->req->form,
	    "next")));
	return CB_OK;
}

static enum cb_err
do_logout(struct ctx *ctx)
{
	session_end(ctx->db, ctx->cfg, ctx->req, ctx->resp);
	resp_redirect(ctx->resp, 303, "/login");
	return CB_OK;
}

/* "/": the first page this user's role may open (issue 18): the call
 * history, else their tasks, which every role has. A role with only
 * order or customer calls must not land on a 403. */
static enum cb_err
page_home(struct ctx *ctx)
{
	resp_redirect(ctx->resp, 302, perm_has(ctx->user, PERM_CALLS) ?
	    "/calls" : "/tasks");
	return CB_OK;
}

/* 200 only when the database answers (load balancers and ./run use it). */
static enum cb_err
page_healthz(struct ctx *ctx)
{
	bool ok = db_ping(ctx->db) == CB_OK;

	ctx->resp->status = ok ? 200 : 503;
	ctx->resp->content_type = "application/json";
	buf_puts(&ctx->resp->body, ok ? "{\"status\":\"ok\",\"database\":\"ok\"}\n"
	    : "{\"status\":\"unavailable\",\"database\":\"down\"}\n");
	if (!ok)
		log_warn("health check: database down: %s", db_error(ctx->db));
	return CB_OK;
}

/* The settings index: the settings pages this user may open. Everyone has
 * their own profile; the rest need the settings permission (each page
 * checks it again). */
static enum cb_err
page_settings(struct ctx *ctx)
{
	static const struct {
		const char *url, *label, *about;
	} pages[] = {
		{ "/settings/users", N_("Users"), N_("People who log in: role, "
		    "extension, phone, time zone") },
		{ "/settings/roles", N_("Roles"), N_("What each role may see and do, "
		    "for its own calls or all") },
		{ "/settings/listening-log", N_("Listening log"), N_("Who played or "
		    "downloaded which recording, when") },
		{ "/settings/automation", N_("Automation"), N_("Missed-call tasks and "
		    "automatic leads") },
		{ "/settings/triggers", N_("Triggers"), N_("Webhooks, e-mails and "
		    "tasks on new and missed calls") },
		{ "/settings/sms", N_("SMS gateways"), N_("Accounts the triggers' "
		    "\"Send an SMS\" goes through") },
		{ "/settings/integrations", N_("Integrations"), N_("Telephony "
		    "accounts and their numbers") },
		{ "/settings/exceptions", N_("Exceptions"), N_("Numbers whose calls "
		    "are not stored") },
		{ "/settings/analytics", N_("Analytics"), N_("The missed-call "
		    "follow-up's target") },
	};
	struct json_object *m = json_object_new_object();
	struct json_object *list = json_object_new_array();
	size_t i;

	json_object_object_add(m, "title", app_jstr(_("Settings")));
	if (perm_has(ctx->user, PERM_SETTINGS))
		for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
			struct json_object *o = json_object_new_object();
			json_object_object_add(o, "url", app_jstr(pages[i].url));
			json_object_object_add(o, "label",
			    app_jstr(_(pages[i].label)));
			json_object_object_add(o, "about",
			    app_jstr(_(pages[i].about)));
			json_object_array_add(list, o);
		}
	json_object_object_add(m, "pages", list);
	return app_render(ctx, "settings.html", m);
}

/* ---- live popups (issue 5 §2) ---------------------------------------- */

/* nchan's authorisation subrequest for a subscriber of /live/manager/<id>
 * (etc/nginx/callboard-live.conf): 200 when the session's user is that
 * manager, or may see settings; 403 otherwise, also without a session.
 * The route is AUTH_NONE because nchan forwards any non-2xx answer to the
 * subscriber: a login redirect would become a redirect of an EventSource. */
static enum cb_err
auth_live(struct ctx *ctx)
{
	const char *chan = http_env(ctx->req->envp, "CALLBOARD_LIVE_CHANNEL");
	struct user u;
	char csrf[CSRF_LEN + 1];
	int64_t id = 0;
	enum cb_err rc;

	ctx->resp->content_type = "text/plain";
	if (!live_channel_user(ctx->cfg, chan, &id)) {
		ctx->resp->status = 403;
		return CB_OK;
	}
	rc = session_load(ctx->db, ctx->req, &u, csrf);
	explicit_bzero(csrf, sizeof(csrf));
	if (rc == CB_EDB) {
		ctx->resp->status = 503;
		return CB_OK;
	}
	ctx->resp->status = rc == CB_OK && (u.id == id ||
	    perm_has(&u, PERM_SETTINGS)) ? 200 : 403;
	if (ctx->resp->status == 403)
		log_info("live channel %s refused to user %lld", chan,
		    rc == CB_OK ? (long long)u.id : 0LL);
	return CB_OK;
}

/* The polling fallback when nchan is missing: the user's ringing and
 * talking calls, each as the message a popup would get. */
static enum cb_err
live_poll(struct ctx *ctx)
{
	struct json_object *m, *calls;
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_live_active(ctx->db, ctx->user->id, &st)) != CB_OK)
		return rc;
	calls = json_object_new_array();
	while ((rc = db_fetch(st)) == CB_OK)
		json_object_array_add(calls, live_message(st, 0));
	db_stmt_done(st);
	if (rc != CB_ENOTFOUND) {
		json_object_put(calls);
		return CB_EDB;
	}
	m = json_object_new_object();
	json_object_object_add(m, "calls", calls);
	json_object_object_add(m, "interval_ms", json_object_new_int(3000));
	ctx->req->want = WANT_JSON;
	return app_render(ctx, NULL, m);
}

static const struct route routes[] = {
	{ "/", HTTP_M(HTTP_GET), AUTH_SESSION, PERM_NONE, 0, 0, page_home },
	{ "/settings", HTTP_M(HTTP_GET), AUTH_SESSION, PERM_NONE, 0, 0,
	    page_settings },
	{ "/login", HTTP_M(HTTP_GET), AUTH_NONE, PERM_NONE, 0, 0, page_login },
	{ "/login", HTTP_M(HTTP_POST), AUTH_NONE, PERM_NONE, BODY_FORM,
	    8192, do_login },
	{ "/logout", HTTP_M(HTTP_POST), AUTH_SESSION, PERM_NONE, BODY_FORM,
	    4096, do_logout },
	{ "/healthz", HTTP_M(HTTP_GET), AUTH_NONE, PERM_NONE, 0, 0,
	    page_healthz },
	{ "/_auth/live", HTTP_M(HTTP_GET), AUTH_NONE, PERM_NONE, 0, 0,
	    auth_live },
	{ "/live/poll", HTTP_M(HTTP_GET), AUTH_SESSION, PERM_NONE, 0, 0,
	    live_poll },
};

static const struct program program = {
	"admin", routes, sizeof(routes) / sizeof(routes[0]), true
};

int
main(int argc, char *argv[])
{
	return app_main(&program, argc, argv);
}
