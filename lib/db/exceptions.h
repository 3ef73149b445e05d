/* The exception list (phone_exceptions): numbers whose calls are not
 * stored at all. The hook matches phone = the E.164 form
 * (lib/db/ingest.c), so the page stores numbers normalised the same way. */
#ifndef CB_DB_EXCEPTIONS_H
#define CB_DB_EXCEPTIONS_H

#include <stdint.h>

#include "db/db.h"

#define EXCEPTIONS_MAX 1000        /* rows on the page */
#define EXCEPTION_COMMENT_MAX 255  /* characters, as the column */

enum exception_col {
	EXC_ID, EXC_PHONE, EXC_COMMENT, EXC_AUTHOR, EXC_CREATED_AT, EXC_COL__MAX
};

/* Newest first. */
enum cb_err db_exceptions_list(struct db *db, struct db_stmt **out);
/* CB_DUPLICATE: the number is already on the list. */
enum cb_err db_exception_add(struct db *db, const char *phone,
    const char *digits_rev, const char *comment, int64_t user_id,
    int64_t *id);
/* CB_ENOTFOUND: no such row. */
enum cb_err db_exception_delete(struct db *db, int64_t id);

#endif
