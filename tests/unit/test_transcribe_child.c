/* lib/transcribe/child.c (issue 22 "Speed"): the worker's transcription
 * runs in a child at idle priority, so that ingest and pages keep their
 * speed. Real processes, real scheduling: the child's policy as the kernel
 * reports it, a CPU-bound competitor on the same core against the child,
 * and a child that crashes, exits, hangs or fails, each of which must come
 * back as a failure with a reason (retried unless the engine said no). */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/conf.h"
#include "transcribe/child.h"
#include "transcribe/engine.h"
#include "transcribe/job.h"
#include "transcribe/local.h"
#include "transcribe/transcript.h"

static struct arena *A;
static struct cb_config CFG;

static void
setup(void)
{
	A = arena_new();
	memset(&CFG, 0, sizeof(CFG));
	CFG.transcribe_idle = 1;
	CFG.transcribe_timeout_seconds = 60;
	strcpy(CFG.transcribe_model_dir, "/usr/share/pocketsphinx/model/en-us");
}

static void
teardown(void)
{
	arena_free(A);
}

static double
now_s(clockid_t c)
{
	struct timespec t;

	clock_gettime(c, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* --- runners the child runs in place of an engine --- */

/* Says how the kernel schedules this process: policy, nice, I/O class. */
static enum cb_err
report_priority(const struct cb_config *cfg, struct arena *a,
    const char *path, struct transcript *out, char *err, size_t errsz)
{
	char line[128];
	long io = syscall(SYS_ioprio_get, 1, 0);

	(void)cfg, (void)path, (void)err, (void)errsz;
	errno = 0;
	snprintf(line, sizeof(line), "policy=%d nice=%d ioclass=%ld",
	    sched_getscheduler(0), getpriority(PRIO_PROCESS, 0),
	    io < 0 ? -1 : io >> 13);
	transcript_add(out, a, 0, 10, SPEAKER_UNKNOWN, line, strlen(line));
	return CB_OK;
}

static enum cb_err
two_lines(const struct cb_config *cfg, struct arena *a, const char *path,
    struct transcript *out, char *err, size_t errsz)
{
	(void)cfg, (void)err, (void)errsz;
	transcript_add(out, a, 0, 1500, SPEAKER_CUSTOMER, "Hello, my order.",
	    16);
	transcript_add(out, a, 1600, 2900, SPEAKER_MANAGER, path,
	    strlen(path));
	out->engine = "http";
	out->language = "de";
	out->draft = true;
	return CB_OK;
}

static enum cb_err
crash(const struct cb_config *cfg, struct arena *a, const char *path,
    struct transcript *out, char *err, size_t errsz)
{
	(void)cfg, (void)a, (void)path, (void)out, (void)err, (void)errsz;
	abort();
}

static enum cb_err
quit(const struct cb_config *cfg, struct arena *a, const char *path,
    struct transcript *out, char *err, size_t errsz)
{
	(void)cfg, (void)a, (void)path, (void)out, (void)err, (void)errsz;
	_exit(7);
}

static int pid_pipe[2];

/* Hangs (a decoder stuck on a strange file), after saying who it is. */
static enum cb_err
hang(const struct cb_config *cfg, struct arena *a, const char *path,
    struct transcript *out, char *err, size_t errsz)
{
	pid_t me = getpid();

	(void)cfg, (void)a, (void)path, (void)out, (void)err, (void)errsz;
	if (write(pid_pipe[1], &me, sizeof(me)) != sizeof(me))
		_exit(9);
	for (;;)
		pause();
}

static enum cb_err
refuse(const struct cb_config *cfg, struct arena *a, const char *path,
    struct transcript *out, char *err, size_t errsz)
{
	(void)cfg, (void)a, (void)path, (void)out;
	snprintf(err, errsz, "the engine refused the file");
	return CB_EINVAL;
}

static double spin_until;  /* CLOCK_MONOTONIC; set before the forks */

/* Spins until spin_until; the CPU seconds it got, as its line. */
static enum cb_err
spin(const struct cb_config *cfg, struct arena *a, const char *path,
    struct transcript *out, char *err, size_t errsz)
{
	char line[64];

	(void)cfg, (void)path, (void)err, (void)errsz;
	while (now_s(CLOCK_MONOTONIC) < spin_until)
		;
	snprintf(line, sizeof(line), "%.3f", now_s(CLOCK_PROCESS_CPUTIME_ID));
	transcript_add(out, a, 0, 1, SPEAKER_UNKNOWN, line, strlen(line));
	return CB_OK;
}

/* The machine as tests/unit's pause sees it: busy (100 % used by others)
 * until busy_until (CLOCK_MONOTONIC), then quiet. */
static double busy_until;

static int
busy_for_a_while(void *ctx)
{
	(void)ctx;
	return now_s(CLOCK_MONOTONIC) < busy_until ? 100 : 0;
}

/* Works until it has had 0.3 s of CPU; its line: the longest time it went
 * without running (a stopped process sees its clock jump). */
static enum cb_err
work_and_note_gaps(const struct cb_config *cfg, struct arena *a,
    const char *path, struct transcript *out, char *err, size_t errsz)
{
	double last = now_s(CLOCK_MONOTONIC), gap = 0;
	char line[64];

	(void)cfg, (void)path, (void)err, (void)errsz;
	while (now_s(CLOCK_PROCESS_CPUTIME_ID) < 0.3) {
		double t = now_s(CLOCK_MONOTONIC);

		if (t - last > gap)
			gap = t - last;
		last = t;
	}
	snprintf(line, sizeof(line), "%.3f", gap);
	transcript_add(out, a, 0, 1, SPEAKER_UNKNOWN, line, strlen(line));
	return CB_OK;
}

/* A process's state letter from /proc (R, S, T stopped, Z zombie), or
 * '-' when there is no such process. */
static char
proc_state(pid_t pid)
{
	char path[64], line[512], *paren, st = '-';
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return '-';
	if (fgets(line, sizeof(line), f) != NULL &&
	    (paren = strrchr(line, ')')) != NULL && paren[1] == ' ')
		st = paren[2];
	fclose(f);
	return st;
}

/* --- tests --- */

START_TEST(test_child_runs_at_idle_priority)
{
	struct transcript t;
	char err[256] = "", want[64];

	ck_assert_int_eq(transcribe_in_child(report_priority, &CFG, A, "x",
	    NULL, &t, err, sizeof(err)), CB_OK);
	ck_assert_uint_eq(t.n, 1);
	snprintf(want, sizeof(want), "policy=%d nice=19 ioclass=3",
	    SCHED_IDLE);
	ck_assert_str_eq(t.u[0].text, want);
	/* transcribe_idle = no: the child keeps the caller's priority, and
	 * this process (the worker) never changed its own. */
	CFG.transcribe_idle = 0;
	ck_assert_int_eq(transcribe_in_child(report_priority, &CFG, A, "x",
	    NULL, &t, err, sizeof(err)), CB_OK);
	snprintf(want, sizeof(want), "policy=%d nice=%d", SCHED_OTHER,
	    getpriority(PRIO_PROCESS, 0));
	ck_assert_ptr_nonnull(strstr(t.u[0].text, want));
	ck_assert_int_eq(sched_getscheduler(0), SCHED_OTHER);
}
END_TEST

/* The transcript comes back whole: times, sides, text, engine, language,
 * draft mark. */
START_TEST(test_child_gives_back_the_transcript)
{
	struct transcript t;
	char err[256] = "";

	ck_assert_int_eq(transcribe_in_child(two_lines, &CFG, A,
	    "line two\nwith a newline", NULL, &t, err, sizeof(err)), CB_OK);
	ck_assert_uint_eq(t.n, 2);
	ck_assert_uint_eq(t.u[0].end_ms, 1500);
	ck_assert_int_eq(t.u[0].side, SPEAKER_CUSTOMER);
	ck_assert_str_eq(t.u[0].text, "Hello, my order.");
	ck_assert_uint_eq(t.u[1].start_ms, 1600);
	ck_assert_int_eq(t.u[1].side, SPEAKER_MANAGER);
	ck_assert_str_eq(t.u[1].text, "line two\nwith a newline");
	ck_assert_str_eq(t.engine, "http");
	ck_assert_str_eq(t.language, "de");
	ck_assert(t.draft);
}
END_TEST

/* A crash or an exit without a result: a retried failure, with why. */
START_TEST(test_child_crash_is_a_retried_failure)
{
	struct transcript t;
	char err[256] = "";
	enum cb_err rc;

	rc = transcribe_in_child(crash, &CFG, A, "x", NULL, &t, err,
	    sizeof(err));
	ck_assert_int_eq(rc, CB_EIO);
	ck_assert(!transcript_error_final(rc));
	ck_assert_msg(strstr(err, "stopped by signal 6") != NULL, "%s", err);
	ck_assert_uint_eq(t.n, 0);
	rc = transcribe_in_child(quit, &CFG, A, "x", NULL, &t, err,
	    sizeof(err));
	ck_assert_int_eq(rc, CB_EIO);
	ck_assert(!transcript_error_final(rc));
	ck_assert_msg(strstr(err, "status 7 and no result") != NULL, "%s",
	    err);
}
END_TEST

/* A hung child is killed at transcribe_timeout_seconds: a retried
 * failure that names the setting, and no process left behind. */
START_TEST(test_child_timeout_is_a_retried_failure)
{
	struct transcript t;
	char err[256] = "";
	pid_t child = 0;
	double t0 = now_s(CLOCK_MONOTONIC);
	enum cb_err rc;

	ck_assert_int_eq(pipe(pid_pipe), 0);
	CFG.transcribe_timeout_seconds = 1;
	rc = transcribe_in_child(hang, &CFG, A, "x", NULL, &t, err,
	    sizeof(err));
	ck_assert_int_eq(rc, CB_EIO);
	ck_assert(!transcript_error_final(rc));
	ck_assert_msg(strstr(err, "longer than 1 s") != NULL &&
	    strstr(err, "transcribe_timeout_seconds") != NULL, "%s", err);
	ck_assert(now_s(CLOCK_MONOTONIC) - t0 < 10);
	ck_assert_int_eq(read(pid_pipe[0], &child, sizeof(child)),
	    sizeof(child));
	ck_assert_int_gt(child, 0);
	/* reaped: no such process any more */
	ck_assert_int_eq(kill(child, 0), -1);
	ck_assert_int_eq(errno, ESRCH);
	close(pid_pipe[0]);
	close(pid_pipe[1]);
}
END_TEST

/* The engine's own failure passes through as it was: code and reason. */
START_TEST(test_child_passes_the_engines_error)
{
	struct transcript t;
	char err[256] = "";
	enum cb_err rc;

	rc = transcribe_in_child(refuse, &CFG, A, "x", NULL, &t, err,
	    sizeof(err));
	ck_assert_int_eq(rc, CB_EINVAL);
	ck_assert(transcript_error_final(rc));
	ck_assert_str_eq(err, "the engine refused the file");
}
END_TEST

/* The point of it all: on a core where a normal process wants the CPU,
 * the idle child gets next to nothing, where a child at normal priority
 * would share the core half and half. The competitor is a plain forked
 * spinner; both are pinned to the same core for 1.5 s. The ratio is
 * within the same run, so other load on the machine cancels out. */
static double
child_share(int idle)
{
	struct transcript t;
	char err[256] = "";
	int fds[2], status;
	double rival_cpu = 0;
	pid_t rival;

	CFG.transcribe_idle = idle;
	ck_assert_int_eq(pipe(fds), 0);
	spin_until = now_s(CLOCK_MONOTONIC) + 1.5;
	if ((rival = fork()) == 0) {
		double c;

		while (now_s(CLOCK_MONOTONIC) < spin_until)
			;
		c = now_s(CLOCK_PROCESS_CPUTIME_ID);
		_exit(write(fds[1], &c, sizeof(c)) == sizeof(c) ? 0 : 1);
	}
	ck_assert_int_gt(rival, 0);
	ck_assert_int_eq(transcribe_in_child(spin, &CFG, A, "x", NULL, &t,
	    err, sizeof(err)), CB_OK);
	ck_assert_int_eq(read(fds[0], &rival_cpu, sizeof(rival_cpu)),
	    sizeof(rival_cpu));
	waitpid(rival, &status, 0);
	close(fds[0]);
	close(fds[1]);
	ck_assert_uint_eq(t.n, 1);
	ck_assert(rival_cpu > 0.05);
	return strtod(t.u[0].text, NULL) / rival_cpu;
}

START_TEST(test_idle_child_yields_the_cpu)
{
	cpu_set_t one;
	double idle, normal;

	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	ck_assert_int_eq(sched_setaffinity(0, sizeof(one), &one), 0);
	idle = child_share(1);
	normal = child_share(0);
	fprintf(stderr, "child CPU / competitor CPU on one core: idle %.3f, "
	    "normal %.3f\n", idle, normal);
	ck_assert_msg(idle < 0.1, "idle child got %.3f of the competitor's "
	    "CPU", idle);
	ck_assert_msg(normal > 0.3, "normal child got only %.3f", normal);
}
END_TEST

/* While the machine is busy the worker stops the child (SIGSTOP), and lets
 * it go on once it has been quiet for a moment (lib/transcribe/pause.h):
 * the child's own clock jumps by the pause, the watch counts it, and the
 * timeout counts only the time it ran: paused 3 s and more with a 3 s
 * timeout, it still finishes. */
START_TEST(test_child_paused_while_busy_then_goes_on)
{
	struct transcribe_watch w = { .busy_percent = busy_for_a_while };
	struct transcript t;
	char err[256] = "";
	double t0 = now_s(CLOCK_MONOTONIC), gap, wall;

	CFG.transcribe_idle = 0;     /* only the pause makes it wait */
	CFG.transcribe_pause_busy_percent = 15;
	CFG.transcribe_timeout_seconds = 3;
	busy_until = t0 + 3.0;
	ck_assert_int_eq(transcribe_in_child(work_and_note_gaps, &CFG, A, "x",
	    &w, &t, err, sizeof(err)), CB_OK);
	wall = now_s(CLOCK_MONOTONIC) - t0;
	ck_assert_uint_eq(t.n, 1);
	gap = strtod(t.u[0].text, NULL);
	fprintf(stderr, "paused child: wall %.2f s, ran %.2f s, paused %.2f s, "
	    "its longest gap %.2f s\n", wall, (double)w.ran_ms / 1000,
	    (double)w.paused_ms / 1000, gap);
	/* busy 3 s from the start (the first sample stops it at 0.2 s),
	 * then a calm of TRANSCRIBE_PAUSE_CALM_MS */
	ck_assert_msg(gap >= 2.5, "the child ran on: longest gap %.3f s", gap);
	ck_assert_uint_ge(w.paused_ms, 2500);
	ck_assert_uint_lt(w.ran_ms, 3000);
	ck_assert(wall > 3.0);
	ck_assert((double)(w.ran_ms + w.paused_ms) / 1000 <= wall + 0.05);
}
END_TEST

/* transcribe_pause_busy_percent = 0: never stopped, however busy. */
START_TEST(test_child_never_paused_when_off)
{
	struct transcribe_watch w = { .busy_percent = busy_for_a_while };
	struct transcript t;
	char err[256] = "";

	CFG.transcribe_idle = 0;
	CFG.transcribe_pause_busy_percent = 0;
	busy_until = now_s(CLOCK_MONOTONIC) + 3600;
	ck_assert_int_eq(transcribe_in_child(work_and_note_gaps, &CFG, A, "x",
	    &w, &t, err, sizeof(err)), CB_OK);
	ck_assert_uint_eq(w.paused_ms, 0);
	ck_assert_msg(strtod(t.u[0].text, NULL) < 1.0, "gap %s",
	    t.u[0].text);
}
END_TEST

/* A worker killed while its child is stopped leaves no child behind
 * (a stopped orphan would hold its memory forever): the child dies with
 * it (PR_SET_PDEATHSIG), stopped or not. */
START_TEST(test_stopped_child_dies_with_its_worker)
{
	pid_t worker, child = 0;
	int status, i;
	char st = '?';

	ck_assert_int_eq(pipe(pid_pipe), 0);
	CFG.transcribe_pause_busy_percent = 15;
	busy_until = now_s(CLOCK_MONOTONIC) + 3600;
	if ((worker = fork()) == 0) {
		struct transcribe_watch w = {
			.busy_percent = busy_for_a_while };
		struct transcript t;
		char err[256];

		transcribe_in_child(hang, &CFG, A, "x", &w, &t, err,
		    sizeof(err));
		_exit(0);
	}
	ck_assert_int_gt(worker, 0);
	ck_assert_int_eq(read(pid_pipe[0], &child, sizeof(child)),
	    sizeof(child));
	for (i = 0; i < 50 && (st = proc_state(child)) != 'T'; i++)
		usleep(100000);
	ck_assert_msg(st == 'T', "the child was not stopped: %c", st);
	kill(worker, SIGKILL);
	waitpid(worker, &status, 0);
	for (i = 0; i < 50 && (st = proc_state(child)) != '-' && st != 'Z';
	    i++)
		usleep(100000);
	ck_assert_msg(st == '-' || st == 'Z', "the child is left: %c", st);
	close(pid_pipe[0]);
	close(pid_pipe[1]);
}
END_TEST

#ifdef HAVE_POCKETSPHINX
/* The worker loads the model once; each child decodes with it (no load
 * in the child, none in the job's time) and gives back the same text. */
START_TEST(test_local_model_loaded_once_for_children)
{
	static const char wav[] =
	    "/usr/share/pocketsphinx/test/data/cards/001.wav";
	const struct transcribe_engine *e = transcribe_engine_by_name("local");
	struct transcript t1, t2;
	char err[256] = "";
	unsigned before;

	if (access(wav, R_OK) != 0)
		return; /* libpocketsphinx's test data not installed */
	transcribe_release();
	before = transcribe_local_loads();
	ck_assert_int_eq(transcribe_run_isolated(e, &CFG, A, wav, NULL, &t1,
	    err, sizeof(err)), CB_OK);
	ck_assert_uint_eq(transcribe_local_loads(), before + 1);
	ck_assert_int_eq(transcribe_run_isolated(e, &CFG, A, wav, NULL, &t2,
	    err, sizeof(err)), CB_OK);
	ck_assert_uint_eq(transcribe_local_loads(), before + 1);
	ck_assert_uint_gt(t1.n, 0);
	ck_assert_uint_eq(t1.n, t2.n);
	ck_assert_str_eq(t1.u[0].text, t2.u[0].text);
	ck_assert_str_eq(t1.engine, "local");
	ck_assert(t1.draft);
	/* a missing model: said before any fork, as the engine says it */
	strcpy(CFG.transcribe_model_dir, "/nonexistent");
	ck_assert_int_eq(transcribe_run_isolated(e, &CFG, A, wav, NULL, &t2,
	    err, sizeof(err)), CB_EIO);
	ck_assert_ptr_nonnull(strstr(err, "pocketsphinx model"));
	transcribe_release();
}
END_TEST
#endif

static Suite *
suite(void)
{
	Suite *s = suite_create("transcribe_child");
	TCase *tc = tcase_create("child");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_child_runs_at_idle_priority);
	tcase_add_test(tc, test_child_gives_back_the_transcript);
	tcase_add_test(tc, test_child_crash_is_a_retried_failure);
	tcase_add_test(tc, test_child_timeout_is_a_retried_failure);
	tcase_add_test(tc, test_child_passes_the_engines_error);
	tcase_add_test(tc, test_idle_child_yields_the_cpu);
	tcase_add_test(tc, test_child_paused_while_busy_then_goes_on);
	tcase_add_test(tc, test_child_never_paused_when_off);
	tcase_add_test(tc, test_stopped_child_dies_with_its_worker);
#ifdef HAVE_POCKETSPHINX
	tcase_add_test(tc, test_local_model_loaded_once_for_children);
#endif
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
