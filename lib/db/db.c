#include "config.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/strparse.h"
#include "db/db.h"

#define DB_MAX_PARAMS 64

struct db_stmt {
	struct db_stmt *next;
	struct db *db;
	const char *sql;              /* static: the cache key */
	char *owned_sql;              /* db_stmt_text(): our copy, keyed by content */
	MYSQL_STMT *h;                /* NULL after a reconnect until re-prepared */
	unsigned nparams;
	MYSQL_BIND *params;
	int64_t *ints;
	char **strs;                  /* copies of string parameters */
	unsigned long *lens;
	bool has_result;
	unsigned ncols;
	MYSQL_BIND *cols;
	unsigned long *col_lens;
	my_bool *col_nulls;
	char **col_names;
	char **col_text;              /* what db_col() returns: the bound
	                               * buffer, or for a time column its text */
	MYSQL_TIME *col_times;        /* time columns are bound as MYSQL_TIME */
	signed char *col_time_fmt;    /* COL_TEXT, or the column's kind below */
};

/* How db_fetch() writes a time column as text (time_text()). */
#define COL_TEXT     (-1)         /* bound as a string by libmariadb */
#define COL_DATE     7            /* DATE: YYYY-MM-DD */
                                  /* 0..6: DATETIME/TIMESTAMP and its
                                   * fractional digits */

struct db {
	const struct cb_config *cfg;
	MYSQL *conn;
	bool in_tx;
	struct db_stmt *stmts;
	unsigned rw_timeout;          /* seconds; see db_set_io_timeout() */
	char error[512];
	unsigned last_errno;
	/* The read replica (db_reader()): its own connection, with a copy
	 * of the configuration naming the replica; NULL until first used. */
	struct db *reader;
	struct cb_config *own_cfg;
	time_t reader_down_until;
	bool reader_checked;          /* db_reader() looked this request */
};

static void db_reader_free(struct db *db);

void
db_library_end(void)
{
	mysql_library_end();
}

struct db *
db_new(const struct cb_config *cfg)
{
	struct db *db = calloc(1, sizeof(*db));

	if (db == NULL)
		abort();
	db->cfg = cfg;
	db->rw_timeout = DB_IO_TIMEOUT;
	return db;
}

void
db_set_io_timeout(struct db *db, unsigned seconds)
{
	/* Takes effect at the next connect; a live connection keeps its own
	 * (the client library reads the option only in mysql_real_connect). */
	db->rw_timeout = seconds;
}

const struct cb_config *
db_config(const struct db *db)
{
	return db->cfg;
}

/* The buffers bound for the current result set. */
static void
free_cols(struct db_stmt *st)
{
	unsigned i;

	for (i = 0; i < st->ncols; i++)
		free(st->col_text ? st->col_text[i] : NULL);
	for (i = 0; i < st->ncols && st->col_names; i++)
		free(st->col_names[i]);
	free(st->cols);
	free(st->col_lens);
	free(st->col_nulls);
	free(st->col_names);
	free(st->col_text);
	free(st->col_times);
	free(st->col_time_fmt);
	st->cols = NULL;
	st->col_lens = NULL;
	st->col_nulls = NULL;
	st->col_names = NULL;
	st->col_text = NULL;
	st->col_times = NULL;
	st->col_time_fmt = NULL;
	st->ncols = 0;
}

static void
stmt_free_result(struct db_stmt *st)
{
	if (st->has_result && st->h)
		mysql_stmt_free_result(st->h);
	st->has_result = false;
	/* A CALL leaves more results (its last one is the status): read them
	 * all, or the connection is out of sync for the next statement. */
	while (st->h && mysql_stmt_more_results(st->h) &&
	    mysql_stmt_next_result(st->h) == 0)
		mysql_stmt_free_result(st->h);
	free_cols(st);
}

static void
stmt_close(struct db_stmt *st)
{
	stmt_free_result(st);
	if (st->h)
		mysql_stmt_close(st->h);
	st->h = NULL;
}

static void
db_disconnect(struct db *db)
{
	struct db_stmt *st;

	for (st = db->stmts; st; st = st->next)
		stmt_close(st);
	if (db->conn)
		mysql_close(db->conn);
	db->conn = NULL;
	db->in_tx = false;
}

