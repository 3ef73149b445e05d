/* Pausing the transcription child while the server is busy: pause.h says
 * why and how. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transcribe/pause.h"

/* A field of unsigned decimal digits at *p, then blanks; advances past
 * them. false when there are no digits. */
static bool
next_ull(const char **p, unsigned long long *v)
{
	char *end;

	while (**p == ' ' || **p == '\t')
		(*p)++;
	if (**p < '0' || **p > '9')
		return false;
	*v = strtoull(*p, &end, 10);
	*p = end;
	return true;
}

/* Past one blank-separated field at *p. false when there is none. */
static bool
skip_field(const char **p)
{
	while (**p == ' ')
		(*p)++;
	if (**p == '\0' || **p == '\n')
		return false;
	while (**p != '\0' && **p != ' ' && **p != '\n')
		(*p)++;
	return true;
}

bool
transcribe_cpu_parse(const char *proc_stat, const char *pid_stat,
    struct transcribe_cpu *s)
{
	/* proc(5): cpu user nice system idle iowait irq softirq steal
	 * (guest and guest_nice are already in user and nice). */
	unsigned long long f[8] = { 0 }, utime, stime;
	const char *p;
	int i;

	if (strncmp(proc_stat, "cpu ", 4) != 0)
		return false;
	p = proc_stat + 4;
	for (i = 0; i < 8; i++)
		if (!next_ull(&p, &f[i]))
			break;
	if (i < 4)   /* user nice system idle: every kernel has them */
		return false;
	s->busy = f[0] + f[1] + f[2] + f[5] + f[6] + f[7];
	s->total = s->busy + f[3] + f[4];
	/* "pid (comm) S ppid ...": the fields after the last ')' (comm may
	 * hold one); utime and stime are the 14th and 15th of the line. */
	if ((p = strrchr(pid_stat, ')')) == NULL || p[1] != ' ' ||
	    p[2] == '\0' || p[3] != ' ')
		return false;
	p += 3;
	for (i = 4; i <= 13; i++)   /* ppid ... cmajflt (tpgid may be -1) */
		if (!skip_field(&p))
			return false;
	if (!next_ull(&p, &utime) || !next_ull(&p, &stime))
		return false;
	s->child = utime + stime;
	return true;
}

/* The first line of path (at most size - 1 bytes of it) into buf. */
static bool
read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");
	bool ok;

	if (f == NULL)
		return false;
	ok = fgets(buf, (int)size, f) != NULL;
	fclose(f);
	return ok;
}

bool
transcribe_cpu_read(pid_t pid, struct transcribe_cpu *s)
{
	char all[512], one[1024], path[64];

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	return read_line("/proc/stat", all, sizeof(all)) &&
	    read_line(path, one, sizeof(one)) &&
	    transcribe_cpu_parse(all, one, s);
}

int
transcribe_cpu_others_percent(const struct transcribe_cpu *a,
    const struct transcribe_cpu *b)
{
	unsigned long long total, busy, child, others;

	if (b->total <= a->total)
		return -1;
	total = b->total - a->total;
	busy = b->busy > a->busy ? b->busy - a->busy : 0;
	child = b->child > a->child ? b->child - a->child : 0;
	/* The two files are read a moment apart: the child's ticks may run
	 * a little ahead of the machine's. */
	others = busy > child ? busy - child : 0;
	return others >= total ? 100 : (int)(others * 100 / total);
}

enum transcribe_pause_step
transcribe_pause_decide(struct transcribe_pause *st, int others_percent,
    unsigned threshold_percent, unsigned elapsed_ms)
{
	if (threshold_percent == 0) {
		/* Never pause; a child paused before the setting changed (a
		 * test) goes on. */
		st->calm_ms = 0;
		if (!st->paused)
			return TRANSCRIBE_PAUSE_KEEP;
		st->paused = false;
		return TRANSCRIBE_PAUSE_CONT;
	}
	if (others_percent < 0)
		return TRANSCRIBE_PAUSE_KEEP;
	if ((unsigned)others_percent > threshold_percent) {
		/* Busy: step aside at once, and start the calm over. */
		st->calm_ms = 0;
		if (st->paused)
			return TRANSCRIBE_PAUSE_KEEP;
		st->paused = true;
		return TRANSCRIBE_PAUSE_STOP;
	}
	if (!st->paused)
		return TRANSCRIBE_PAUSE_KEEP;
	st->calm_ms += elapsed_ms;
	if (st->calm_ms < TRANSCRIBE_PAUSE_CALM_MS)
		return TRANSCRIBE_PAUSE_KEEP;
	st->paused = false;
	st->calm_ms = 0;
	return TRANSCRIBE_PAUSE_CONT;
}
