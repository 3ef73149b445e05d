/* The statements of the call pipeline (lib/calls/ingest.c): call events,
 * the forward-only call upsert, legs, and the links to customers, orders,
 * leads and stores. Times are "YYYY-MM-DD HH:MM:SS.mmm" UTC strings; NULL
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
	/* Links (0 = none), applied only while the call has no customer and
	 * only by its own number; internal: the number is an active user's. */
	int64_t customer_id, order_id, lead_id, store_id;
	bool internal;
};

/* Inserts or merges; *created is true for a new call. Linking happens
 * here too, from db_link_facts() asked before (one statement less than
 * linking afterwards, and none for events of a linked call). */
enum cb_err db_call_upsert(struct db *db, const struct call_upsert *u,
    int64_t *call_id, bool *created);

struct leg_upsert {
	int64_t call_id;
	int64_t integration_id;
	const char *external_leg_id;
	const char *extension;      /* or NULL */
	const char *number;         /* or NULL */
	const char *state;
	const char *result;         /* NULL = not said */
	const char *started_at;
	const char *answered_at;
	const char *ended_at;
	unsigned time_flags;
	int32_t talk_s;
};
enum cb_err db_leg_upsert(struct db *db, const struct leg_upsert *u);
/* Sets the call's extension and manager to who talked last (the latest
 * answered leg) when answered is true; otherwise, while nobody answered,
 * to the only extension that rang. */
enum cb_err db_call_pick_talker(struct db *db, int64_t call_id,
    bool answered);
/* The provider's final record named who talked last: that wins over any
 * live push, whatever order they arrive in. */
enum cb_err db_call_set_final_talker(struct db *db, int64_t call_id,
    const char *extension);

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
enum cb_err db_user_by_phone(struct db *db, const char *phone, int64_t *id);
/* The most recently created customer with this phone, and its manager. */
enum cb_err db_customer_by_phone(struct db *db, const char *phone,
    int64_t *customer_id, int64_t *manager_id);
/* Links a call that has no customer yet (0 = leave NULL). */
enum cb_err db_call_set_links(struct db *db, int64_t call_id,
    int64_t customer_id, int64_t order_id, int64_t lead_id, int64_t store_id);
enum cb_err db_call_set_internal(struct db *db, int64_t call_id);
/* The call's current client number and whether it is linked, internal. */
enum cb_err db_call_link_state(struct db *db, int64_t call_id,
    char *client, size_t clientsz, char *our, size_t oursz, bool *linked,
    bool *internal);

#endif
