/* Transcription in an idle-priority child process, paused while the
 * machine is busy: child.h says why. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/log.h"
#include "transcribe/child.h"
#include "transcribe/codec.h"
#include "transcribe/pause.h"

/* <linux/ioprio.h> is not in every libc's headers: the ABI's values. */
#define CHILD_IOPRIO_WHO_PROCESS 1
#define CHILD_IOPRIO_CLASS_IDLE 3
#define CHILD_IOPRIO_CLASS_SHIFT 13

/* The header line and the utterances; more is not a transcript. */
#define CHILD_RESULT_MAX (TRANSCRIPT_JSON_MAX + 64 * 1024)

int
transcribe_lower_priority(char *err, size_t errsz)
{
	struct sched_param sp = { .sched_priority = 0 };

	/* nice first: it is what is left when SCHED_IDLE is refused. */
	errno = 0;
	if (setpriority(PRIO_PROCESS, 0, 19) != 0) {
		err_say(err, errsz, "setpriority(19): %s", strerror(errno));
		return -1;
	}
	if (syscall(SYS_ioprio_set, CHILD_IOPRIO_WHO_PROCESS, 0,
	    CHILD_IOPRIO_CLASS_IDLE << CHILD_IOPRIO_CLASS_SHIFT) != 0) {
		err_say(err, errsz, "ioprio_set(idle): %s", strerror(errno));
		return -1;
	}
	if (sched_setscheduler(0, SCHED_IDLE, &sp) != 0) {
		err_say(err, errsz, "sched_setscheduler(SCHED_IDLE): %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}

static void
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;  /* the worker is gone or gave up: nothing to do */
		p += w;
		n -= (size_t)w;
	}
}

/* The child: lower its priority, run fn, write the result, _exit. Never
 * returns; _exit and not exit, so nothing the worker set up (its database
 * connection's atexit, stdio buffers) runs twice. */
static void __attribute__((noreturn))
child_main(int fd, pid_t parent, transcribe_fn *fn,
    const struct cb_config *cfg, const char *path)
{
	struct json_object *h = json_object_new_object();
	struct transcript t;
	struct arena *a = arena_new();
	struct buf body;
	char err[1024] = "", why[256] = "";
	enum cb_err rc;
	const char *line;

	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
#ifdef __linux__
	/* Dies with the worker, even stopped (SIGKILL ends a stopped
	 * process): a killed worker leaves no child behind. The worker may
	 * have died before this line: then its pid is no longer our parent. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
		_exit(4);
#else
	(void)parent;
#endif
	if (cfg->transcribe_idle && transcribe_lower_priority(why,
	    sizeof(why)) != 0)
		json_object_object_add(h, "warning", json_object_new_string(
		    why));
	buf_init(&body, TRANSCRIPT_JSON_MAX);
	memset(&t, 0, sizeof(t));
	rc = a == NULL || h == NULL ? CB_ENOMEM :
	    fn(cfg, a, path, &t, err, sizeof(err));
	if (rc == CB_OK && transcript_to_json(&t, &body) != CB_OK) {
		rc = CB_ETOOBIG;
		snprintf(err, sizeof(err), "the transcript is too large");
	}
	if (h == NULL)
		_exit(3);
	json_object_object_add(h, "rc", json_object_new_int(rc));
	json_object_object_add(h, "err", json_object_new_string(err));
	if (rc == CB_OK) {
		if (t.engine != NULL)
			json_object_object_add(h, "engine",
			    json_object_new_string(t.engine));
		if (t.language != NULL)
			json_object_object_add(h, "language",
			    json_object_new_string(t.language));
		json_object_object_add(h, "draft",
		    json_object_new_boolean(t.draft));
	}
	/* JSON_C_TO_STRING_PLAIN escapes every newline: one line. */
	line = json_object_to_json_string_ext(h, JSON_C_TO_STRING_PLAIN);
	write_all(fd, line, strlen(line));
	write_all(fd, "\n", 1);
	if (rc == CB_OK)
		write_all(fd, body.p, body.len);
	_exit(0);
}

static long
now_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* The worker's side while the child runs: the child's running and paused
 * time, the pause (pause.h) and the heartbeat. */
struct waiting {
	pid_t pid;
	const struct cb_config *cfg;
	struct transcribe_watch *w;
	struct transcribe_pause pause;
	struct transcribe_cpu last;      /* the previous /proc sample */
	bool have_last;
	long t_prev, t_sample, t_beat, t_between;   /* now_ms() */
	unsigned long ran_ms, paused_ms;
};

/* The others' share of the CPU since the previous sample: the test's
 * number, else /proc's (-1 where there is none: never pause). */
static int
others_percent(struct waiting *wt)
{
	struct transcribe_cpu cur;
	int pct = -1;

	if (wt->w != NULL && wt->w->busy_percent != NULL)
		return wt->w->busy_percent(wt->w->ctx);
	if (!transcribe_cpu_read(wt->pid, &cur))
		return -1;
	if (wt->have_last)
		pct = transcribe_cpu_others_percent(&wt->last, &cur);
	wt->last = cur;
	wt->have_last = true;
	return pct;
}

/* One turn of the wait: the clocks, the heartbeat, the pause. */
static void
waiting_tick(struct waiting *wt)
{
	long now = now_ms(), step = now - wt->t_prev;
	unsigned threshold = wt->cfg->transcribe_pause_busy_percent;
	enum transcribe_pause_step ps;

	wt->t_prev = now;
	if (wt->pause.paused)
		wt->paused_ms += (unsigned long)step;
	else
		wt->ran_ms += (unsigned long)step;
	if (wt->w != NULL && wt->w->heartbeat != NULL &&
	    wt->w->heartbeat_seconds > 0 &&
	    now - wt->t_beat >= (long)wt->w->heartbeat_seconds * 1000) {
		wt->t_beat = now;
		wt->w->heartbeat(wt->w->ctx);
	}
	if (wt->w != NULL && wt->w->between != NULL &&
	    now - wt->t_between >= TRANSCRIBE_BETWEEN_MS) {
		wt->w->between(wt->w->between_ctx);
		wt->t_between = now = now_ms();
	}
	if (now - wt->t_sample < TRANSCRIBE_PAUSE_SAMPLE_MS ||
	    (threshold == 0 && !wt->pause.paused))
		return;
	ps = transcribe_pause_decide(&wt->pause, others_percent(wt), threshold,
	    (unsigned)(now - wt->t_sample));
	wt->t_sample = now;
	if (ps == TRANSCRIBE_PAUSE_STOP)
		kill(wt->pid, SIGSTOP);
	else if (ps == TRANSCRIBE_PAUSE_CONT)
		kill(wt->pid, SIGCONT);
}

/* Reads the child's answer into out until EOF, pausing it while the
 * machine is busy. 0; 1 when it ran longer than the timeout; -1 on an
 * error (err says it). */
static int
read_answer(int fd, struct waiting *wt, struct buf *out, char *err,
    size_t errsz)
{
	unsigned timeout_s = wt->cfg->transcribe_timeout_seconds;
	char chunk[65536];

	wt->t_prev = wt->t_sample = wt->t_beat = wt->t_between = now_ms();
	if (wt->cfg->transcribe_pause_busy_percent > 0)
		(void)others_percent(wt);   /* the first sample to compare */
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int n;
		ssize_t r;

		n = poll(&p, 1, TRANSCRIBE_PAUSE_SAMPLE_MS);
		if (n < 0 && errno != EINTR) {
			err_say(err, errsz, "cannot wait for the transcription "
			    "process: %s", strerror(errno));
			return -1;
		}
		if (n < 0) {
			/* The worker's SIGTERM: stop the child, retry later. */
			err_say(err, errsz, "the worker was stopped during the "
			    "transcription (process %ld)", (long)wt->pid);
			return -1;
		}
		waiting_tick(wt);
		if (timeout_s > 0 && wt->ran_ms >= (unsigned long)timeout_s *
		    1000)
			return 1;
		if (n == 0)
			continue;
		if ((r = read(fd, chunk, sizeof(chunk))) < 0) {
			if (errno == EINTR)
				continue;
			err_say(err, errsz, "cannot read the transcription "
			    "process's result: %s", strerror(errno));
			return -1;
		}
		if (r == 0)
			return 0;
		if (out->len + (size_t)r > CHILD_RESULT_MAX ||
		    buf_append(out, chunk, (size_t)r) != CB_OK) {
			err_say(err, errsz, "the transcription process's "
			    "result is over %zu bytes", (size_t)CHILD_RESULT_MAX);
			return -1;
		}
	}
}

