/* Replaying provider requests kept for later through the receive pipeline
 * (lib/calls/receive.h), so a replayed event is stored exactly as it would
 * have been: the spool (lib/calls/spool.h; the database was down) and dead
 * letters (issue 16 §4: the database refused the row; db/job.h). */
#ifndef CB_CALLS_REPLAY_H
#define CB_CALLS_REPLAY_H

#include <stddef.h>

#include <json-c/json.h>

#include "calls/spool.h"
#include "core/err.h"
#include "db/db.h"

/* One spooled record: CB_EDB to keep it for later (the database is
 * down); CB_OK when it is stored, refused for its signature (logged), or
 * kept as a dead letter (it can never be stored as it is: a malformed or
 * refused event, an integration that is gone). */
enum cb_err replay_record(struct db *db, struct json_object *rec);
/* Keeps a request the database refused as a dead letter (logged). CB_EDB
 * when even that cannot be written. */
enum cb_err replay_dead_letter(struct db *db, const struct spool_rec *r,
    const char *why);
/* The worker's handler for a dead letter an admin retries (payload of a
 * JOB_DEAD_LETTER job): CB_OK once stored; CB_EDB (retry later) when the
 * database is down; CB_EINVAL with err when it is refused again. */
enum cb_err replay_dead_job(struct db *db, const char *payload, char *err,
    size_t errsz);

#endif
