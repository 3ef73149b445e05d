/* What the automation engine reads and writes (issue 6, docs/automation.md):
 * the three rules, the triggers, the facts of a call, leads, notifications,
 * trigger runs, and the customers and orders trigger actions create. Every
 * function runs inside the caller's transaction. */
#ifndef CB_DB_AUTOMATION_H
#define CB_DB_AUTOMATION_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"
#include "db/task.h"

/* automation_rules, one row per kind. Assignees are the active users of
 * assignee_ids, in order (the first is the author). */
struct auto_rule {
	bool enabled;
	int64_t assignees[TASK_MAX_ASSIGNEES];
	unsigned nassignees;
	bool each;                     /* task_mode 'each' */
	unsigned due_offset_minutes;
	char lead_type[41];            /* "" = the column default */
	int64_t lead_manager_id;       /* 0 = none */
	bool even_if_open_order;
	bool even_if_open_lead;
	bool for_in, for_out;          /* call_directions: in, out or all */
	char lead_origin[241];         /* leads.origin to write; "" = none */
};

/* A missing row reads as disabled. */
enum cb_err db_auto_rule(struct db *db, const char *kind, struct auto_rule *r);

/* The facts automation decides on, read when the job runs (the call's
 * final state). */
struct auto_call {
	int64_t id;
	int64_t integration_id;
	char direction[10];            /* in, out, internal */
	char state[10];
	char result[12];
	char client_number[33];        /* E.164, or "" */
	char client_name[256];
	char our_number[33];
	int64_t manager_id;            /* the call's, 0 = none */
	int64_t customer_id;           /* newest customer with the number, else
	                                * the call's link; 0 = unknown */
	char customer_name[256];
	int64_t customer_manager_id;
	int64_t store_id;
	char started_at[24];           /* UTC "YYYY-MM-DD HH:MM:SS" */
	char ended_at[24];             /* or "" */
	int64_t started_unix;
	bool own_number;               /* client_number is an active user's */
};

/* CB_ENOTFOUND when the call is gone. */
enum cb_err db_auto_call(struct db *db, int64_t call_id, struct auto_call *c);

#define AUTO_MAX_TRIGGERS 100

struct auto_trigger {
	int64_t id;
	char name[129];
	char *conditions;              /* JSON text; freed by db_auto_triggers_free */
	char *actions;
};

/* The enabled triggers of event ("new_call", "missed_call"), oldest
 * first, at most AUTO_MAX_TRIGGERS. */
enum cb_err db_auto_triggers(struct db *db, const char *event,
    struct auto_trigger *out, unsigned *n);
void db_auto_triggers_free(struct auto_trigger *t, unsigned n);
/* Whether event has any enabled trigger (cached like db_auto_triggers). */
enum cb_err db_auto_any_triggers(struct db *db, const char *event,
    bool *any);
/* Between begin and end, db_auto_rule() and db_auto_triggers() read each
 * rule and each event's triggers once and answer from memory afterwards:
 * the worker brackets one batch of jobs (one transaction) with them, so a
 * rule edited meanwhile applies from the next batch on. */
void db_auto_cache_begin(void);
void db_auto_cache_end(void);
/* One trigger's actions JSON (caller frees), for a job that needs the
 * action's secret at send time. CB_ENOTFOUND when the trigger is gone. */
enum cb_err db_auto_trigger_actions(struct db *db, int64_t trigger_id,
    char **actions);

/* The customer's latest open order / latest open lead (0 = none). */
enum cb_err db_auto_latest_order(struct db *db, int64_t customer_id,
    int64_t *id);
enum cb_err db_auto_latest_lead(struct db *db, int64_t customer_id,
    int64_t *id);
/* An open lead of the customer, or for the number when customer_id is 0. */
enum cb_err db_auto_has_open_lead(struct db *db, int64_t customer_id,
    const char *phone, bool *yes);
/* The customer has an open order whose status code is code. */
enum cb_err db_auto_has_order_in(struct db *db, int64_t customer_id,
    const char *code, bool *yes);

struct auto_lead {
	int64_t customer_id;           /* 0 = none */
	const char *name;
	const char *phone;
	const char *lead_type;         /* NULL = the default */
	const char *source;            /* auto_missed, auto_received, trigger */
	int64_t manager_id;
	int64_t call_id;
	const char *comment;           /* or NULL */
	const char *origin;            /* leads.origin, or NULL */
};
enum cb_err db_auto_lead_create(struct db *db, const struct auto_lead *l,
    int64_t *id);

enum cb_err db_auto_notify(struct db *db, int64_t user_id, const char *kind,
    const char *title, const char *body, const char *url, int64_t call_id,
    int64_t trigger_id);

/* A trigger_runs row: CB_DUPLICATE when this (trigger, call, action) ran
 * already. error may be NULL. */
enum cb_err db_auto_run_add(struct db *db, int64_t trigger_id,
    int64_t call_id, unsigned action_index, const char *action,
    const char *result, const char *error, int64_t *run_id);
enum cb_err db_auto_run_set_job(struct db *db, int64_t run_id,
    int64_t job_id);
/* result ok/failed (finished now), or queued with the last error. */
enum cb_err db_auto_run_finish(struct db *db, int64_t run_id,
    const char *result, const char *error);

/* An order in the status with this code: CB_ENOTFOUND for an unknown code. */
enum cb_err db_auto_order_create(struct db *db, int64_t customer_id,
    const char *status_code, int64_t manager_id, int64_t store_id,
    int64_t *id);
/* Links the call to a customer (when it has none) and an order (when
 * order_id > 0). */
enum cb_err db_auto_call_link(struct db *db, int64_t call_id,
    int64_t customer_id, int64_t order_id);

#endif
