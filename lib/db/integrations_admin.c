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

#define INTEG_COLUMNS \
    "SELECT i.id, i.kind, i.slug, i.name, i.enabled, i.default_country, " \
    "i.link_to_leads, i.routing_fallback, i.secrets, " \
    "(SELECT COUNT(*) FROM store_numbers sn WHERE sn.integration_id = i.id), " \
    "0, i.config FROM integrations i "

static const char sql_list[] = INTEG_COLUMNS "ORDER BY i.name, i.id";
static const char sql_get[] = INTEG_COLUMNS "WHERE i.id = ?";

enum cb_err
db_integrations_list(struct db *db, struct db_stmt **out)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_list, &st)) != CB_OK ||
	    (rc = db_exec(st)) != CB_OK)
		return rc;
	*out = st;
	return CB_OK;
}

enum cb_err
db_integration_get(struct db *db, int64_t id, struct db_stmt **out)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_get, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, id);
	if ((rc = db_exec(st)) != CB_OK || (rc = db_fetch(st)) != CB_OK)
		return rc;
	*out = st;
	return CB_OK;
}

static const char sql_numbers[] =
    "SELECT number, store_id, label FROM store_numbers "
    "WHERE integration_id = ? ORDER BY id";
static const char sql_stores[] = "SELECT id, name FROM stores ORDER BY name, id";

enum cb_err
db_integration_numbers(struct db *db, int64_t id, struct db_stmt **out)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_numbers, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, id);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	*out = st;
	return CB_OK;
}

enum cb_err
db_stores(struct db *db, struct db_stmt **out)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_stores, &st)) != CB_OK ||
	    (rc = db_exec(st)) != CB_OK)
		return rc;
	*out = st;
	return CB_OK;
}

static const char sql_insert[] =
    "INSERT INTO integrations (kind, slug, name, enabled, default_country, "
    "link_to_leads, routing_fallback, secrets, config) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_update[] =
    "UPDATE integrations SET name = ?, enabled = ?, default_country = ?, "
    "link_to_leads = ?, routing_fallback = ?, "
    "secrets = COALESCE(?, secrets), config = COALESCE(?, config) "
    "WHERE id = ?";
static const char sql_lock[] =
    "SELECT id FROM integrations WHERE id = ? FOR UPDATE";
static const char sql_number_owner[] =
    "SELECT integration_id FROM store_numbers WHERE number = ? FOR UPDATE";
static const char sql_numbers_clear[] =
    "DELETE FROM store_numbers WHERE integration_id = ?";
static const char sql_number_add[] =
    "INSERT INTO store_numbers (number, store_id, integration_id, label) "
    "VALUES (?, ?, ?, ?)";
/* A number known without an integration (a store's line entered before
 * any provider) is taken over rather than refused. */
static const char sql_number_claim[] =
    "DELETE FROM store_numbers WHERE number = ? AND integration_id IS NULL";

static enum cb_err
save_numbers(struct db *db, const struct integration_row *r, int64_t id,
    int *conflict)
{
	struct db_stmt *st;
	enum cb_err rc;
	size_t i;

	for (i = 0; i < r->nnumbers; i++) {
		if ((rc = db_stmt(db, sql_number_owner, &st)) != CB_OK)
			return rc;
		db_bind_text(st, 0, r->numbers[i].number);
		if ((rc = db_exec(st)) != CB_OK)
			return rc;
		rc = db_fetch(st);
		if (rc == CB_OK && !db_col_null(st, 0) &&
		    db_col_i64(st, 0) != id) {
			db_stmt_done(st);
			*conflict = (int)i;
			return CB_DUPLICATE;
		}
		db_stmt_done(st);
		if (rc != CB_OK && rc != CB_ENOTFOUND)
			return rc;
	}
	if ((rc = db_stmt(db, sql_numbers_clear, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, id);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	for (i = 0; i < r->nnumbers; i++) {
		const struct store_number *n = &r->numbers[i];

		if ((rc = db_stmt(db, sql_number_claim, &st)) != CB_OK)
			return rc;
		db_bind_text(st, 0, n->number);
		if ((rc = db_exec(st)) != CB_OK)
			return rc;
		if ((rc = db_stmt(db, sql_number_add, &st)) != CB_OK)
			return rc;
		db_bind_text(st, 0, n->number);
		if (n->store_id > 0)
			db_bind_i64(st, 1, n->store_id);
		else
			db_bind_null(st, 1);
		db_bind_i64(st, 2, id);
		db_bind_text(st, 3, n->label);
		if ((rc = db_exec(st)) == CB_DUPLICATE) {
			/* Listed twice in the same form. */
			*conflict = (int)i;
			return rc;
		}
		if (rc != CB_OK)
			return rc;
	}
	return CB_OK;
}

enum cb_err
db_integration_save(struct db *db, const struct integration_row *r,
    int64_t *id, int *conflict)
{
	struct db_stmt *st;
	enum cb_err rc;

	*conflict = -1;
	if ((rc = db_begin(db)) != CB_OK)
		return rc;
	if (*id == 0) {
		if ((rc = db_stmt(db, sql_insert, &st)) != CB_OK)
			goto fail;
		db_bind_text(st, 0, r->kind);
		db_bind_text(st, 1, r->slug);
		db_bind_text(st, 2, r->name);
		db_bind_i64(st, 3, r->enabled);
		db_bind_text(st, 4, r->country);
		db_bind_i64(st, 5, r->link_to_leads);
		db_bind_text(st, 6, r->fallback);
		db_bind_text(st, 7, r->secrets);
		db_bind_text(st, 8, r->config);
		if ((rc = db_exec(st)) != CB_OK)
			goto fail;   /* CB_DUPLICATE: the slug */
		*id = (int64_t)db_insert_id(st);
	} else {
		if ((rc = db_stmt(db, sql_lock, &st)) != CB_OK)
			goto fail;
		db_bind_i64(st, 0, *id);
		if ((rc = db_exec(st)) != CB_OK || (rc = db_fetch(st)) != CB_OK)
			goto fail;
		db_stmt_done(st);
		if ((rc = db_stmt(db, sql_update, &st)) != CB_OK)
			goto fail;
		db_bind_text(st, 0, r->name);
		db_bind_i64(st, 1, r->enabled);
		db_bind_text(st, 2, r->country);
		db_bind_i64(st, 3, r->link_to_leads);
		db_bind_text(st, 4, r->fallback);
		db_bind_text(st, 5, r->secrets);
		db_bind_text(st, 6, r->config);
		db_bind_i64(st, 7, *id);
		if ((rc = db_exec(st)) != CB_OK)
			goto fail;
	}
	if ((rc = save_numbers(db, r, *id, conflict)) != CB_OK)
		goto fail;
	return db_commit(db);
fail:
	db_rollback(db);
	return rc;
}

static const char sql_call_of[] =
    "SELECT id FROM calls WHERE integration_id = ? AND external_id = ?";

enum cb_err
db_integration_call_of(struct db *db, int64_t integration_id,
    const char *external_id, int64_t *call_id)
{
	struct db_stmt *st;
	enum cb_err rc;

	*call_id = 0;
	if ((rc = db_stmt(db, sql_call_of, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, integration_id);
	db_bind_text(st, 1, external_id);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	if ((rc = db_fetch(st)) == CB_OK)
		*call_id = db_col_i64(st, 0);
	db_stmt_done(st);
	return rc == CB_ENOTFOUND ? CB_OK : rc;
}
