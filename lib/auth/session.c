#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "auth/session.h"
#include "core/rand.h"

static void
token_hash(const char *token, unsigned char out[SESSION_HASH_LEN])
{
	SHA256((const unsigned char *)token, strlen(token), out);
}

const char *
session_cookie_name(const struct cb_config *cfg, char *out, size_t outsz)
{
	if (cfg->site[0] == '\0')
		snprintf(out, outsz, "%s", SESSION_COOKIE);
	else
		snprintf(out, outsz, "%s_%s", SESSION_COOKIE, cfg->site);
	return out;
}

enum cb_err
session_load(struct db *db, const struct http_request *req, struct user *u,
    char *csrf)
{
	unsigned char h[SESSION_HASH_LEN];
	char name[SESSION_COOKIE_NAME_MAX];
	const char *tok = kv_get(&req->cookies,
	    session_cookie_name(db_config(db), name, sizeof(name)));

	if (tok == NULL || strlen(tok) != RAND_TOKEN_LEN)
		return CB_EAUTH;
	token_hash(tok, h);
	return db_session_user(db, h, u, csrf);
}

enum cb_err
session_start(struct db *db, const struct cb_config *cfg,
    const struct http_request *req, struct http_response *resp,
    int64_t user_id)
{
	char tok[RAND_TOKEN_LEN + 1], csrf[RAND_TOKEN_LEN + 1];
	char name[SESSION_COOKIE_NAME_MAX];
	unsigned char h[SESSION_HASH_LEN];
	enum cb_err rc;

	if ((rc = rand_token(tok, sizeof(tok))) != CB_OK ||
	    (rc = rand_token(csrf, sizeof(csrf))) != CB_OK)
		return rc;
	token_hash(tok, h);
	if ((rc = db_session_create(db, user_id, h, csrf,
	    cfg->session_ttl_hours, req->remote_addr,
	    http_header(req, "User-Agent"))) != CB_OK)
		return rc;
	resp_cookie(resp, session_cookie_name(cfg, name, sizeof(name)), tok,
	    (long)cfg->session_ttl_hours * 3600, true, cfg->cookie_secure);
	resp_cookie(resp, PRELOGIN_COOKIE, "", 0, true, cfg->cookie_secure);
	return CB_OK;
}

void
session_end(struct db *db, const struct cb_config *cfg,
    const struct http_request *req, struct http_response *resp)
{
	unsigned char h[SESSION_HASH_LEN];
	char name[SESSION_COOKIE_NAME_MAX];
	const char *tok = kv_get(&req->cookies,
	    session_cookie_name(cfg, name, sizeof(name)));

	if (tok && strlen(tok) == RAND_TOKEN_LEN) {
		token_hash(tok, h);
		(void)db_session_delete(db, h);
	}
	resp_cookie(resp, name, "", 0, true, cfg->cookie_secure);
}

bool
csrf_equal(const char *expected, const char *given)
{
	size_t n;

	if (expected == NULL || given == NULL || expected[0] == '\0')
		return false;
	n = strlen(expected);
	return strlen(given) == n && CRYPTO_memcmp(expected, given, n) == 0;
}
