/* Lookups for routing answers (issue 3 §5): who is responsible for a
 * number, and the integration's fallback manager. */
#ifndef CB_DB_ROUTE_H
#define CB_DB_ROUTE_H

#include <stddef.h>
#include <stdint.h>

#include "db/db.h"

struct route_row {
	int64_t customer_id;
	char customer_name[256];
	int64_t manager_id;
	char extension[17];
	char email[256];
};

/* The most recently created customer with this phone and their
 * responsible manager (extension/email empty when none). CB_ENOTFOUND
 * when the number is unknown. */
enum cb_err db_route_by_phone(struct db *db, const char *phone,
    struct route_row *r);
/* An active user's extension and e-mail. CB_ENOTFOUND if none. */
enum cb_err db_user_line(struct db *db, int64_t user_id, char *ext,
    size_t extsz, char *email, size_t emailsz);

#endif
