/* The countries telephony kinds are offered for (issue 19 item 7; seed
 * 000: "the choice of telephony depends on the countries set for the
 * system, the store and the legal entity"): each store's country
 * (stores.country, migration 0026; '' = the system's default_country) and
 * the stores each integration's numbers belong to. Which kind serves which
 * country is lib/providers/registry.c provider_serves(). */
#ifndef CB_DB_STORE_COUNTRY_H
#define CB_DB_STORE_COUNTRY_H

#include <stdint.h>

#include "db/db.h"

/* Stores for the pickers: columns id, name, country ('' when unset), by
 * name. Statement owned by the connection. */
enum store_country_col { SC_ID, SC_NAME, SC_COUNTRY, SC__MAX };
enum cb_err db_store_countries(struct db *db, struct db_stmt **out);

/* The stores the numbers of every integration belong to: columns
 * integration id, store name, country ('' when unset), by integration.
 * Statement owned by the connection. */
enum integration_store_col { IS_INTEGRATION, IS_STORE, IS_COUNTRY, IS__MAX };
enum cb_err db_integration_stores(struct db *db, struct db_stmt **out);

#endif