/* Why the child ended without a result, for the card. */
static void
say_status(int status, char *err, size_t errsz)
{
	if (WIFSIGNALED(status))
		err_say(err, errsz, "the transcription process was stopped by "
		    "signal %d (%s)", WTERMSIG(status),
		    strsignal(WTERMSIG(status)));
	else if (WIFEXITED(status))
		err_say(err, errsz, "the transcription process ended with "
		    "status %d and no result", WEXITSTATUS(status));
	else
		err_say(err, errsz, "the transcription process ended with no "
		    "result");
}

/* The answer's header line and utterances into out and err. */
static enum cb_err
parse_answer(const struct buf *ans, struct arena *a, struct transcript *out,
    char *err, size_t errsz)
{
	const char *nl = memchr(ans->p, '\n', ans->len);
	struct json_object *h = NULL, *v;
	struct json_tokener *tok;
	enum cb_err rc;
	const struct transcribe_engine *e;

	if (nl != NULL && (tok = json_tokener_new()) != NULL) {
		h = json_tokener_parse_ex(tok, ans->p, (int)(nl -
		    ans->p));
		json_tokener_free(tok);
	}
	if (h == NULL || !json_object_is_type(h, json_type_object)) {
		json_object_put(h);
		err_say(err, errsz, "the transcription process's result is "
		    "not readable");
		return CB_EIO;
	}
	if (json_object_object_get_ex(h, "warning", &v))
		log_warn("transcription not at idle priority: %s",
		    json_object_get_string(v));
	if (!json_object_object_get_ex(h, "rc", &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    json_object_get_int(v) < 0 || json_object_get_int(v) >= CB_ERR__MAX) {
		json_object_put(h);
		err_say(err, errsz, "the transcription process's result is "
		    "not readable");
		return CB_EIO;
	}
	rc = (enum cb_err)json_object_get_int(v);
	if (json_object_object_get_ex(h, "err", &v))
		err_say(err, errsz, "%s", json_object_get_string(v));
	if (rc == CB_OK) {
		const char *body = nl + 1;

		if (transcript_from_json(body, ans->len - (size_t)(body -
		    ans->p), a, out) != CB_OK) {
			json_object_put(h);
			err_say(err, errsz, "the transcription process's "
			    "transcript is not readable");
			return CB_EIO;
		}
		/* The engine's name as the list spells it (static). */
		out->engine = json_object_object_get_ex(h, "engine", &v) &&
		    (e = transcribe_engine_by_name(json_object_get_string(v)))
		    != NULL ? e->name : NULL;
		out->language = json_object_object_get_ex(h, "language", &v) ?
		    arena_strdup(a, json_object_get_string(v)) : NULL;
		out->draft = json_object_object_get_ex(h, "draft", &v) &&
		    json_object_get_boolean(v);
	}
	json_object_put(h);
	return rc;
}

enum cb_err
transcribe_in_child(transcribe_fn *fn, const struct cb_config *cfg,
    struct arena *a, const char *path, struct transcribe_watch *w,
    struct transcript *out, char *err, size_t errsz)
{
	struct waiting wt;
	struct buf ans;
	int fds[2], status = 0, got;
	pid_t pid, parent = getpid();
	enum cb_err rc;

	memset(out, 0, sizeof(*out));
	if (pipe2(fds, O_CLOEXEC) != 0) {
		err_say(err, errsz, "cannot start the transcription process: "
		    "%s", strerror(errno));
		return CB_EIO;
	}
	fflush(NULL);  /* nothing buffered is written twice */
	if ((pid = fork()) < 0) {
		err_say(err, errsz, "cannot start the transcription process: "
		    "%s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return CB_EIO;
	}
	if (pid == 0) {
		close(fds[0]);
		child_main(fds[1], parent, fn, cfg, path);
	}
	close(fds[1]);
	buf_init(&ans, CHILD_RESULT_MAX);
	memset(&wt, 0, sizeof(wt));
	wt.pid = pid;
	wt.cfg = cfg;
	wt.w = w;
	got = read_answer(fds[0], &wt, &ans, err, errsz);
	close(fds[0]);
	if (got != 0)
		kill(pid, SIGKILL);   /* stopped or not */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (w != NULL) {
		w->ran_ms = wt.ran_ms;
		w->paused_ms = wt.paused_ms;
	}
	if (wt.paused_ms > 0)
		log_info("transcription: ran %.1f s, paused %.1f s while the "
		    "machine was busy", (double)wt.ran_ms / 1000,
		    (double)wt.paused_ms / 1000);
	if (got == 1) {
		err_say(err, errsz, "the transcription ran longer than %u s "
		    "and was stopped (transcribe_timeout_seconds)",
		    cfg->transcribe_timeout_seconds);
		rc = CB_EIO;
	} else if (got < 0) {
		rc = CB_EIO;
	} else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
	    ans.len == 0) {
		say_status(status, err, errsz);
		rc = CB_EIO;
	} else {
		rc = parse_answer(&ans, a, out, err, errsz);
	}
	buf_free(&ans);
	if (rc != CB_OK)
		memset(out, 0, sizeof(*out));
	return rc;
}

enum cb_err
transcribe_run_isolated(const struct transcribe_engine *e,
    const struct cb_config *cfg, struct arena *a, const char *path,
    struct transcribe_watch *w, struct transcript *out, char *err,
    size_t errsz)
{
	transcribe_fn *fn = transcribe_runner(e);
	enum cb_err rc;

	if (fn == NULL)
		return transcribe_run(e, cfg, a, path, out, err, errsz);
	if ((rc = transcribe_prepare(e, cfg, err, errsz)) != CB_OK)
		return rc;
	return transcribe_in_child(fn, cfg, a, path, w, out, err, errsz);
}
