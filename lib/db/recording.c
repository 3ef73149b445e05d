#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/secretbox.h"
#include "db/recording.h"

static const char sql_source[] =
    "SELECT c.recording_state, c.recording_url, "
    "DATE_FORMAT(c.started_at, '%Y/%m/%d'), i.kind, i.config, i.secrets "
    "FROM calls c JOIN integrations i ON i.id = c.integration_id "
    "WHERE c.id = ?";

/* A JSON object column, or NULL (absent, malformed or not an object:
 * the settings pages validate what they save). Caller puts it. */
static struct json_object *
json_col(struct db_stmt *st, unsigned idx)
{
	const char *s = db_col(st, idx, NULL);
	struct json_object *o;

	if (s == NULL || (o = json_tokener_parse(s)) == NULL)
		return NULL;
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* integrations.secrets, decrypted ("v1:") or legacy plaintext JSON; a
 * value that does not open is absent (the download then fails its
 * provider's authentication and the job records why). Caller puts it. */
static struct json_object *
secrets_col(struct db *db, struct db_stmt *st, unsigned idx)
{
	const struct cb_config *cfg = db_config(db);
	size_t len, plen;
	const char *s = db_col(st, idx, &len);
	struct json_object *o;
	char *plain;

	if (s == NULL || secretbox_open(cfg ? cfg->secret_key : "", s, len,
	    &plain, &plen) != CB_OK)
		return NULL;
	o = json_tokener_parse(plain);
	OPENSSL_cleanse(plain, plen);
	free(plain);
	if (o != NULL && !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = NULL;
	}
	return o;
}

static void
copy_col(struct db_stmt *st, unsigned idx, char *out, size_t outsz)
{
	const char *v = db_col(st, idx, NULL);

	snprintf(out, outsz, "%s", v != NULL ? v : "");
}

enum cb_err
db_recording_source(struct db *db, int64_t call_id,
    struct recording_source *out)
{
	struct db_stmt *st;
	enum cb_err rc;

	memset(out, 0, sizeof(*out));
	if ((rc = db_stmt(db, sql_source, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, call_id);
	if ((rc = db_exec(st)) != CB_OK || (rc = db_fetch(st)) != CB_OK)
		return rc;
	out->call_id = call_id;
	copy_col(st, 0, out->state, sizeof(out->state));
	copy_col(st, 1, out->url, sizeof(out->url));
	copy_col(st, 2, out->day, sizeof(out->day));
	copy_col(st, 3, out->kind, sizeof(out->kind));
	out->config = json_col(st, 4);
	out->secrets = secrets_col(db, st, 5);
	db_stmt_done(st);
	return CB_OK;
}

void
db_recording_source_free(struct recording_source *src)
{
	if (src->config != NULL)
		json_object_put(src->config);
	if (src->secrets != NULL)
		json_object_put(src->secrets);
	src->config = src->secrets = NULL;
}

static const char sql_stored[] =
    "UPDATE calls SET recording_state = 'stored', recording_path = ? "
    "WHERE id = ?";

enum cb_err
db_recording_stored(struct db *db, int64_t call_id, const char *path)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_stored, &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, path);
	db_bind_i64(st, 1, call_id);
	return db_exec(st);
}

static const char sql_unavailable[] =
    "UPDATE calls SET recording_state = 'unavailable' "
    "WHERE id = ? AND recording_state <> 'stored'";

enum cb_err
db_recording_unavailable(struct db *db, int64_t call_id)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_unavailable, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, call_id);
	return db_exec(st);
}

static const char sql_failed[] =
    "UPDATE calls SET recording_state = 'failed' "
    "WHERE id = ? AND recording_state IN ('pending', 'failed')";

enum cb_err
db_recording_failed(struct db *db, int64_t call_id)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_failed, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, call_id);
	return db_exec(st);
}

/* The newest reason a recording.fetch job of the call gave (jobs.last_error:
 * origins and HTTP statuses, never a secret: lib/calls/recfetch.h). */
static const char sql_last_error[] =
    "SELECT last_error FROM jobs WHERE call_id = ? "
    "AND kind = 'recording.fetch' AND last_error IS NOT NULL "
    "ORDER BY id DESC LIMIT 1";

enum cb_err
db_recording_last_error(struct db *db, int64_t call_id, char *out,
    size_t outsz)
{
	struct db_stmt *st;
	enum cb_err rc;

	if (outsz > 0)
		out[0] = '\0';
	if ((rc = db_stmt(db, sql_last_error, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, call_id);
	if ((rc = db_exec(st)) != CB_OK || (rc = db_fetch(st)) != CB_OK)
		return rc;
	copy_col(st, 0, out, outsz);
	db_stmt_done(st);
	return CB_OK;
}