void
db_free(struct db *db)
{
	struct db_stmt *st, *next;
	unsigned i;

	if (db == NULL)
		return;
	db_reader_free(db);
	db_disconnect(db);
	for (st = db->stmts; st; st = next) {
		next = st->next;
		for (i = 0; i < st->nparams; i++)
			free(st->strs[i]);
		free(st->params);
		free(st->ints);
		free(st->strs);
		free(st->lens);
		free(st->owned_sql);
		free(st);
	}
	free(db);
}

const char *
db_error(const struct db *db)
{
	return db->error;
}

bool
db_retryable(const struct db *db)
{
	return db->last_errno == ER_LOCK_DEADLOCK ||
	    db->last_errno == ER_LOCK_WAIT_TIMEOUT;
}

bool
db_timed_out(const struct db *db)
{
	return db->last_errno == ER_STATEMENT_TIMEOUT;
}

bool
db_table_full(const struct db *db)
{
	return db->last_errno == ER_RECORD_FILE_FULL;
}

bool
db_refused(const struct db *db)
{
	switch (db->last_errno) {
	case ER_BAD_NULL_ERROR:
	case ER_DATA_TOO_LONG:
	case ER_TRUNCATED_WRONG_VALUE:
	case ER_TRUNCATED_WRONG_VALUE_FOR_FIELD:
	case ER_WARN_DATA_OUT_OF_RANGE:
	case WARN_DATA_TRUNCATED:
	case ER_WARN_NULL_TO_NOTNULL:
	case ER_NO_DEFAULT_FOR_FIELD:
	case ER_INVALID_CHARACTER_STRING:
	case ER_CANNOT_CONVERT_CHARACTER:
	case ER_DIVISION_BY_ZERO:
	case ER_ILLEGAL_VALUE_FOR_TYPE:
	case ER_WRONG_VALUE:
	case ER_DATETIME_FUNCTION_OVERFLOW:
	case ER_NO_REFERENCED_ROW_2:
	case ER_CONSTRAINT_FAILED:
	case ER_SIGNAL_EXCEPTION:
		return true;
	default:
		return false;
	}
}

/* Every failure sets the text; only db_exec() sets last_errno after it
 * (the server's code for the statement), so a connect or query failure
 * never leaves an older statement's code behind. */
static void
set_error(struct db *db, const char *what, const char *msg)
{
	db->last_errno = 0;
	snprintf(db->error, sizeof(db->error), "%s: %s", what, msg);
}

