/* lib/transcribe/pause.c (issue 22 "Speed"): the worker stops its
 * transcription child while the rest of the machine is busy. Here the
 * numbers: /proc's two files read as the kernel writes them, the others'
 * share of the CPU between two samples, and the decision, step by step.
 * The real child stopped and continued is in test_transcribe_child.c. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "transcribe/pause.h"

/* proc(5) layouts: "cpu" with user nice system idle iowait irq softirq
 * steal guest guest_nice; a process's line with a comm that holds ") ("
 * and spaces, and tpgid -1. */
#define STAT_A "cpu  1000 100 400 5000 50 0 30 20 0 0\ncpu0 1 2 3 4\n"
#define STAT_B "cpu  1100 100 450 5045 55 0 30 20 0 0\ncpu0 1 2 3 4\n"
#define PID_A "4242 (pocket) (sphinx x) R 4000 4000 4000 0 -1 4194304 " \
    "900 0 0 0 300 20 0 0 39 19 1 0 1234 1000000 200\n"
#define PID_B "4242 (pocket) (sphinx x) R 4000 4000 4000 0 -1 4194304 " \
    "900 0 0 0 330 30 0 0 39 19 1 0 1234 1000000 200\n"

START_TEST(test_cpu_parse_reads_procs_lines)
{
	struct transcribe_cpu s;

	ck_assert(transcribe_cpu_parse(STAT_A, PID_A, &s));
	/* busy: user nice system irq softirq steal; + idle iowait */
	ck_assert_uint_eq(s.busy, 1000 + 100 + 400 + 0 + 30 + 20);
	ck_assert_uint_eq(s.total, s.busy + 5000 + 50);
	ck_assert_uint_eq(s.child, 300 + 20);
	/* an old kernel's four fields are enough */
	ck_assert(transcribe_cpu_parse("cpu  1 2 3 4\n", PID_A, &s));
	ck_assert_uint_eq(s.total, 10);
}
END_TEST

START_TEST(test_cpu_parse_refuses_what_is_not_proc)
{
	struct transcribe_cpu s;

	ck_assert(!transcribe_cpu_parse("", PID_A, &s));
	ck_assert(!transcribe_cpu_parse("cpu0 1 2 3 4\n", PID_A, &s));
	ck_assert(!transcribe_cpu_parse("cpu  1 2 3\n", PID_A, &s));
	ck_assert(!transcribe_cpu_parse(STAT_A, "", &s));
	ck_assert(!transcribe_cpu_parse(STAT_A, "4242 (x) R 1 2 3\n", &s));
	ck_assert(!transcribe_cpu_parse(STAT_A, "4242 (x R 4000 4000 4000 "
	    "0 -1 4194304 900 0 0 0 300 20\n", &s));
}
END_TEST

/* Between A and B: 200 ticks, 150 busy, 40 of them the child's: the
 * others used 110 of 200, 55 % of the machine. */
START_TEST(test_others_percent_leaves_the_child_out)
{
	struct transcribe_cpu a, b;

	ck_assert(transcribe_cpu_parse(STAT_A, PID_A, &a));
	ck_assert(transcribe_cpu_parse(STAT_B, PID_B, &b));
	ck_assert_uint_eq(b.total - a.total, 200);
	ck_assert_uint_eq(b.busy - a.busy, 150);
	ck_assert_uint_eq(b.child - a.child, 40);
	ck_assert_int_eq(transcribe_cpu_others_percent(&a, &b), 55);
	/* no tick passed: unknown */
	ck_assert_int_eq(transcribe_cpu_others_percent(&a, &a), -1);
	/* the child's ticks read a moment after the machine's: never below
	 * zero */
	b.child = a.child + 1000;
	ck_assert_int_eq(transcribe_cpu_others_percent(&a, &b), 0);
	/* everything busy and none of it the child's */
	b = a;
	b.total += 200;
	b.busy += 200;
	ck_assert_int_eq(transcribe_cpu_others_percent(&a, &b), 100);
}
END_TEST

/* Busy: stop at once. Quiet: go on only after TRANSCRIBE_PAUSE_CALM_MS of
 * quiet in a row; one busy sample starts the calm over. */
