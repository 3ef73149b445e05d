/* The roles' permissions, kept per process (see roleperms.h). Outside any
 * request, but holds nothing of a user: a role's permissions are the same
 * for everyone who has it, and the role id comes from the session query of
 * each request. */
#include "config.h"

#include <string.h>

#include "core/strparse.h"
#include "db/roleperms.h"

struct slot {
	int64_t role_id;             /* 0: empty */
	uint64_t version;            /* what the query read beside them */
	enum perm_scope perms[PERM__MAX];
};

static struct {
	struct slot v[ROLEPERMS_SLOTS];
	unsigned next;               /* the next slot to reuse, round robin */
} copy;

/* The version and the role's permissions in ONE statement, so in one
 * snapshot (an autocommit statement reads one InnoDB read view): the
 * permissions are exactly those of the version read beside them. Reading
 * the version in one statement and the permissions in another, in either
 * order, could file permissions under a number they do not belong to;
 * with this, a change committed after the session query is simply read
 * under its newer number. */
static const char sql_role_perms[] =
    "SELECT 0, version, NULL FROM list_versions WHERE id = 1 "
    "UNION ALL "
    "SELECT 1, permission, scope FROM role_permissions WHERE role_id = ?";

static enum cb_err
load(struct db *db, int64_t role_id, uint64_t *version,
    enum perm_scope perms[PERM__MAX])
{
	struct db_stmt *st;
	enum cb_err rc;
	int i;

	*version = 0;
	for (i = 0; i < PERM__MAX; i++)
		perms[i] = SCOPE_NONE;
	if ((rc = db_stmt(db, sql_role_perms, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, role_id);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	while ((rc = db_fetch(st)) == CB_OK) {
		const char *a = db_col(st, 1, NULL), *b = db_col(st, 2, NULL);
		enum perm p;
		int64_t v;

		if (db_col_i64(st, 0) == 0) {
			if (a && strparse_i64z(a, 1, INT64_MAX, &v) == CB_OK)
				*version = (uint64_t)v;
		} else if (a && b && (p = perm_parse(a)) != PERM_NONE)
			perms[p] = strcmp(b, "all") == 0 ? SCOPE_ALL :
			    SCOPE_OWN;
	}
	db_stmt_done(st);
	return rc == CB_ENOTFOUND ? CB_OK : rc;
}

/* The slot to fill for role_id: its own, else an empty one, else one
 * read at another version (stale for every request now), else the next
 * in turn. */
static struct slot *
slot_for(int64_t role_id, uint64_t version)
{
	struct slot *s;
	unsigned i;

	for (i = 0; i < ROLEPERMS_SLOTS; i++)
		if (copy.v[i].role_id == role_id)
			return &copy.v[i];
	for (i = 0; i < ROLEPERMS_SLOTS; i++)
		if (copy.v[i].role_id == 0)
			return &copy.v[i];
	for (i = 0; i < ROLEPERMS_SLOTS; i++)
		if (copy.v[i].version != version)
			return &copy.v[i];
	s = &copy.v[copy.next];
	copy.next = (copy.next + 1) % ROLEPERMS_SLOTS;
	return s;
}

enum cb_err
db_role_perms(struct db *db, uint64_t version, int64_t role_id,
    enum perm_scope perms[PERM__MAX])
{
	struct slot *s;
	uint64_t read;
	enum cb_err rc;
	unsigned i;

	if (version != 0 && role_id != 0)
		for (i = 0; i < ROLEPERMS_SLOTS; i++)
			if (copy.v[i].role_id == role_id &&
			    copy.v[i].version == version) {
				memcpy(perms, copy.v[i].perms,
				    sizeof(copy.v[i].perms));
				return CB_OK;
			}
	if ((rc = load(db, role_id, &read, perms)) != CB_OK)
		return rc;
	/* Kept under the number read with them, which may be newer than
	 * the session's: a request that sees that number next uses them. */
	if (read != 0 && role_id != 0) {
		s = slot_for(role_id, read);
		s->role_id = role_id;
		s->version = read;
		memcpy(s->perms, perms, sizeof(s->perms));
	}
	return CB_OK;
}

void
db_role_perms_forget(void)
{
	memset(&copy, 0, sizeof(copy));
}
