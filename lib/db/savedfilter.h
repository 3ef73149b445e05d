/* A user's named filters of a list page (issue 4 §1): the page's URL query
 * saved under a name, shown above the filters as links. */
#ifndef CB_DB_SAVEDFILTER_H
#define CB_DB_SAVEDFILTER_H

#include <stdint.h>

#include "db/db.h"

#define SAVEDFILTER_NAME_MAX 100   /* characters */
#define SAVEDFILTER_QUERY_MAX 2048 /* bytes */
#define SAVEDFILTER_PER_PAGE 50

/* Rows: id, name, query; by name. */
enum cb_err db_savedfilter_list(struct db *db, int64_t user_id,
    const char *page, struct db_stmt **out);
/* Saves, or replaces the query of the user's filter with that name. */
enum cb_err db_savedfilter_save(struct db *db, int64_t user_id,
    const char *page, const char *name, const char *query);
/* Only the user's own; CB_ENOTFOUND otherwise. */
enum cb_err db_savedfilter_delete(struct db *db, int64_t user_id, int64_t id);

#endif
