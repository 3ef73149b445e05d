/* Queries of the live popups (issue 5 §2): what a popup says about a call,
 * who gets it, and the active calls a page polls when nchan is missing.
 * The recipients of a new event come from the ingest procedure itself
 * (sql/migrations/0011_ingest_no_temp_tables.sql). Readers return a prepared
 * statement with its rows buffered; the caller fetches with db_fetch(),
 * reads columns by the enums below and calls db_stmt_done(). Statements
 * are owned by the connection. */
#ifndef CB_DB_LIVE_H
#define CB_DB_LIVE_H

#include <stdint.h>

#include "db/db.h"

/* Columns of each row of db_live_active() and of the recipients rows. */
enum live_col {
	LIVE_ID, LIVE_STATE, LIVE_DIRECTION, LIVE_NUMBER, LIVE_NAME,
	LIVE_STARTED_AT, LIVE_ANSWERED_AT, LIVE_DURATION,
	LIVE_WITHHELD,          /* 1: the caller withheld their number */
	LIVE_COL__MAX
};

/* Active calls older than this are left out of the poll: a provider that
 * never sent "ended" must not keep a popup open for ever. */
#define LIVE_ACTIVE_HOURS 4
#define LIVE_ACTIVE_MAX 20
/* More recipients than this for one call is a ring group gone wild. */
#define LIVE_RECIPIENTS_MAX 64

/* The popup's recipients (db_ingest_call(), lib/db/ingest.h: its row from
 * INGEST_LIVE_BASE on) are the enum live_col columns, then these two: the
 * ids of the users the call rang for or who took it, comma-separated
 * (calls.live_users, migration 0009; NULL when none), and the customer's
 * active responsible manager (NULL when none), who counts only when nobody
 * rang. */
#define LIVE_RCPT_USERS LIVE_COL__MAX
#define LIVE_RCPT_RESPONSIBLE (LIVE_COL__MAX + 1)
/* The ringing or talking calls that user_id would get popups for, newest
 * first, at most LIVE_ACTIVE_MAX (the enum live_col columns). */
enum cb_err db_live_active(struct db *db, int64_t user_id,
    struct db_stmt **out);

#endif
