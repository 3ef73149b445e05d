/* Pausing the transcription child while the server is serving (issue 22
 * "Speed": at most 10 % slower ingest and pages while the worker
 * transcribes). SCHED_IDLE is not enough: ingest waits on durable commits,
 * so the load leaves gaps on both cores and the idle child runs in every
 * one of them; what it then costs the load is not CPU time the scheduler
 * could give back but the caches, memory bandwidth and the physical core
 * two vCPUs share (measured: ingest B/A 0.81, the history page 0.84).
 *
 * So while the worker waits for its child (lib/transcribe/child.c) it
 * samples, every TRANSCRIBE_PAUSE_SAMPLE_MS, how much of the machine's CPU
 * time (all cores) the other processes used: /proc/stat's busy ticks minus
 * the child's own utime + stime from /proc/<pid>/stat. Over the threshold
 * (transcribe_pause_busy_percent) it stops the child with SIGSTOP at once;
 * it lets it go on (SIGCONT) once the others have stayed under the
 * threshold for TRANSCRIBE_PAUSE_CALM_MS. /proc/pressure/cpu was the other
 * candidate: it counts the child's own wait for the CPU as pressure
 * (docs/transcripts.md "Pause while busy" has the comparison).
 *
 * Linux-only facts are read by transcribe_cpu_read(); where /proc is
 * missing it fails and the caller never pauses. */
#ifndef CB_TRANSCRIBE_PAUSE_H
#define CB_TRANSCRIBE_PAUSE_H

#include <stdbool.h>
#include <sys/types.h>

#define TRANSCRIBE_PAUSE_SAMPLE_MS 200
#define TRANSCRIBE_PAUSE_CALM_MS 1000

/* One sample, in clock ticks (USER_HZ) since boot. */
struct transcribe_cpu {
	unsigned long long total;   /* every CPU's ticks, idle included */
	unsigned long long busy;    /* of which not idle and not iowait */
	unsigned long long child;   /* the child's own utime + stime */
};

/* proc_stat: /proc/stat's text (its first "cpu " line is read);
 * pid_stat: /proc/<pid>/stat's text. false when either is not readable
 * as such. */
bool transcribe_cpu_parse(const char *proc_stat, const char *pid_stat,
    struct transcribe_cpu *s);
/* The same from this machine's /proc for process pid: false where there
 * is no /proc (then never pause). */
bool transcribe_cpu_read(pid_t pid, struct transcribe_cpu *s);
/* Percent (0-100) of the machine's CPU time between a and b that other
 * processes than the child used; -1 when no tick passed. */
int transcribe_cpu_others_percent(const struct transcribe_cpu *a,
    const struct transcribe_cpu *b);

struct transcribe_pause {
	bool paused;
	unsigned calm_ms;   /* how long the others have been under */
};

enum transcribe_pause_step {
	TRANSCRIBE_PAUSE_KEEP,   /* leave the child as it is */
	TRANSCRIBE_PAUSE_STOP,   /* stop it (SIGSTOP) */
	TRANSCRIBE_PAUSE_CONT    /* let it go on (SIGCONT) */
};

/* The decision after a sample: others_percent (-1 = unknown: change
 * nothing) against threshold_percent (0 = never pause), elapsed_ms since
 * the previous sample. Updates st. */
enum transcribe_pause_step transcribe_pause_decide(struct transcribe_pause *st,
    int others_percent, unsigned threshold_percent, unsigned elapsed_ms);

#endif
