/* Reading calls for the history pages and feeds. The query is assembled
 * from static fragments only (one per filter), every value is bound, and
 * every combination is served by an index of 0001_core.sql: each filter
 * leads with its equality column, then (started_at, id) for the keyset. */
#ifndef CB_DB_CALL_H
#define CB_DB_CALL_H

#include <stdint.h>

#include "db/db.h"

#define CALL_PAGE_MAX 200

struct call_filter {
	int64_t manager_id;        /* 0 = any */
	int64_t customer_id;
	int64_t order_id;
	const char *direction;     /* "in", "out", "internal" or NULL */
	const char *result;        /* a calls.result value or NULL */
	const char *digits_rev;    /* reversed digits: suffix search */
	const char *external_id;   /* the provider's call id, exact */
	const char *from_utc;      /* started_at >= */
	const char *to_utc;        /* started_at <= */
	const char *before_at;     /* keyset cursor: (started_at, id) < */
	int64_t before_id;
	unsigned limit;            /* 1..CALL_PAGE_MAX */
};

/* Columns of a listed row, in order. */
enum call_col {
	CALL_ID, CALL_STARTED_AT, CALL_DIRECTION, CALL_RESULT, CALL_STATE,
	CALL_CLIENT_NUMBER, CALL_CLIENT_NAME, CALL_OUR_NUMBER, CALL_EXTENSION,
	CALL_TALK, CALL_WAIT, CALL_RECORDING_STATE, CALL_COMMENT,
	CALL_CUSTOMER_ID, CALL_CUSTOMER_NAME, CALL_ORDER_ID, CALL_LEAD_ID,
	CALL_LEAD_NAME, CALL_MANAGER_NAME, CALL_INTEGRATION_NAME,
	CALL_INTEGRATION_KIND, CALL_EXTERNAL_ID, CALL_COL__MAX
};

/* Runs the list query; the caller fetches rows with db_fetch() and reads
 * columns by enum call_col. */
enum cb_err db_call_list(struct db *db, const struct call_filter *f,
    struct db_stmt **out);

#endif
