/* callboard-worker: the jobs daemon (DESIGN §1). Slow or external work
 * never runs inside a provider's request; it is queued in `jobs` and done
 * here, with retries and backoff. Also housekeeping: jobs orphaned by a
 * killed worker, and every housekeeping_seconds the tables' retention
 * (lib/db/housekeeping.h). Stops cleanly on SIGTERM between jobs.
 *
 *   callboard-worker [--config FILE] [--site NAME] [--once]
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "analytics/fold.h"
#include "automation/deliver.h"
#include "automation/engine.h"
#include "calls/recfetch.h"
#include "calls/replay.h"
#include "calls/spool.h"
#include "core/conf.h"
#include "core/log.h"
#include "db/db.h"
#include "db/automation.h"
#include "db/call.h"
#include "db/housekeeping.h"
#include "db/job.h"
#include "db/recording.h"
#include "i18n/i18n.h"
#include "db/user.h"
#include "net/httpc.h"
#include "sms/outbox.h"
#include "transcribe/engine.h"
#include "transcribe/job.h"
#include "db/transcript.h"
#include "reconcile/run.h"

/* A job handler returns CB_OK when done; otherwise it writes a reason
 * into err (shown to admins) and the job is retried. */
typedef enum cb_err (*job_fn)(struct db *db, const struct job *j,
    char *err, size_t errsz);

struct job_kind {
	const char *kind;
	job_fn fn;
	/* Only touches the database: runs inside the batch's transaction. */
	bool in_txn;
	/* Runs for minutes or hours (a transcription): at most one a batch,
	 * started after the batch's other jobs (run_batch). */
	bool long_running;
};

static const struct cb_config *worker_cfg;

/* recording.fetch {"call_id": N}: download the call's recording from the
 * provider into the recordings directory (lib/calls/recfetch.c). */
static enum cb_err
job_recording_fetch(struct db *db, const struct job *j, char *err,
    size_t errsz)
{
	struct json_object *o = json_tokener_parse(j->payload), *v;
	int64_t call_id = 0;
	enum cb_err rc;

	if (o != NULL && json_object_object_get_ex(o, "call_id", &v) &&
	    json_object_is_type(v, json_type_int))
		call_id = json_object_get_int64(v);
	json_object_put(o);
	if (call_id <= 0) {
		snprintf(err, errsz, "payload has no call_id");
		return CB_EINVAL;
	}
	rc = recording_fetch(db, worker_cfg, call_id, err, errsz);
	/* Giving up: the page shows "failed", never an eternal "pending". */
	if (rc != CB_OK && (!recording_fetch_retryable(rc) ||
	    j->attempts >= j->max_attempts) &&
	    db_recording_failed(db, call_id) != CB_OK)
		log_error("call %lld: cannot mark the recording failed: %s",
		    (long long)call_id, db_error(db));
	return rc;
}

/* Automation (lib/automation/engine.h, deliver.h). */
static enum cb_err
job_call_new(struct db *db, const struct job *j, char *err, size_t errsz)
{
	return engine_call_new(db, worker_cfg, j, err, errsz);
}

static enum cb_err
job_call_ended(struct db *db, const struct job *j, char *err, size_t errsz)
{
	return engine_call_ended(db, worker_cfg, j, err, errsz);
}

static enum cb_err
job_webhook_send(struct db *db, const struct job *j, char *err, size_t errsz)
{
	return deliver_webhook(db, worker_cfg, j, err, errsz);
}

static enum cb_err
job_email_send(struct db *db, const struct job *j, char *err, size_t errsz)
{
	return deliver_email(db, worker_cfg, j, err, errsz);
}

/* sms.send: one SMS through its gateway, at most once (sms/outbox.h). */
static enum cb_err
job_sms_send(struct db *db, const struct job *j, char *err, size_t errsz)
{
	return sms_outbox_send(db, worker_cfg, j, err, errsz);
}

/* event.refused: a dead letter an admin retries (`callboard dead-letters
 * retry`): the kept request through the receive pipeline again
 * (lib/calls/replay.h). Refused again, it is failed again, with the
 * reason: never a loop. */
static enum cb_err
job_dead_letter(struct db *db, const struct job *j, char *err, size_t errsz)
{
	return replay_dead_job(db, j->payload, err, errsz);
}

