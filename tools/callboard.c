/* callboard: the admin's command-line tool.
 *
 * Every command takes --site NAME: the site's file sites/NAME.conf read
 * over the config (lib/core/conf.h config_load_args).
 *   callboard [--config FILE] migrate
 *   callboard [--config FILE] demo [--calls N] [--transcripts]
 *   callboard [--config FILE] user LOGIN --role ROLE [--name NAME]
 *             [--extension EXT]     (password read from stdin)
 *   callboard [--config FILE] secrets encrypt
 *   callboard [--config FILE] check
 *   callboard [--config FILE] housekeeping
 *   callboard [--config FILE] reconcile SLUG [--from T] [--to T]
 *   callboard [--config FILE] transcribe FILE [--engine NAME] [--as-worker]
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "auth/password.h"
#include "core/arena.h"
#include "core/conf.h"
#include "core/log.h"
#include "core/strparse.h"
#include "core/timefmt.h"
#include "db/db.h"
#include "transcribe/job.h"
#include "db/housekeeping.h"
#include "db/integrations_admin.h"
#include "db/job.h"
#include "db/migrate.h"
#include "db/user.h"
#include "reconcile/run.h"
#include "transcribe/child.h"
#include "transcribe/engine.h"
#include "transcribe/summary.h"

static void
usage(void)
{
	fputs("usage: callboard [--config FILE] [--site NAME] command\n"
	    "  (--site NAME: the site of sites/NAME.conf beside the config,\n"
	    "  docs/install.md \"Several sites on one server\")\n"
	    "  migrate                 apply missing schema migrations\n"
	    "  demo [--calls N] [--transcripts]\n"
	    "                          load demo data (skipped if users exist);\n"
	    "                          --transcripts: transcribe its speech calls\n"
	    "  user LOGIN --role ROLE [--name NAME] [--extension EXT]\n"
	    "                          create or update a user; the password\n"
	    "                          is read from standard input\n"
	    "  secrets encrypt         encrypt integration secrets still stored\n"
	    "                          as plaintext with the config's secret_key\n"
	    "  dead-letters [retry ID] provider events that were acknowledged but\n"
	    "                          refused by the database: list them, or\n"
	    "                          queue one for the worker to store again\n"
	    "  check                   check the configuration and database\n"
	    "  housekeeping            delete expired sessions, old login counts\n"
	    "                          and old Zadarma signatures now (the worker\n"
	    "                          does it every housekeeping_seconds)\n"
	    "  reconcile SLUG [--from T] [--to T]\n"
	    "                          read the provider's call history for\n"
	    "                          [from, to) (UTC \"YYYY-MM-DD[ HH:MM[:SS]]\"\n"
	    "                          or unix seconds; default: the last\n"
	    "                          reconcile_window_hours) and store every\n"
	    "                          call that is missing, once\n"
	    "  transcribe FILE [--engine NAME] [--as-worker]\n"
	    "                          print the transcript and summary of an\n"
	    "                          audio file (engine: NAME, else the\n"
	    "                          config's transcribe_engine, else local);\n"
	    "                          --as-worker: in a child as the worker\n"
	    "                          runs it (idle priority, paused while the\n"
	    "                          machine is busy), and say how long it\n"
	    "                          ran and was paused\n",
	    stderr);
}

static const char *
opt(int argc, char *argv[], const char *name)
{
	int i;

	for (i = 1; i + 1 < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return argv[i + 1];
	return NULL;
}

/* Whether the bare flag name is among the arguments. */
static bool
flag(int argc, char *argv[], const char *name)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return true;
	return false;
}

static int
cmd_migrate(struct db *db, const struct cb_config *cfg)
{
	struct buf msg;
	int applied;
	enum cb_err rc;

	buf_init(&msg, 4096);
	rc = migrate_run(db, cfg->sql_dir, &applied, &msg);
	if (rc != CB_OK)
		fprintf(stderr, "callboard: migrate failed: %s\n",
		    buf_cstr(&msg));
	else
		printf("migrations: %d applied, schema up to date\n", applied);
	buf_free(&msg);
	return rc == CB_OK ? 0 : 1;
}

static void
put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static const char sql_count_users[] = "SELECT COUNT(*) FROM users";
static const char sql_set_var[] =
    "SELECT @calls := ?, @admin_hash := ?, @manager_hash := ?, "
    "@intern_hash := ?";