START_TEST(test_decide_stops_at_once_and_goes_on_after_a_calm)
{
	struct transcribe_pause st = { false, 0 };
	unsigned i, step = TRANSCRIBE_PAUSE_SAMPLE_MS,
	    n = TRANSCRIBE_PAUSE_CALM_MS / TRANSCRIBE_PAUSE_SAMPLE_MS;

	ck_assert_int_eq(transcribe_pause_decide(&st, 10, 15, step),
	    TRANSCRIBE_PAUSE_KEEP);
	ck_assert_int_eq(transcribe_pause_decide(&st, 15, 15, step),
	    TRANSCRIBE_PAUSE_KEEP);       /* at the threshold: not over */
	ck_assert_int_eq(transcribe_pause_decide(&st, 16, 15, step),
	    TRANSCRIBE_PAUSE_STOP);
	ck_assert(st.paused);
	ck_assert_int_eq(transcribe_pause_decide(&st, 80, 15, step),
	    TRANSCRIBE_PAUSE_KEEP);       /* stopped already */
	for (i = 1; i < n; i++)
		ck_assert_int_eq(transcribe_pause_decide(&st, 3, 15, step),
		    TRANSCRIBE_PAUSE_KEEP);
	ck_assert_int_eq(transcribe_pause_decide(&st, 40, 15, step),
	    TRANSCRIBE_PAUSE_KEEP);       /* busy again: calm starts over */
	for (i = 1; i < n; i++)
		ck_assert_int_eq(transcribe_pause_decide(&st, 3, 15, step),
		    TRANSCRIBE_PAUSE_KEEP);
	ck_assert_int_eq(transcribe_pause_decide(&st, 3, 15, step),
	    TRANSCRIBE_PAUSE_CONT);
	ck_assert(!st.paused);
	ck_assert_int_eq(transcribe_pause_decide(&st, 3, 15, step),
	    TRANSCRIBE_PAUSE_KEEP);
}
END_TEST

START_TEST(test_decide_unknown_and_off)
{
	struct transcribe_pause st = { false, 0 };

	/* no /proc: never pause */
	ck_assert_int_eq(transcribe_pause_decide(&st, -1, 15, 200),
	    TRANSCRIBE_PAUSE_KEEP);
	/* threshold 0: never pause, however busy */
	ck_assert_int_eq(transcribe_pause_decide(&st, 100, 0, 200),
	    TRANSCRIBE_PAUSE_KEEP);
	/* unknown while stopped: stays stopped until a real number says */
	ck_assert_int_eq(transcribe_pause_decide(&st, 100, 15, 200),
	    TRANSCRIBE_PAUSE_STOP);
	ck_assert_int_eq(transcribe_pause_decide(&st, -1, 15, 5000),
	    TRANSCRIBE_PAUSE_KEEP);
	ck_assert(st.paused);
	/* turned off while stopped: goes on at once */
	ck_assert_int_eq(transcribe_pause_decide(&st, 100, 0, 200),
	    TRANSCRIBE_PAUSE_CONT);
	ck_assert(!st.paused);
}
END_TEST

static double
cpu_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* This machine's /proc, read for this process: its own ticks grow while
 * it spins, and the machine's at least as much. */
START_TEST(test_cpu_read_on_this_machine)
{
	struct transcribe_cpu a, b;
	double until;

	ck_assert(transcribe_cpu_read(getpid(), &a));
	until = cpu_now() + 0.2;
	while (cpu_now() < until)
		;
	ck_assert(transcribe_cpu_read(getpid(), &b));
	ck_assert_uint_gt(b.child, a.child);
	ck_assert_uint_ge(b.busy - a.busy + 2, b.child - a.child);
	ck_assert_uint_gt(b.total, a.total);
	/* a process that does not exist: not readable, never paused */
	ck_assert(!transcribe_cpu_read(0x7ffffff0, &b));
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("transcribe_pause");
	TCase *tc = tcase_create("pause");

	tcase_add_test(tc, test_cpu_parse_reads_procs_lines);
	tcase_add_test(tc, test_cpu_parse_refuses_what_is_not_proc);
	tcase_add_test(tc, test_others_percent_leaves_the_child_out);
	tcase_add_test(tc, test_decide_stops_at_once_and_goes_on_after_a_calm);
	tcase_add_test(tc, test_decide_unknown_and_off);
	tcase_add_test(tc, test_cpu_read_on_this_machine);
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
