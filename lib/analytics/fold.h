/* Keeping the analytics summaries in step with the calls: the worker's
 * part. Every change of a call that a figure counts leaves a row in
 * analytics_dirty (its hour: 0028's hourly counts) and, when the call has
 * a number, in analytics_numbers_dirty (0032: the number's missed calls'
 * follow-ups and its first call; a later call of a number changes its
 * earlier missed calls, so a number is folded whole). Triggers write them
 * in the writer's transaction; cb_analytics_fold() recomputes those hours
 * and numbers from the calls and deletes the rows it read, so each change
 * is folded exactly once however often, and by whom, it runs (an_fold,
 * lib/analytics/query.h), one folder at a time (a lease row, not GET_LOCK:
 * Galera refuses that). The page folds a small rest itself before reading
 * (an_q_source). */
#ifndef CB_ANALYTICS_FOLD_H
#define CB_ANALYTICS_FOLD_H

#include "db/db.h"

#define AN_FOLD_PERIOD 1        /* seconds between the worker's folds */
#define AN_FOLD_BATCH_HOURS 168 /* hours per fold: a week of a backlog;
                                 * and the numbers of 20 times as many
                                 * dirty rows, with at most 50 calls an
                                 * hour (cb_analytics_fold_pick, 0037) */
#define AN_FOLD_BUDGET 5        /* seconds one tick may spend on a backlog */

/* Called on every turn of the worker's loop: at most every AN_FOLD_PERIOD
 * seconds, folds batches until nothing is dirty or AN_FOLD_BUDGET has
 * passed (a backlog after an upgrade is folded over several ticks, jobs
 * running between them). Failures are logged and tried again later. */
void an_fold_tick(struct db *db);

#endif