/* reconcile.run {"run_id": N}: pull an integration's call history and
 * store what its webhooks never brought (lib/reconcile/run.h). A failed
 * run is recorded with its reason and not retried: the next one is. */
static enum cb_err
job_reconcile(struct db *db, const struct job *j, char *err, size_t errsz)
{
	struct json_object *o = json_tokener_parse(j->payload), *v;
	struct reconcile_counts n;
	int64_t run_id = 0;
	bool ok;

	if (o != NULL && json_object_object_get_ex(o, "run_id", &v) &&
	    json_object_is_type(v, json_type_int))
		run_id = json_object_get_int64(v);
	json_object_put(o);
	if (run_id <= 0) {
		snprintf(err, errsz, "payload has no run_id");
		return CB_EINVAL;
	}
	return reconcile_execute(db, worker_cfg, run_id, &n, &ok, err, errsz);
}

static enum cb_err run_batch(struct db *db, const char *worker,
    const char *except_kind, unsigned *single);
static void grams_drain_tick(struct db *db);

/* This worker's name in jobs.locked_by ("<host>:<pid>"). */
static char worker_name[96];
static volatile sig_atomic_t stopping;

/* While a transcription runs (for hours on a busy day: it is paused while
 * the server serves), the worker's other work goes on between its checks:
 * the number grams' drain and the analytics fold (each keeps its own
 * period), and one batch of other jobs, never a second transcription. */
static void
jobs_between(void *ctx)
{
	static unsigned single;
	struct db *db = ctx;

	if (stopping)
		return;
	grams_drain_tick(db);
	an_fold_tick(db);
	(void)run_batch(db, worker_name, JOB_TRANSCRIPT, &single);
}

/* transcript.make {"call_id": N}: the recording through the configured
 * engine, then its summary (lib/transcribe/job.h, issue 22). */
static enum cb_err
job_transcript(struct db *db, const struct job *j, char *err, size_t errsz)
{
	return transcript_job_run(db, worker_cfg, j, jobs_between, db, err,
	    errsz);
}

/* Job kinds and their handlers. An unknown kind is failed visibly, never
 * dropped. */
static const struct job_kind kinds[] = {
	{ .kind = "recording.fetch", .fn = job_recording_fetch },
	{ .kind = "call.new", .fn = job_call_new, .in_txn = true },
	{ .kind = "call.ended", .fn = job_call_ended, .in_txn = true },
	{ .kind = "webhook.send", .fn = job_webhook_send },
	{ .kind = "email.send", .fn = job_email_send },
	{ .kind = "sms.send", .fn = job_sms_send },
	{ .kind = JOB_DEAD_LETTER, .fn = job_dead_letter },
	{ .kind = JOB_RECONCILE, .fn = job_reconcile },
	{ .kind = JOB_TRANSCRIPT, .fn = job_transcript, .long_running = true },
	{ .kind = NULL }
};

static const struct job_kind *
kind_of(const char *kind)
{
	const struct job_kind *k;

	for (k = kinds; k->kind; k++)
		if (strcmp(k->kind, kind) == 0)
			return k;
	return NULL;
}

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

/* Errors that no retry can fix fail the job at once. */
static void
no_retry_for(struct job *j, enum cb_err rc)
{
	if (rc == CB_EINVAL || rc == CB_ENOTFOUND || rc == CB_ETOOBIG)
		j->attempts = j->max_attempts;
}

static void
record_failure(struct db *db, const struct job *j, const char *err)
{
	log_warn("job %lld (%s) attempt %u/%u failed: %s", (long long)j->id,
	    j->kind, j->attempts, j->max_attempts, err);
	if (db_job_fail(db, j, err) != CB_OK)
		log_error("job %lld: cannot record the failure: %s",
		    (long long)j->id, db_error(db));
}

/* A job marked running by this worker, run outside any transaction (it
 * talks to the network): done, or retried with backoff. */
static void
run_locked(struct db *db, struct job *j)
{
	const struct job_kind *k = kind_of(j->kind);
	char err[1024] = "";
	enum cb_err rc = CB_ENOTFOUND;

	if (k == NULL)
		snprintf(err, sizeof(err), "unknown job kind '%s'", j->kind);
	else
		rc = k->fn(db, j, err, sizeof(err));
	if (rc == CB_OK) {
		if (db_job_done(db, j->id) != CB_OK)
			log_error("job %lld done but not recorded: %s",
			    (long long)j->id, db_error(db));
		return;
	}
	no_retry_for(j, rc);
	record_failure(db, j, err);
}

