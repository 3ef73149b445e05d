/* One log line per event on stderr (spawn-fcgi and systemd put it in a
 * file or the journal): time, program, level, request id, remote, message.
 * Unprintable bytes in the message are escaped. Never pass secrets, tokens
 * or signatures to these functions (STYLE §2.14). */
#ifndef CB_CORE_LOG_H
#define CB_CORE_LOG_H

enum log_level { LOGL_DEBUG, LOGL_INFO, LOGL_WARN, LOGL_ERROR, LOGL__MAX };

void log_init(const char *program, enum log_level min);
/* Parses "debug", "info", "warn", "error"; LOGL_INFO for anything else. */
enum log_level log_level_parse(const char *s);
/* Per-request context, copied; NULL clears it. */
void log_set_request(const char *request_id, const char *remote);
void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOGL_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOGL_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOGL_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOGL_ERROR, __VA_ARGS__)

#endif
