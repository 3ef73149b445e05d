/* Running a reconciliation (issue 17 §3): ask the provider's history API
 * (lib/reconcile/history.h) for the calls of a window, page by page, and
 * store every record through the receive pipeline (lib/calls/receive.c)
 * with source 'reconcile'. All pages are read and checked before anything
 * is stored: a history API that fails or answers garbage leaves stored
 * data untouched, and the run says why (reconcile_runs.error, shown on the
 * integration's settings page).
 *
 * Requests go through lib/net/httpc (caps, timeouts, only public
 * addresses unless the integration's allow_private_hosts says otherwise);
 * log lines and errors name the API's origin, never a key, secret,
 * signature or query. */
#ifndef CB_RECONCILE_RUN_H
#define CB_RECONCILE_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/conf.h"
#include "db/db.h"
#include "db/integration.h"
#include "db/reconcile.h"
#include "reconcile/history.h"

/* Pulls and stores window w of integration ig. CB_OK with n filled;
 * otherwise err says why, for a person:
 *   CB_EINVAL     the integration cannot be reconciled as configured
 *                 (no history API for its kind, missing keys, api_base)
 *   CB_EUPSTREAM  the API failed, timed out or answered garbage: nothing
 *                 was stored
 *   CB_EDB        the database went away mid-run (what was stored stays:
 *                 a second run completes it, once) */
enum cb_err reconcile_pull(struct db *db, const struct cb_config *cfg,
    const struct integration *ig, const struct hist_window *w,
    struct reconcile_counts *n, char *err, size_t errsz);

/* Runs reconcile_runs row run_id (queued by the schedule or the settings
 * page, or started by `callboard reconcile`) and records its outcome.
 * CB_OK once the outcome is recorded (also a failed run: the next run
 * tries again); CB_EDB when it could not be; CB_ENOTFOUND: no such run. */
enum cb_err reconcile_execute(struct db *db, const struct cb_config *cfg,
    int64_t run_id, struct reconcile_counts *n, bool *ok, char *err,
    size_t errsz);

/* The worker's schedule: every cfg->reconcile_seconds (0 = never), a run
 * over the last reconcile_window_hours for every enabled integration whose
 * kind has a history API, unless its config says "reconcile": false or a
 * run of it is already waiting. Also keeps event_outcomes to 7 days. */
void reconcile_schedule(struct db *db, const struct cb_config *cfg);

/* Whether an integration of this kind and config is reconciled by the
 * schedule. */
bool reconcile_enabled(const char *kind, struct json_object *config);

#endif
