/* Reading the listening log (issue 4 §4): who played or downloaded which
 * recording, when. Newest first, keyset pages on (created_at, id); a user
 * filter rides ix_listening_log_user, a call filter ix_listening_log_call,
 * no filter ix_listening_log_created. The rows are written by
 * db_listen_log() (db/access.h) on every request for the bytes. */
#ifndef CB_DB_LISTENING_H
#define CB_DB_LISTENING_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

struct listening_filter {
	int64_t user_id;           /* 0 = anyone */
	int64_t call_id;           /* 0 = any call */
	const char *from_utc;      /* created_at >=, or NULL */
	const char *to_utc;        /* created_at <=, or NULL */
	bool has_cursor;           /* the last row of the previous page */
	const char *cursor_at;
	int64_t cursor_id;
	unsigned limit;            /* 1..1000 */
};

enum listening_col {
	LISTEN_ID, LISTEN_CREATED_AT, LISTEN_USER_ID, LISTEN_USER_NAME,
	LISTEN_CALL_ID, LISTEN_ACTION, LISTEN_CONTEXT, LISTEN_IP,
	LISTEN_USER_AGENT, LISTEN_COL__MAX
};

/* Runs the query; fetch rows and read them by enum listening_col. */
enum cb_err db_listening_list(struct db *db, const struct listening_filter *f,
    struct db_stmt **out);

#endif
