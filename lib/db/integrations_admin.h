/* The integrations as the settings pages and the admin's tool see them:
 * secrets are written encrypted (core/secretbox.h), never read back to a
 * page in full. */
#ifndef CB_DB_INTEGRATIONS_ADMIN_H
#define CB_DB_INTEGRATIONS_ADMIN_H

#include "db/db.h"

/* Encrypts every integrations.secrets value still stored as plaintext
 * with key_hex, in one transaction; *done is how many were encrypted.
 * Values already "v1:" are left alone, so running it twice is harmless.
 * CB_EINVAL: key_hex is not 64 hex digits. */
enum cb_err db_integrations_encrypt_secrets(struct db *db,
    const char *key_hex, int *done);

#endif
