#include "config.h"

#include "db/line_access.h"
#include "db/live.h"

/* Duration runs to now while the call goes on (the connection is UTC). */
#define LIVE_COLUMNS \
    "c.id, c.state, c.direction, c.client_number, " \
    "COALESCE(cu.name, c.client_name), c.started_at, c.answered_at, " \
    "CASE WHEN c.state = 'ended' THEN GREATEST(0, COALESCE(" \
    "TIMESTAMPDIFF(SECOND, c.started_at, c.ended_at), " \
    "c.wait_seconds + c.talk_seconds)) ELSE GREATEST(0, TIMESTAMPDIFF(" \
    "SECOND, c.started_at, UTC_TIMESTAMP(3))) END, c.client_withheld "

/* ix_calls_state_started (state, started_at) serves the range; the
 * recipient test then runs on a handful of live rows. Same rule as
 * db_live_recipients(): the responsible manager only when nobody rang. */
static const char sql_active[] =
    "SELECT " LIVE_COLUMNS
    "FROM calls c LEFT JOIN customers cu ON cu.id = c.customer_id "
    "WHERE c.state IN ('ringing', 'talking') "
    "AND c.started_at > UTC_TIMESTAMP(3) - INTERVAL 4 HOUR "
    "AND c.direction <> 'internal' AND ("
    "c.manager_id = ? OR c.extension = (SELECT extension FROM users "
    "WHERE id = ?) OR EXISTS (SELECT 1 FROM call_legs g WHERE "
    "g.call_id = c.id AND (g.user_id = ? OR g.extension = (SELECT "
    "extension FROM users WHERE id = ?))) OR (cu.manager_id = ? AND "
    "c.manager_id IS NULL AND (c.extension IS NULL OR c.extension = '') "
    "AND NOT EXISTS (SELECT 1 FROM call_legs g WHERE g.call_id = c.id "
    "AND (g.user_id IS NOT NULL OR g.extension IS NOT NULL)))) "
    "AND NOT FIND_IN_SET(c.id, ?) "
    "ORDER BY c.started_at DESC, c.id DESC LIMIT 20";

enum cb_err
db_live_active(struct db *db, int64_t user_id, struct db_stmt **out)
{
	struct db_stmt *st;
	struct buf hidden;
	enum cb_err rc;
	unsigned i;

	/* The calls of lines the user is not on (lib/auth/line_access.h)
	 * are left out here, as they are left out of the pushed popups. A
	 * list over the cap fails the poll rather than leak a call. */
	buf_init(&hidden, 64 * 1024);
	if ((rc = db_line_hidden_live(db, user_id, &hidden)) != CB_OK) {
		buf_free(&hidden);
		return rc;
	}
	if ((rc = db_stmt(db, sql_active, &st)) != CB_OK) {
		buf_free(&hidden);
		return rc;
	}
	for (i = 0; i < 5; i++)
		db_bind_i64(st, i, user_id);
	db_bind_text(st, 5, buf_cstr(&hidden));
	buf_free(&hidden);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	*out = st;
	return CB_OK;
}
