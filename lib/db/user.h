/* Users, roles and sessions. */
#ifndef CB_DB_USER_H
#define CB_DB_USER_H

#include <stddef.h>
#include <stdint.h>

#include "auth/perm.h"
#include "db/db.h"

#define SESSION_HASH_LEN 32 /* SHA-256 of the cookie token */
#define CSRF_LEN 43

/* Active user by login: fills id and copies the password hash.
 * CB_ENOTFOUND when absent or disabled. */
enum cb_err db_user_login(struct db *db, const char *login, int64_t *user_id,
    char *hash, size_t hashsz);
enum cb_err db_session_create(struct db *db, int64_t user_id,
    const unsigned char token_hash[SESSION_HASH_LEN], const char *csrf,
    unsigned ttl_hours, const char *ip, const char *user_agent);
/* The session's user with permissions, and its CSRF token
 * (csrf has CSRF_LEN + 1 bytes). CB_EAUTH when unknown or expired. */
enum cb_err db_session_user(struct db *db,
    const unsigned char token_hash[SESSION_HASH_LEN], struct user *u,
    char *csrf);
enum cb_err db_session_delete(struct db *db,
    const unsigned char token_hash[SESSION_HASH_LEN]);
enum cb_err db_session_purge_expired(struct db *db, uint64_t *deleted);
/* The user of an unrevoked API token given its SHA-256 hex (0 when the
 * token has no user). CB_EAUTH when unknown. */
enum cb_err db_api_token_user(struct db *db, const char *hash_hex,
    int64_t *user_id);
/* An active user by id with the role's permissions (an API token acts
 * with its user's role: cgi/api.c said=). CB_ENOTFOUND when absent or
 * disabled. */
enum cb_err db_user_active(struct db *db, int64_t user_id, struct user *u);
/* Creates or updates a user (the admin tool). role is a role name. */
enum cb_err db_user_upsert(struct db *db, const char *login, const char *name,
    const char *password_hash, const char *role, const char *extension);
/* The user's language: a code of lib/i18n/i18n.h, or NULL/"" for the
 * browser's choice (0030_user_language.sql). */
enum cb_err db_user_set_language(struct db *db, int64_t user_id,
    const char *code);
/* The chosen language of the active user whose e-mail is email, into
 * code; "" (and CB_OK) when nobody has it or the user chose none. */
enum cb_err db_user_language_by_email(struct db *db, const char *email,
    char *code, size_t codesz);

#endif
