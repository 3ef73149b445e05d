#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/secretbox.h"
#include "db/integrations_admin.h"

static const char sql_plain_secrets[] =
    "SELECT id, secrets FROM integrations "
    "WHERE secrets IS NOT NULL AND secrets NOT LIKE 'v1:%' FOR UPDATE";
static const char sql_set_secrets[] =
    "UPDATE integrations SET secrets = ? WHERE id = ?";

struct plain_row {
	int64_t id;
	char *secrets;
	size_t len;
};

static void
rows_free(struct plain_row *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		OPENSSL_cleanse(rows[i].secrets, rows[i].len);
		free(rows[i].secrets);
	}
	free(rows);
}

/* The plaintext rows, copied out so the UPDATE can run on its own
 * statement. */
static enum cb_err
plain_rows(struct db *db, struct plain_row **out, size_t *n)
{
	struct plain_row *rows = NULL, *grown;
	struct db_stmt *st;
	size_t cap = 0, len;
	const char *v;
	enum cb_err rc;

	*out = NULL;
	*n = 0;
	if ((rc = db_stmt(db, sql_plain_secrets, &st)) != CB_OK ||
	    (rc = db_exec(st)) != CB_OK)
		return rc;
	while ((rc = db_fetch(st)) == CB_OK) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((grown = realloc(rows, cap * sizeof(*rows))) ==
			    NULL) {
				rc = CB_ENOMEM;
				break;
			}
			rows = grown;
		}
		v = db_col(st, 1, &len);
		rows[*n].id = db_col_i64(st, 0);
		rows[*n].len = len;
		if ((rows[*n].secrets = malloc(len + 1)) == NULL) {
			rc = CB_ENOMEM;
			break;
		}
		memcpy(rows[*n].secrets, v, len);
		rows[*n].secrets[len] = '\0';
		(*n)++;
	}
	db_stmt_done(st);
	if (rc != CB_ENOTFOUND) {
		rows_free(rows, *n);
		*n = 0;
		return rc;
	}
	*out = rows;
	return CB_OK;
}

enum cb_err
db_integrations_encrypt_secrets(struct db *db, const char *key_hex,
    int *done)
{
	unsigned char key[SECRETBOX_KEY_LEN];
	struct plain_row *rows;
	struct db_stmt *st;
	size_t i, n;
	enum cb_err rc;
	char *sealed;

	*done = 0;
	if (secretbox_key(key_hex, key) != CB_OK)
		return CB_EINVAL;
	OPENSSL_cleanse(key, sizeof(key));
	if ((rc = db_begin(db)) != CB_OK)
		return rc;
	if ((rc = plain_rows(db, &rows, &n)) != CB_OK) {
		db_rollback(db);
		return rc;
	}
	for (i = 0; i < n && rc == CB_OK; i++) {
		if ((rc = secretbox_seal(key_hex, rows[i].secrets,
		    rows[i].len, &sealed)) != CB_OK)
			break;
		if ((rc = db_stmt(db, sql_set_secrets, &st)) == CB_OK) {
			db_bind_text(st, 0, sealed);
			db_bind_i64(st, 1, rows[i].id);
			rc = db_exec(st);
		}
		free(sealed);
	}
	rows_free(rows, n);
	if (rc == CB_OK && (rc = db_commit(db)) == CB_OK)
		*done = (int)n;
	else
		db_rollback(db);
	return rc;
}