/* The one audio file every demo recording points at (sql/demo.sql): 20 s
 * of a rising tone, 8 kHz 8-bit mono WAV, so playing and seeking can be
 * heard and seen. Written with a temp file + rename. */
static int
demo_recording(const struct cb_config *cfg)
{
	enum { RATE = 8000, SECS = 20, N = RATE * SECS };
	char dir[1100], path[1200], tmp[1300];
	unsigned char hdr[44];
	double phase = 0;
	FILE *f;
	int i;

	snprintf(dir, sizeof(dir), "%s/demo", cfg->recordings_dir);
	snprintf(path, sizeof(path), "%s/demo.wav", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (access(path, F_OK) == 0)
		return 0;
	mkdir(cfg->recordings_dir, 0755);
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "callboard: cannot create %s\n", dir);
		return 1;
	}
	if ((f = fopen(tmp, "wb")) == NULL) {
		fprintf(stderr, "callboard: cannot write %s\n", tmp);
		return 1;
	}
	memcpy(hdr, "RIFF\0\0\0\0WAVEfmt \x10\0\0\0\x01\0\x01\0"
	    "\0\0\0\0\0\0\0\0\x01\0\x08\0data\0\0\0\0", 44);
	put_le32(hdr + 4, 36 + N);
	put_le32(hdr + 24, RATE);
	put_le32(hdr + 28, RATE);
	put_le32(hdr + 40, N);
	fwrite(hdr, 1, sizeof(hdr), f);
	for (i = 0; i < N; i++) {
		/* 220 Hz rising one semitone a second, softly. */
		double freq = 220.0 * pow(2.0, (i / RATE) / 12.0);
		phase += 2 * M_PI * freq / RATE;
		fputc(128 + (int)(40 * sin(phase)), f);
	}
	if (fflush(f) != 0 || fsync(fileno(f)) != 0 || fclose(f) != 0 ||
	    rename(tmp, path) != 0) {
		fprintf(stderr, "callboard: cannot write %s\n", path);
		return 1;
	}
	return 0;
}

/* The demo's speech calls (issue 22): three short two-channel dialogues
 * (customer left, manager right) made with scripts/speech-demo.sh from
 * tests/fixtures/speech/ (festival's kal voice, the source the local engine
 * understands best: docs/transcripts.md), kept as Ogg Vorbis under
 * sql/demo/speech/ and copied to where sql/demo.sql points three answered
 * calls: recordings_dir/demo/speech-<name>.ogg. */
static int
demo_speech(const struct cb_config *cfg)
{
	static const char *const names[] = { "order_call", "delivery_call",
	    "cancel_call" };
	char from[1200], to[1200], tmp[1300];
	size_t i, len;
	char *data;
	FILE *f;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(from, sizeof(from), "%s/demo/speech/%s.ogg",
		    cfg->sql_dir, names[i]);
		snprintf(to, sizeof(to), "%s/demo/speech-%s.ogg",
		    cfg->recordings_dir, names[i]);
		snprintf(tmp, sizeof(tmp), "%s.tmp", to);
		if (access(to, F_OK) == 0)
			continue;
		if (file_read_all(from, &data, &len) != CB_OK) {
			fprintf(stderr, "callboard: cannot read %s\n", from);
			return 1;
		}
		if ((f = fopen(tmp, "wb")) == NULL ||
		    fwrite(data, 1, len, f) != len || fflush(f) != 0 ||
		    fsync(fileno(f)) != 0 || fclose(f) != 0 ||
		    rename(tmp, to) != 0) {
			fprintf(stderr, "callboard: cannot write %s\n", to);
			free(data);
			return 1;
		}
		free(data);
	}
	return 0;
}

/* Integration secrets are kept encrypted at rest (core/secretbox.h);
 * databases from before that, and sql/demo.sql, hold plaintext JSON. */
static int
encrypt_secrets(struct db *db, const struct cb_config *cfg)
{
	enum cb_err rc;
	int n;

	rc = db_integrations_encrypt_secrets(db, cfg->secret_key, &n);
	if (rc == CB_EINVAL) {
		fputs("callboard: secret_key in the configuration must be 64 "
		    "hex characters (openssl rand -hex 32)\n", stderr);
		return 1;
	}
	if (rc != CB_OK) {
		fprintf(stderr, "callboard: encrypting secrets failed: %s\n",
		    rc == CB_EDB ? db_error(db) : cb_strerror(rc));
		return 1;
	}
	printf("integration secrets encrypted: %d\n", n);
	return 0;
}

