/* Login sessions and CSRF tokens (DESIGN §5). The cookie holds a random
 * 256-bit token; the database holds only its SHA-256, so a leaked sessions
 * table cannot be replayed. A new token at every login (no fixation). */
#ifndef CB_AUTH_SESSION_H
#define CB_AUTH_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "auth/perm.h"
#include "core/conf.h"
#include "db/db.h"
#include "db/user.h"
#include "http/request.h"
#include "http/response.h"

#define SESSION_COOKIE "cb_session"
/* A named site's cookie carries the site: "cb_session_acme" (issue 23).
 * Its token is looked up in that site's database only; the name keeps
 * two sites on one host name (different ports) from overwriting each
 * other's login in the browser. */
#define SESSION_COOKIE_NAME_MAX (sizeof(SESSION_COOKIE) + SITE_NAME_MAX + 1)
/* Double-submit token for forms shown before login (the login form). */
#define PRELOGIN_COOKIE "cb_csrf"

/* The session cookie's name for cfg's site, in out. */
const char *session_cookie_name(const struct cb_config *cfg, char *out,
    size_t outsz);
/* CB_EAUTH without a valid session cookie. csrf has CSRF_LEN + 1 bytes. */
enum cb_err session_load(struct db *db, const struct http_request *req,
    struct user *u, char *csrf);
enum cb_err session_start(struct db *db, const struct cb_config *cfg,
    const struct http_request *req, struct http_response *resp,
    int64_t user_id);
void session_end(struct db *db, const struct cb_config *cfg,
    const struct http_request *req, struct http_response *resp);
/* Constant-time comparison of a submitted token with the expected one. */
bool csrf_equal(const char *expected, const char *given);

#endif
