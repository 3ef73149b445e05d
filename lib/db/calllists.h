/* The history page's short lists (every user, every integration, a user's
 * saved filters of the "calls" page), kept per process behind the version
 * number of sql/migrations/0008_list_versions.sql.
 *
 * Every page needs them (the selects, the rows' manager and provider names)
 * and they change rarely, so a process reads them again only when the
 * version the session query returned (struct user.lists_version) differs
 * from the one its copy was read at. Triggers bump the version in the same
 * transaction as the change, so the next page of every process sees a
 * rename, a new integration or a new saved filter. */
#ifndef CB_DB_CALLLISTS_H
#define CB_DB_CALLLISTS_H

#include <stddef.h>
#include <stdint.h>

#include "db/db.h"

struct call_list_item {
	int64_t id;
	const char *name;
	const char *extra;   /* user: extension; integration: its kind
	                      * (provider); saved filter: its query. NULL when
	                      * the column is NULL */
};

struct call_list {
	const struct call_list_item *v;
	size_t n;
};

/* What a page reads. users and integrations are all of them, in the
 * selects' order (name, id): the rows need every name, the caller caps the
 * selects (CALL_LIST_*_MAX of db/call.h). saved holds the saved_user_id's
 * filters by name (at most CALL_LIST_SAVED_MAX), empty for saved_user_id 0.
 * Borrowed until the next db_call_lists_get() or db_call_lists_free(). */
struct call_lists {
	struct call_list users;
	struct call_list integrations;
	struct call_list saved;
	/* users and integrations again, sorted by id: call_lists_user(). */
	const struct call_list_item *users_by_id, *integrations_by_id;
};

/* The lists at version (0: unknown, read them and keep nothing). Costs no
 * query when this process read them at that version already (and that
 * user's saved filters, when saved_user_id != 0); one otherwise. */
enum cb_err db_call_lists_get(struct db *db, uint64_t version,
    int64_t saved_user_id, const struct call_lists **out);

/* The user or integration with that id in lists (a binary search of
 * *_by_id), NULL when there is none. */
const struct call_list_item *call_lists_user(const struct call_lists *lists,
    int64_t id);
const struct call_list_item *call_lists_integration(
    const struct call_lists *lists, int64_t id);

/* Frees the process's copy (at exit, so that leak checkers stay quiet). */
void db_call_lists_free(void);

#endif
