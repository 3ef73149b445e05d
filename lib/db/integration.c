#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/secretbox.h"
#include "db/integration.h"

static const char sql_by_slug[] =
    "SELECT id, kind, slug, name, enabled, default_country, link_to_leads, "
    "routing_fallback, config, secrets FROM integrations WHERE slug = ?";

static void
json_release(void *p)
{
	json_object_put(p);
}

/* A JSON column as an object owned by the arena, or NULL (a malformed
 * value is treated as absent: settings pages validate what they save). */
static struct json_object *
json_col(struct arena *a, struct db_stmt *st, unsigned idx)
{
	const char *s = db_col(st, idx, NULL);
	struct json_object *o;

	if (s == NULL || (o = json_tokener_parse(s)) == NULL)
		return NULL;
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return NULL;
	}
	arena_cleanup_add(a, json_release, o);
	return o;
}

/* integrations.secrets: "v1:" (AES-GCM with the config's secret_key) or
 * legacy plaintext JSON, decrypted here so no caller sees the difference.
 * A value that does not open (wrong key, damaged) is treated as absent:
 * the provider's requests then fail their signature check (403) rather
 * than being accepted unverified. */
static struct json_object *
secrets_col(struct db *db, struct arena *a, struct db_stmt *st,
    unsigned idx)
{
	const struct cb_config *cfg = db_config(db);
	size_t len;
	const char *s = db_col(st, idx, &len);
	struct json_object *o;
	char *plain;
	size_t plen;

	if (s == NULL || secretbox_open(cfg ? cfg->secret_key : "", s, len,
	    &plain, &plen) != CB_OK)
		return NULL;
	o = json_tokener_parse(plain);
	OPENSSL_cleanse(plain, plen);
	free(plain);
	if (o == NULL)
		return NULL;
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return NULL;
	}
	arena_cleanup_add(a, json_release, o);
	return o;
}

enum cb_err
db_integration_by_slug(struct db *db, struct arena *a, const char *slug,
    struct integration *out)
{
	struct db_stmt *st;
	enum cb_err rc;
	const char *v;

	if ((rc = db_stmt(db, sql_by_slug, &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, slug);
	if ((rc = db_exec(st)) != CB_OK || (rc = db_fetch(st)) != CB_OK)
		return rc;
	memset(out, 0, sizeof(*out));
	out->id = db_col_i64(st, 0);
	out->kind = arena_strdup(a, db_col(st, 1, NULL));
	out->slug = arena_strdup(a, db_col(st, 2, NULL));
	out->name = arena_strdup(a, db_col(st, 3, NULL));
	out->enabled = db_col_i64(st, 4) != 0;
	v = db_col(st, 5, NULL);
	snprintf(out->default_country, sizeof(out->default_country), "%s",
	    v ? v : "");
	out->link_to_leads = db_col_i64(st, 6) != 0;
	out->routing_fallback = json_col(a, st, 7);
	out->config = json_col(a, st, 8);
	out->secrets = secrets_col(db, a, st, 9);
	db_stmt_done(st);
	return CB_OK;
}
