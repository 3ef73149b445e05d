/* What a user's pages remember for them beyond the profile's time zone
 * (issue 18, 0031_user_country_last_line.sql): the country numbers are
 * shown for, and the line their last call went through. */
#ifndef CB_DB_USER_PREFS_H
#define CB_DB_USER_PREFS_H

#include <stdint.h>

#include "db/db.h"

/* country: two upper-case letters, or "" for the configuration's
 * default. */
enum cb_err db_user_country_save(struct db *db, int64_t user_id,
    const char *country);

/* The integration id of the user's last call (0 = none). */
enum cb_err db_user_last_line(struct db *db, int64_t user_id, int64_t *id);
enum cb_err db_user_last_line_save(struct db *db, int64_t user_id,
    int64_t integration_id);

/* The store's line for a call (call_id > 0: the integration of a number of
 * the call's store, else the integration the call came through) or for a
 * store (store_id > 0): 0 when none. */
enum cb_err db_store_line(struct db *db, int64_t call_id, int64_t store_id,
    int64_t *id);

#endif
