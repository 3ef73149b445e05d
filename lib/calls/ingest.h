/* The call pipeline's store step (DESIGN §2.3–§2.5): one provider event
 * in, in one transaction: the raw event (deduplicated), the call upserted
 * by (integration, external call id) with forward-only merging, the leg,
 * who talked last, the links, and the jobs that follow. Delivering the
 * same event twice, or a call's events in any order, gives the same call. */
#ifndef CB_CALLS_INGEST_H
#define CB_CALLS_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "calls/event.h"
#include "db/db.h"
#include "db/integration.h"
#include "db/live.h"

struct ingest_input {
	const struct integration *integ;
	const struct call_event *ev;
	const char *payload;       /* the raw request, as stored in call_events */
	const char *dedupe_source; /* what is hashed when ev has no event_id */
	size_t dedupe_len;         /* its bytes; 0 = strlen(dedupe_source) */
	const char *remote_addr;
	const char *source;        /* "hook", "spool", "api", "test" */
	int64_t received_ms;       /* when we got it (spool replays: then) */
	bool live;                 /* find the live popup's recipients too */
};

struct ingest_result {
	int64_t call_id;           /* 0 when no call was touched */
	bool created;              /* a new call row */
	bool excepted;             /* the number is on the exception list */
	/* With in->live: the popup's message and who gets it (live_send(),
	 * lib/calls/live.h), read after the commit; NULL / 0 when nobody is
	 * to be told. Freed by ingest_result_free(). */
	struct json_object *live_msg;
	int64_t live_users[LIVE_RECIPIENTS_MAX];
	size_t live_n;
};

/* CB_OK; CB_DUPLICATE for an event stored before (answer 200 anyway);
 * CB_EDB when the database failed: db_refused() tells a refused row (a
 * dead letter) from an unreachable server (spool it). */
enum cb_err ingest_event(struct db *db, const struct ingest_input *in,
    struct ingest_result *out);
void ingest_result_free(struct ingest_result *out);

/* "YYYY-MM-DD HH:MM:SS.mmm" UTC for unix milliseconds. */
void ms_to_datetime(int64_t ms, char out[32]);
int64_t now_ms(void);

#endif
