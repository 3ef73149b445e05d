/* Transcription in a child process (issue 22 "Speed": at most 10 % slower
 * ingest and pages while the worker transcribes). A decode keeps a core
 * busy for minutes; on a small server that is the core the FastCGI
 * programs and MariaDB need. So the worker runs each transcription in a
 * forked child that first drops to idle priority: SCHED_IDLE (it runs only
 * when no other process wants the CPU), nice 19, and the idle I/O class.
 * A child and not a thread: an unprivileged process cannot leave
 * SCHED_IDLE again, and a crash or a hang of the engine (pocketsphinx on a
 * strange file) takes only the child down.
 *
 * The model is loaded in the worker before the fork (transcribe_prepare),
 * once per worker process; each child starts with it, copy-on-write, so
 * one decoder per process still holds and no job pays a model load.
 *
 * The result comes back through a pipe: one line of JSON (rc, err, engine,
 * language, draft), then the utterances as lib/transcribe/codec.c stores
 * them.
 *
 * While it waits, the worker pauses the child while the rest of the
 * machine is busy (lib/transcribe/pause.h, transcribe_pause_busy_percent)
 * and calls the caller's heartbeat (the job's row, so that no other worker
 * takes it for a dead worker's: lib/db/job.h). It waits at most
 * cfg->transcribe_timeout_seconds of the child's running time (the time
 * paused is not counted; 0 = no limit), then kills it. A child that
 * crashes, is killed or times out gives CB_EIO with a reason for the card;
 * the job is retried with backoff like any engine failure. The child dies
 * with the worker (PR_SET_PDEATHSIG): a stopped child is never left
 * behind. */
#ifndef CB_TRANSCRIBE_CHILD_H
#define CB_TRANSCRIBE_CHILD_H

#include <stddef.h>

#include "core/conf.h"
#include "core/err.h"
#include "transcribe/engine.h"

#define TRANSCRIBE_BETWEEN_MS 1000

/* What the caller watches while the child runs. Every part is optional;
 * a NULL watch is one of zeros. */
struct transcribe_watch {
	/* Called every heartbeat_seconds (> 0) while the child runs, paused
	 * or not, with ctx: the worker touches its job's row. */
	void (*heartbeat)(void *ctx);
	void *ctx;
	unsigned heartbeat_seconds;
	/* Called about every TRANSCRIBE_BETWEEN_MS while the child runs,
	 * paused or not, with between_ctx: the worker runs its other jobs,
	 * so that webhooks and e-mails never wait for a transcription. */
	void (*between)(void *between_ctx);
	void *between_ctx;
	/* Tests: the other processes' share of the CPU in percent (-1 =
	 * unknown), read instead of /proc (transcribe_cpu_read). */
	int (*busy_percent)(void *ctx);
	/* Out: how long the child ran, and how long it was paused, in ms. */
	unsigned long ran_ms, paused_ms;
};

/* Runs fn(cfg, a, path, out, ...) in a child at idle priority when
 * cfg->transcribe_idle (else at the caller's), paused while the machine is
 * busy, and gives back its result in *out (allocated in a) and err as if
 * fn had run here. fn is any engine's runner (tests pass their own: one
 * that crashes, hangs, or reports its scheduling policy). w (NULL = none)
 * is borrowed for the call. */
enum cb_err transcribe_in_child(transcribe_fn *fn, const struct cb_config *cfg,
    struct arena *a, const char *path, struct transcribe_watch *w,
    struct transcript *out, char *err, size_t errsz);

/* Engine e in a child (transcribe_in_child) after transcribe_prepare():
 * what the worker's job and `callboard demo` call. */
enum cb_err transcribe_run_isolated(const struct transcribe_engine *e,
    const struct cb_config *cfg, struct arena *a, const char *path,
    struct transcribe_watch *w, struct transcript *out, char *err,
    size_t errsz);

/* This process to idle priority: nice 19, the idle I/O class, SCHED_IDLE.
 * 0, or -1 with err saying which step the kernel refused (a seccomp
 * filter, a container). The child calls it first thing. */
int transcribe_lower_priority(char *err, size_t errsz);

#endif
