#include "config.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/conf.h"
#include "transcribe/engine.h"
#include "core/strparse.h"

#ifndef CB_SYSCONFDIR
#define CB_SYSCONFDIR "/etc/callboard"
#endif
#ifndef CB_PKGDATADIR
#define CB_PKGDATADIR "/usr/share/callboard"
#endif
#ifndef CB_LOCALSTATEDIR
#define CB_LOCALSTATEDIR "/var/lib/callboard"
#endif

enum key_type { KEY_STR, KEY_UINT, KEY_BOOL, KEY_LEVEL };

struct key {
	const char *name;
	enum key_type type;
	size_t offset;
	size_t size;     /* for strings: the array size */
	int64_t max;     /* for numbers */
	unsigned scope;  /* K_SHARED, K_SITE_REQUIRED or 0 */
};

/* In callboard.conf only: what a program holds once for every site. */
#define K_SHARED 1u
/* A site file must set it: two sites never share it by omission. */
#define K_SITE_REQUIRED 2u

#define STR(f) { #f, KEY_STR, offsetof(struct cb_config, f), \
	sizeof(((struct cb_config *)0)->f), 0, 0 }
#define STR_S(f, scope) { #f, KEY_STR, offsetof(struct cb_config, f), \
	sizeof(((struct cb_config *)0)->f), 0, scope }

static const struct key keys[] = {
	STR(db_host),
	{ "db_port", KEY_UINT, offsetof(struct cb_config, db_port), 0, 65535, 0 },
	STR(db_socket),
	STR(db_user),
	STR(db_password),
	STR_S(db_name, K_SITE_REQUIRED),
	STR(db_read),
	{ "db_read_retry_seconds", KEY_UINT,
	    offsetof(struct cb_config, db_read_retry_seconds), 0, 3600, 0 },
	STR_S(templates_dir, K_SHARED),
	STR_S(locale_dir, K_SHARED),
	STR_S(static_dir, K_SHARED),
	STR(sql_dir),
	STR_S(spool_dir, K_SITE_REQUIRED),
	STR_S(recordings_dir, K_SITE_REQUIRED),
	STR(recordings_store),
	STR(s3_endpoint),
	STR(s3_bucket),
	STR(s3_region),
	STR(s3_access_key),
	STR(s3_secret_key),
	{ "s3_virtual_host", KEY_BOOL, offsetof(struct cb_config,
	    s3_virtual_host), 0, 1, 0 },
	STR_S(sites_dir, K_SHARED),
	{ "sites_max", KEY_UINT, offsetof(struct cb_config, sites_max), 0, 256,
	    K_SHARED },
	STR(public_url),
	STR(secret_key),
	STR(default_country),
	STR(live_publish_url),
	STR(live_publish_secret),
	STR(smtp_url),
	STR(smtp_from),
	STR(smtp_user),
	STR(smtp_password),
	{ "outbound_timeout_seconds", KEY_UINT,
	    offsetof(struct cb_config, outbound_timeout_seconds), 0, 120, 0 },
	{ "housekeeping_seconds", KEY_UINT,
	    offsetof(struct cb_config, housekeeping_seconds), 0, 86400, 0 },
	{ "reconcile_seconds", KEY_UINT,
	    offsetof(struct cb_config, reconcile_seconds), 0, 7 * 86400, 0 },
	{ "reconcile_window_hours", KEY_UINT,
	    offsetof(struct cb_config, reconcile_window_hours), 0, 24 * 30, 0 },
	STR(transcribe_engine),
	STR(transcribe_model_dir),
	STR(transcribe_url),
	STR(transcribe_model),
	STR(transcribe_language),
	STR(transcribe_key),
	{ "transcribe_idle", KEY_BOOL, offsetof(struct cb_config,
	    transcribe_idle), 0, 1, 0 },
	{ "transcribe_timeout_seconds", KEY_UINT, offsetof(struct cb_config,
	    transcribe_timeout_seconds), 0, 86400, 0 },
	{ "transcribe_pause_busy_percent", KEY_UINT, offsetof(struct
	    cb_config, transcribe_pause_busy_percent), 0, 100, 0 },
	{ "job_stale_seconds", KEY_UINT, offsetof(struct cb_config,
	    job_stale_seconds), 2, 86400, 0 },
	STR(summary_url),
	STR(summary_model),
	STR(summary_key),
	{ "log_level", KEY_LEVEL, offsetof(struct cb_config, log_level), 0, 0,
	    K_SHARED },
	{ "session_ttl_hours", KEY_UINT,
	    offsetof(struct cb_config, session_ttl_hours), 0, 24 * 365, 0 },
	{ "cookie_secure", KEY_BOOL, offsetof(struct cb_config, cookie_secure),
	    0, 1, 0 },
	{ "webhook_allow_private", KEY_BOOL,
	    offsetof(struct cb_config, webhook_allow_private), 0, 1, 0 },
};