static int
cmd_secrets(struct db *db, const struct cb_config *cfg, int argc,
    char *argv[], int at)
{
	if (at + 1 >= argc || strcmp(argv[at + 1], "encrypt") != 0) {
		usage();
		return 2;
	}
	/* The sample configuration's all-zero key protects nothing: a
	 * database encrypted with it would only look safe. */
	if (strspn(cfg->secret_key, "0") == strlen(cfg->secret_key)) {
		fputs("callboard: secret_key is still the sample's zeros; set "
		    "it to `openssl rand -hex 32` first\n", stderr);
		return 1;
	}
	return encrypt_secrets(db, cfg);
}

/* The demo's speech calls get their transcripts now (issue 22), so a
 * newcomer sees and searches them at once; without an engine the demo
 * still loads. */
static void
demo_transcripts(struct db *db, const struct cb_config *cfg)
{
	unsigned done = 0, failed = 0;
	enum cb_err rc = transcript_demo(db, cfg, &done, &failed);

	if (rc == CB_ENOTFOUND)
		printf("demo transcripts: no transcription engine; skipped\n");
	else if (rc != CB_OK)
		fprintf(stderr, "callboard: demo transcripts: %s\n",
		    db_error(db));
	else if (done || failed)
		printf("demo transcripts: %u made, %u failed\n", done, failed);
}

static int
cmd_demo(struct db *db, const struct cb_config *cfg, int argc, char *argv[])
{
	char hashes[3][PASSWORD_HASH_MAX], path[1100];
	const char *pw[3] = { "admin", "manager", "intern" };
	const char *s;
	int64_t calls = 300;
	struct db_stmt *st;
	char *sql;
	size_t len;
	enum cb_err rc;
	int i;

	if ((s = opt(argc, argv, "--calls")) != NULL &&
	    strparse_i64z(s, 0, 50000000, &calls) != CB_OK) {
		fprintf(stderr, "callboard: --calls wants a number from 0 to "
		    "50000000\n");
		return 2;
	}
	if (cmd_migrate(db, cfg) != 0 || demo_recording(cfg) != 0 ||
	    demo_speech(cfg) != 0)
		return 1;
	if ((rc = db_stmt(db, sql_count_users, &st)) != CB_OK ||
	    (rc = db_exec(st)) != CB_OK || (rc = db_fetch(st)) != CB_OK) {
		fprintf(stderr, "callboard: %s\n", db_error(db));
		return 1;
	}
	if (db_col_i64(st, 0) > 0) {
		db_stmt_done(st);
		printf("demo data already loaded (users exist); nothing to do\n");
		return 0;
	}
	db_stmt_done(st);
	for (i = 0; i < 3; i++)
		if (password_hash(pw[i], hashes[i], sizeof(hashes[i])) !=
		    CB_OK) {
			fputs("callboard: cannot hash passwords\n", stderr);
			return 1;
		}
	if ((rc = db_stmt(db, sql_set_var, &st)) != CB_OK) {
		fprintf(stderr, "callboard: %s\n", db_error(db));
		return 1;
	}
	db_bind_i64(st, 0, calls);
	for (i = 0; i < 3; i++)
		db_bind_text(st, (unsigned)i + 1, hashes[i]);
	if ((rc = db_exec(st)) != CB_OK) {
		fprintf(stderr, "callboard: %s\n", db_error(db));
		return 1;
	}
	db_stmt_done(st);
	snprintf(path, sizeof(path), "%s/demo.sql", cfg->sql_dir);
	if (file_read_all(path, &sql, &len) != CB_OK) {
		fprintf(stderr, "callboard: cannot read %s\n", path);
		return 1;
	}
	rc = db_exec_script(db, sql, len);
	free(sql);
	if (rc != CB_OK) {
		fprintf(stderr, "callboard: demo data failed: %s\n",
		    db_error(db));
		return 1;
	}
	printf("demo data loaded: %lld calls\n", (long long)calls);
	if (encrypt_secrets(db, cfg) != 0)
		return 1;
	/* A minute or two of CPU: asked for by `./run demo`, not by the test
	 * stacks and benchmarks, which load the demo many times. */
	if (flag(argc, argv, "--transcripts"))
		demo_transcripts(db, cfg);
	return 0;
}