/* One batch, the worker's unit of work (issue 3 "Speed": one claim and one
 * commit for many jobs instead of two transactions per job).
 *
 * In ONE transaction: pick up to max due jobs (FOR UPDATE SKIP LOCKED, so
 * other workers on this server skip them; on a Galera cluster two nodes'
 * workers may pick the same job, and certification lets only the first
 * COMMIT through: the other's batch rolls back whole, so each job runs
 * once either way), run the database-only ones (call.new,
 * call.ended) right there, mark them done, and mark the others running;
 * commit. A worker killed before the commit leaves every job queued and
 * nothing written: exactly once without a "running" state. The network
 * jobs then run one by one outside any transaction, as before; a long one
 * (a transcription) last, and only one a batch.
 *
 * When a database-only job fails, the whole batch rolls back and the next
 * *single batches take one job each (oldest first): the failing job then
 * fails alone (retried with backoff) while the others go on.
 * Returns CB_ENOTFOUND when nothing was due. */
static enum cb_err
run_batch(struct db *db, const char *worker, const char *except_kind,
    unsigned *single)
{
	struct job jobs[JOB_BATCH_MAX];
	struct job *later[JOB_BATCH_MAX], *failed = NULL, *long_job = NULL;
	int64_t done_ids[JOB_BATCH_MAX], later_ids[JOB_BATCH_MAX];
	unsigned n = 0, nd = 0, nl = 0, i;
	char err[1024] = "";
	time_t begun = time(NULL);
	time_t give_back = worker_cfg->job_stale_seconds / 5 < 60 ?
	    worker_cfg->job_stale_seconds / 5 : 60;
	enum cb_err rc;

	if ((rc = db_begin(db)) != CB_OK)
		return rc;
	if ((rc = db_job_pick_except(db, except_kind, jobs, *single ? 1 :
	    JOB_BATCH_MAX, &n)) != CB_OK) {
		db_rollback(db);
		return rc == CB_EDB && db_retryable(db) ? CB_OK : rc;
	}
	db_auto_cache_begin();
	for (i = 0; i < n && rc == CB_OK; i++) {
		const struct job_kind *k = kind_of(jobs[i].kind);

		/* A second long job of the batch is left queued, for another
		 * worker now: behind the first it would wait unstarted, its
		 * row untouched, until the stale rule took it from us (a
		 * second attempt; CI saw it with two transcriptions queued
		 * together). The long job runs last, so that nothing of the
		 * batch waits for it. */
		if (k != NULL && k->long_running) {
			if (long_job == NULL)
				long_job = &jobs[i];
			continue;
		}
		if (k == NULL || !k->in_txn) {
			later[nl] = &jobs[i];
			later_ids[nl++] = jobs[i].id;
			continue;
		}
		if ((rc = k->fn(db, &jobs[i], err, sizeof(err))) == CB_OK)
			done_ids[nd++] = jobs[i].id;
		else
			failed = &jobs[i];
	}
	db_auto_cache_end();
	if (long_job != NULL) {
		later[nl] = long_job;
		later_ids[nl++] = long_job->id;
	}
	if (rc == CB_OK)
		rc = db_job_done_many(db, done_ids, nd);
	if (rc == CB_OK)
		rc = db_job_lock_many(db, worker, later_ids, nl);
	if (rc == CB_OK)
		rc = db_commit(db);
	if (rc != CB_OK) {
		db_rollback(db);
		if (failed != NULL && n == 1) {
			/* Alone: count the attempt, then retry or fail it. */
			no_retry_for(failed, rc);
			if (db_job_lock_many(db, worker, &failed->id, 1) ==
			    CB_OK)
				record_failure(db, failed, err);
			if (*single > 0)
				(*single)--;
		} else if (failed != NULL)
			*single = JOB_BATCH_MAX;
		else if (db_retryable(db)) {
			/* Another worker claimed some of these jobs first: on
			 * a Galera cluster SKIP LOCKED skips only this node's
			 * locks, and the loser learns it at COMMIT. Nothing
			 * of the batch happened; pick again at once. */
			log_info("jobs: batch lost to another worker (%s); "
			    "picking again", db_error(db));
			job_free_all(jobs, n);
			return CB_OK;
		} else
			log_warn("jobs: batch not committed: %s", db_error(db));
		job_free_all(jobs, n);
		return failed != NULL ? CB_OK : rc;
	}
	if (*single > 0)
		(*single)--;
	for (i = 0; i < nl && !stopping; i++) {
		/* A long batch gives back what it has not started, long before
		 * the stale timeout would requeue it behind our back (only the
		 * job running beats). */
		if (time(NULL) - begun > give_back)
			break;
		run_locked(db, later[i]);
	}
	if (i < nl && db_job_unlock_many(db, worker, later_ids + i, nl - i) !=
	    CB_OK)
		log_error("jobs: cannot give back %u job(s): %s", nl - i,
		    db_error(db));
	job_free_all(jobs, n);
	return CB_OK;
}