const char *
config_path(int argc, char *argv[])
{
	const char *env;
	int i;

	for (i = 1; i + 1 < argc; i++)
		if (strcmp(argv[i], "--config") == 0)
			return argv[i + 1];
	if ((env = getenv("CALLBOARD_CONFIG")) != NULL && *env)
		return env;
	return CB_SYSCONFDIR "/callboard.conf";
}

static void
config_defaults(struct cb_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	strcpy(cfg->db_host, "127.0.0.1");
	cfg->db_port = 3306;
	cfg->db_read_retry_seconds = 30;
	strcpy(cfg->db_user, "callboard");
	strcpy(cfg->db_name, "callboard");
	strcpy(cfg->templates_dir, CB_PKGDATADIR "/templates");
	strcpy(cfg->locale_dir, CB_LOCALEDIR);
	strcpy(cfg->static_dir, CB_PKGDATADIR "/static");
	strcpy(cfg->sql_dir, CB_PKGDATADIR "/sql");
	strcpy(cfg->spool_dir, CB_LOCALSTATEDIR "/spool");
	strcpy(cfg->recordings_dir, CB_LOCALSTATEDIR "/recordings");
	strcpy(cfg->recordings_store, "local");
	strcpy(cfg->public_url, "http://127.0.0.1");
	strcpy(cfg->default_country, "UA");
	cfg->log_level = LOGL_INFO;
	cfg->session_ttl_hours = 12;
	strcpy(cfg->smtp_from, "callboard@localhost");
	cfg->outbound_timeout_seconds = 8;
	cfg->housekeeping_seconds = 300;
	cfg->reconcile_seconds = 900;
	cfg->reconcile_window_hours = 48;
	cfg->sites_max = 8;
	strcpy(cfg->transcribe_model_dir, "/usr/share/pocketsphinx/model/en-us");
	cfg->transcribe_idle = 1;
	cfg->transcribe_timeout_seconds = 3600;
	/* docs/transcripts.md "Pause while busy": what the measurements
	 * chose. */
	cfg->transcribe_pause_busy_percent = 15;
	cfg->job_stale_seconds = 300;
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static enum cb_err
config_set(struct cb_config *cfg, const char *name, const char *value,
    bool site_file, bool *seen, const char **why)
{
	size_t i;
	int64_t n;

	for (i = 0; i < NKEYS; i++) {
		const struct key *k = &keys[i];
		char *field = (char *)cfg + k->offset;

		if (strcmp(k->name, name) != 0)
			continue;
		if (site_file && (k->scope & K_SHARED)) {
			*why = "shared by every site: set it in callboard.conf,"
			    " not in a site's file";
			return CB_EINVAL;
		}
		seen[i] = true;
		switch (k->type) {
		case KEY_STR:
			if (strlen(value) >= k->size) {
				*why = "value too long";
				return CB_EINVAL;
			}
			strcpy(field, value);
			return CB_OK;
		case KEY_UINT:
		case KEY_BOOL:
			if (k->type == KEY_BOOL && (strcmp(value, "yes") == 0 ||
			    strcmp(value, "no") == 0)) {
				*(int *)(void *)field = value[0] == 'y';
				return CB_OK;
			}
			if (strparse_i64z(value, 0, k->max, &n) != CB_OK) {
				*why = k->type == KEY_BOOL ?
				    "expected 0 or 1 (or no or yes)" :
				    "expected a number";
				return CB_EINVAL;
			}
			if (k->type == KEY_BOOL)
				*(int *)(void *)field = (int)n;
			else
				*(unsigned *)(void *)field = (unsigned)n;
			return CB_OK;
		case KEY_LEVEL:
			*(enum log_level *)(void *)field =
			    log_level_parse(value);
			return CB_OK;
		}
	}
	*why = "unknown key";
	return CB_EINVAL;
}

/* Reads path's "key = value" lines over what cfg holds. */
static enum cb_err
config_parse(const char *path, struct cb_config *cfg, bool site_file,
    bool *seen, struct buf *errmsg)
{
	char line[2048];
	unsigned lineno = 0;
	FILE *f;
	enum cb_err rc = CB_OK;

	if ((f = fopen(path, "r")) == NULL) {
		buf_printf(errmsg, "%s: cannot open the configuration file",
		    path);
		return CB_EIO;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *s, *eq;
		const char *why = NULL;

		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			buf_printf(errmsg, "%s:%u: line too long", path,
			    lineno);
			rc = CB_EINVAL;
			break;
		}
		s = trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		if ((eq = strchr(s, '=')) == NULL) {
			buf_printf(errmsg, "%s:%u: expected key = value",
			    path, lineno);
			rc = CB_EINVAL;
			break;
		}
		*eq = '\0';
		if (config_set(cfg, trim(s), trim(eq + 1), site_file, seen,
		    &why) != CB_OK) {
			buf_printf(errmsg, "%s:%u: %s: %s", path, lineno,
			    trim(s), why);
			rc = CB_EINVAL;
			break;
		}
	}
	fclose(f);
	return rc;
}

/* What every loaded configuration must pass. */
static enum cb_err
config_check(const char *path, const struct cb_config *cfg,
    struct buf *errmsg)
{
	const char *why_engine;