static enum cb_err
db_connect(struct db *db)
{
	const struct cb_config *c = db->cfg;
	unsigned timeout = 2, rw_timeout = db->rw_timeout;
	my_bool off = 0;

	if (db->conn)
		return CB_OK;
	if ((db->conn = mysql_init(NULL)) == NULL)
		return CB_ENOMEM;
	mysql_options(db->conn, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_options(db->conn, MYSQL_OPT_READ_TIMEOUT, &rw_timeout);
	mysql_options(db->conn, MYSQL_OPT_WRITE_TIMEOUT, &rw_timeout);
	mysql_options(db->conn, MYSQL_OPT_RECONNECT, &off);
	mysql_options(db->conn, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	/* Times are stored and compared in UTC (DESIGN §4). READ COMMITTED:
	 * no gap locks, so concurrent events of one call do not deadlock on
	 * the leg inserts (seen under load with REPEATABLE READ). */
	mysql_options(db->conn, MYSQL_INIT_COMMAND, "SET time_zone = '+00:00'");
	mysql_options(db->conn, MYSQL_INIT_COMMAND,
	    "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
	/* The client library takes the unix socket only for host NULL or
	 * "localhost": with db_host = 127.0.0.1 beside db_socket it used TCP,
	 * against what callboard.conf.sample promises. Over the socket a
	 * round trip costs both sides less CPU (no TCP and loopback work:
	 * about 10 % of callboard-calls' CPU in perf). */
	if (mysql_real_connect(db->conn,
	    c->db_socket[0] ? "localhost" : c->db_host, c->db_user,
	    c->db_password, c->db_name, c->db_port,
	    c->db_socket[0] ? c->db_socket : NULL,
	    CLIENT_MULTI_STATEMENTS) == NULL) {
		set_error(db, "connect", mysql_error(db->conn));
		mysql_close(db->conn);
		db->conn = NULL;
		return CB_EDB;
	}
	return CB_OK;
}

enum cb_err
db_ping(struct db *db)
{
	enum cb_err rc;

	if ((rc = db_connect(db)) != CB_OK)
		return rc;
	if (mysql_ping(db->conn) != 0) {
		db_disconnect(db);
		if ((rc = db_connect(db)) != CB_OK)
			return rc;
	}
	return CB_OK;
}

static bool
conn_lost(unsigned err)
{
	return err == CR_SERVER_GONE_ERROR || err == CR_SERVER_LOST ||
	    err == CR_CONNECTION_ERROR || err == CR_CONN_HOST_ERROR ||
	    err == ER_CONNECTION_KILLED;
}

static enum cb_err
stmt_prepare(struct db_stmt *st)
{
	struct db *db = st->db;
	enum cb_err rc;
	my_bool on = 1;
	int attempt;

	if (st->h)
		return CB_OK;
	for (attempt = 0; attempt < 2; attempt++) {
		unsigned err;

		if ((rc = db_connect(db)) != CB_OK)
			return rc;
		if ((st->h = mysql_stmt_init(db->conn)) == NULL)
			return CB_ENOMEM;
		mysql_stmt_attr_set(st->h, STMT_ATTR_UPDATE_MAX_LENGTH, &on);
		if (mysql_stmt_prepare(st->h, st->sql, strlen(st->sql)) == 0)
			break;
		err = mysql_stmt_errno(st->h);
		set_error(db, "prepare", mysql_stmt_error(st->h));
		mysql_stmt_close(st->h);
		st->h = NULL;
		if (!conn_lost(err))
			return CB_EDB;
		/* The server restarted since our last statement: a fresh
		 * connection, once, unless a transaction was under way. */
		{
			bool in_tx = db->in_tx;
			db_disconnect(db);
			if (in_tx)
				return CB_EDB;
		}
	}
	if (st->h == NULL)
		return CB_EDB;
	if (mysql_stmt_param_count(st->h) != st->nparams) {
		set_error(db, "prepare", "parameter count changed");
		return CB_EDB;
	}
	return CB_OK;
}

static enum cb_err stmt_add(struct db *db, const char *sql, char *owned,
    struct db_stmt **out);

enum cb_err
db_stmt(struct db *db, const char *sql, struct db_stmt **out)
{
	struct db_stmt *st;
	enum cb_err rc;

	for (st = db->stmts; st; st = st->next)
		if (st->sql == sql) {
			if ((rc = stmt_prepare(st)) != CB_OK)
				return rc;
			*out = st;
			return CB_OK;
		}
	return stmt_add(db, sql, NULL, out);
}

enum cb_err
db_stmt_text(struct db *db, const char *sql, struct db_stmt **out)
{
	struct db_stmt *st;
	enum cb_err rc;
	char *copy;

	for (st = db->stmts; st; st = st->next)
		if (st->owned_sql && strcmp(st->owned_sql, sql) == 0) {
			if ((rc = stmt_prepare(st)) != CB_OK)
				return rc;
			*out = st;
			return CB_OK;
		}
	if ((copy = strdup(sql)) == NULL)
		abort();
	return stmt_add(db, copy, copy, out);
}

static enum cb_err
stmt_add(struct db *db, const char *sql, char *owned, struct db_stmt **out)
{
	struct db_stmt *st;
	enum cb_err rc;
	unsigned n = 0;
	const char *p;
	/* Count '?' placeholders outside quotes; we only write simple SQL,
	 * and the server's count is checked against it at prepare. */
	{
		char q = 0;
		for (p = sql; *p; p++) {
			if (q) {
				if (*p == q)
					q = 0;
			} else if (*p == '\'' || *p == '"' || *p == '`')
				q = *p;
			else if (*p == '?')
				n++;
		}
	}
	if (n > DB_MAX_PARAMS) {
		free(owned);
		return CB_EINVAL;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL)
		abort();
	st->db = db;
	st->sql = sql;
	st->owned_sql = owned;
	st->nparams = n;
	st->params = calloc(n ? n : 1, sizeof(*st->params));
	st->ints = calloc(n ? n : 1, sizeof(*st->ints));
	st->strs = calloc(n ? n : 1, sizeof(*st->strs));
	st->lens = calloc(n ? n : 1, sizeof(*st->lens));
	if (!st->params || !st->ints || !st->strs || !st->lens)
		abort();
	st->next = db->stmts;
	db->stmts = st;
	if ((rc = stmt_prepare(st)) != CB_OK)
		return rc;
	*out = st;
	return CB_OK;
}

void
db_bind_i64(struct db_stmt *st, unsigned idx, int64_t v)
{
	MYSQL_BIND *b;

	if (idx >= st->nparams)
		abort();
	b = &st->params[idx];
	memset(b, 0, sizeof(*b));
	st->ints[idx] = v;
	b->buffer_type = MYSQL_TYPE_LONGLONG;
	b->buffer = &st->ints[idx];
}

void
db_bind_str(struct db_stmt *st, unsigned idx, const char *s, size_t len)
{
	MYSQL_BIND *b;

	if (idx >= st->nparams)
		abort();
	b = &st->params[idx];
	memset(b, 0, sizeof(*b));
	free(st->strs[idx]);
	if ((st->strs[idx] = malloc(len + 1)) == NULL)
		abort();
	memcpy(st->strs[idx], s, len);
	st->strs[idx][len] = '\0';
	st->lens[idx] = len;
	b->buffer_type = MYSQL_TYPE_STRING;
	b->buffer = st->strs[idx];
	b->buffer_length = len;
	b->length = &st->lens[idx];
}

void
db_bind_null(struct db_stmt *st, unsigned idx)
{
	MYSQL_BIND *b;

	if (idx >= st->nparams)
		abort();
	b = &st->params[idx];
	memset(b, 0, sizeof(*b));
	b->buffer_type = MYSQL_TYPE_NULL;
}

void
db_bind_text(struct db_stmt *st, unsigned idx, const char *s)
{
	if (s == NULL)
		db_bind_null(st, idx);
	else
		db_bind_str(st, idx, s, strlen(s));
}

/* COL_TEXT, COL_DATE or the fractional digits of a DATETIME/TIMESTAMP
 * column (read as a MYSQL_TIME and written by time_text()). */
static signed char
time_fmt(const MYSQL_FIELD *f)
{
	if (f->type == MYSQL_TYPE_DATE)
		return COL_DATE;
	if ((f->type == MYSQL_TYPE_DATETIME || f->type == MYSQL_TYPE_TIMESTAMP)
	    && f->decimals <= 6)
		return (signed char)f->decimals;
	return COL_TEXT;
}

/* The text libmariadb writes for a time value fetched into a string
 * (ps_fetch_datetime in ma_stmt_codec.c): "%04u-%02u-%02u", then for a
 * DATETIME or TIMESTAMP " %02u:%02u:%02u" and, with fractional digits,
 * ".%06lu" cut to that many. out holds 64 bytes. Returns the length. */
static unsigned long
time_text(const MYSQL_TIME *t, signed char fmt, char *out)
{
	char *p = out, frac[24];

	p = digits_put(p, t->year, 4);
	*p++ = '-';
	p = digits_put(p, t->month, 2);
	*p++ = '-';
	p = digits_put(p, t->day, 2);
	if (fmt != COL_DATE) {
		*p++ = ' ';
		p = digits_put(p, t->hour, 2);
		*p++ = ':';
		p = digits_put(p, t->minute, 2);
		*p++ = ':';
		p = digits_put(p, t->second, 2);
		if (fmt > 0) {
			/* Six digits, as ".%06lu" (a larger value, which a
			 * server never sends, keeps its first six). */
			digits_put(frac, t->second_part, 6);
			*p++ = '.';
			memcpy(p, frac, (size_t)fmt);
			p += fmt;
		}
	}
	*p = '\0';
	return (unsigned long)(p - out);
}

static enum cb_err
stmt_bind_result(struct db_stmt *st)
{
	MYSQL_RES *meta;
	MYSQL_FIELD *f;
	unsigned i;

	if ((meta = mysql_stmt_result_metadata(st->h)) == NULL)
		return CB_OK; /* not a SELECT */
	if (mysql_stmt_store_result(st->h) != 0) {
		set_error(st->db, "store", mysql_stmt_error(st->h));
		st->db->last_errno = mysql_stmt_errno(st->h);
		mysql_free_result(meta);
		return CB_EDB;
	}
	st->has_result = true;
	st->ncols = mysql_num_fields(meta);
	f = mysql_fetch_fields(meta);
	st->cols = calloc(st->ncols, sizeof(*st->cols));
	st->col_lens = calloc(st->ncols, sizeof(*st->col_lens));
	st->col_nulls = calloc(st->ncols, sizeof(*st->col_nulls));
	st->col_names = calloc(st->ncols, sizeof(*st->col_names));
	st->col_text = calloc(st->ncols, sizeof(*st->col_text));
	st->col_times = calloc(st->ncols, sizeof(*st->col_times));
	st->col_time_fmt = calloc(st->ncols, sizeof(*st->col_time_fmt));
	if (!st->cols || !st->col_lens || !st->col_nulls || !st->col_names ||
	    !st->col_text || !st->col_times || !st->col_time_fmt)
		abort();
	for (i = 0; i < st->ncols; i++) {
		/* Numbers and dates print in at most 64 bytes; strings report
		 * their longest value thanks to UPDATE_MAX_LENGTH. */
		size_t cap = f[i].max_length > 64 ? f[i].max_length : 64;
		if ((st->col_text[i] = malloc(cap + 1)) == NULL)
			abort();
		st->col_time_fmt[i] = time_fmt(&f[i]);
		if (st->col_time_fmt[i] == COL_TEXT) {
			st->cols[i].buffer_type = MYSQL_TYPE_STRING;
			st->cols[i].buffer = st->col_text[i];
			st->cols[i].buffer_length = cap + 1;
		} else {
			/* Text made by time_text(): libmariadb's own
			 * conversion is an sprintf per value (5 % of
			 * callboard-calls' instructions on a history
			 * page, 51 times). */
			st->cols[i].buffer_type = f[i].type == MYSQL_TYPE_DATE ?
			    MYSQL_TYPE_DATE : MYSQL_TYPE_DATETIME;
			st->cols[i].buffer = &st->col_times[i];
			st->cols[i].buffer_length = sizeof(MYSQL_TIME);
		}
		st->cols[i].length = &st->col_lens[i];
		st->cols[i].is_null = &st->col_nulls[i];
		if ((st->col_names[i] = strdup(f[i].name)) == NULL)
			abort();
	}
	mysql_free_result(meta);
	if (mysql_stmt_bind_result(st->h, st->cols) != 0) {
		set_error(st->db, "bind result", mysql_stmt_error(st->h));
		return CB_EDB;
	}
	return CB_OK;
}

enum cb_err
db_exec(struct db_stmt *st)
{
	struct db *db = st->db;
	enum cb_err rc;
	int attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		unsigned err;

		stmt_free_result(st);
		if ((rc = stmt_prepare(st)) != CB_OK) {
			if (rc == CB_EDB && !db->in_tx && attempt == 0 &&
			    db->conn == NULL)
				continue;
			return rc;
		}
		if (st->nparams && mysql_stmt_bind_param(st->h, st->params)) {
			set_error(db, "bind", mysql_stmt_error(st->h));
			return CB_EDB;
		}
		if (mysql_stmt_execute(st->h) == 0) {
			db->last_errno = 0;
			return stmt_bind_result(st);
		}
		err = mysql_stmt_errno(st->h);
		set_error(db, "execute", mysql_stmt_error(st->h));
		db->last_errno = err;
		if (err == ER_DUP_ENTRY)
			return CB_DUPLICATE;
		if (!conn_lost(err))
			return CB_EDB;
		/* The server went away: reconnect and retry once, but never
		 * inside a transaction (its earlier statements are lost). */
		{
			bool in_tx = db->in_tx;
			db_disconnect(db);
			if (in_tx)
				return CB_EDB;
		}
	}
	return CB_EDB;
}

enum cb_err
db_fetch(struct db_stmt *st)
{
	int r;

	if (!st->has_result)
		return CB_ENOTFOUND;
	r = mysql_stmt_fetch(st->h);
	if (r == 0) {
		unsigned i;
		for (i = 0; i < st->ncols; i++)
			if (st->col_time_fmt[i] != COL_TEXT &&
			    !st->col_nulls[i])
				st->col_lens[i] = time_text(&st->col_times[i],
				    st->col_time_fmt[i], st->col_text[i]);
		return CB_OK;
	}
	if (r == MYSQL_NO_DATA)
		return CB_ENOTFOUND;
	if (r == MYSQL_DATA_TRUNCATED) {
		/* Cannot happen with max_length-sized buffers; treat as a bug
		 * in this layer rather than return a cut value. */
		set_error(st->db, "fetch", "column truncated");
		return CB_EDB;
	}
	set_error(st->db, "fetch", mysql_stmt_error(st->h));
	return CB_EDB;
}

void
db_rewind(struct db_stmt *st)
{
	if (st->has_result)
		mysql_stmt_data_seek(st->h, 0);
}

const char *
db_col(struct db_stmt *st, unsigned idx, size_t *len)
{
	if (idx >= st->ncols || st->col_nulls[idx]) {
		if (len)
			*len = 0;
		return NULL;
	}
	st->col_text[idx][st->col_lens[idx]] = '\0';
	if (len)
		*len = st->col_lens[idx];
	return st->col_text[idx];
}

int64_t
db_col_i64(struct db_stmt *st, unsigned idx)
{
	const char *s = db_col(st, idx, NULL);
	int64_t v = 0;

	if (s == NULL || strparse_i64z(s, INT64_MIN, INT64_MAX, &v) != CB_OK)
		return 0;
	return v;
}

bool
db_col_null(struct db_stmt *st, unsigned idx)
{
	return idx >= st->ncols || st->col_nulls[idx];
}

unsigned
db_col_count(struct db_stmt *st)
{
	return st->ncols;
}

const char *
db_col_name(struct db_stmt *st, unsigned idx)
{
	return idx < st->ncols ? st->col_names[idx] : "";
}

uint64_t
db_affected(struct db_stmt *st)
{
	return st->h ? mysql_stmt_affected_rows(st->h) : 0;
}

uint64_t
db_insert_id(struct db_stmt *st)
{
	return st->h ? mysql_stmt_insert_id(st->h) : 0;
}

void
db_stmt_done(struct db_stmt *st)
{
	stmt_free_result(st);
}

void
db_rollback_any(struct db *db)
{
	db->in_tx = true;
	db_rollback(db);
}

static enum cb_err
db_query(struct db *db, const char *sql)
{
	enum cb_err rc;

	if ((rc = db_connect(db)) != CB_OK)
		return rc;
	if (mysql_query(db->conn, sql) != 0) {
		unsigned err = mysql_errno(db->conn);
		set_error(db, "query", mysql_error(db->conn));
		if (conn_lost(err))
			db_disconnect(db);
		return CB_EDB;
	}
	return CB_OK;
}

enum cb_err
db_begin(struct db *db)
{
	enum cb_err rc;
	int attempt;

	/* No ping first (a round trip on every event): if the server went
	 * away, START TRANSACTION itself fails, and nothing has happened yet,
	 * so a fresh connection and one more try are safe. */
	for (attempt = 0; attempt < 2; attempt++) {
		if ((rc = db_connect(db)) != CB_OK)
			return rc;
		if (mysql_query(db->conn, "START TRANSACTION") == 0) {
			db->in_tx = true;
			return CB_OK;
		}
		set_error(db, "begin", mysql_error(db->conn));
		if (!conn_lost(mysql_errno(db->conn)))
			return CB_EDB;
		db_disconnect(db);
	}
	return CB_EDB;
}

enum cb_err
db_commit(struct db *db)
{
	enum cb_err rc = db_query(db, "COMMIT");

	/* Galera reports a write conflict with another node here, at COMMIT
	 * (1213, "Deadlock found"): db_retryable() must see it. */
	if (rc != CB_OK && db->conn)
		db->last_errno = mysql_errno(db->conn);
	db->in_tx = false;
	return rc;
}

void
db_rollback(struct db *db)
{
	if (db->conn && db->in_tx)
		(void)db_query(db, "ROLLBACK");
	db->in_tx = false;
}

void
db_request_end(struct db *db)
{
	struct db_stmt *st;

	for (st = db->stmts; st; st = st->next)
		stmt_free_result(st);
	db_rollback(db);
	db->reader_checked = false;
	if (db->reader)
		db_request_end(db->reader);
}

enum cb_err
db_exec_script(struct db *db, const char *sql, size_t len)
{
	enum cb_err rc;
	int status;

	if ((rc = db_connect(db)) != CB_OK)
		return rc;
	if (mysql_real_query(db->conn, sql, len) != 0) {
		set_error(db, "script", mysql_error(db->conn));
		return CB_EDB;
	}
	/* Drain every result of the multi-statement script; stop at the
	 * first failing statement. */
	do {
		MYSQL_RES *res = mysql_store_result(db->conn);
		if (res)
			mysql_free_result(res);
		if ((status = mysql_next_result(db->conn)) > 0) {
			set_error(db, "script", mysql_error(db->conn));
			return CB_EDB;
		}
	} while (status == 0);
	return CB_OK;
}

/* --- the read replica (db_read = host:port; docs/scaling.md) ----------- */

static void
db_reader_free(struct db *db)
{
	if (db->reader == NULL)
		return;
	free(db->reader->own_cfg);
	db_free(db->reader);
	db->reader = NULL;
}

/* "host:port" (or "[v6]:port", or a host alone: port 3306) into cfg. */
static bool
reader_addr(const char *spec, struct cb_config *cfg)
{
	const char *colon = strrchr(spec, ':');
	size_t hl = colon ? (size_t)(colon - spec) : strlen(spec);
	unsigned long port = 3306;
	char *end;

	if (spec[0] == '[') {
		const char *rb = strchr(spec, ']');
		if (rb == NULL || (rb[1] != '\0' && rb[1] != ':'))
			return false;
		colon = rb[1] == ':' ? rb + 1 : NULL;
		spec++;
		hl = (size_t)(rb - spec);
	}
	if (hl == 0 || hl >= sizeof(cfg->db_host))
		return false;
	if (colon != NULL) {
		port = strtoul(colon + 1, &end, 10);
		if (colon[1] == '\0' || *end != '\0' || port == 0 ||
		    port > 65535)
			return false;
	}
	memcpy(cfg->db_host, spec, hl);
	cfg->db_host[hl] = '\0';
	cfg->db_port = (unsigned)port;
	cfg->db_socket[0] = '\0';
	return true;
}

/* Whether the idle connection to the replica is gone: a server that
 * stopped or was killed closed its end, which makes the socket readable
 * (EOF, or the server's last error packet) while no statement of ours
 * waits for an answer. poll() with no timeout costs no round trip; a
 * replica that vanished without closing is left to the read timeout. */
static bool
reader_conn_closed(struct db *r)
{
	struct pollfd p = { .fd = (int)mysql_get_socket(r->conn),
	    .events = POLLIN };

	return p.fd >= 0 && poll(&p, 1, 0) > 0;
}

struct db *
db_reader(struct db *db)
{
	const struct cb_config *c = db->cfg;
	struct db *r;
	time_t now;

	if (c->db_read[0] == '\0')
		return db;
	if (db->reader == NULL) {
		struct cb_config *rc = malloc(sizeof(*rc));

		if (rc == NULL)
			abort();
		*rc = *c;
		rc->db_read[0] = '\0';
		if (!reader_addr(c->db_read, rc)) {
			log_error("db_read = %s: not host:port; reading from "
			    "the primary", c->db_read);
			free(rc);
			return db;
		}
		db->reader = db_new(rc);
		db->reader->own_cfg = rc;
		db->reader->rw_timeout = db->rw_timeout;
	}
	r = db->reader;
	/* Checked once a request, before its first read: later in the
	 * request a statement's unread answer may be waiting. Found closed,
	 * the connection is dropped and made again below: a replica that
	 * went away sends this request to the primary instead of failing
	 * it (db_exec() would only find out at the statement). */
	if (r->conn != NULL && !db->reader_checked && reader_conn_closed(r))
		db_disconnect(r);
	db->reader_checked = true;
	if (r->conn != NULL)
		return r;
	/* A replica that does not answer: the primary serves the reads, and
	 * the replica is tried again after db_read_retry_seconds (not on
	 * every request: each try may wait for the connect timeout). */
	now = time(NULL);
	if (now < db->reader_down_until)
		return db;
	if (db_connect(r) != CB_OK) {
		log_warn("db_read %s: %s; reading from the primary for %u s",
		    c->db_read, db_error(r), c->db_read_retry_seconds);
		db->reader_down_until = now + (time_t)c->db_read_retry_seconds;
		return db;
	}
	return r;
}
