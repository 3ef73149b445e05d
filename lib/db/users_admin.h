/* The settings pages for users and roles (issue 4 §3): reading and saving
 * users, roles and their permissions, and a user's own profile. The
 * lock-out rules (an admin keeps `settings` and stays active) are the
 * page's to check; these functions only read and write. */
#ifndef CB_DB_USERS_ADMIN_H
#define CB_DB_USERS_ADMIN_H

#include <stdbool.h>
#include <stdint.h>

#include "auth/perm.h"
#include "db/db.h"

/* One user as the settings form edits it. Strings are copies. */
struct admin_user {
	int64_t id;                /* 0 = a new user */
	char login[65];
	char name[129];
	char extension[17];
	char phone[33];
	char time_zone[65];
	int64_t role_id;
	bool deep_link;
	char sip_domain[260];      /* "" = none (tel: links) */
	bool active;
};

/* Rows: id, login, name, extension, phone, role name, time_zone,
 * deep_link, active, sip_domain; ordered by name. */
enum cb_err db_admin_users(struct db *db, struct db_stmt **out);
/* CB_ENOTFOUND when there is no such user. */
enum cb_err db_admin_user_get(struct db *db, int64_t id,
    struct admin_user *u);
/* Inserts (u->id == 0, sets it) or updates. password_hash NULL keeps the
 * old one (it must be set for a new user). CB_DUPLICATE: the login is
 * taken. */
enum cb_err db_admin_user_save(struct db *db, struct admin_user *u,
    const char *password_hash);
/* Logs the user out everywhere (a deactivated user, a new password). */
enum cb_err db_admin_user_end_sessions(struct db *db, int64_t id);
/* The user's own time zone and softphone link (deep_link, and the SIP
 * domain or "" for none). */
enum cb_err db_admin_profile_save(struct db *db, int64_t id,
    const char *time_zone, bool deep_link, const char *sip_domain);

/* Rows: id, name, description, "perm:scope,..." list; ordered by name. */
enum cb_err db_admin_roles(struct db *db, struct db_stmt **out);
/* A role's name, description and scopes (SCOPE_NONE = not granted).
 * CB_ENOTFOUND when there is no such role. */
enum cb_err db_admin_role_get(struct db *db, int64_t id, char *name,
    size_t namesz, char *descr, size_t descrsz,
    enum perm_scope scopes[PERM__MAX]);
/* Inserts (*id == 0, sets it) or updates the role and replaces its
 * permissions. Run it inside db_begin()/db_commit(). CB_DUPLICATE: the
 * name is taken. */
enum cb_err db_admin_role_save(struct db *db, int64_t *id, const char *name,
    const char *descr, const enum perm_scope scopes[PERM__MAX]);

#endif