/* One field of a dead letter for the terminal: control bytes as '?'. */
static void
put_field(const char *s)
{
	for (; s && *s; s++)
		putchar((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
}

/* Dead letters (issue 16 §4, lib/db/job.h): events we acknowledged that
 * the database refused. Listed with their reason; `retry ID` queues one
 * attempt for the worker (after, say, a migration that widens a column),
 * which stores it or fails it again with the reason. */
static int
cmd_dead_letters(struct db *db, int argc, char *argv[], int at)
{
	struct db_stmt *st;
	int64_t id;
	enum cb_err rc;
	unsigned n = 0;

	if (at + 1 < argc && strcmp(argv[at + 1], "retry") == 0) {
		if (at + 2 >= argc || strparse_i64z(argv[at + 2], 1, INT64_MAX,
		    &id) != CB_OK) {
			usage();
			return 2;
		}
		rc = db_job_dead_retry(db, id);
		if (rc == CB_ENOTFOUND) {
			fprintf(stderr, "callboard: %lld is not a failed dead "
			    "letter\n", (long long)id);
			return 1;
		}
		if (rc != CB_OK) {
			fprintf(stderr, "callboard: %s\n", db_error(db));
			return 1;
		}
		printf("dead letter %lld queued: the worker stores it now, or "
		    "fails it again with the reason\n", (long long)id);
		return 0;
	}
	if (at + 1 < argc) {
		usage();
		return 2;
	}
	if (db_job_dead_list(db, 200, &st) != CB_OK) {
		fprintf(stderr, "callboard: %s\n", db_error(db));
		return 1;
	}
	while ((rc = db_fetch(st)) == CB_OK) {
		unsigned i;
		for (i = 0; i < 6; i++) {
			if (i)
				putchar('\t');
			put_field(db_col(st, i, NULL));
		}
		putchar('\n');
		n++;
	}
	db_stmt_done(st);
	if (rc != CB_ENOTFOUND) {
		fprintf(stderr, "callboard: %s\n", db_error(db));
		return 1;
	}
	fprintf(stderr, "%u dead letter(s)%s\n", n, n ? " (id, received, "
	    "integration, attempts, state, reason)" : "");
	return 0;
}

/* The worker's periodic retention, once (lib/db/housekeeping.h). */
static int
cmd_housekeeping(struct db *db)
{
	struct hk_counts n;

	if (db_housekeeping(db, &n) != CB_OK) {
		fprintf(stderr, "callboard: housekeeping: %s\n", db_error(db));
		return 1;
	}
	printf("deleted %llu expired session(s), %llu login count(s), "
	    "%llu Zadarma signature(s)\n", (unsigned long long)n.sessions,
	    (unsigned long long)n.login_attempts,
	    (unsigned long long)n.call_signatures);
	return 0;
}

/* A time of the command line: unix seconds, or a UTC date and time. */
static bool
reconcile_time(const char *s, int64_t *out)
{
	char utc[32];
	struct tm tm;

	if (strparse_i64z(s, 0, 253402300799LL, out) == CB_OK)
		return true;
	if (time_local_to_utc(s, "UTC", utc, sizeof(utc)) != CB_OK)
		return false;
	memset(&tm, 0, sizeof(tm));
	if (sscanf(utc, "%4d-%2d-%2d %2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return false;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*out = (int64_t)timegm(&tm);
	return true;
}

/* Reconciliation of one integration, now (lib/reconcile/run.h): the run
 * is recorded like the worker's, so the settings page shows it. */
static int
cmd_reconcile(struct db *db, const struct cb_config *cfg, int argc,
    char *argv[], int at)
{
	const char *slug = at + 1 < argc ? argv[at + 1] : NULL;
	const char *from = opt(argc, argv, "--from"), *to = opt(argc, argv,
	    "--to");
	struct reconcile_counts n;
	struct integration ig;
	struct arena *a;
	int64_t f, t, run_id;
	char err[600];
	bool ok;
	enum cb_err rc;

	if (slug == NULL || slug[0] == '-') {
		usage();
		return 2;
	}
	t = (int64_t)time(NULL);
	f = t - (int64_t)(cfg->reconcile_window_hours ?
	    cfg->reconcile_window_hours : 48) * 3600;
	if ((from && !reconcile_time(from, &f)) || (to && !reconcile_time(to,
	    &t))) {
		fputs("callboard: --from and --to take \"YYYY-MM-DD[ HH:MM[:SS]]\" "
		    "(UTC) or unix seconds\n", stderr);
		return 2;
	}
	if (t <= f) {
		fputs("callboard: --to must be after --from\n", stderr);
		return 2;
	}
	if ((a = arena_new()) == NULL)
		return 1;
	rc = db_integration_by_slug(db, a, slug, &ig);
	if (rc == CB_OK && reconcile_history_for(ig.kind) == NULL) {
		fprintf(stderr, "callboard: %s is a %s integration: it has no "
		    "call history to reconcile from\n", slug, ig.kind);
		arena_free(a);
		return 1;
	}
	if (rc == CB_OK)
		rc = db_reconcile_start(db, ig.id, "cli", f, t, &run_id);
	arena_free(a);
	if (rc == CB_ENOTFOUND) {
		fprintf(stderr, "callboard: no integration '%s'\n", slug);
		return 1;
	}
	if (rc != CB_OK) {
		fprintf(stderr, "callboard: %s\n", db_error(db));
		return 1;
	}
	if (reconcile_execute(db, cfg, run_id, &n, &ok, err, sizeof(err)) !=
	    CB_OK) {
		fprintf(stderr, "callboard: %s\n", err[0] ? err : db_error(db));
		return 1;
	}
	printf("run %lld: %u record(s) read, %u call(s) recovered, %u "
	    "completed, %u already stored, %u refused\n", (long long)run_id,
	    n.records, n.recovered, n.completed, n.unchanged, n.refused);
	if (!ok || err[0])
		fprintf(stderr, "callboard: %s%s\n", ok ? "" : "failed: ", err);
	return ok ? 0 : 1;
}

static int
cmd_user(struct db *db, int argc, char *argv[], int at)
{
	const char *login = at + 1 < argc ? argv[at + 1] : NULL;
	const char *role = opt(argc, argv, "--role");
	const char *name = opt(argc, argv, "--name");
	const char *ext = opt(argc, argv, "--extension");
	char pw[256], hash[PASSWORD_HASH_MAX];
	size_t n;
	enum cb_err rc;

	if (login == NULL || login[0] == '-' || role == NULL) {
		usage();
		return 2;
	}
	if (fgets(pw, sizeof(pw), stdin) == NULL) {
		fputs("callboard: give the password on standard input\n", stderr);
		return 2;
	}
	n = strcspn(pw, "\r\n");
	pw[n] = '\0';
	if (n < 5) {
		fputs("callboard: the password needs at least 5 characters\n",
		    stderr);
		return 2;
	}
	if (password_hash(pw, hash, sizeof(hash)) != CB_OK)
		return 1;
	rc = db_user_upsert(db, login, name ? name : login, hash, role, ext);
	if (rc == CB_ENOTFOUND) {
		fprintf(stderr, "callboard: no role named '%s'\n", role);
		return 1;
	}
	if (rc != CB_OK) {
		fprintf(stderr, "callboard: %s\n", db_error(db));
		return 1;
	}
	printf("user %s saved\n", login);
	return 0;
}

static const char *
side_label(enum speaker side)
{
	switch (side) {
	case SPEAKER_MANAGER:
		return "manager";
	case SPEAKER_CUSTOMER:
		return "customer";
	case SPEAKER_UNKNOWN:
		break;
	}
	return "-";
}

/* Nothing to do: the signal's arrival interrupts the wait for the child. */
static void
on_term_transcribe(int sig)
{
	(void)sig;
}

/* Transcribes one file with the configured engine and prints it: for
 * admins trying an engine, and for tests (no database needed). */
static int
cmd_transcribe(const struct cb_config *cfg, int argc, char *argv[], int at)
{
	const char *name = opt(argc, argv, "--engine");
	const struct transcribe_engine *eng;
	struct transcribe_watch w = { 0 };
	struct transcript t = { 0 };
	bool as_worker = false;
	struct arena *a;
	struct buf sum;
	const char *note = NULL;
	char err[512] = "";
	size_t i;
	int rc = 0;

	if (at + 1 >= argc || argv[at + 1][0] == '-') {
		usage();
		return 2;
	}
	as_worker = flag(argc, argv, "--as-worker");
	if (name == NULL)
		name = cfg->transcribe_engine[0] ? cfg->transcribe_engine :
		    "local";
	if ((eng = transcribe_engine_by_name(name)) == NULL) {
		fprintf(stderr, "callboard: engine %s: %s\n", name,
		    transcribe_engine_why_not(name));
		return 1;
	}
	a = arena_new();
	if (as_worker) {
		/* SIGTERM stops the child as the worker's does, and the
		 * times below are still said (bench/transcribe.sh reads
		 * them when it ends a phase). */
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_term_transcribe;
		sigaction(SIGTERM, &sa, NULL);
		rc = transcribe_run_isolated(eng, cfg, a, argv[at + 1], &w,
		    &t, err, sizeof(err)) == CB_OK ? 0 : 1;
		fprintf(stderr, "transcription: ran %.1f s, paused %.1f s\n",
		    (double)w.ran_ms / 1000, (double)w.paused_ms / 1000);
	} else
		rc = transcribe_run(eng, cfg, a, argv[at + 1], &t, err,
		    sizeof(err)) == CB_OK ? 0 : 1;
	if (rc != 0) {
		fprintf(stderr, "callboard: transcript failed: %s\n", err);
		arena_free(a);
		return 1;
	}
	printf("engine: %s%s\n", eng->name, t.draft ? " (draft)" : "");
	for (i = 0; i < t.n; i++)
		printf("[%u.%02u-%u.%02u] %s: %s\n", t.u[i].start_ms / 1000,
		    t.u[i].start_ms % 1000 / 10, t.u[i].end_ms / 1000,
		    t.u[i].end_ms % 1000 / 10, side_label(t.u[i].side),
		    t.u[i].text);
	buf_init(&sum, 64 * 1024);
	if (transcript_summarize(cfg, &t, &sum, &note, err, sizeof(err)) !=
	    CB_OK) {
		fprintf(stderr, "callboard: summary failed\n");
		rc = 1;
	} else {
		printf("summary: %s\n", buf_cstr(&sum));
		if (note != NULL)
			printf("note: %s (%s)\n", note, err);
	}
	buf_free(&sum);
	arena_free(a);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct cb_config cfg;
	struct buf err;
	struct db *db;
	const char *cmd = NULL;
	int i, at = 0, rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 ||
		    strcmp(argv[i], "--site") == 0) {
			i++;
			continue;
		}
		cmd = argv[i];
		at = i;
		break;
	}
	if (cmd == NULL || strcmp(cmd, "-h") == 0 ||
	    strcmp(cmd, "--help") == 0) {
		usage();
		return cmd ? 0 : 2;
	}
	buf_init(&err, 4096);
	log_init("callboard", LOGL_INFO);
	if (config_load_args(argc, argv, &cfg, &err) != CB_OK) {
		fprintf(stderr, "callboard: %s\n", buf_cstr(&err));
		buf_free(&err);
		return 1;
	}
	buf_free(&err);
	if (strcmp(cmd, "transcribe") == 0) {
		rc = cmd_transcribe(&cfg, argc, argv, at);
		transcribe_release();
		return rc;
	}
	db = db_new(&cfg);
	/* Migrations and the demo generator run statements that take minutes
	 * on a large database (the 1M-call demo INSERT about 2); the 15 s of
	 * the FastCGI programs would cut them off. `check` keeps the short
	 * one: it must answer fast when the server is stuck. */
	if (strcmp(cmd, "check") != 0)
		db_set_io_timeout(db, DB_IO_TIMEOUT_BULK);
	if (strcmp(cmd, "migrate") == 0)
		rc = cmd_migrate(db, &cfg);
	else if (strcmp(cmd, "demo") == 0)
		rc = cmd_demo(db, &cfg, argc, argv);
	else if (strcmp(cmd, "secrets") == 0)
		rc = cmd_secrets(db, &cfg, argc, argv, at);
	else if (strcmp(cmd, "user") == 0)
		rc = cmd_user(db, argc, argv, at);
	else if (strcmp(cmd, "dead-letters") == 0)
		rc = cmd_dead_letters(db, argc, argv, at);
	else if (strcmp(cmd, "housekeeping") == 0)
		rc = cmd_housekeeping(db);
	else if (strcmp(cmd, "reconcile") == 0)
		rc = cmd_reconcile(db, &cfg, argc, argv, at);
	else if (strcmp(cmd, "check") == 0) {
		rc = db_ping(db) == CB_OK ? 0 : 1;
		printf("database: %s\n", rc == 0 ? "ok" : db_error(db));
	} else {
		usage();
		rc = 2;
	}
	transcribe_release();
	db_free(db);
	db_library_end();
	return rc;
}
