/* ingest_replay: replays captured `CALL cb_ingest_call(...)` statements
 * (one per line, as the server's general log wrote them while the real hook
 * ran) straight into MariaDB, to measure what batching could save on the
 * database's side (bench/ingest_batching.sh, issue 3 "Speed").
 *
 *   ingest_replay FILE SOCKET CONNS BATCH MODE
 *
 * The lines are dealt round-robin to CONNS connections (one thread each,
 * user root over the unix socket SOCKET, database callboard). Each thread
 * sends BATCH of its lines per round trip, as one multi-statement query:
 *   each   the statements as they are (each CALL commits itself);
 *   one    wrapped in START TRANSACTION ... COMMIT: one commit per batch.
 *          The lines must call a variant of the procedure without its own
 *          transaction (the script makes one). A deadlock (1213) rolls the
 *          whole batch back; it is sent again and counted.
 * Every result set is read. Prints one line:
 *   REPLAY events=N seconds=S retries=R
 * and exits non-zero on any other error.
 *
 *   cc -O2 -o ingest_replay ingest_replay.c -lpthread $(pkg-config --cflags --libs libmariadb)
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mysql.h>

#define MAX_CONNS 64
#define ER_LOCK_DEADLOCK_CODE 1213

static char **lines;
static size_t nlines;
static unsigned conns, batch;
static int one_txn;
static const char *sock;
static unsigned long retries[MAX_CONNS];

static void
die(const char *what, const char *why)
{
	fprintf(stderr, "ingest_replay: %s: %s\n", what, why);
	exit(1);
}

/* Appends s (n bytes) to the growing buffer *q of *len bytes. */
static void
put(char **q, size_t *cap, size_t *len, const char *s, size_t n)
{
	if (*len + n + 1 > *cap) {
		while (*len + n + 1 > *cap)
			*cap *= 2;
		if ((*q = realloc(*q, *cap)) == NULL)
			die("realloc", strerror(errno));
	}
	memcpy(*q + *len, s, n);
	*len += n;
}

/* Sends one query and reads every result set. 0, or the server's error
 * number. */
static unsigned
run_query(MYSQL *m, const char *q, size_t len)
{
	int st;

	if (mysql_real_query(m, q, len) != 0)
		return mysql_errno(m);
	do {
		MYSQL_RES *r = mysql_store_result(m);

		if (r != NULL)
			mysql_free_result(r);
		else if (mysql_field_count(m) != 0)
			return mysql_errno(m);
		if ((st = mysql_next_result(m)) > 0)
			return mysql_errno(m);
	} while (st == 0);
	return 0;
}

static void *
replay_thread(void *arg)
{
	unsigned t = (unsigned)(size_t)arg;
	MYSQL *m = mysql_init(NULL);
	size_t cap = 1 << 16, len, i, first;
	char *q = malloc(cap);
	unsigned k, err;

	if (m == NULL || q == NULL)
		die("init", "out of memory");
	if (mysql_real_connect(m, NULL, "root", NULL, "callboard", 0, sock,
	    CLIENT_MULTI_STATEMENTS) == NULL)
		die("connect", mysql_error(m));
	for (i = t; i < nlines; ) {
		first = i;
		len = 0;
		if (one_txn)
			put(&q, &cap, &len, "START TRANSACTION;", 18);
		for (k = 0; k < batch && i < nlines; k++, i += conns) {
			put(&q, &cap, &len, lines[i], strlen(lines[i]));
			put(&q, &cap, &len, ";", 1);
		}
		if (one_txn)
			put(&q, &cap, &len, "COMMIT", 6);
		else
			len--;	/* the last ';' */
		err = run_query(m, q, len);
		if (err == ER_LOCK_DEADLOCK_CODE && one_txn) {
			retries[t]++;
			i = first;
			continue;
		}
		if (err != 0)
			die("query", mysql_error(m));
	}
	free(q);
	mysql_close(m);
	return NULL;
}

static void
read_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	size_t cap = 0, have = 1024;
	char *l = NULL;
	ssize_t n;

	if (f == NULL)
		die(path, strerror(errno));
	if ((lines = malloc(have * sizeof(*lines))) == NULL)
		die("malloc", strerror(errno));
	while ((n = getline(&l, &cap, f)) > 0) {
		if (l[n - 1] == '\n')
			l[--n] = '\0';
		if (n == 0)
			continue;
		if (nlines == have &&
		    (lines = realloc(lines, (have *= 2) * sizeof(*lines))) == NULL)
			die("realloc", strerror(errno));
		if ((lines[nlines++] = strdup(l)) == NULL)
			die("strdup", strerror(errno));
	}
	free(l);
	fclose(f);
}

int
main(int argc, char **argv)
{
	pthread_t th[MAX_CONNS];
	struct timespec a, b;
	unsigned long total = 0;
	unsigned t;

	if (argc != 6 || (strcmp(argv[5], "each") != 0 &&
	    strcmp(argv[5], "one") != 0)) {
		fprintf(stderr, "usage: ingest_replay FILE SOCKET CONNS BATCH "
		    "each|one\n");
		return 2;
	}
	sock = argv[2];
	conns = (unsigned)strtoul(argv[3], NULL, 10);
	batch = (unsigned)strtoul(argv[4], NULL, 10);
	one_txn = strcmp(argv[5], "one") == 0;
	if (conns < 1 || conns > MAX_CONNS || batch < 1)
		die("arguments", "CONNS must be 1-64 and BATCH at least 1");
	read_lines(argv[1]);
	if (mysql_library_init(0, NULL, NULL) != 0)
		die("mysql_library_init", "failed");
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (t = 0; t < conns; t++)
		if (pthread_create(&th[t], NULL, replay_thread,
		    (void *)(size_t)t) != 0)
			die("pthread_create", strerror(errno));
	for (t = 0; t < conns; t++) {
		pthread_join(th[t], NULL);
		total += retries[t];
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("REPLAY events=%zu seconds=%.3f retries=%lu\n", nlines,
	    (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9,
	    total);
	for (size_t i = 0; i < nlines; i++)
		free(lines[i]);
	free(lines);
	mysql_library_end();
	return 0;
}
