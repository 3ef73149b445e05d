/* The roles' permissions, kept per process behind the version number of
 * sql/migrations/0008_list_versions.sql (triggers of 0010_role_versions.sql
 * bump it for roles and role_permissions).
 *
 * Every request with a session needs its role's permissions, and they
 * change rarely, so a process reads a role again only when the version the
 * session query returned (struct user.lists_version) differs from the one
 * its copy was read at. The triggers bump the version in the same
 * transaction as the change, so a revoked permission is refused on the
 * very next request of every process. */
#ifndef CB_DB_ROLEPERMS_H
#define CB_DB_ROLEPERMS_H

#include <stdint.h>

#include "auth/perm.h"
#include "db/db.h"

/* Roles kept at once. A miss is one primary-key range query (the role's
 * first request after a change or after being pushed out). */
#define ROLEPERMS_SLOTS 16

/* The scopes of role_id's permissions into perms (SCOPE_NONE where the
 * role has none), as of version or newer. version 0 (unknown: the
 * list_versions row is missing) reads them and keeps nothing. Costs no
 * query when this process read that role at that version already. */
enum cb_err db_role_perms(struct db *db, uint64_t version, int64_t role_id,
    enum perm_scope perms[PERM__MAX]);

/* Forgets every kept role (tests). */
void db_role_perms_forget(void);

#endif