static enum cb_err
replay_one(void *ctx, struct json_object *rec)
{
	return replay_record(ctx, rec);
}

/* Events the hook spooled while the database was down (issue 3 §8).
 * Records kept because the database is still not taking them are tried
 * again with a growing pause (1 s doubling to 64 s), not on every turn of
 * the loop; a refused record never comes back (a dead letter). */
static void
replay_spool(struct db *db, const char *dir)
{
	static time_t next;
	static unsigned pause;
	unsigned done = 0, kept = 0;
	time_t now = time(NULL);

	if (now < next)
		return;
	if (spool_replay(dir, replay_one, db, &done, &kept) != CB_OK)
		log_error("spool: replay failed; will retry");
	else if (done || kept)
		log_info("spool: replayed %u event(s), %u kept for later", done,
		    kept);
	if (kept == 0) {
		pause = 0;
		next = 0;
		return;
	}
	pause = pause == 0 ? 1 : pause >= 64 ? 64 : pause * 2;
	next = now + pause;
}

static void
housekeeping(struct db *db, const char *host, unsigned stale)
{
	uint64_t n = 0;

	/* A worker of this host that was killed mid-job: its job runs again
	 * now rather than after the stale timeout below. */
	if (db_job_requeue_dead(db, host, &n) == CB_OK && n)
		log_warn("requeued %llu job(s) of a worker that is gone",
		    (unsigned long long)n);
	/* Stale: its worker has not touched it for job_stale_seconds (a long
	 * transcription beats, db/job.h), so it is gone, on this host or
	 * another. */
	if (db_job_requeue_stale(db, stale, &n) == CB_OK && n)
		log_warn("requeued %llu job(s) left running by a stopped worker",
		    (unsigned long long)n);
}

/* "Number contains" (issue 20): the grams of the calls committed since the
 * last tick, written in sorted batches after the ingest's commit
 * (0038_number_grams_pending.sql; until then the search finds those calls
 * by a LIKE over call_grams_pending). About every second, batches of
 * GRAMS_BATCH calls while a backlog is left, for at most GRAMS_BUDGET_MS. */
#define GRAMS_PERIOD_MS 1000
#define GRAMS_BUDGET_MS 500
#define GRAMS_BATCH 2000

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
grams_drain_tick(struct db *db)
{
	static int64_t last;
	int64_t begun = now_ms();
	unsigned n = GRAMS_BATCH;

	if (last != 0 && begun - last < GRAMS_PERIOD_MS)
		return;
	last = begun;
	while (n == GRAMS_BATCH && now_ms() - begun < GRAMS_BUDGET_MS)
		if (db_call_grams_drain(db, GRAMS_BATCH, &n) != CB_OK) {
			log_warn("number grams: drain failed: %s; will retry",
			    db_error(db));
			return;
		}
}

/* The grams' counts that choose a "contains" search's driving gram
 * (0039_number_gram_counts.sql): recounted when an hour old, the claim
 * checked about every minute (one indexed UPDATE). */
#define GRAM_COUNTS_CHECK_MS 60000
#define GRAM_COUNTS_MAX_AGE 3600

static void
gram_counts_tick(struct db *db)
{
	static int64_t last;
	int64_t begun = now_ms();
	bool refreshed;

	if (last != 0 && begun - last < GRAM_COUNTS_CHECK_MS)
		return;
	last = begun;
	if (db_call_gram_counts_refresh(db, GRAM_COUNTS_MAX_AGE, &refreshed)
	    != CB_OK)
		log_warn("number grams: recount failed: %s; will retry",
		    db_error(db));
	else if (refreshed)
		log_info("number grams: recounted in %lld ms",
		    (long long)(now_ms() - begun));
}

