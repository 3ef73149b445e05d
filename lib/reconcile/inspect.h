/* The integration's event inspector (issue 17 §3: "why is this call
 * missing" has an answer): the last events of an integration with what
 * became of them. Stored events are call_events rows; every other outcome
 * of the receive pipeline (a duplicate, a refused signature, a malformed
 * request, a row the database refused) is noted here, with why and a
 * redacted preview (lib/calls/dead_preview.c: no headers, credential
 * fields "[redacted]"), in event_outcomes (migration 0019). */
#ifndef CB_RECONCILE_INSPECT_H
#define CB_RECONCILE_INSPECT_H

#include "calls/receive.h"

/* Notes out's outcome when it is not "stored" (nor "database down":
 * nothing can be written then). Never fails the caller: a note that
 * cannot be written is logged. At most INSPECT_NOTES_PER_S notes a second
 * per process, so a flood of forged requests cannot fill the table. */
#define INSPECT_NOTES_PER_S 50
void inspect_note(struct db *db, struct arena *a,
    const struct integration *ig, const struct recv_req *rq,
    const char *source, const struct recv_out *out);

/* A stored payload (call_events.payload: a form, a JSON body or a query)
 * as the same redacted preview, in a. */
const char *inspect_preview(struct arena *a, const char *payload, size_t len);

#endif
