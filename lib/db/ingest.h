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
};

/* Inserts or merges; *created is true for a new call. */
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

/* Linking (DESIGN §3). Each returns 0 in *id when nothing matches. */
/* One round trip for the three lookups every new call needs: a user with
 * this phone (internal call), the newest customer with it, and the store
 * of our number. */
enum cb_err db_link_lookup(struct db *db, const char *client, const char *our,
    int64_t *user_id, int64_t *customer_id, int64_t *store_id);
enum cb_err db_phone_is_excepted(struct db *db, const char *phone,
    bool *excepted);
enum cb_err db_user_by_phone(struct db *db, const char *phone, int64_t *id);
/* The most recently created customer with this phone, and its manager. */
enum cb_err db_customer_by_phone(struct db *db, const char *phone,
    int64_t *customer_id, int64_t *manager_id);
enum cb_err db_oldest_open_lead(struct db *db, int64_t customer_id,
    int64_t *id);
enum cb_err db_latest_open_order(struct db *db, int64_t customer_id,
    int64_t *id);
enum cb_err db_store_for_number(struct db *db, const char *number,
    int64_t *store_id);
/* Links a call that has no customer yet (0 = leave NULL). */
enum cb_err db_call_set_links(struct db *db, int64_t call_id,
    int64_t customer_id, int64_t order_id, int64_t lead_id, int64_t store_id);
enum cb_err db_call_set_internal(struct db *db, int64_t call_id);
/* The call's current client number and whether it is linked, internal. */
enum cb_err db_call_link_state(struct db *db, int64_t call_id,
    char *client, size_t clientsz, char *our, size_t oursz, bool *linked,
    bool *internal);

#endif
