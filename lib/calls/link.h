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

/* Links call_id if it is not linked yet. Inside the caller's transaction. */
enum cb_err link_call(struct db *db, int64_t call_id, bool link_to_leads);
/* The same for a call known to be unlinked, with its normalised client
 * number and our number in hand (a call just created): one query less. */
enum cb_err link_numbers(struct db *db, int64_t call_id, bool link_to_leads,
    const char *client, const char *our);

#endif
