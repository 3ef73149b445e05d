/* The configuration file: `key = value` lines, `#` comments
 * (etc/callboard.conf.sample documents every key). Loaded once per process;
 * the struct is read-only afterwards. */
#ifndef CB_CORE_CONF_H
#define CB_CORE_CONF_H

#include <stdbool.h>

#include "core/buf.h"
#include "core/log.h"

/* Several sites on one install (issue 23 §1, docs/install.md "Several
 * sites on one server"): a site's name is 1..SITE_NAME_MAX of [a-z0-9-],
 * not starting with '-'; its file is <sites_dir>/<name>.conf, read over
 * callboard.conf (a site file sets what differs: database, folders, URL). */
#define SITE_NAME_MAX 32

struct cb_config {
	/* "" = the single site of callboard.conf (no CALLBOARD_SITE). */
	char site[SITE_NAME_MAX + 1];
	/* Where the site files are; "" = "sites" next to callboard.conf. */
	char sites_dir[1024];
	/* Sites a FastCGI program keeps open at once (config and database
	 * connection, least recently used closed first). 1..256. */
	unsigned sites_max;
	char db_host[256];
	unsigned db_port;
	char db_socket[256];
	char db_user[64];
	char db_password[256];
	char db_name[64];
	/* host:port of an asynchronous replica for history reads ("" =
	 * none): db_reader() in lib/db/db.c. */
	char db_read[280];
	/* Seconds history reads stay on the primary after the replica did
	 * not answer, before it is tried again (default 30). */
	unsigned db_read_retry_seconds;
	char templates_dir[1024];
	char locale_dir[1024];    /* <lang>/LC_MESSAGES/callboard.mo (po/) */
	char static_dir[1024];
	char sql_dir[1024];
	char spool_dir[1024];
	char recordings_dir[1024];
	/* Where the worker keeps fetched recordings: "local" (default,
	 * recordings_dir) or "s3" (lib/storage/s3.h: the bucket s3_bucket at
	 * s3_endpoint, SigV4 with s3_access_key / s3_secret_key). */
	char recordings_store[8];
	char s3_endpoint[512];
	char s3_bucket[64];
	char s3_region[64];
	char s3_access_key[128];
	char s3_secret_key[256];
	int s3_virtual_host;      /* bucket in the host name (AWS), not the path */
	char public_url[512];
	char secret_key[129];
	char default_country[3];  /* ISO 3166 alpha-2 for numbers typed in pages */
	/* Live popups: nchan's publisher location up to the manager's id, e.g.
	 * http://127.0.0.1/_pub/manager/ ("" = popups are not published). */
	char live_publish_url[512];
	/* Sent as X-Callboard-Publish-Secret with each publish; nginx refuses
	 * a publish without it (etc/nginx/callboard-live.conf). */
	char live_publish_secret[129];
	/* E-mail actions of triggers: smtp://host:port or smtps://...; "" = off */
	char smtp_url[512];
	char smtp_from[256];
	char smtp_user[128];
	char smtp_password[256];
	/* Outgoing requests to providers and webhooks (click-to-call, trigger
	 * webhooks, recordings): total time allowed per request. */
	unsigned outbound_timeout_seconds;
	/* The worker deletes expired sessions, forgotten login counts and old
	 * Zadarma signatures this often (lib/db/housekeeping.h); 0 = never. */
	unsigned housekeeping_seconds;
	/* Reconciliation (lib/reconcile/): every reconcile_seconds the worker
	 * pulls each enabled integration's call history over the last
	 * reconcile_window_hours; 0 = never (on demand only). */
	unsigned reconcile_seconds;
	unsigned reconcile_window_hours;
	/* Transcripts (lib/transcribe/, issue 22): "" = off, "local"
	 * (pocketsphinx with the model under transcribe_model_dir) or "http"
	 * (an OpenAI-compatible /v1/audio/transcriptions at transcribe_url,
	 * with transcribe_model, transcribe_language, transcribe_key).
	 * Summaries through an OpenAI-compatible /v1/chat/completions at
	 * summary_url (summary_model, summary_key); "" = extractive, local. */
	char transcribe_engine[16];
	char transcribe_model_dir[1024];
	char transcribe_url[512];
	char transcribe_model[128];
	char transcribe_language[16];
	char transcribe_key[256];
	/* The worker runs each transcription in a child process
	 * (lib/transcribe/child.h): at idle CPU and disk priority when
	 * transcribe_idle is 1 (the default), so it never slows ingest or
	 * pages; killed after transcribe_timeout_seconds of running (time
	 * paused not counted; 0 = no limit). While the rest of the machine
	 * uses more than transcribe_pause_busy_percent of its CPU (all cores;
	 * 0 = never pause) the worker stops the child (SIGSTOP) and lets it
	 * go on once the machine is quiet (lib/transcribe/pause.h). */
	int transcribe_idle;
	unsigned transcribe_timeout_seconds;
	unsigned transcribe_pause_busy_percent;
	/* A job "running" whose worker has not touched it (jobs.locked_at, the
	 * heartbeat of a long job) for this long is queued again: its worker
	 * is gone (lib/db/job.h db_job_requeue_stale). */
	unsigned job_stale_seconds;
	char summary_url[512];
	char summary_model[128];
	char summary_key[256];
	enum log_level log_level;
	unsigned session_ttl_hours;
	int cookie_secure;
	/* 1: trigger webhooks may go to loopback, private, link-local (cloud
	 * metadata) and other non-public addresses. 0 (the default) refuses
	 * them when connecting (lib/net/httpc.h public_only), so an admin's
	 * webhook URL cannot reach the machine's own services or the LAN. */
	int webhook_allow_private;
};

/* Where the file is: the value after --config in argv, else
 * $CALLBOARD_CONFIG, else CB_SYSCONFDIR/callboard.conf. Static storage. */
const char *config_path(int argc, char *argv[]);
/* Fills defaults, then the file. On error writes "path:line: reason" into
 * errmsg. */
enum cb_err config_load(const char *path, struct cb_config *cfg,
    struct buf *errmsg);

/* Whether name is a valid site name (see SITE_NAME_MAX). */
bool site_name_valid(const char *name);
/* The site's configuration: base (callboard.conf, loaded from base_path)
 * with <sites_dir>/<site>.conf read over it. The site file must set
 * db_name, spool_dir and recordings_dir (two sites never share a database
 * or a folder by omission) and may not set the keys every site shares
 * (templates_dir, static_dir, sites_dir, sites_max, log_level).
 * CB_ENOTFOUND: no such file; CB_EINVAL: a bad name or file. errmsg says
 * which file and what to do. */
enum cb_err config_load_site(const char *base_path,
    const struct cb_config *base, const char *site, struct cb_config *cfg,
    struct buf *errmsg);
/* The value after --site in argv, else NULL. */
const char *config_site_arg(int argc, char *argv[]);
/* For the worker and the command line: callboard.conf (config_path), then
 * the site of --site NAME when given. */
enum cb_err config_load_args(int argc, char *argv[], struct cb_config *cfg,
    struct buf *errmsg);

/* The site this process is serving now ("" = the single site): set by
 * the FastCGI front line per request and by the worker at start, read by
 * process-wide caches that must not mix sites (lib/dial/prepare.c). */
void site_enter(const char *site);
const char *site_current(void);

#endif
