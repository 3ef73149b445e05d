#include "config.h"

#include <stdio.h>
#include <string.h>

#include "db/users_admin.h"

static const char sql_users[] =
    "SELECT u.id, u.login, u.name, u.extension, u.phone, r.name, "
    "u.time_zone, u.deep_link, u.active, u.sip_domain FROM users u "
    "JOIN roles r ON r.id = u.role_id ORDER BY u.name, u.id LIMIT 1000";

enum cb_err
db_admin_users(struct db *db, struct db_stmt **out)
{
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_users, out)) != CB_OK)
		return rc;
	return db_exec(*out);
}

static void
copy(char *dst, size_t sz, const char *src)
{
	snprintf(dst, sz, "%s", src ? src : "");
}

static const char sql_user_get[] =
    "SELECT id, login, name, extension, phone, time_zone, role_id, "
    "deep_link, active, sip_domain FROM users WHERE id = ?";

enum cb_err
db_admin_user_get(struct db *db, int64_t id, struct admin_user *u)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_user_get, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, id);
	if ((rc = db_exec(st)) != CB_OK || (rc = db_fetch(st)) != CB_OK)
		return rc;
	memset(u, 0, sizeof(*u));
	u->id = db_col_i64(st, 0);
	copy(u->login, sizeof(u->login), db_col(st, 1, NULL));
	copy(u->name, sizeof(u->name), db_col(st, 2, NULL));
	copy(u->extension, sizeof(u->extension), db_col(st, 3, NULL));
	copy(u->phone, sizeof(u->phone), db_col(st, 4, NULL));
	copy(u->time_zone, sizeof(u->time_zone), db_col(st, 5, NULL));
	u->role_id = db_col_i64(st, 6);
	u->deep_link = db_col_i64(st, 7) != 0;
	u->active = db_col_i64(st, 8) != 0;
	copy(u->sip_domain, sizeof(u->sip_domain), db_col(st, 9, NULL));
	db_stmt_done(st);
	return CB_OK;
}

static const char sql_user_insert[] =
    "INSERT INTO users (login, name, extension, phone, time_zone, role_id, "
    "deep_link, active, password_hash, sip_domain) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_user_update[] =
    "UPDATE users SET login = ?, name = ?, extension = ?, phone = ?, "
    "time_zone = ?, role_id = ?, deep_link = ?, active = ?, "
    "password_hash = COALESCE(?, password_hash), sip_domain = ? "
    "WHERE id = ?";

static const char *
or_null(const char *s)
{
	return s[0] ? s : NULL;
}

enum cb_err
db_admin_user_save(struct db *db, struct admin_user *u,
    const char *password_hash)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, u->id ? sql_user_update : sql_user_insert,
	    &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, u->login);
	db_bind_text(st, 1, u->name);
	db_bind_text(st, 2, or_null(u->extension));
	db_bind_text(st, 3, or_null(u->phone));
	db_bind_text(st, 4, u->time_zone);
	db_bind_i64(st, 5, u->role_id);
	db_bind_i64(st, 6, u->deep_link);
	db_bind_i64(st, 7, u->active);
	db_bind_text(st, 8, password_hash);
	db_bind_text(st, 9, or_null(u->sip_domain));
	if (u->id)
		db_bind_i64(st, 10, u->id);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	if (u->id == 0)
		u->id = (int64_t)db_insert_id(st);
	return CB_OK;
}

static const char sql_end_sessions[] =
    "DELETE FROM sessions WHERE user_id = ?";

enum cb_err
db_admin_user_end_sessions(struct db *db, int64_t id)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_end_sessions, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, id);
	return db_exec(st);
}

static const char sql_profile[] =
    "UPDATE users SET time_zone = ?, deep_link = ?, sip_domain = ? "
    "WHERE id = ?";

