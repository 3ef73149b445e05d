#include "config.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
};

#define STR(f) { #f, KEY_STR, offsetof(struct cb_config, f), \
	sizeof(((struct cb_config *)0)->f), 0 }

static const struct key keys[] = {
	STR(db_host),
	{ "db_port", KEY_UINT, offsetof(struct cb_config, db_port), 0, 65535 },
	STR(db_socket),
	STR(db_user),
	STR(db_password),
	STR(db_name),
	STR(db_read),
	STR(templates_dir),
	STR(static_dir),
	STR(sql_dir),
	STR(spool_dir),
	STR(recordings_dir),
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
	    offsetof(struct cb_config, outbound_timeout_seconds), 0, 120 },
	{ "housekeeping_seconds", KEY_UINT,
	    offsetof(struct cb_config, housekeeping_seconds), 0, 86400 },
	{ "reconcile_seconds", KEY_UINT,
	    offsetof(struct cb_config, reconcile_seconds), 0, 7 * 86400 },
	{ "reconcile_window_hours", KEY_UINT,
	    offsetof(struct cb_config, reconcile_window_hours), 0, 24 * 30 },
	STR(transcribe_engine),
	STR(transcribe_model_dir),
	STR(transcribe_url),
	STR(transcribe_model),
	STR(transcribe_language),
	STR(transcribe_key),
	STR(summary_url),
	STR(summary_model),
	STR(summary_key),
	{ "log_level", KEY_LEVEL, offsetof(struct cb_config, log_level), 0, 0 },
	{ "session_ttl_hours", KEY_UINT,
	    offsetof(struct cb_config, session_ttl_hours), 0, 24 * 365 },
	{ "cookie_secure", KEY_BOOL, offsetof(struct cb_config, cookie_secure),
	    0, 1 },
	{ "webhook_allow_private", KEY_BOOL,
	    offsetof(struct cb_config, webhook_allow_private), 0, 1 },
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
	strcpy(cfg->db_user, "callboard");
	strcpy(cfg->db_name, "callboard");
	strcpy(cfg->templates_dir, CB_PKGDATADIR "/templates");
	strcpy(cfg->static_dir, CB_PKGDATADIR "/static");
	strcpy(cfg->sql_dir, CB_PKGDATADIR "/sql");
	strcpy(cfg->spool_dir, CB_LOCALSTATEDIR "/spool");
	strcpy(cfg->recordings_dir, CB_LOCALSTATEDIR "/recordings");
	strcpy(cfg->public_url, "http://127.0.0.1");
	strcpy(cfg->default_country, "UA");
	cfg->log_level = LOGL_INFO;
	cfg->session_ttl_hours = 12;
	strcpy(cfg->smtp_from, "callboard@localhost");
	cfg->outbound_timeout_seconds = 8;
	cfg->housekeeping_seconds = 300;
	cfg->reconcile_seconds = 900;
	cfg->reconcile_window_hours = 48;
	strcpy(cfg->transcribe_model_dir, "/usr/share/pocketsphinx/model/en-us");
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

static enum cb_err
config_set(struct cb_config *cfg, const char *name, const char *value,
    const char **why)
{
	size_t i;
	int64_t n;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const struct key *k = &keys[i];
		char *field = (char *)cfg + k->offset;

		if (strcmp(k->name, name) != 0)
			continue;
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

enum cb_err
config_load(const char *path, struct cb_config *cfg, struct buf *errmsg)
{
	char line[2048];
	unsigned lineno = 0;
	FILE *f;
	enum cb_err rc = CB_OK;
	const char *why_engine;

	config_defaults(cfg);
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
		if (config_set(cfg, trim(s), trim(eq + 1), &why) != CB_OK) {
			buf_printf(errmsg, "%s:%u: %s: %s", path, lineno,
			    trim(s), why);
			rc = CB_EINVAL;
			break;
		}
	}
	fclose(f);
	/* An engine named but not built (no pocketsphinx at configure
	 * time) is refused here, with what to install, not at the first
	 * recording. */
	if (rc == CB_OK && (why_engine = transcribe_engine_why_not(
	    cfg->transcribe_engine)) != NULL) {
		buf_printf(errmsg, "%s: transcribe_engine = %s: %s", path,
		    cfg->transcribe_engine, why_engine);
		rc = CB_EINVAL;
	}
	return rc;
}
