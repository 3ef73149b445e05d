/* Replaying spooled provider requests (lib/calls/spool.h) once the
 * database is back: the same adapter and the same ingest as the hook, so
 * a replayed event is stored exactly as it would have been. */
#ifndef CB_CALLS_REPLAY_H
#define CB_CALLS_REPLAY_H

#include <json-c/json.h>

#include "core/err.h"
#include "db/db.h"

/* CB_OK when stored or not storable (bad record, refused signature,
 * unknown integration: logged); CB_EDB to keep it for later. */
enum cb_err replay_record(struct db *db, struct json_object *rec);

#endif
