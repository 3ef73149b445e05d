/* Triggers (Settings › Triggers): rows of `triggers` with their conditions
 * object and actions array (the automation contract, docs/settings.md),
 * and the runs the engine records per action (trigger_runs).
 *
 * Readers return a prepared statement with its rows buffered; the caller
 * fetches with db_fetch(), reads columns by the enums below and calls
 * db_stmt_done(). Statements are owned by the connection. */
#ifndef CB_DB_TRIGGERS_H
#define CB_DB_TRIGGERS_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

#define TRIGGER_NAME_MAX 128
#define TRIGGER_RUNS_SHOWN 100

enum trigger_col {
	TC_ID, TC_NAME, TC_EVENT, TC_ENABLED, TC_CONDITIONS, TC_ACTIONS,
	TC_RUNS, TC_LAST_RUN, TC_COL__MAX
};

/* All triggers by name, with their run count and last run. */
enum cb_err db_triggers_list(struct db *db, struct db_stmt **out);
/* One, already fetched; CB_ENOTFOUND when none. */
enum cb_err db_trigger_get(struct db *db, int64_t id, struct db_stmt **out);

struct trigger_row {
	const char *name;
	const char *event;        /* "new_call" | "missed_call" */
	bool enabled;
	const char *conditions;   /* JSON object text */
	const char *actions;      /* JSON array text */
};

/* Inserts (*id == 0) or updates *id; CB_ENOTFOUND: no such trigger. */
enum cb_err db_trigger_save(struct db *db, const struct trigger_row *r,
    int64_t user_id, int64_t *id);
enum cb_err db_trigger_set_enabled(struct db *db, int64_t id, bool enabled);
/* Its runs go with it (ON DELETE CASCADE). */
enum cb_err db_trigger_delete(struct db *db, int64_t id);

enum trigger_run_col {
	TR_ID, TR_CALL_ID, TR_ACTION_INDEX, TR_ACTION, TR_RESULT, TR_ERROR,
	TR_CREATED_AT, TR_FINISHED_AT, TR_CALL_NUMBER, TR_COL__MAX
};

/* The newest TRIGGER_RUNS_SHOWN runs of a trigger. */
enum cb_err db_trigger_runs(struct db *db, int64_t id, struct db_stmt **out);

/* Pickers: integrations (id, name) and order statuses (code, name). */
enum cb_err db_trigger_integrations(struct db *db, struct db_stmt **out);
enum cb_err db_trigger_order_statuses(struct db *db, struct db_stmt **out);

#endif
