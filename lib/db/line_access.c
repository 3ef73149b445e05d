#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db/line_access.h"

/* A row counts while its line is "" or still one of the integration's
 * numbers (uq_store_numbers_number serves the probe). */
#define LINE_CURRENT \
    "(la.line = '' OR EXISTS (SELECT 1 FROM store_numbers sn WHERE " \
    "sn.number = la.line AND sn.integration_id = la.integration_id))"

/* The PRIMARY KEY (integration_id, line, user_id) serves both lines. */
static const char sql_acl[] =
    "SELECT la.line, la.user_id FROM line_access la "
    "WHERE la.integration_id = ? AND la.line IN ('', ?) AND " LINE_CURRENT;

static const char sql_call_acl[] =
    "SELECT la.line, la.user_id FROM calls c JOIN line_access la "
    "ON la.integration_id = c.integration_id "
    "AND la.line IN ('', c.our_number) "
    "WHERE c.id = ? AND " LINE_CURRENT;

/* The calls of sql_active in lib/db/live.c (same window) that have lists
 * at all; most installs have none and get no rows. */
static const char sql_live_acl[] =
    "SELECT c.id, la.line, la.user_id FROM calls c JOIN line_access la "
    "ON la.integration_id = c.integration_id "
    "AND la.line IN ('', c.our_number) "
    "WHERE c.state IN ('ringing', 'talking') "
    "AND c.started_at > UTC_TIMESTAMP(3) - INTERVAL 4 HOUR "
    "AND c.direction <> 'internal' AND " LINE_CURRENT " ORDER BY c.id";

static const char sql_list[] =
    "SELECT la.line, la.user_id FROM line_access la "
    "WHERE la.integration_id = ? AND " LINE_CURRENT
    " ORDER BY la.line, la.user_id";

static const char sql_lock[] =
    "SELECT id FROM integrations WHERE id = ? FOR UPDATE";
static const char sql_clear[] =
    "DELETE FROM line_access WHERE integration_id = ?";
static const char sql_add[] =
    "INSERT INTO line_access (integration_id, line, user_id) "
    "VALUES (?, ?, ?)";

/* Reads (line, user id) rows from column base on into a. */
static enum cb_err
acl_read(struct db_stmt *st, unsigned base, struct line_acl *a)
{
	enum cb_err rc;

	line_acl_init(a);
	while ((rc = db_fetch(st)) == CB_OK)
		line_acl_add(a, db_col(st, base, NULL),
		    db_col_i64(st, base + 1));
	db_stmt_done(st);
	return rc == CB_ENOTFOUND ? CB_OK : rc;
}

enum cb_err
db_line_may(struct db *db, int64_t integration_id, const char *line,
    int64_t user_id, bool *ok)
{
	struct line_acl *a;
	struct db_stmt *st;
	enum cb_err rc;

	*ok = false;
	if ((rc = db_stmt(db, sql_acl, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, integration_id);
	db_bind_text(st, 1, line != NULL ? line : "");
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	if ((a = malloc(sizeof(*a))) == NULL) {
		db_stmt_done(st);
		return CB_ENOMEM;
	}
	if ((rc = acl_read(st, 0, a)) == CB_OK)
		*ok = line_acl_allows(a, user_id);
	free(a);
	return rc;
}

enum cb_err
db_line_filter_call(struct db *db, int64_t call_id, int64_t *users,
    size_t *n)
{
	struct line_acl *a;
	struct db_stmt *st;
	enum cb_err rc;
	size_t i, k = 0;

	if (*n == 0)
		return CB_OK;
	if ((rc = db_stmt(db, sql_call_acl, &st)) != CB_OK)
		goto fail;
	db_bind_i64(st, 0, call_id);
	if ((rc = db_exec(st)) != CB_OK)
		goto fail;
	if ((a = malloc(sizeof(*a))) == NULL) {
		db_stmt_done(st);
		rc = CB_ENOMEM;
		goto fail;
	}
	if ((rc = acl_read(st, 0, a)) == CB_OK)
		for (i = 0; i < *n; i++)
			if (line_acl_allows(a, users[i]))
				users[k++] = users[i];
	free(a);
	if (rc != CB_OK)
		goto fail;
	*n = k;
	return CB_OK;
fail:
	*n = 0;
	return rc;
}

/* Decides the call whose rows a holds: appends its id when hidden. */
static enum cb_err
hidden_one(const struct line_acl *a, int64_t call_id, int64_t user_id,
    struct buf *out)
{
	if (call_id == 0 || line_acl_allows(a, user_id))
		return CB_OK;
	if (out->len > 0 && buf_putc(out, ',') != CB_OK)
		return CB_ETOOBIG;
	return buf_put_i64(out, call_id) == CB_OK ? CB_OK : CB_ETOOBIG;
}

enum cb_err
db_line_hidden_live(struct db *db, int64_t user_id, struct buf *out)
{
	struct line_acl *a;
	struct db_stmt *st;
	int64_t cur = 0;
	enum cb_err rc;

	buf_reset(out);
	if ((rc = db_stmt(db, sql_live_acl, &st)) != CB_OK)
		return rc;
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	if ((a = malloc(sizeof(*a))) == NULL) {
		db_stmt_done(st);
		return CB_ENOMEM;
	}
	line_acl_init(a);
	/* Rows come grouped by call (ORDER BY c.id). */
	while ((rc = db_fetch(st)) == CB_OK) {
		int64_t id = db_col_i64(st, 0);

		if (id != cur) {
			if ((rc = hidden_one(a, cur, user_id, out)) != CB_OK)
				break;
			line_acl_init(a);
			cur = id;
		}
		line_acl_add(a, db_col(st, 1, NULL), db_col_i64(st, 2));
	}
	if (rc == CB_ENOTFOUND)
		rc = hidden_one(a, cur, user_id, out);
	db_stmt_done(st);
	free(a);
	return rc;
}

enum cb_err
db_line_access_list(struct db *db, int64_t integration_id,
    struct db_stmt **out)
{
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_list, out)) != CB_OK)
		return rc;
	db_bind_i64(*out, 0, integration_id);
	return db_exec(*out);
}

enum cb_err
db_line_access_save(struct db *db, int64_t integration_id,
    const struct line_grant *g, size_t n)
{
	struct db_stmt *st;
	enum cb_err rc;
	size_t i;

	if ((rc = db_begin(db)) != CB_OK)
		return rc;
	if ((rc = db_stmt(db, sql_lock, &st)) != CB_OK)
		goto fail;
	db_bind_i64(st, 0, integration_id);
	if ((rc = db_exec(st)) != CB_OK || (rc = db_fetch(st)) != CB_OK)
		goto fail;
	db_stmt_done(st);
	if ((rc = db_stmt(db, sql_clear, &st)) != CB_OK)
		goto fail;
	db_bind_i64(st, 0, integration_id);
	if ((rc = db_exec(st)) != CB_OK)
		goto fail;
	for (i = 0; i < n; i++) {
		if ((rc = db_stmt(db, sql_add, &st)) != CB_OK)
			goto fail;
		db_bind_i64(st, 0, integration_id);
		db_bind_text(st, 1, g[i].line);
		db_bind_i64(st, 2, g[i].user_id);
		if ((rc = db_exec(st)) != CB_OK && rc != CB_DUPLICATE)
			goto fail;   /* a repeat in the form is harmless */
	}
	return db_commit(db);
fail:
	db_rollback(db);
	return rc;
}
