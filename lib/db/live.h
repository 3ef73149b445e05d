/* Queries of the live popups (issue 5 §2): what a popup says about a call,
 * who gets it, and the active calls a page polls when nchan is missing.
 * Readers return a prepared statement with its rows buffered; the caller
 * fetches with db_fetch(), reads columns by the enums below and calls
 * db_stmt_done(). Statements are owned by the connection. */
#ifndef CB_DB_LIVE_H
#define CB_DB_LIVE_H

#include <stdint.h>

#include "db/db.h"

/* Columns of each row of db_live_recipients() and db_live_active(). */
enum live_col {
	LIVE_ID, LIVE_STATE, LIVE_DIRECTION, LIVE_NUMBER, LIVE_NAME,
	LIVE_STARTED_AT, LIVE_ANSWERED_AT, LIVE_DURATION,
	LIVE_COL__MAX
};

/* Active calls older than this are left out of the poll: a provider that
 * never sent "ended" must not keep a popup open for ever. */
#define LIVE_ACTIVE_HOURS 4
#define LIVE_ACTIVE_MAX 20
/* More recipients than this for one call is a ring group gone wild. */
#define LIVE_RECIPIENTS_MAX 64

/* The managers to notify about call_id, each row with the call's popup
 * columns (enum live_col) followed by LIVE_RCPT_USER (the user id) and
 * LIVE_RCPT_PRIO (1 rang, 2 responsible manager). The users whose extension
 * rang (legs, the call's extension) or who took the call; when there are
 * none, the customer's responsible manager. Active users only, at most
 * LIVE_RECIPIENTS_MAX rows; none when nobody is to be told. */
#define LIVE_RCPT_USER LIVE_COL__MAX
#define LIVE_RCPT_PRIO (LIVE_COL__MAX + 1)
enum cb_err db_live_recipients(struct db *db, int64_t call_id,
    struct db_stmt **out);
/* The ringing or talking calls that user_id would get popups for, newest
 * first, at most LIVE_ACTIVE_MAX (the enum live_col columns). */
enum cb_err db_live_active(struct db *db, int64_t user_id,
    struct db_stmt **out);

#endif
