/* Keeping the analytics summaries (migration 0028) in step with the calls:
 * the worker's part. Every change of a call that a figure counts leaves a
 * row in analytics_dirty (a trigger, in the writer's transaction);
 * cb_analytics_fold() recomputes those hours from the calls and deletes
 * the rows it read, so each change is folded exactly once however often,
 * and by whom, it runs (an_fold, lib/analytics/query.h). The page folds
 * a small rest itself before reading (an_q_source). */
#ifndef CB_ANALYTICS_FOLD_H
#define CB_ANALYTICS_FOLD_H

#include "db/db.h"

#define AN_FOLD_PERIOD 1        /* seconds between the worker's folds */
#define AN_FOLD_BATCH_HOURS 168 /* hours per fold: a week of a backlog */
#define AN_FOLD_BUDGET 5        /* seconds one tick may spend on a backlog */

/* Called on every turn of the worker's loop: at most every AN_FOLD_PERIOD
 * seconds, folds batches until nothing is dirty or AN_FOLD_BUDGET has
 * passed (a backlog after an upgrade is folded over several ticks, jobs
 * running between them). Failures are logged and tried again later. */
void an_fold_tick(struct db *db);

#endif
