#include "config.h"

#include <stdio.h>
#include <string.h>

#include "db/roleperms.h"
#include "db/user.h"

static const char sql_user_login[] =
    "SELECT id, password_hash FROM users WHERE login = ? AND active = 1";

enum cb_err
db_user_login(struct db *db, const char *login, int64_t *user_id, char *hash,
    size_t hashsz)
{
	struct db_stmt *st;
	enum cb_err rc;
	const char *h;

	if ((rc = db_stmt(db, sql_user_login, &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, login);
	if ((rc = db_exec(st)) != CB_OK || (rc = db_fetch(st)) != CB_OK)
		return rc;
	*user_id = db_col_i64(st, 0);
	h = db_col(st, 1, NULL);
	snprintf(hash, hashsz, "%s", h ? h : "");
	db_stmt_done(st);
	return CB_OK;
}

static const char sql_session_create[] =
    "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, "
    "expires_at, last_seen_at, ip, user_agent) VALUES (?, ?, ?, "
    "UTC_TIMESTAMP(3), UTC_TIMESTAMP(3) + INTERVAL ? HOUR, UTC_TIMESTAMP(3), "
    "?, LEFT(?, 255))";

enum cb_err
db_session_create(struct db *db, int64_t user_id,
    const unsigned char token_hash[SESSION_HASH_LEN], const char *csrf,
    unsigned ttl_hours, const char *ip, const char *user_agent)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_session_create, &st)) != CB_OK)
		return rc;
	db_bind_str(st, 0, (const char *)token_hash, SESSION_HASH_LEN);
	db_bind_i64(st, 1, user_id);
	db_bind_text(st, 2, csrf);
	db_bind_i64(st, 3, ttl_hours);
	db_bind_text(st, 4, ip);
	db_bind_text(st, 5, user_agent ? user_agent : "");
	return db_exec(st);
}

/* One round trip per request: the user, the CSRF token and the version
 * of what processes keep (0008_list_versions.sql; a LEFT JOIN so that a
 * missing row costs a reload per request, never a login). The role's
 * permissions are kept per process behind that version
 * (db/roleperms.h): a GROUP_CONCAT subquery here cost about 0.1 ms of
 * MariaDB CPU on every page. */
static const char sql_session_user[] =
    "SELECT u.id, u.role_id, u.login, u.name, COALESCE(u.extension, ''), "
    "u.time_zone, u.deep_link, s.csrf_token, "
    "COALESCE(u.sip_domain, ''), "
    "COALESCE(lv.version, 0), COALESCE(u.language, ''), COALESCE(u.country, '') "
    "FROM sessions s JOIN users u ON u.id = s.user_id "
    "LEFT JOIN list_versions lv ON lv.id = 1 "
    "WHERE s.token_hash = ? AND s.expires_at > UTC_TIMESTAMP(3) "
    "AND u.active = 1";

enum cb_err
db_session_user(struct db *db, const unsigned char token_hash[SESSION_HASH_LEN],
    struct user *u, char *csrf)
{
	struct db_stmt *st;
	enum cb_err rc;
	const char *v;

	if ((rc = db_stmt(db, sql_session_user, &st)) != CB_OK)
		return rc;
	db_bind_str(st, 0, (const char *)token_hash, SESSION_HASH_LEN);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	if ((rc = db_fetch(st)) != CB_OK)
		return rc == CB_ENOTFOUND ? CB_EAUTH : rc;
	memset(u, 0, sizeof(*u));
	u->id = db_col_i64(st, 0);
	u->role_id = db_col_i64(st, 1);
	snprintf(u->login, sizeof(u->login), "%s", db_col(st, 2, NULL));
	snprintf(u->name, sizeof(u->name), "%s", db_col(st, 3, NULL));
	snprintf(u->extension, sizeof(u->extension), "%s", db_col(st, 4, NULL));
	snprintf(u->time_zone, sizeof(u->time_zone), "%s",
	    (v = db_col(st, 5, NULL)) ? v : "UTC");
	u->deep_link = db_col_i64(st, 6) != 0;
	snprintf(csrf, CSRF_LEN + 1, "%s", (v = db_col(st, 7, NULL)) ? v : "");
	snprintf(u->sip_domain, sizeof(u->sip_domain), "%s",
	    (v = db_col(st, 8, NULL)) ? v : "");
	u->lists_version = (uint64_t)db_col_i64(st, 9);
	snprintf(u->language, sizeof(u->language), "%s",
	    (v = db_col(st, 10, NULL)) ? v : "");
	snprintf(u->country, sizeof(u->country), "%s",
	    (v = db_col(st, 11, NULL)) ? v : "");
	db_stmt_done(st);
	/* As of that version or newer (db_role_perms()). */
	return db_role_perms(db, u->lists_version, u->role_id, u->perms);
}

