#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "db/migrate.h"

#define MAX_MIGRATIONS 512

static const char sql_create_table[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version VARCHAR(128) NOT NULL PRIMARY KEY,"
    " applied_at DATETIME(3) NOT NULL"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";
/* One migrator at a time, across every server of a Galera cluster: a lease
 * row, not GET_LOCK() (a lock of one server only, which Galera does not
 * replicate: two migrators on two nodes both got it). Taking it is one
 * autocommit statement: on two nodes at once, certification lets one win
 * and the other sees the winner's row. A migrator that died leaves a lease
 * that ends by itself after LEASE_SECONDS; each applied file renews it. */
#define LEASE_SECONDS "600"
#define LEASE_WAIT_SECONDS 120
static const char sql_create_lease[] =
    "CREATE TABLE IF NOT EXISTS schema_migrate_lease ("
    " name VARCHAR(32) NOT NULL PRIMARY KEY,"
    " holder VARCHAR(128) NOT NULL,"
    " lease_until DATETIME(3) NOT NULL"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";
/* Assignments run left to right: holder first, so lease_until moves only
 * when the row is (now) ours. */
static const char sql_lease_take[] =
    "INSERT INTO schema_migrate_lease (name, holder, lease_until) "
    "VALUES ('migrate', ?, UTC_TIMESTAMP(3) + INTERVAL " LEASE_SECONDS
    " SECOND) ON DUPLICATE KEY UPDATE "
    "holder = IF(lease_until < UTC_TIMESTAMP(3) OR holder = VALUES(holder),"
    " VALUES(holder), holder), "
    "lease_until = IF(holder = VALUES(holder), VALUES(lease_until),"
    " lease_until)";
static const char sql_lease_holder[] =
    "SELECT holder FROM schema_migrate_lease WHERE name = 'migrate'";
static const char sql_lease_drop[] =
    "DELETE FROM schema_migrate_lease WHERE name = 'migrate' AND holder = ?";
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

/* Takes or renews the lease: *ours tells whether it is ours now, read
 * from the row after the write, whether the write went through or lost a
 * conflict with another node's. */
static enum cb_err
lease_take(struct db *db, const char *me, bool *ours)
{
	struct db_stmt *st;
	enum cb_err rc;

	*ours = false;
	if ((rc = db_stmt(db, sql_lease_take, &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, me);
	/* A write conflict with another node's try (Galera certifies both
	 * writes of the row) decides nothing: the lease is whoever holds the
	 * row now, and a renewal that lost the race still holds it for
	 * LEASE_SECONDS. Returning "not ours" here made a run that held the
	 * lease give up mid-way ("taken over") while the other one waited. */
	if ((rc = db_exec(st)) != CB_OK && !db_retryable(db))
		return rc;
	if ((rc = db_stmt(db, sql_lease_holder, &st)) != CB_OK ||
	    (rc = db_exec(st)) != CB_OK)
		return rc;
	if (db_fetch(st) == CB_OK)
		*ours = strcmp(db_col(st, 0, NULL), me) == 0;
	db_stmt_done(st);
	return CB_OK;
}

/* Waits (bounded) for the lease. */
static enum cb_err
lease_wait(struct db *db, const char *me, bool *ours)
{
	struct timespec pause = { 0, 250 * 1000 * 1000 };
	time_t until = time(NULL) + LEASE_WAIT_SECONDS;
	enum cb_err rc;

	while ((rc = lease_take(db, me, ours)) == CB_OK && !*ours &&
	    time(NULL) < until)
		nanosleep(&pause, NULL);
	return rc;
}

static void
lease_drop(struct db *db, const char *me)
{
	struct db_stmt *st;

	if (db_stmt(db, sql_lease_drop, &st) == CB_OK) {
		db_bind_text(st, 0, me);
		(void)db_exec(st);
	}
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
	char dir[1536], me[128], host[64] = "?";
	char *names[MAX_MIGRATIONS];
	size_t n = 0, i;
	struct dirent *de;
	enum cb_err rc;
	bool ours = false;
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

	(void)gethostname(host, sizeof(host) - 1);
	snprintf(me, sizeof(me), "%s:%ld:%lld", host, (long)getpid(),
	    (long long)time(NULL));
	if ((rc = simple(db, sql_create_table)) != CB_OK ||
	    (rc = simple(db, sql_create_lease)) != CB_OK) {
		buf_printf(msg, "%s", db_error(db));
		goto out;
	}
	if ((rc = lease_wait(db, me, &ours)) != CB_OK) {
		buf_printf(msg, "%s", db_error(db));
		goto out;
	}
	if (!ours) {
		buf_printf(msg, "another migrator has held the migration lease "
		    "for %d s (table schema_migrate_lease); it ends by itself "
		    "%s s after its holder last renewed it", LEASE_WAIT_SECONDS,
		    LEASE_SECONDS);
		rc = CB_EDB;
		goto out;
	}
	for (i = 0; i < n && rc == CB_OK && ours; i++)
		if ((rc = lease_take(db, me, &ours)) == CB_OK && ours)
			rc = apply_one(db, dir, names[i], applied, msg);
	if (rc == CB_OK && !ours) {
		buf_printf(msg, "the migration lease was taken over (this run "
		    "outlived it): run migrate again");
		rc = CB_EDB;
	}
	if (rc != CB_OK && msg->len == 0)
		buf_printf(msg, "%s", db_error(db));
	lease_drop(db, me);
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	return rc;
}
