/* The statements of the call pipeline (lib/calls/ingest.c): one event of a
 * call through the cb_ingest_call procedure, other events, and the links
 * to customers, orders, leads and stores (also used when a customer gets a
 * new phone). Times are "YYYY-MM-DD HH:MM:SS.mmm" UTC strings; NULL
 * means "this event does not say". */
#ifndef CB_DB_INGEST_H
#define CB_DB_INGEST_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

/* CB_DUPLICATE when (integration, dedupe_key) was stored before. call_id
 * 0 = the event touched no call. */
enum cb_err db_event_insert(struct db *db, int64_t integration_id,
    const char *dedupe_key, const char *kind, const char *external_id,
    const char *source, const char *remote_addr, const char *occurred_at,
    const char *payload, int64_t call_id);

#define TIME_ANSWERED_STATED 1u
#define TIME_ENDED_STATED 2u
#define TIME_STARTED_STATED 4u
#define TIME_WAIT_STATED 8u         /* the provider said the wait */

struct call_upsert {
	int64_t integration_id;
	const char *external_id;
	const char *direction;      /* NULL = not said */
	const char *state;          /* ringing | talking | ended */
	const char *result;         /* NULL = not said */
	const char *client_number;  /* "" = not said */
	const char *client_digits_rev;
	const char *client_name;
	const char *our_number;
	const char *started_at;     /* never NULL: the event time at worst */
	const char *answered_at;
	const char *ended_at;
	unsigned time_flags;        /* TIME_*_STATED: which times the
	                             * provider stated (the rest are filled in
	                             * from arrival and never beat stated ones) */
	int32_t talk_s;             /* -1 = not said */
	int32_t wait_s;
	const char *hangup_cause;
	const char *recording_state; /* NULL, "pending" or "unavailable" */
	const char *recording_url;
	const char *event_at;
};

/* The leg an event speaks of: the provider's leg id, or one per
 * extension; it starts when the call does. */
struct leg_upsert {
	const char *external_leg_id;
	const char *extension;      /* or NULL */
	const char *state;
	const char *result;         /* NULL = not said */
	const char *answered_at;    /* only an answer by this extension */
	const char *ended_at;
	unsigned time_flags;
	int32_t talk_s;
};

/* One provider event of a call, stored by the cb_ingest_call procedure
 * (migrations 0006, then 0009: sql/migrations/) in ONE round trip and one
 * transaction: the number's facts (exception list, internal, customer,
 * lead or order, store), the call upsert with its merge rules and links,
 * the raw event (deduplicated), the leg and who talked, and the jobs. */
struct call_ingest {
	struct call_upsert call;
	bool dir_internal;         /* the event says internal: never linked */
	bool link_to_leads;        /* the integration links to leads first */
	/* the raw event */
	const char *dedupe_key;
	const char *kind;
	const char *external_id;
	const char *source;
	const char *remote_addr;
	const char *occurred_at;
	const char *payload;
	struct leg_upsert leg;     /* leg.external_leg_id NULL = no leg */
	bool final_talker;         /* a call-level answered end naming its
	                            * extension: that extension talked last */
	bool call_ended;           /* a call-level end: queue call.ended */
	bool recording_job;        /* queue recording.fetch */
	bool live;                 /* return the live popup's recipients */
	bool client_withheld;      /* the caller withheld their number */
	/* NULL, or a signature key to bind to this call (migration 0013): the
	 * same key with another call's id is INGEST_REFUSED. */
	const char *sig_key;
};

enum ingest_outcome {
	INGEST_STORED,
	INGEST_DUPLICATE,          /* stored before; nothing changed */
	INGEST_EXCEPTED,           /* the number is on the exception list:
	                            * nothing stored */
	INGEST_REFUSED             /* a signature replayed for another call
	                            * (issue 16 §7): nothing stored */
};

/* The procedure answers one row: outcome, call id, created, and with
 * ci->live, for a stored event, the popup's columns from this index on. */
#define INGEST_LIVE_BASE 3

/* *call_id and *created for a stored event. With ci->live, a stored event
 * also gives *live: the statement positioned on the row whose columns from
 * INGEST_LIVE_BASE on are the popup's (as a row of db_live_active(),
 * lib/db/live.h, then LIVE_RCPT_USERS and LIVE_RCPT_RESPONSIBLE); the
 * caller reads them and calls db_stmt_done(). *live is NULL otherwise.
 * CB_EDB with db_retryable() on a deadlock. */
enum cb_err db_ingest_call(struct db *db, const struct call_ingest *ci,
    enum ingest_outcome *outcome, int64_t *call_id, bool *created,
    struct db_stmt **live);

/* Linking (DESIGN §3). Ids are 0 when nothing matches. */
struct link_facts {
	bool excepted;          /* on the exception list: not stored at all */
	int64_t user_id;        /* an active user's phone: an internal call */
	int64_t customer_id;    /* the most recently created customer with it */
	int64_t lead_id;        /* their oldest open lead (to_leads only) */
	int64_t order_id;       /* else their latest open order */
	int64_t store_id;       /* the store of our number */
};
enum cb_err db_link_facts(struct db *db, const char *client, const char *our,
    bool to_leads, struct link_facts *f);
/* Links a call that has no customer yet (0 = leave NULL). */
enum cb_err db_call_set_links(struct db *db, int64_t call_id,
    int64_t customer_id, int64_t order_id, int64_t lead_id, int64_t store_id);
enum cb_err db_call_set_internal(struct db *db, int64_t call_id);
/* The call's current client number and whether it is linked, internal. */
enum cb_err db_call_link_state(struct db *db, int64_t call_id,
    char *client, size_t clientsz, char *our, size_t oursz, bool *linked,
    bool *internal);

#endif
