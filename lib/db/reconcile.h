/* Reconciliation runs and the event inspector (issue 17 §3; migration
 * 0019): the statements of lib/reconcile/ and of the integration's status
 * page. Times are unix seconds in and out. */
#ifndef CB_DB_RECONCILE_H
#define CB_DB_RECONCILE_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

#define JOB_RECONCILE "reconcile.run"

/* What a run found (reconcile_runs' counters). */
struct reconcile_counts {
	unsigned records;    /* history records read */
	unsigned recovered;  /* calls that were missing: created now */
	unsigned completed;  /* events stored on calls we had */
	unsigned unchanged;  /* already stored: duplicates */
	unsigned refused;    /* records the adapter or the database refused */
};

/* Queues a run of trigger ("schedule", "admin") with its worker job
 * {"run_id": N} in one transaction. */
enum cb_err db_reconcile_queue(struct db *db, int64_t integration_id,
    const char *trigger, int64_t from_s, int64_t to_s, int64_t *run_id);
/* A run started here and now (`callboard reconcile`): state running. */
enum cb_err db_reconcile_start(struct db *db, int64_t integration_id,
    const char *trigger, int64_t from_s, int64_t to_s, int64_t *run_id);
/* A run's integration slug (copied into slug) and window. CB_ENOTFOUND
 * when there is no such run. */
enum cb_err db_reconcile_get(struct db *db, int64_t run_id, char *slug,
    size_t slugsz, int64_t *from_s, int64_t *to_s);
enum cb_err db_reconcile_running(struct db *db, int64_t run_id);
/* ok, or failed with error (never a secret: lib/reconcile/run.c). */
enum cb_err db_reconcile_finish(struct db *db, int64_t run_id, bool ok,
    const struct reconcile_counts *n, const char *error);

/* Enabled integrations with no run queued or running in the last hour:
 * columns id, kind, config (JSON text). */
enum cb_err db_reconcile_candidates(struct db *db, struct db_stmt **out);

/* The newest runs of an integration: id, trigger_kind, window_from,
 * window_to, state, created_at, finished_at, records, recovered,
 * completed, unchanged, refused, error (times as DATETIME text, UTC). */
enum cb_err db_reconcile_runs(struct db *db, int64_t integration_id,
    unsigned limit, struct db_stmt **out);

/* The newest call_events row of an integration: received_at, source,
 * kind. CB_ENOTFOUND when it has none. */
enum cb_err db_integration_last_event(struct db *db, int64_t integration_id,
    struct db_stmt **out);

/* An event that was not stored (outcome "duplicate", "denied",
 * "malformed", "refused"), for the inspector. Strings may be NULL. */
enum cb_err db_event_outcome_add(struct db *db, int64_t integration_id,
    const char *source, const char *outcome, const char *kind,
    const char *external_id, const char *why, const char *preview);
/* The inspector: the newest limit events of an integration, stored
 * (call_events) or not (event_outcomes), newest first: received_at,
 * source, outcome, kind, external_id, why, payload (call_events: the
 * first 2000 characters; event_outcomes: the redacted preview),
 * stored (1 for a call_events row, whose payload is raw). */
enum cb_err db_event_inspector(struct db *db, int64_t integration_id,
    unsigned limit, struct db_stmt **out);
/* Deletes event_outcomes older than days (in batches). */
enum cb_err db_event_outcomes_purge(struct db *db, unsigned days,
    uint64_t *n);

#endif
