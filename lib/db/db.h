/* The MariaDB layer: one connection per process, prepared statements only
 * (STYLE §2.13), cached per connection and keyed by the address of their
 * `static const char[]` text. Results are read as strings (the server
 * converts), so one code path serves every column type; numbers go through
 * db_col_i64(). Connection loss outside a transaction is retried once after
 * reconnecting; a dead server is CB_EDB (503), never a hang: connect and
 * read timeouts are short. */
#ifndef CB_DB_DB_H
#define CB_DB_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/conf.h"
#include "core/err.h"

struct db;
struct db_stmt;

/* At process exit, after db_free(): releases the client library. */
void db_library_end(void);
/* Read and write timeout of a connection (seconds): a request never waits
 * longer than this on a dead or stuck server. */
#define DB_IO_TIMEOUT 15
/* What the admin tool's bulk work (migrations, the demo generator's
 * INSERT ... SELECT of millions of calls, which takes minutes) needs:
 * long, but still bounded, so a script that calls it never hangs forever.
 * At 1M calls the demo INSERT takes about 2 minutes on 2 cores. */
#define DB_IO_TIMEOUT_BULK (4 * 3600)

/* Does not connect; the first statement does. Never NULL. The connection
 * gets DB_IO_TIMEOUT. */
struct db *db_new(const struct cb_config *cfg);
/* Changes the read/write timeout of the connections made from now on;
 * only the admin tool (tools/callboard.c) lengthens it. FastCGI programs
 * and the worker keep DB_IO_TIMEOUT. */
void db_set_io_timeout(struct db *db, unsigned seconds);
void db_free(struct db *db);
/* The configuration the connection was created with (borrowed): readers
 * of encrypted columns take the secret key from it. */
const struct cb_config *db_config(const struct db *db);
/* Connects if needed and checks the server answers. */
enum cb_err db_ping(struct db *db);
/* The last server or client error text, for logs. Never NULL. */
const char *db_error(const struct db *db);
/* true when the last failure was a deadlock or a lock wait timeout: the
 * whole transaction may simply be run again. */
bool db_retryable(const struct db *db);
/* true when the last statement ran past the session's max_statement_time
 * (MariaDB's ER_STATEMENT_TIMEOUT) and was stopped. */
bool db_timed_out(const struct db *db);
/* true when the last statement filled a table to its limit (MariaDB's
 * ER_RECORD_FILE_FULL: an in-memory temporary table past
 * max_heap_table_size). */
bool db_table_full(const struct db *db);
/* true when the last failure was the server refusing the statement's data
 * (a value too long or not valid in its character set, out of range, NULL
 * where none is allowed, a failed constraint or foreign key, a SIGNAL):
 * running it again cannot succeed. Anything else (connection errors
 * CR_SERVER_GONE_ERROR, CR_CONNECTION_ERROR…, a read-only or full server)
 * is "the database is not available": false. */
bool db_refused(const struct db *db);

/* sql must have static storage: its address is the cache key. The
 * statement is owned by the connection; valid until db_free(). */
enum cb_err db_stmt(struct db *db, const char *sql, struct db_stmt **out);
/* For queries assembled from static fragments (filter combinations): the
 * text is copied and the cache is searched by content. Never put request
 * values in the text; bind them. */
enum cb_err db_stmt_text(struct db *db, const char *sql, struct db_stmt **out);
/* Parameters are 0-based. Strings are copied. */
void db_bind_i64(struct db_stmt *st, unsigned idx, int64_t v);
void db_bind_str(struct db_stmt *st, unsigned idx, const char *s, size_t len);
/* NULL s binds SQL NULL. */
void db_bind_text(struct db_stmt *st, unsigned idx, const char *s);
void db_bind_null(struct db_stmt *st, unsigned idx);
/* Executes; a SELECT's rows are buffered for db_fetch(). A unique-key
 * violation is CB_DUPLICATE. */
enum cb_err db_exec(struct db_stmt *st);
/* CB_OK with a row, CB_ENOTFOUND after the last row, CB_EDB on error. */
enum cb_err db_fetch(struct db_stmt *st);
/* Back before the first row of the buffered result: the next db_fetch()
 * reads the first row again (a caller that looked at it first). */
void db_rewind(struct db_stmt *st);
/* Column of the current row: NULL for SQL NULL. Borrowed until the next
 * fetch or exec of this statement. */
const char *db_col(struct db_stmt *st, unsigned idx, size_t *len);
int64_t db_col_i64(struct db_stmt *st, unsigned idx);
bool db_col_null(struct db_stmt *st, unsigned idx);
unsigned db_col_count(struct db_stmt *st);
const char *db_col_name(struct db_stmt *st, unsigned idx);
uint64_t db_affected(struct db_stmt *st);
uint64_t db_insert_id(struct db_stmt *st);
/* Frees the buffered result (also done by the next exec); reads and drops
 * any further results of a CALL. */
void db_stmt_done(struct db_stmt *st);
/* Ends a transaction a failed CALL may have left open (a procedure that
 * runs its own transaction and stopped half-way): ROLLBACK if connected. */
void db_rollback_any(struct db *db);

enum cb_err db_begin(struct db *db);
enum cb_err db_commit(struct db *db);
void db_rollback(struct db *db);
/* End of a request: frees results, rolls back a forgotten transaction. */
void db_request_end(struct db *db);

/* Runs a trusted multi-statement script (migrations, demo data) as text;
 * never for values from a request. */
enum cb_err db_exec_script(struct db *db, const char *sql, size_t len);

/* The connection for reads that may lag a little (the call history, its
 * CSV, the API's call list): the asynchronous replica named by db_read
 * (host:port) when set, else db itself. A replica that cannot be reached
 * gives db (the primary) for the next 30 s. Owned by db; never in db's
 * transaction, so never for reading what this request just wrote. */
struct db *db_reader(struct db *db);

#endif
