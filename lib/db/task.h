/* Tasks (issue 6 §1, schema: tasks, task_assignees, task_calls): creating
 * them, gathering later calls of the same number into the open one,
 * closing them when the customer is reached, and completing them.
 *
 * Modes: "shared" is ONE tasks row with several task_assignees rows (done
 * by one = done, done_by keeps who); "each" is one tasks row per assignee.
 * Every function runs inside the caller's transaction except
 * db_task_complete(), which is a transaction of its own (a page's or the
 * API's one action). */
#ifndef CB_DB_TASK_H
#define CB_DB_TASK_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

#define TASK_MAX_ASSIGNEES 20

struct task_new {
	const char *kind;          /* missed_call, call_back, manual, trigger */
	const char *title;         /* cut to 255 characters */
	const char *body;          /* or NULL */
	bool each;                 /* one task per assignee */
	const char *phone;         /* E.164 of the customer, or NULL */
	int64_t customer_id, order_id, lead_id;   /* 0 = none */
	int64_t call_id;           /* the first call (also a task_calls row) */
	int64_t author_id;         /* 0 = none */
	const int64_t *assignees;  /* 1..TASK_MAX_ASSIGNEES user ids */
	unsigned nassignees;
	unsigned due_minutes;      /* due = now + this */
};

/* Creates the task (or, with each, one per assignee). *first_id = the id
 * of the first row. */
enum cb_err db_task_create(struct db *db, const struct task_new *t,
    int64_t *first_id);

/* Adds call_id to every OPEN task of this kind for phone (task_calls) and
 * returns how many there were in *joined and the oldest id in *first_id
 * (0 when none). With due_minutes > 0 a joined task's due time moves
 * earlier if now + due_minutes is sooner; with user_id > 0 that user is
 * made an assignee too (a manager asking to call back the same number). */
enum cb_err db_task_join_open(struct db *db, const char *kind,
    const char *phone, int64_t call_id, unsigned due_minutes,
    int64_t user_id, unsigned *joined, int64_t *first_id);

/* The customer was reached by call_id: every open missed_call and
 * call_back task for phone is done, closed_by_call_id = call_id, done_by
 * NULL. *closed = how many. */
enum cb_err db_task_close_reached(struct db *db, const char *phone,
    int64_t call_id, unsigned *closed);

/* user_id marks task_id done, in one transaction: CB_ENOTFOUND (no such
 * task), CB_EDENIED (the user is not one of its assignees), CB_DUPLICATE
 * (it was done or cancelled already: nothing changes), else CB_OK. A shared
 * task is done for everybody, done_by = user_id; the user's own
 * task_assignees row gets done_at either way. */
enum cb_err db_task_complete(struct db *db, int64_t task_id,
    int64_t user_id);

#endif