static const char sql_session_delete[] =
    "DELETE FROM sessions WHERE token_hash = ?";

enum cb_err
db_session_delete(struct db *db,
    const unsigned char token_hash[SESSION_HASH_LEN])
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_session_delete, &st)) != CB_OK)
		return rc;
	db_bind_str(st, 0, (const char *)token_hash, SESSION_HASH_LEN);
	return db_exec(st);
}

static const char sql_session_purge[] =
    "DELETE FROM sessions WHERE expires_at < UTC_TIMESTAMP(3) LIMIT 10000";

enum cb_err
db_session_purge_expired(struct db *db, uint64_t *deleted)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_session_purge, &st)) != CB_OK)
		return rc;
	if ((rc = db_exec(st)) == CB_OK)
		*deleted = db_affected(st);
	return rc;
}

static const char sql_user_upsert[] =
    "INSERT INTO users (login, name, password_hash, role_id, extension, "
    "created_at) SELECT ?, ?, ?, r.id, ?, UTC_TIMESTAMP(3) FROM roles r "
    "WHERE r.name = ? ON DUPLICATE KEY UPDATE name = VALUES(name), "
    "password_hash = VALUES(password_hash), role_id = VALUES(role_id), "
    "extension = VALUES(extension)";

enum cb_err
db_user_upsert(struct db *db, const char *login, const char *name,
    const char *password_hash, const char *role, const char *extension)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_user_upsert, &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, login);
	db_bind_text(st, 1, name);
	db_bind_text(st, 2, password_hash);
	db_bind_text(st, 3, extension);
	db_bind_text(st, 4, role);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	return db_affected(st) > 0 ? CB_OK : CB_ENOTFOUND;
}

static const char sql_api_token[] =
    "SELECT COALESCE(user_id, 0) FROM api_tokens WHERE token_hash = ? "
    "AND revoked_at IS NULL";

enum cb_err
db_api_token_user(struct db *db, const char *hash_hex, int64_t *user_id)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_api_token, &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, hash_hex);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	if ((rc = db_fetch(st)) != CB_OK)
		return rc == CB_ENOTFOUND ? CB_EAUTH : rc;
	*user_id = db_col_i64(st, 0);
	db_stmt_done(st);
	return CB_OK;
}

static const char sql_user_active[] =
    "SELECT u.id, u.role_id, u.login, u.name, COALESCE(lv.version, 0) "
    "FROM users u LEFT JOIN list_versions lv ON lv.id = 1 "
    "WHERE u.id = ? AND u.active = 1";

enum cb_err
db_user_active(struct db *db, int64_t user_id, struct user *u)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_user_active, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, user_id);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	if ((rc = db_fetch(st)) != CB_OK)
		return rc;
	memset(u, 0, sizeof(*u));
	u->id = db_col_i64(st, 0);
	u->role_id = db_col_i64(st, 1);
	snprintf(u->login, sizeof(u->login), "%s", db_col(st, 2, NULL));
	snprintf(u->name, sizeof(u->name), "%s", db_col(st, 3, NULL));
	snprintf(u->time_zone, sizeof(u->time_zone), "UTC");
	u->lists_version = (uint64_t)db_col_i64(st, 4);
	db_stmt_done(st);
	return db_role_perms(db, u->lists_version, u->role_id, u->perms);
}

static const char sql_user_language[] =
    "UPDATE users SET language = ? WHERE id = ?";

enum cb_err
db_user_set_language(struct db *db, int64_t user_id, const char *code)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_user_language, &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, code != NULL && *code != '\0' ? code : NULL);
	db_bind_i64(st, 1, user_id);
	return db_exec(st);
}

/* The language of the active user with this e-mail address, for mail sent
 * to it (trigger e-mails, issue 18): "" when nobody has the address or
 * the user follows the browser. */
static const char sql_user_language_by_email[] =
    "SELECT COALESCE(language, '') FROM users WHERE email = ? AND "
    "active = 1 ORDER BY language IS NULL, id LIMIT 1";

enum cb_err
db_user_language_by_email(struct db *db, const char *email, char *code,
    size_t codesz)
{
	struct db_stmt *st;
	enum cb_err rc;
	const char *v;

	code[0] = '\0';
	if ((rc = db_stmt(db, sql_user_language_by_email, &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, email);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	if ((rc = db_fetch(st)) == CB_OK) {
		v = db_col(st, 0, NULL);
		snprintf(code, codesz, "%s", v ? v : "");
	}
	db_stmt_done(st);
	return rc == CB_ENOTFOUND ? CB_OK : rc;
}
