/* Linking a call to the CRM (DESIGN §3): the client's number, normalised
 * to E.164 with the integration's country, finds the most recently created
 * customer with it; the call goes to their oldest open lead (when the
 * integration links to leads), else their latest open order, else to the
 * customer only; our number pre-selects the store. Calls between our own
 * users' numbers are internal and link to nothing. */
#ifndef CB_CALLS_LINK_H
#define CB_CALLS_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"
#include "db/relink.h"

/* Links call_id if it is not linked yet. Inside the caller's transaction. */
enum cb_err link_call(struct db *db, int64_t call_id, bool link_to_leads);
/* The same for a call known to be unlinked, with its normalised client
 * number and our number in hand. (The hook links new events inside its
 * call upsert instead: lib/calls/ingest.c.) */
enum cb_err link_numbers(struct db *db, int64_t call_id, bool link_to_leads,
    const char *client, const char *our);
/* Most calls re-linked by one new phone; older ones stay unlinked (the
 * history still finds them by number). */
#define LINK_RELINK_MAX 1000
/* A new phone of a customer (E.164 and its reversed digits, as
 * phone_digits_rev gives them): stored, and the calls from that number
 * stored while nobody had it are linked now (DESIGN §3: "changing a
 * customer's phone links earlier calls"). on_linked (may be NULL) hears of
 * each call linked. CB_OK also when the customer already had the phone.
 * Inside the caller's transaction. */
enum cb_err link_new_phone(struct db *db, int64_t customer_id,
    const char *e164, const char *rev,
    void (*on_linked)(void *arg, int64_t call_id), void *arg);

/* A customer created from a call (the card's "Create customer", issue 19
 * §8): the call's open lead that no customer has yet (its own, one made
 * from it, else the number's oldest) becomes theirs, so the number's next
 * call joins it instead of opening a second lead. *lead_id is that lead
 * (0 = none); call it before the customer's phone links the number's
 * earlier calls, which then find the lead as the customer's. */
enum cb_err link_customer_takes_lead(struct db *db, int64_t call_id,
    int64_t customer_id, int64_t *lead_id);

/* Moves a call's links to a record a manager has open (issue 19 §6): the
 * move is recorded (who, when, from where) and the call keeps these links
 * whatever events still arrive. The caller has checked the permissions. */
enum cb_err link_move(struct db *db, int64_t call_id, int64_t user_id,
    const struct relink_links *to);

#endif
