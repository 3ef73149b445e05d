/* insert_fcgi: the benchmark's ceiling 3 (bench/webhook.sh), the
 * "one-INSERT responder" of STACK-NOTES.md. Per request it reads a
 * urlencoded form of 10 known fields, decodes them, and runs ONE prepared
 * INSERT (autocommit, so one durable commit per request with the server's
 * innodb_flush_log_at_trx_commit) into the scratch table bench_insert. It
 * answers 200 "ok" once the row is committed, 503 when it is not. That is
 * the least any webhook that stores every event before acknowledging it can
 * do; the real hook does verification, adapting and several statements on
 * top.
 *
 * No signal handling: SIGTERM's default action ends it (an INSERT cut
 * short is rolled back by the server and was never acknowledged).
 *
 * Connection from the environment (the same server and the same transport
 * as the hook: TCP to 127.0.0.1 unless BENCH_DB_SOCKET is set):
 *   BENCH_DB_HOST, BENCH_DB_PORT, BENCH_DB_SOCKET, BENCH_DB_USER,
 *   BENCH_DB_PASSWORD, BENCH_DB_NAME
 *
 *   cc -O2 -o insert_fcgi insert_fcgi.c $(pkg-config --cflags --libs fcgi libmariadb)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>
#include <mysql.h>

#define MAX_BODY 65536
#define NFIELDS 10
#define FIELD_MAX 256

static const char *const field_names[NFIELDS] = {
	"event", "call_id", "caller", "did", "ext",
	"start", "answer", "end", "duration", "status",
};

static const char sql_insert[] =
    "INSERT INTO bench_insert (event, call_id, caller, did, ext, started, "
    "answered, ended, duration, status, received_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(3))";

static MYSQL *conn;
static MYSQL_STMT *stmt;

static const char *
env(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : def;
}

static void
db_close(void)
{
	if (stmt != NULL)
		mysql_stmt_close(stmt);
	if (conn != NULL)
		mysql_close(conn);
	stmt = NULL;
	conn = NULL;
}

static int
db_open(void)
{
	const char *sock = env("BENCH_DB_SOCKET", NULL);
	unsigned timeout = 2;

	if (conn != NULL)
		return 0;
	if ((conn = mysql_init(NULL)) == NULL)
		return -1;
	mysql_options(conn, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_options(conn, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	if (mysql_real_connect(conn, sock ? "localhost" :
	    env("BENCH_DB_HOST", "127.0.0.1"), env("BENCH_DB_USER", "callboard"),
	    env("BENCH_DB_PASSWORD", ""), env("BENCH_DB_NAME", "callboard"),
	    (unsigned)atoi(env("BENCH_DB_PORT", "3306")), sock, 0) == NULL ||
	    (stmt = mysql_stmt_init(conn)) == NULL ||
	    mysql_stmt_prepare(stmt, sql_insert, sizeof(sql_insert) - 1) != 0) {
		fprintf(stderr, "insert_fcgi: %s\n", mysql_error(conn));
		db_close();
		return -1;
	}
	return 0;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode s[0..n) (form encoding: '+' is a space) into out; 0 or -1 when it
 * does not fit or a %XX is malformed. */
static int
decode(const char *s, size_t n, char *out, size_t cap, size_t *outlen)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		if (c == '+')
			c = ' ';
		else if (c == '%') {
			int h, l;
			if (i + 2 >= n || (h = hexval(s[i + 1])) < 0 ||
			    (l = hexval(s[i + 2])) < 0)
				return -1;
			c = h << 4 | l;
			i += 2;
		}
		if (o + 1 >= cap)
			return -1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	*outlen = o;
	return 0;
}

/* The form's known fields into vals/lens (unknown names are skipped, a
 * missing field stays NULL). */
static int
parse_form(const char *body, size_t len, char vals[NFIELDS][FIELD_MAX],
    unsigned long lens[NFIELDS], char is_null[NFIELDS])
{
	const char *p = body, *end = body + len;
	char name[64];
	size_t nlen;
	int i;

	for (i = 0; i < NFIELDS; i++)
		is_null[i] = 1;
	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *pair_end = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(pair_end - p));
		size_t vlen;

		if (eq == NULL)
			eq = pair_end;
		if (decode(p, (size_t)(eq - p), name, sizeof(name), &nlen) != 0)
			return -1;
		for (i = 0; i < NFIELDS; i++)
			if (strcmp(name, field_names[i]) == 0)
				break;
		if (i < NFIELDS) {
			const char *v = eq < pair_end ? eq + 1 : pair_end;
			if (decode(v, (size_t)(pair_end - v), vals[i],
			    FIELD_MAX, &vlen) != 0)
				return -1;
			lens[i] = (unsigned long)vlen;
			is_null[i] = 0;
		}
		p = amp ? amp + 1 : end;
	}
	return 0;
}

static int
store(char vals[NFIELDS][FIELD_MAX], unsigned long lens[NFIELDS],
    char is_null[NFIELDS])
{
	MYSQL_BIND b[NFIELDS];
	int i, attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		if (db_open() != 0)
			return -1;
		memset(b, 0, sizeof(b));
		for (i = 0; i < NFIELDS; i++) {
			b[i].buffer_type = MYSQL_TYPE_STRING;
			b[i].buffer = vals[i];
			b[i].buffer_length = FIELD_MAX;
			b[i].length = &lens[i];
			b[i].is_null = (my_bool *)&is_null[i];
		}
		if (mysql_stmt_bind_param(stmt, b) == 0 &&
		    mysql_stmt_execute(stmt) == 0)
			return 0;
		fprintf(stderr, "insert_fcgi: %s\n", mysql_stmt_error(stmt));
		db_close(); /* reconnect once: the server may have restarted */
	}
	return -1;
}

int
main(void)
{
	static const char ok[] = "Status: 200 OK\r\nContent-Type: text/plain\r\n"
	    "Content-Length: 3\r\n\r\nok\n";
	static const char bad[] = "Status: 400 Bad Request\r\n"
	    "Content-Type: text/plain\r\n\r\nbad form\n";
	static const char down[] = "Status: 503 Service Unavailable\r\n"
	    "Content-Type: text/plain\r\n\r\nnot stored\n";
	static char body[MAX_BODY + 1];
	static char vals[NFIELDS][FIELD_MAX];
	unsigned long lens[NFIELDS];
	char is_null[NFIELDS];
	FCGX_Request r;
	char sink[4096];

	if (FCGX_Init() != 0)
		return 1;
	(void)db_open(); /* early, so the first request does not pay it */
	FCGX_InitRequest(&r, 0, 0);
	while (FCGX_Accept_r(&r) >= 0) {
		int n = FCGX_GetStr(body, MAX_BODY, r.in);
		const char *a;

		if (n < 0)
			n = 0;
		body[n] = '\0';
		while (FCGX_GetStr(sink, sizeof(sink), r.in) > 0)
			;
		if (parse_form(body, (size_t)n, vals, lens, is_null) != 0)
			a = bad;
		else
			a = store(vals, lens, is_null) == 0 ? ok : down;
		FCGX_PutStr(a, (int)strlen(a), r.out);
		FCGX_Finish_r(&r);
	}
	db_close();
	return 0;
}
