#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/log.h"
#include "http/escape.h"

static char program_name[32] = "callboard";
static enum log_level min_level = LOGL_INFO;
static char request_id[40];
static char remote_addr[48];

static const char *const level_names[LOGL__MAX] = {
	"debug", "info", "warn", "error"
};

void
log_init(const char *program, enum log_level min)
{
	snprintf(program_name, sizeof(program_name), "%s", program);
	min_level = min;
}

enum log_level
log_level_parse(const char *s)
{
	int i;

	for (i = 0; s && i < LOGL__MAX; i++)
		if (strcmp(s, level_names[i]) == 0)
			return (enum log_level)i;
	return LOGL_INFO;
}

void
log_set_request(const char *id, const char *remote)
{
	snprintf(request_id, sizeof(request_id), "%s", id ? id : "");
	snprintf(remote_addr, sizeof(remote_addr), "%s", remote ? remote : "");
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	char msg[2048], stamp[32];
	struct buf line;
	struct timespec ts;
	struct tm tm;
	va_list ap;
	int n;

	if (level < min_level || level >= LOGL__MAX)
		return;
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(msg))
		n = sizeof(msg) - 1;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	buf_init(&line, 8192);
	buf_printf(&line, "%s.%03ldZ %s %s", stamp, ts.tv_nsec / 1000000,
	    program_name, level_names[level]);
	if (request_id[0])
		buf_printf(&line, " req=%s", request_id);
	if (remote_addr[0])
		buf_printf(&line, " remote=%s", remote_addr);
	buf_puts(&line, " ");
	log_field(&line, msg, (size_t)n);
	buf_putc(&line, '\n');
	if (line.err == CB_OK)
		fwrite(line.p, 1, line.len, stderr);
	buf_free(&line);
}
