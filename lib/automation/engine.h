/* What happens after a call is stored (docs/automation.md). The ingest
 * path only queues call.new / call.ended jobs (exactly once per call); the
 * worker runs these, reading the call as it is when the job runs.
 *
 *   call.new    new-call triggers
 *   call.ended  a reached customer (answered incoming or outgoing call)
 *               closes the number's open missed-call and call-back tasks;
 *               a missed incoming call (result missed, no_answer or busy)
 *               makes the missed-call task, the missed lead and runs the
 *               missed-call triggers; an answered call makes the
 *               answered-call lead (incoming, outgoing or all, as the
 *               rule says), then the call's lead follows a manual
 *               transfer (lib/automation/transfer.h).
 * Internal calls and calls from an active user's own number do nothing.
 *
 * Each runs inside the caller's transaction, which also holds the job's
 * row lock and marks it done (tools/worker.c runs a batch of them in one
 * transaction), so a worker killed mid-job reruns it from scratch and
 * nothing happens twice. On failure the caller rolls back. */
#ifndef CB_AUTOMATION_ENGINE_H
#define CB_AUTOMATION_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/conf.h"
#include "db/job.h"

/* Job handlers; err says why on failure. */
enum cb_err engine_call_new(struct db *db, const struct cb_config *cfg,
    const struct job *j, char *err, size_t errsz);
enum cb_err engine_call_ended(struct db *db, const struct cb_config *cfg,
    const struct job *j, char *err, size_t errsz);

/* The rules' words for a call's outcome. */
bool engine_is_missed(const char *direction, const char *result);
bool engine_is_reached(const char *direction, const char *result);

#endif
