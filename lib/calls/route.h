/* Routing answers (DESIGN §2.6, issue 3 §5): a known customer's call goes
 * to their responsible manager; otherwise the integration's fallback
 * (queue, manager or voicemail). */
#ifndef CB_CALLS_ROUTE_H
#define CB_CALLS_ROUTE_H

#include "core/arena.h"
#include "db/db.h"
#include "db/integration.h"
#include "providers/provider.h"

/* Fills ra (strings in the arena) for the raw client number as the
 * provider sent it. A database failure is not an error for the caller:
 * the provider still gets the fallback (never a failed call). */
enum cb_err route_lookup(struct db *db, struct arena *a,
    const struct integration *ig, const char *public_url, const char *client,
    struct route_answer *ra, int64_t *customer_id);
/* The fallback alone (used when the database is down). */
void route_fallback(struct db *db, struct arena *a,
    const struct integration *ig, struct route_answer *ra);

#endif