enum cb_err
db_admin_profile_save(struct db *db, int64_t id, const char *time_zone,
    bool deep_link, const char *sip_domain)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_profile, &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, time_zone);
	db_bind_i64(st, 1, deep_link);
	db_bind_text(st, 2, *sip_domain ? sip_domain : NULL);
	db_bind_i64(st, 3, id);
	return db_exec(st);
}

static const char sql_roles[] =
    "SELECT r.id, r.name, r.description, "
    "GROUP_CONCAT(CONCAT(p.permission, ':', p.scope) "
    "ORDER BY p.permission SEPARATOR ',') "
    "FROM roles r LEFT JOIN role_permissions p ON p.role_id = r.id "
    "GROUP BY r.id, r.name, r.description ORDER BY r.name, r.id LIMIT 1000";

enum cb_err
db_admin_roles(struct db *db, struct db_stmt **out)
{
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_roles, out)) != CB_OK)
		return rc;
	return db_exec(*out);
}

static const char sql_role_get[] =
    "SELECT r.name, r.description, p.permission, p.scope FROM roles r "
    "LEFT JOIN role_permissions p ON p.role_id = r.id WHERE r.id = ?";

enum cb_err
db_admin_role_get(struct db *db, int64_t id, char *name, size_t namesz,
    char *descr, size_t descrsz, enum perm_scope scopes[PERM__MAX])
{
	struct db_stmt *st;
	enum cb_err rc;
	unsigned rows = 0;
	int i;

	for (i = 0; i < PERM__MAX; i++)
		scopes[i] = SCOPE_NONE;
	if ((rc = db_stmt(db, sql_role_get, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, id);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	while ((rc = db_fetch(st)) == CB_OK) {
		const char *perm = db_col(st, 2, NULL);
		const char *scope = db_col(st, 3, NULL);
		enum perm p;

		if (rows++ == 0) {
			copy(name, namesz, db_col(st, 0, NULL));
			copy(descr, descrsz, db_col(st, 1, NULL));
		}
		if (perm && scope && (p = perm_parse(perm)) != PERM_NONE)
			scopes[p] = strcmp(scope, "all") == 0 ? SCOPE_ALL :
			    SCOPE_OWN;
	}
	db_stmt_done(st);
	if (rc != CB_ENOTFOUND)
		return rc;
	return rows ? CB_OK : CB_ENOTFOUND;
}

static const char sql_role_insert[] =
    "INSERT INTO roles (name, description) VALUES (?, ?)";
static const char sql_role_update[] =
    "UPDATE roles SET name = ?, description = ? WHERE id = ?";
static const char sql_role_clear[] =
    "DELETE FROM role_permissions WHERE role_id = ?";
static const char sql_role_grant[] =
    "INSERT INTO role_permissions (role_id, permission, scope) "
    "VALUES (?, ?, ?)";

enum cb_err
db_admin_role_save(struct db *db, int64_t *id, const char *name,
    const char *descr, const enum perm_scope scopes[PERM__MAX])
{
	struct db_stmt *st;
	enum cb_err rc;
	int i;

	if ((rc = db_stmt(db, *id ? sql_role_update : sql_role_insert,
	    &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, name);
	db_bind_text(st, 1, descr && *descr ? descr : NULL);
	if (*id)
		db_bind_i64(st, 2, *id);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	if (*id == 0)
		*id = (int64_t)db_insert_id(st);
	if ((rc = db_stmt(db, sql_role_clear, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, *id);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	for (i = 0; i < PERM__MAX; i++) {
		if (scopes[i] == SCOPE_NONE)
			continue;
		if ((rc = db_stmt(db, sql_role_grant, &st)) != CB_OK)
			return rc;
		db_bind_i64(st, 0, *id);
		db_bind_text(st, 1, perm_name((enum perm)i));
		db_bind_text(st, 2, scopes[i] == SCOPE_ALL ? "all" : "own");
		if ((rc = db_exec(st)) != CB_OK)
			return rc;
	}
	return CB_OK;
}
