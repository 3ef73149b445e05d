/* The integrations as the settings pages and the admin's tool see them:
 * secrets are written encrypted (core/secretbox.h) by the caller and
 * never read back to a page in full; the external numbers (store_numbers)
 * of an integration are replaced as a whole with the integration, in one
 * transaction.
 *
 * Readers return a prepared statement with its rows buffered; the caller
 * fetches with db_fetch(), reads columns by the enums below and calls
 * db_stmt_done(). Statements are owned by the connection. */
#ifndef CB_DB_INTEGRATIONS_ADMIN_H
#define CB_DB_INTEGRATIONS_ADMIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/db.h"

#define INTEGRATION_NAME_MAX 128     /* characters */
#define INTEGRATION_SLUG_MAX 64
#define INTEGRATION_NUMBERS_MAX 100  /* external numbers per integration */
#define STORE_NUMBER_LABEL_MAX 100

/* Columns of db_integrations_list() and db_integration_get(). */
enum integ_col {
	IC_ID, IC_KIND, IC_SLUG, IC_NAME, IC_ENABLED, IC_COUNTRY,
	IC_LINK_LEADS, IC_FALLBACK, IC_SECRETS, IC_NUMBERS, IC_CALLS,
	IC_CONFIG, IC_COL__MAX
};

/* By name. IC_NUMBERS and IC_CALLS are counts; IC_CONFIG is the config
 * JSON text or NULL. */
enum cb_err db_integrations_list(struct db *db, struct db_stmt **out);
/* One row, already fetched; CB_ENOTFOUND when there is none. */
enum cb_err db_integration_get(struct db *db, int64_t id,
    struct db_stmt **out);

/* Columns of db_integration_numbers(). */
enum integ_number_col { INC_NUMBER, INC_STORE_ID, INC_LABEL, INC_COL__MAX };
enum cb_err db_integration_numbers(struct db *db, int64_t id,
    struct db_stmt **out);
/* Stores for the pickers: id, name. */
enum cb_err db_stores(struct db *db, struct db_stmt **out);

struct store_number {
	const char *number;       /* normalised */
	int64_t store_id;         /* 0 = none */
	const char *label;        /* or NULL */
};

struct integration_row {
	const char *kind;         /* new integrations only */
	const char *slug;         /* new integrations only */
	const char *name;
	bool enabled;
	const char *country;      /* ISO 3166 alpha-2 */
	bool link_to_leads;
	const char *fallback;     /* JSON text or NULL */
	const char *secrets;      /* sealed "v1:..." or NULL to keep */
	const char *config;       /* JSON text, or NULL to keep (new: none) */
	const struct store_number *numbers;
	size_t nnumbers;
};

/* Inserts (*id == 0) or updates integration *id with its numbers, in one
 * transaction. CB_DUPLICATE: the slug is taken (*conflict = -1) or
 * numbers[*conflict] belongs to another integration; nothing is written.
 * CB_ENOTFOUND: no integration *id. */
enum cb_err db_integration_save(struct db *db, const struct integration_row *r,
    int64_t *id, int *conflict);

/* The call the hook stored for (integration, external id), or 0. */
enum cb_err db_integration_call_of(struct db *db, int64_t integration_id,
    const char *external_id, int64_t *call_id);

/* Encrypts every integrations.secrets value still stored as plaintext
 * with key_hex, in one transaction; *done is how many were encrypted.
 * Values already "v1:" are left alone, so running it twice is harmless.
 * CB_EINVAL: key_hex is not 64 hex digits. */
enum cb_err db_integrations_encrypt_secrets(struct db *db,
    const char *key_hex, int *done);

#endif