	/* An engine named but not built (no pocketsphinx at configure
	 * time) is refused here, with what to install, not at the first
	 * recording. */
	if ((why_engine = transcribe_engine_why_not(
	    cfg->transcribe_engine)) != NULL) {
		buf_printf(errmsg, "%s: transcribe_engine = %s: %s", path,
		    cfg->transcribe_engine, why_engine);
		return CB_EINVAL;
	}
	if (strcmp(cfg->recordings_store, "local") != 0 &&
	    strcmp(cfg->recordings_store, "s3") != 0) {
		buf_printf(errmsg, "%s: recordings_store must be local or s3",
		    path);
		return CB_EINVAL;
	}
	if (cfg->sites_max == 0) {
		buf_printf(errmsg, "%s: sites_max: expected 1 to 256", path);
		return CB_EINVAL;
	}
	return CB_OK;
}

enum cb_err
config_load(const char *path, struct cb_config *cfg, struct buf *errmsg)
{
	bool seen[NKEYS] = { false };
	enum cb_err rc;

	config_defaults(cfg);
	if ((rc = config_parse(path, cfg, false, seen, errmsg)) != CB_OK)
		return rc;
	return config_check(path, cfg, errmsg);
}

bool
site_name_valid(const char *name)
{
	size_t n;

	if (name == NULL || name[0] == '\0' || name[0] == '-')
		return false;
	for (n = 0; name[n] != '\0'; n++)
		if (n == SITE_NAME_MAX || !((name[n] >= 'a' && name[n] <= 'z') ||
		    (name[n] >= '0' && name[n] <= '9') || name[n] == '-'))
			return false;
	return true;
}

/* <sites_dir>/<site>.conf; sites_dir "" = "sites" beside base_path. */
static bool
site_path(const char *base_path, const struct cb_config *base,
    const char *site, char *out, size_t outsz)
{
	const char *slash = strrchr(base_path, '/');
	int n;

	if (base->sites_dir[0] != '\0')
		n = snprintf(out, outsz, "%s/%s.conf", base->sites_dir, site);
	else if (slash == NULL)
		n = snprintf(out, outsz, "sites/%s.conf", site);
	else
		n = snprintf(out, outsz, "%.*s/sites/%s.conf",
		    (int)(slash - base_path), base_path, site);
	return n > 0 && (size_t)n < outsz;
}

enum cb_err
config_load_site(const char *base_path, const struct cb_config *base,
    const char *site, struct cb_config *cfg, struct buf *errmsg)
{
	bool seen[NKEYS] = { false };
	char path[1200];
	enum cb_err rc;
	size_t i;

	if (!site_name_valid(site)) {
		buf_printf(errmsg, "site name '%.40s' is not valid: 1 to %d of "
		    "a-z, 0-9 and '-' (CALLBOARD_SITE in nginx, or --site)",
		    site ? site : "", SITE_NAME_MAX);
		return CB_EINVAL;
	}
	if (!site_path(base_path, base, site, path, sizeof(path))) {
		buf_printf(errmsg, "site %s: the sites folder's path is too "
		    "long", site);
		return CB_EINVAL;
	}
	*cfg = *base;
	snprintf(cfg->site, sizeof(cfg->site), "%s", site);
	if (access(path, F_OK) != 0) {
		buf_printf(errmsg, "site %s is not configured here: %s does "
		    "not exist (docs/install.md, \"Several sites on one "
		    "server\")", site, path);
		return CB_ENOTFOUND;
	}
	if ((rc = config_parse(path, cfg, true, seen, errmsg)) != CB_OK)
		return rc;
	for (i = 0; i < NKEYS; i++)
		if ((keys[i].scope & K_SITE_REQUIRED) && !seen[i]) {
			buf_printf(errmsg, "%s: %s is missing: every site "
			    "sets its own (its own database and folders)",
			    path, keys[i].name);
			return CB_EINVAL;
		}
	return config_check(path, cfg, errmsg);
}

const char *
config_site_arg(int argc, char *argv[])
{
	int i;

	for (i = 1; i + 1 < argc; i++)
		if (strcmp(argv[i], "--site") == 0)
			return argv[i + 1];
	return NULL;
}

enum cb_err
config_load_args(int argc, char *argv[], struct cb_config *cfg,
    struct buf *errmsg)
{
	const char *path = config_path(argc, argv);
	const char *site = config_site_arg(argc, argv);
	struct cb_config *base;
	enum cb_err rc;

	if ((rc = config_load(path, cfg, errmsg)) != CB_OK || site == NULL)
		return rc;
	if ((base = malloc(sizeof(*base))) == NULL)
		return CB_ENOMEM;
	*base = *cfg;
	rc = config_load_site(path, base, site, cfg, errmsg);
	free(base);
	return rc;
}

static char current_site[SITE_NAME_MAX + 1];

void
site_enter(const char *site)
{
	snprintf(current_site, sizeof(current_site), "%s", site ? site : "");
}

const char *
site_current(void)
{
	return current_site;
}
