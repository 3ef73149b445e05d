/* The line access lists (migration 0026; the rule is lib/auth/line_access.h)
 * and the three places they are applied: the popups of a new call event
 * (lib/calls/ingest.c), the polled active calls (lib/db/live.c), and the
 * integrations click-to-call offers (cgi/dial.c). Rows whose line is no
 * longer one of the integration's numbers are ignored everywhere, so
 * removing a number never leaves a hidden restriction behind. */
#ifndef CB_DB_LINE_ACCESS_H
#define CB_DB_LINE_ACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/line_access.h"
#include "core/buf.h"
#include "db/db.h"

/* May user_id see live calls of line (NULL or "" = no particular line) of
 * integration_id, and call from it? The one question every caller asks. */
enum cb_err db_line_may(struct db *db, int64_t integration_id,
    const char *line, int64_t user_id, bool *ok);

/* Keeps in users[0..*n) only those who may see call_id's line (order
 * kept). On error *n is 0: no popup rather than one to the wrong person. */
enum cb_err db_line_filter_call(struct db *db, int64_t call_id,
    int64_t *users, size_t *n);

/* The ringing or talking calls (those db_live_active() looks at) that
 * user_id may not see, as "12,15" into out (FIND_IN_SET's form; "" when
 * none). out's cap bounds the list: CB_ETOOBIG when it does not fit. */
enum cb_err db_line_hidden_live(struct db *db, int64_t user_id,
    struct buf *out);

/* The settings page: (line, user id) rows of one integration, lines in
 * order ("" first). Statement owned by the connection. */
enum line_access_col { LA_LINE, LA_USER_ID, LA__MAX };
enum cb_err db_line_access_list(struct db *db, int64_t integration_id,
    struct db_stmt **out);

/* One row to save. */
struct line_grant {
	const char *line;               /* "" = any line of the integration */
	int64_t user_id;
};
/* Replaces the integration's lists with g[0..n) in one transaction.
 * CB_ENOTFOUND when the integration is gone; a user id that is not a
 * user fails the foreign key (CB_EDB): validate first. */
enum cb_err db_line_access_save(struct db *db, int64_t integration_id,
    const struct line_grant *g, size_t n);

#endif
