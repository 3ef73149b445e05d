/* The request front line shared by every FastCGI program (STYLE §2.1-2.2):
 * accept loop (FastCGI, or one request as CGI for handler tests), then in
 * this fixed order: route 404 → method 405 → content type 415 → size 413
 * → session (login redirect / 401) → CSRF 403 → permission 403 → handler.
 * Handlers see a validated request and return an enum cb_err; the one
 * error page or JSON error comes from app_fail(). */
#ifndef CB_HTTP_APP_H
#define CB_HTTP_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "auth/perm.h"
#include "core/arena.h"
#include "core/conf.h"
#include "db/db.h"
#include "db/user.h"
#include "http/request.h"
#include "i18n/i18n.h"
#include "http/response.h"
#include "tmpl/template.h"

#define APP_MAX_IDS 4

enum route_auth {
	AUTH_NONE = 0,   /* public (login page, health), or the handler
	                  * authenticates (provider signatures) */
	AUTH_SESSION,    /* a logged-in user; POSTs need the CSRF token */
	AUTH_TOKEN,      /* an API token: Authorization: Bearer <token> */
};

/* Body media types a route accepts (415 otherwise). */
#define BODY_FORM 1u
#define BODY_JSON 2u

struct ctx;
typedef enum cb_err (*handler_fn)(struct ctx *ctx);

struct route {
	const char *pattern;   /* "/calls", "/customers/#/calls": '#' = an id,
	                        * '*' = one segment of [A-Za-z0-9_-] (a slug) */
	unsigned methods;      /* HTTP_M(HTTP_GET) | ... */
	enum route_auth auth;
	enum perm perm;        /* PERM_NONE: any logged-in user */
	unsigned bodies;       /* BODY_FORM | BODY_JSON; 0 = no body */
	size_t max_body;       /* bytes; 0 = default (64 KiB) */
	handler_fn fn;
};

struct program {
	const char *name;              /* "calls": log prefix */
	const struct route *routes;
	size_t nroutes;
	bool uses_templates;
};

struct app_site;   /* app.c: one served site's config and connection */

/* Per-process state. Read-only for handlers. */
struct app {
	const struct program *prog;
	struct cb_config cfg;          /* callboard.conf: the default site */
	struct db *db;                 /* the default site's connection */
	const char *config_path;       /* site files are found from it */
	/* Sites named by CALLBOARD_SITE (issue 23 §1): up to cfg.sites_max,
	 * least recently used closed first. Handlers see ctx->cfg and
	 * ctx->db of the request's site, never these. */
	struct app_site *sites;
	uint64_t site_clock;
	struct tmpl_set *tmpl;           /* English: tmpl_lang[LANG_EN] */
	/* One compiled set per language, translated when loaded (issue 18):
	 * a page costs the same in every language. NULL: use tmpl. */
	struct tmpl_set *tmpl_lang[LANG__MAX];
	/* The last response body's memory, emptied, for the next request:
	 * capacity only, never content (buf_reset before reuse). */
	struct buf spare_body;
};

/* Per-request state: created and destroyed each iteration (STYLE §3.1). */
struct ctx {
	struct app *app;
	const struct cb_config *cfg;
	struct db *db;
	struct arena *arena;
	struct http_request *req;
	struct http_response *resp;
	const struct route *route;
	int64_t ids[APP_MAX_IDS];      /* the '#' segments of the path */
	const char *segs[APP_MAX_IDS]; /* the '*' segments of the path */
	int64_t token_user_id;         /* AUTH_TOKEN: the token's user, or 0 */
	struct user *user;             /* NULL unless logged in */
	char csrf[CSRF_LEN + 1];       /* the session's CSRF token */
	const char *message;           /* for the error page: what to do */
	/* The viewer's language: the user's choice, else Accept-Language
	 * (i18n_use() makes _() speak it while the request runs). */
	enum i18n_lang lang;
};

/* Runs the program; returns the process exit status. */
int app_main(const struct program *prog, int argc, char *argv[]);

/* Renders `tmpl` with model (HTML) or the model itself (JSON, by
 * negotiation). Adds "me" (user, csrf, nav) to the model. Takes ownership
 * of model. */
enum cb_err app_render(struct ctx *ctx, const char *tmpl,
    struct json_object *model);
/* The error page (or JSON error) for err with a message a person can act
 * on; status from http_status_for_err() unless status != 0. */
void app_fail(struct ctx *ctx, enum cb_err err, int status,
    const char *message);
/* Form field or query parameter (form first). */
const char *app_param(const struct ctx *ctx, const char *name);
/* A json-c string from a C string; NULL becomes JSON null. */
struct json_object *app_jstr(const char *s);
/* Model building for the pages: o[key] = v (NULL string → JSON null). */
void app_add_str(struct json_object *o, const char *key, const char *v);
void app_add_int(struct json_object *o, const char *key, int64_t v);
void app_add_bool(struct json_object *o, const char *key, bool v);
/* A UTC time from the database ("YYYY-MM-DD HH:MM:SS[.mmm]") in the
 * viewer's time zone, in the arena; NULL stays NULL. */
const char *app_local_time(struct ctx *ctx, const char *utc);
/* A time people read (issue 18): o[key] = app_local_time(utc), the ISO
 * form machines read (JSON, <time datetime>), and o[key "_shown"] = that
 * time as the viewer's language writes it (i18n_format_datetime). A
 * template shows it as
 *   <time data-attr-datetime="key" data-text="key_shown">...</time>
 * NULL utc: both null. */
void app_add_time(struct ctx *ctx, struct json_object *o, const char *key,
    const char *utc);
/* A decimal people read (issue 18), the same way: o[key] = dec as
 * machines write it ("1250.00", "87.5": JSON, CSV) and o[key "_shown"]
 * as the viewer's language writes it (i18n_format_decimal: "1 250,00");
 * app_add_percent() shows it as a share (i18n_format_percent: "87,5 %").
 * NULL dec: both null. */
void app_add_decimal(struct ctx *ctx, struct json_object *o, const char *key,
    const char *dec);
/* A count people read, the same way: o[key] = n (JSON) and o[key "_shown"]
 * with the language's digit grouping (i18n_format_int: "12 345"). */
void app_add_count(struct ctx *ctx, struct json_object *o, const char *key,
    int64_t n);
void app_add_percent(struct ctx *ctx, struct json_object *o, const char *key,
    const char *dec);

/* A translated sentence with its values filled in after translating
 * (docs/templates.md: a translation is never a printf format), in the
 * arena: msg is what _() or ngettext() gave, then pairs of key ("{name}")
 * and value (NULL reads ""), ended by a NULL key. At most 8 pairs. */
const char *app_fill(struct ctx *ctx, const char *msg, ...)
	__attribute__((sentinel));
/* The same with "{n}" replaced by n. */
const char *app_fill_n(struct ctx *ctx, const char *msg, long long n);

#endif
