#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "db/migrate.h"

#define MAX_MIGRATIONS 512

static const char sql_create_table[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version VARCHAR(128) NOT NULL PRIMARY KEY,"
    " applied_at DATETIME(3) NOT NULL"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";
static const char sql_lock[] = "SELECT GET_LOCK('callboard_migrate', 60)";
static const char sql_unlock[] = "SELECT RELEASE_LOCK('callboard_migrate')";
static const char sql_applied[] =
    "SELECT 1 FROM schema_migrations WHERE version = ?";
static const char sql_record[] =
    "INSERT INTO schema_migrations (version, applied_at) "
    "VALUES (?, UTC_TIMESTAMP(3))";

enum cb_err
file_read_all(const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p;
	long n;

	if (f == NULL)
		return CB_ENOTFOUND;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    n > 64L * 1024 * 1024 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return CB_EIO;
	}
	if ((p = malloc((size_t)n + 1)) == NULL) {
		fclose(f);
		return CB_ENOMEM;
	}
	if (fread(p, 1, (size_t)n, f) != (size_t)n) {
		free(p);
		fclose(f);
		return CB_EIO;
	}
	fclose(f);
	p[n] = '\0';
	*out = p;
	*len = (size_t)n;
	return CB_OK;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static enum cb_err
simple(struct db *db, const char *sql)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql, &st)) != CB_OK ||
	    (rc = db_exec(st)) != CB_OK)
		return rc;
	db_stmt_done(st);
	return CB_OK;
}

static enum cb_err
apply_one(struct db *db, const char *dir, const char *name, int *applied,
    struct buf *msg)
{
	struct db_stmt *st;
	enum cb_err rc;
	char path[2048];
	char *sql;
	size_t len;
	bool done;

	if ((rc = db_stmt(db, sql_applied, &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, name);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	done = db_fetch(st) == CB_OK;
	db_stmt_done(st);
	if (done)
		return CB_OK;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((rc = file_read_all(path, &sql, &len)) != CB_OK) {
		buf_printf(msg, "%s: cannot read", path);
		return rc;
	}
	log_info("applying migration %s", name);
	rc = db_exec_script(db, sql, len);
	free(sql);
	if (rc != CB_OK) {
		buf_printf(msg, "%s: %s", name, db_error(db));
		return rc;
	}
	if ((rc = db_stmt(db, sql_record, &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, name);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	(*applied)++;
	return CB_OK;
}

enum cb_err
migrate_run(struct db *db, const char *sql_dir, int *applied, struct buf *msg)
{
	char dir[1536];
	char *names[MAX_MIGRATIONS];
	size_t n = 0, i;
	struct dirent *de;
	enum cb_err rc;
	DIR *d;

	*applied = 0;
	snprintf(dir, sizeof(dir), "%s/migrations", sql_dir);
	if ((d = opendir(dir)) == NULL) {
		buf_printf(msg, "%s: cannot open the migrations directory", dir);
		return CB_ENOTFOUND;
	}
	while ((de = readdir(d)) != NULL && n < MAX_MIGRATIONS) {
		size_t l = strlen(de->d_name);
		if (l > 4 && strcmp(de->d_name + l - 4, ".sql") == 0 &&
		    de->d_name[0] != '.')
			names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_names);

	if ((rc = simple(db, sql_create_table)) != CB_OK ||
	    (rc = simple(db, sql_lock)) != CB_OK) {
		buf_printf(msg, "%s", db_error(db));
		goto out;
	}
	for (i = 0; i < n && rc == CB_OK; i++)
		rc = apply_one(db, dir, names[i], applied, msg);
	if (rc != CB_OK && msg->len == 0)
		buf_printf(msg, "%s", db_error(db));
	(void)simple(db, sql_unlock);
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	return rc;
}