/* Retention (docs/schema.md): the same routine as `callboard
 * housekeeping`, every cfg->housekeeping_seconds (0: never). */
static void
retention(struct db *db, unsigned period)
{
	static time_t last;
	struct hk_counts n;
	time_t now = time(NULL);

	if (period == 0 || (last != 0 && now - last < (time_t)period))
		return;
	last = now;
	if (db_housekeeping(db, &n) != CB_OK) {
		log_warn("housekeeping: %s; will retry", db_error(db));
		return;
	}
	if (n.sessions || n.login_attempts || n.call_signatures)
		log_info("housekeeping: deleted %llu expired session(s), %llu "
		    "login count(s), %llu Zadarma signature(s)",
		    (unsigned long long)n.sessions,
		    (unsigned long long)n.login_attempts,
		    (unsigned long long)n.call_signatures);
}

int
main(int argc, char *argv[])
{
	struct cb_config cfg;
	struct sigaction sa;
	struct buf err;
	struct db *db;
	char name[96], host[64] = "localhost";
	time_t last_house = 0, house_every;
	bool once = false, db_down = false;
	unsigned single = 0;    /* batches of one left, after a failure */
	int i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--once") == 0)
			once = true;
	buf_init(&err, 4096);
	log_init("worker", LOGL_INFO);
	/* --site NAME: this worker serves that one site (one unit per site,
	 * callboard-worker@NAME.service; docs/install.md says why). */
	if (config_load_args(argc, argv, &cfg, &err) != CB_OK) {
		log_error("%s", buf_cstr(&err));
		buf_free(&err);
		return 1;
	}
	buf_free(&err);
	site_enter(cfg.site);
	if (cfg.site[0] != '\0')
		snprintf(name, sizeof(name), "worker/%s", cfg.site);
	else
		snprintf(name, sizeof(name), "worker");
	log_init(name, cfg.log_level);
	gethostname(host, sizeof(host) - 1);
	snprintf(worker_name, sizeof(worker_name), "%s:%ld", host,
	    (long)getpid());

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	worker_cfg = &cfg;
	/* Every minute, or sooner when jobs go stale sooner (a test). */
	house_every = cfg.job_stale_seconds < 60 ? (time_t)cfg.job_stale_seconds
	    : 60;
	/* Trigger e-mails go out in the recipient's language (issue 18). */
	buf_init(&err, 4096);
	if (i18n_load(cfg.locale_dir, &err) != CB_OK)
		log_error("languages: %s (e-mails in those languages go out in "
		    "English)", buf_cstr(&err));
	buf_free(&err);
	httpc_global_init();
	db = db_new(&cfg);
	log_info("ready");
	while (!stopping) {
		enum cb_err rc;

		if (time(NULL) - last_house >= house_every) {
			housekeeping(db, host, cfg.job_stale_seconds);
			last_house = time(NULL);
		}
		if (!db_down)
			retention(db, cfg.housekeeping_seconds);
		if (!db_down)
			replay_spool(db, cfg.spool_dir);
		if (!db_down)
			reconcile_schedule(db, &cfg);
		if (!db_down)
			an_fold_tick(db);
		if (!db_down)
			grams_drain_tick(db);
		if (!db_down)
			gram_counts_tick(db);
		rc = run_batch(db, worker_name, NULL, &single);
		if (rc == CB_OK) {
			db_down = false;
			continue;
		}
		if (rc != CB_ENOTFOUND && !db_down) {
			log_warn("database unavailable: %s", db_error(db));
			db_down = true;
		} else if (rc == CB_ENOTFOUND && db_down) {
			log_info("database is back");
			db_down = false;
		}
		if (once)
			break;
		/* Idle: poll twice a second (LISTEN/NOTIFY does not exist in
		 * MariaDB; the poll is one indexed lookup). */
		usleep(rc == CB_ENOTFOUND ? 500000 : 2000000);
	}
	log_info("stopping");
	transcribe_release();
	i18n_unload();
	httpc_global_cleanup();
	db_free(db);
	db_library_end();
	return 0;
}
