/* "My tasks", "missed calls not yet handled" and notifications: the
 * queries of cgi/tasks.c, always narrowed to one user. Task semantics are
 * the automation contract's (docs/settings.md): mode 'shared' is one tasks
 * row with several assignees, done by one for all; mode 'each' is one row
 * per assignee.
 *
 * Readers return a prepared statement with its rows buffered; the caller
 * fetches with db_fetch(), reads columns by the enums below and calls
 * db_stmt_done(). Statements are owned by the connection. */
#ifndef CB_DB_TASKLIST_H
#define CB_DB_TASKLIST_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

/* Rows on one page: more than this many open tasks is a backlog, and the
 * page says so rather than drawing thousands. */
#define TASKLIST_MAX 200

/* Columns of db_tasklist_open() and db_tasklist_done(). */
enum tasklist_col {
	TL_ID, TL_KIND, TL_TITLE, TL_BODY, TL_MODE, TL_PHONE, TL_CALL_ID,
	TL_CUSTOMER_ID, TL_CUSTOMER_NAME, TL_ORDER_ID, TL_LEAD_ID, TL_DUE_AT,
	TL_OVERDUE, TL_DUE_TODAY, TL_CREATED_AT, TL_AUTHOR, TL_DONE_AT,
	TL_ASSIGNEES, TL_COL__MAX
};

/* Columns of db_tasklist_calls(): every call gathered into the listed
 * tasks (tasks.call_id and task_calls), oldest first per task. */
enum tasklist_call_col {
	TLC_TASK_ID, TLC_CALL_ID, TLC_STARTED_AT, TLC_RESULT, TLC_DIRECTION,
	TLC_COL__MAX
};

/* The user's open tasks (their own assignment not done), due first. */
enum cb_err db_tasklist_open(struct db *db, int64_t user_id,
    struct db_stmt **out);
/* The tasks the user completed, newest first. */
enum cb_err db_tasklist_done(struct db *db, int64_t user_id,
    struct db_stmt **out);
/* How many open tasks the user has (no row cap): the navigation's
 * counter. */
enum cb_err db_tasklist_open_count(struct db *db, int64_t user_id,
    int64_t *count);
/* The calls of the same tasks as db_tasklist_open (done = false) or
 * db_tasklist_done (done = true). */
enum cb_err db_tasklist_calls(struct db *db, int64_t user_id, bool done,
    struct db_stmt **out);

/* Completes task_id for user_id in one transaction: the task becomes
 * done, done_by the user, and the user's assignment done. CB_ENOTFOUND:
 * no such task among the user's; CB_DUPLICATE: it is already done (by
 * someone sharing it, or by the call that reached the customer). */
enum cb_err db_tasklist_complete(struct db *db, int64_t task_id,
    int64_t user_id);

/* Columns of db_tasklist_missed(). */
enum missed_col {
	MC_CALL_ID, MC_NUMBER, MC_STARTED_AT, MC_CUSTOMER_ID, MC_CUSTOMER_NAME,
	MC_MANAGER_NAME, MC_RESULT, MC_OPEN_TASK_ID, MC_COL__MAX
};

/* Incoming missed calls of the last `days` days that no answered call
 * with that number has followed and that no done task holds, newest
 * first. manager_id != 0 narrows to that manager's calls (role scope
 * "own"). */
enum cb_err db_tasklist_missed(struct db *db, int days, int64_t manager_id,
    struct db_stmt **out);

/* Columns of db_notifications(). */
enum notif_col {
	NC_ID, NC_KIND, NC_TITLE, NC_BODY, NC_URL, NC_CALL_ID, NC_READ_AT,
	NC_CREATED_AT, NC_COL__MAX
};

/* The user's notifications, newest first (at most TASKLIST_MAX). */
enum cb_err db_notifications(struct db *db, int64_t user_id,
    struct db_stmt **out);
enum cb_err db_notifications_unread(struct db *db, int64_t user_id,
    int64_t *count);
/* CB_ENOTFOUND: not one of the user's. Reading twice is fine. */
enum cb_err db_notification_read(struct db *db, int64_t id,
    int64_t user_id);
enum cb_err db_notifications_read_all(struct db *db, int64_t user_id,
    int64_t *marked);

#endif
