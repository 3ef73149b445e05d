/* The call card (issue 5 §1): one call with everything a manager needs
 * while the phone rings: who it is, their open orders and leads, the store
 * of the number called, the leg timeline, notes, and open call-back tasks;
 * and the two things the card writes: a note and a call-back task.
 *
 * Readers return a prepared statement with its rows buffered; the caller
 * fetches with db_fetch(), reads columns by the enums below and calls
 * db_stmt_done(). Statements are owned by the connection. */
#ifndef CB_DB_CARD_H
#define CB_DB_CARD_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

/* Open orders and leads shown on one card: a customer with more than this
 * is rare, and the card links to their full feed. */
#define CARD_LIST_MAX 20
/* Notes and call-back tasks on one card. */
#define CARD_NOTES_MAX 100
#define CARD_TASKS_MAX 20
/* A note's length in characters (code points), as the form says. */
#define CARD_NOTE_MAX 4000

/* Columns of db_card_call(). */
enum card_col {
	CARD_ID, CARD_EXTERNAL_ID, CARD_DIRECTION, CARD_STATE, CARD_RESULT,
	CARD_CLIENT_NUMBER, CARD_CLIENT_NAME, CARD_OUR_NUMBER,
	CARD_MANAGER_ID, CARD_MANAGER_NAME, CARD_MANAGER_LOGIN, CARD_EXTENSION,
	CARD_CUSTOMER_ID, CARD_CUSTOMER_NAME, CARD_ORDER_ID, CARD_LEAD_ID,
	CARD_LEAD_NAME, CARD_STORE_ID, CARD_STORE_NAME, CARD_STARTED_AT,
	CARD_ANSWERED_AT, CARD_ENDED_AT, CARD_DURATION, CARD_TALK, CARD_WAIT,
	CARD_HANGUP_CAUSE, CARD_RECORDING_STATE, CARD_COMMENT,
	CARD_INTEGRATION_NAME, CARD_INTEGRATION_KIND,
	CARD_CLIENT_WITHHELD,   /* "1": the caller withheld their number */
	CARD_INTEGRATION_SLUG,  /* to load its settings (hang-up) */
	CARD_COL__MAX
};

/* Columns of db_card_legs(). */
enum card_leg_col {
	LEG_TYPE, LEG_EXTENSION, LEG_USER_NAME, LEG_NUMBER, LEG_STATE,
	LEG_RESULT, LEG_STARTED_AT, LEG_ANSWERED_AT, LEG_ENDED_AT, LEG_TALK,
	LEG_OFFSET,        /* seconds from the call's start to the leg's */
	LEG_COL__MAX
};

/* Columns of db_card_orders(). */
enum card_order_col {
	ORD_ID, ORD_NUMBER, ORD_STATUS, ORD_TOTAL, ORD_CURRENCY, ORD_STORE,
	ORD_CREATED_AT, ORD_COL__MAX
};

/* Columns of db_card_leads(). */
enum card_lead_col {
	LEAD_ID, LEAD_NAME, LEAD_TYPE, LEAD_CUSTOMER_ID, LEAD_CREATED_AT,
	LEAD_COL__MAX
};

/* Columns of db_card_notes(). */
enum card_note_col {
	NOTE_ID, NOTE_AUTHOR, NOTE_BODY, NOTE_CREATED_AT, NOTE_COL__MAX
};

/* Columns of db_card_callbacks(). */
enum card_task_col {
	TASK_ID, TASK_TITLE, TASK_DUE_AT, TASK_OVERDUE, TASK_AUTHOR,
	TASK_COL__MAX
};

/* The call with its customer, lead, manager, store and line.
 * CB_ENOTFOUND when there is no such call; then nothing is left to free. */
enum cb_err db_card_call(struct db *db, int64_t call_id,
    struct db_stmt **out);
/* Its legs in the order they started. */
enum cb_err db_card_legs(struct db *db, int64_t call_id,
    struct db_stmt **out);
/* The customer's orders whose status is in the group "open", newest
 * first. */
enum cb_err db_card_orders(struct db *db, int64_t customer_id,
    struct db_stmt **out);
/* Open leads of the customer (customer_id > 0) or for the number (phone
 * not NULL), newest first. */
enum cb_err db_card_leads(struct db *db, int64_t customer_id,
    const char *phone, struct db_stmt **out);
/* The call's notes, oldest first. */
enum cb_err db_card_notes(struct db *db, int64_t call_id,
    struct db_stmt **out);
/* Open call-back tasks for the number (phone may be NULL) or linked to the
 * call, soonest due first. */
enum cb_err db_card_callbacks(struct db *db, int64_t call_id,
    const char *phone, struct db_stmt **out);

/* Saves a note by user_id and makes it the call's comment (the history
 * shows the latest note), in one transaction. body is 1..CARD_NOTE_MAX
 * characters, checked by the caller. */
enum cb_err db_card_add_note(struct db *db, int64_t call_id, int64_t user_id,
    const char *body, int64_t *note_id);

/* What a call-back task is made of. */
struct card_callback {
	int64_t call_id;
	int64_t user_id;         /* author and the one assignee */
	unsigned minutes;        /* due = now + minutes */
	const char *title;
	const char *phone;       /* NULL when the call has no number */
	int64_t customer_id;     /* 0 = none */
	int64_t order_id;
	int64_t lead_id;
};

/* Creates the task, its assignee and its link to the call in one
 * transaction; or, when the number already has an open call-back task,
 * joins that one (db_task_join_open: this call, this user, the sooner due
 * time). *task_id = the task created or joined; *joined says which. */
enum cb_err db_card_add_callback(struct db *db, const struct card_callback *t,
    int64_t *task_id, bool *joined);

#endif
