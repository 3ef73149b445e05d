#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/conf.h"
#include "core/jsonget.h"
#include "calls/recfetch.h"
#include "dial/dial.h"
#include "db/recording.h"
#include "db/transcript.h"
#include "http/escape.h"
#include "net/httpc.h"
#include "net/sig.h"
#include "providers/registry.h"
#include "storage/s3.h"

#define RELPATH_MAX 512

/* ------------------------------------------------------------ helpers -- */

#define say err_say
#define fits recfetch_fits
#define is_http_url recfetch_is_http_url
#define base_ok recfetch_base_ok


bool
recfetch_is_http_url(const char *s)
{
	return strncasecmp(s, "http://", 7) == 0 ||
	    strncasecmp(s, "https://", 8) == 0;
}


bool
recfetch_fits(char *out, size_t outsz, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, outsz, fmt, ap);
	va_end(ap);
	return n >= 0 && (size_t)n < outsz;
}

/* ------------------------------------------------------- URL building -- */

bool
recfetch_safe_relpath(const char *path)
{
	const char *seg, *p;
	size_t n;

	if (path == NULL || *path == '\0' || *path == '/' ||
	    strlen(path) > RELPATH_MAX)
		return false;
	for (p = path; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f ||
		    *p == '\\')
			return false;
	/* Every segment: non-empty, not "." or "..". */
	for (seg = path;; seg = p + 1) {
		p = strchr(seg, '/');
		n = p != NULL ? (size_t)(p - seg) : strlen(seg);
		if (n == 0 || (n == 1 && seg[0] == '.') ||
		    (n == 2 && seg[0] == '.' && seg[1] == '.'))
			return false;
		if (p == NULL)
			return true;
	}
}

bool
recfetch_base_ok(const char *base)
{
	const char *p;

	if (base == NULL || !is_http_url(base))
		return false;
	for (p = base; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f ||
		    *p == '?' || *p == '#' || *p == '@' || *p == '\\')
			return false;
	/* A host after the scheme. */
	p = strstr(base, "://") + 3;
	return *p != '\0' && *p != '/';
}

static size_t
trimmed_len(const char *base)
{
	size_t n = strlen(base);

	while (n > 0 && base[n - 1] == '/')
		n--;
	return n;
}

enum cb_err
recfetch_join_url(const char *base, const char *path, char *out,
    size_t outsz)
{
	struct buf b;
	const char *seg, *p;
	enum cb_err rc;

	if (!base_ok(base) || !recfetch_safe_relpath(path))
		return CB_EINVAL;
	buf_init(&b, outsz > 0 ? outsz - 1 : 0);
	buf_append(&b, base, trimmed_len(base));
	for (seg = path;; seg = p + 1) {
		p = strchr(seg, '/');
		buf_putc(&b, '/');
		url_component(&b, seg, p != NULL ? (size_t)(p - seg) :
		    strlen(seg));
		if (p == NULL)
			break;
	}
	if ((rc = b.err) == CB_OK)
		snprintf(out, outsz, "%s", buf_cstr(&b));
	buf_free(&b);
	return rc == CB_OK ? CB_OK : CB_EINVAL;
}

enum cb_err
recfetch_api_base(const char *base, char *out, size_t outsz)
{
	size_t n;

	if (!base_ok(base))
		return CB_EINVAL;
	/* Keys, secrets and signatures travel in these requests: never in
	 * clear text across a network (a stand-in on loopback is fine). */
	if (strncasecmp(base, "http://", 7) == 0 && !httpc_is_loopback(base))
		return CB_EINVAL;
	n = trimmed_len(base);
	if (n >= outsz)
		return CB_EINVAL;
	memcpy(out, base, n);
	out[n] = '\0';
	return CB_OK;
}

bool
recfetch_creds_allowed(const char *url, const char *trusted_base)
{
	char a[300], b[300];

	if (strncasecmp(url, "https://", 8) == 0 || httpc_is_loopback(url))
		return true;
	if (trusted_base == NULL)
		return false;
	httpc_origin(url, a, sizeof(a));
	httpc_origin(trusted_base, b, sizeof(b));
	return strcmp(a, "(bad URL)") != 0 && strcasecmp(a, b) == 0;
}

bool
recfetch_creds_host(const char *url, const char *base,
    const char *const *domains)
{
	char o[300], ob[300];
	const char *host, *end;
	size_t hn, dn;

	if (url == NULL || (strncasecmp(url, "https://", 8) != 0 &&
	    !httpc_is_loopback(url)))
		return false;
	httpc_origin(url, o, sizeof(o));
	if (base != NULL && *base != '\0') {
		httpc_origin(base, ob, sizeof(ob));
		if (strcmp(o, ob) == 0 && strcmp(o, "(bad URL)") != 0)
			return true;
	}
	if (strncasecmp(url, "https://", 8) != 0)
		return false;
	host = url + 8;
	end = host + strcspn(host, ":/?#");
	hn = (size_t)(end - host);
	if (memchr(host, '@', hn) != NULL)
		return false;
	for (; domains != NULL && *domains != NULL; domains++) {
		dn = strlen(*domains);
		if ((hn == dn || (hn > dn && host[hn - dn - 1] == '.')) &&
		    strncasecmp(end - dn, *domains, dn) == 0)
			return true;
	}
	return false;
}

bool
recfetch_set_creds(struct recfetch_plan *p, const char *user, const char *password)
{
	return fits(p->user, sizeof(p->user), "%s", user) &&
	    fits(p->password, sizeof(p->password), "%s", password);
}

enum cb_err
recfetch_config_api_base(struct json_object *config, const char *dflt,
    const char *kind, char *out, size_t outsz, char *err, size_t errsz)
{
	const char *base = json_member_str(config, "api_base");

	if (recfetch_api_base(base != NULL ? base : dflt, out, outsz) !=
	    CB_OK) {
		say(err, errsz, "%s: config api_base must be an https URL "
		    "(http only on loopback) without query or user info", kind);
		return CB_EINVAL;
	}
	return CB_OK;
}

void
recfetch_allow_private(struct json_object *config,
    const char *out[RECFETCH_ALLOW_MAX + 1])
{
	struct json_object *v, *e;
	size_t i, n, k = 0;

	if (config != NULL &&
	    json_object_object_get_ex(config, "allow_private_hosts", &v)) {
		if (json_object_is_type(v, json_type_string))
			out[k++] = json_object_get_string(v);
		else if (json_object_is_type(v, json_type_array)) {
			n = json_object_array_length(v);
			for (i = 0; i < n && k < RECFETCH_ALLOW_MAX; i++) {
				e = json_object_array_get_idx(v, i);
				if (json_object_is_type(e, json_type_string))
					out[k++] = json_object_get_string(e);
			}
		}
	}
	out[k] = NULL;
}

enum cb_err
recfetch_plan(const char *kind, const char *recording_url,
    struct json_object *config, struct json_object *secrets,
    struct recfetch_plan *p, char *err, size_t errsz)
{
	return recfetch_plan_token(kind, recording_url, config, secrets, NULL,
	    p, err, errsz);
}

enum cb_err
recfetch_plan_token(const char *kind, const char *recording_url,
    struct json_object *config, struct json_object *secrets,
    const char *token, struct recfetch_plan *p, char *err, size_t errsz)
{
	enum cb_err rc;

	const struct provider *pv = provider_by_kind(kind);

	memset(p, 0, sizeof(*p));
	if (token != NULL && !fits(p->token, sizeof(p->token), "%s", token)) {
		say(err, errsz, "%s: the API token is too long", kind);
		return CB_EINVAL;
	}
	if (recording_url == NULL || *recording_url == '\0') {
		say(err, errsz, "no recording reference");
		rc = CB_EINVAL;
	} else if (pv == NULL || pv->recording == NULL) {
		say(err, errsz, "no recording download for integrations of "
		    "kind '%s'", kind);
		rc = CB_EINVAL;
	} else
		rc = pv->recording->plan(recording_url, config, secrets, p, err,
		    errsz);
	recfetch_allow_private(config, p->allow);
	return rc;
}

enum cb_err
recfetch_file_url(const struct recfetch_plan *p, const char *link, char *out,
    size_t outsz)
{
	char origin[300];
	bool ok;

	if (link[0] == '/' && link[1] != '/') {
		httpc_origin(p->url, origin, sizeof(origin));
		ok = is_http_url(origin) && fits(out, outsz, "%s%s", origin,
		    link);
	} else
		ok = is_http_url(link) && fits(out, outsz, "%s", link);
	if (ok && p->file_query[0] != '\0')
		ok = fits(out + strlen(out), outsz - strlen(out), "%c%s",
		    strchr(out, '?') != NULL ? '&' : '?', p->file_query);
	return ok ? CB_OK : CB_EINVAL;
}

/* ------------------------------------------------- reading answers -- */

/* Provider wording for "there is no such recording" (the exact texts are
 * not documented, §6): matched loosely, case-insensitively. */
static bool
says_missing(const char *msg)
{
	static const char *const words[] = {
		"not found", "not exist", "doesn't exist", "no record",
		"not recorded", "no such"
	};
	size_t i;

	if (msg == NULL)
		return false;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasestr(msg, words[i]) != NULL)
			return true;
	return false;
}

static struct json_object *
parse_object(const char *json, size_t len)
{
	struct json_tokener *tok;
	struct json_object *o;

	if (json == NULL || len == 0 || len > RECFETCH_MAX_JSON ||
	    (tok = json_tokener_new_ex(32)) == NULL)
		return NULL;
	o = json_tokener_parse_ex(tok, json, (int)len);
	if (json_tokener_get_error(tok) != json_tokener_success) {
		if (o != NULL)
			json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	if (o != NULL && !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = NULL;
	}
	return o;
}

/* Copies a link if it is an http(s) URL that fits. */
static bool
take_link(const char *s, char *out, size_t outsz)
{
	const char *p;

	if (s == NULL || !is_http_url(s))
		return false;
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p == 0x7f)
			return false;
	return fits(out, outsz, "%s", s);
}

enum cb_err
recfetch_read_link(const char *who, const char *json, size_t len,
    const char *field, bool array_too, char *out, size_t outsz, char *err,
    size_t errsz)
{
	struct json_object *o, *v, *e;
	const char *status, *msg, *s = NULL;
	enum cb_err rc;
	size_t i, n;
	char *c;

	if ((o = parse_object(json, len)) == NULL) {
		say(err, errsz, "%s: the answer is not a JSON object", who);
		return CB_EUPSTREAM;
	}
	status = json_member_str(o, "status");
	msg = json_member_str(o, "message");
	if (msg == NULL)
		msg = json_member_str(o, "error");
	if (status != NULL && strcasecmp(status, "success") != 0) {
		rc = says_missing(msg) ? CB_ENOTFOUND : CB_EUPSTREAM;
		/* The provider's own words help the admin; they are not
		 * secrets. Printable, bounded. */
		say(err, errsz, "%s: %.20s: %.120s", who, status,
		    msg != NULL ? msg : "(no message)");
		for (c = errsz > 0 ? err : NULL; c != NULL && *c != '\0'; c++)
			if ((unsigned char)*c < 0x20 || (unsigned char)*c == 0x7f)
				*c = ' ';
		json_object_put(o);
		return rc;
	}
	if (json_object_object_get_ex(o, field, &v) &&
	    json_object_is_type(v, json_type_string))
		s = json_object_get_string(v);
	else if (array_too && json_object_object_get_ex(o, "links", &v) &&
	    json_object_is_type(v, json_type_array)) {
		n = json_object_array_length(v);
		for (i = 0; i < n && s == NULL; i++) {
			e = json_object_array_get_idx(v, i);
			if (json_object_is_type(e, json_type_string) &&
			    *json_object_get_string(e) != '\0')
				s = json_object_get_string(e);
		}
	}
	if ((s == NULL || *s == '\0') && status == NULL) {
		json_object_put(o);
		say(err, errsz, "%s: the answer has neither status nor link",
		    who);
		return CB_EUPSTREAM;
	}
	if (s == NULL || *s == '\0') {
		/* "success" without a file: the provider has nothing. */
		json_object_put(o);
		say(err, errsz, "%s: the answer names no file", who);
		return CB_ENOTFOUND;
	}
	rc = take_link(s, out, outsz) ? CB_OK : CB_EUPSTREAM;
	if (rc != CB_OK)
		say(err, errsz, "%s: the answer's link is not an http(s) URL",
		    who);
	json_object_put(o);
	return rc;
}

/* ------------------------------------------------------ file naming -- */

const char *
recfetch_media_type(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (dot == NULL)
		return "application/octet-stream";
	if (strcmp(dot, ".mp3") == 0)
		return "audio/mpeg";
	if (strcmp(dot, ".wav") == 0)
		return "audio/wav";
	if (strcmp(dot, ".ogg") == 0 || strcmp(dot, ".opus") == 0)
		return "audio/ogg";
	if (strcmp(dot, ".m4a") == 0)
		return "audio/mp4";
	return "application/octet-stream";
}

const char *
recfetch_ext(const char *url, const char *content_type, const char *fallback)
{
	static const struct {
		const char *type, *ext;
	} types[] = {
		{ "audio/mpeg", "mp3" }, { "audio/mp3", "mp3" },
		{ "audio/mpeg3", "mp3" }, { "audio/x-mpeg-3", "mp3" },
		{ "audio/wav", "wav" }, { "audio/x-wav", "wav" },
		{ "audio/wave", "wav" }, { "audio/vnd.wave", "wav" },
		{ "audio/ogg", "ogg" }, { "audio/opus", "opus" },
		{ "audio/mp4", "m4a" }, { "audio/x-m4a", "m4a" },
		{ "audio/gsm", "gsm" }, { "audio/x-gsm", "gsm" },
	};
	static const char *const exts[] = {
		"mp3", "wav", "ogg", "opus", "m4a", "gsm"
	};
	const char *end, *dot, *slash, *c;
	size_t i, n;

	if (content_type != NULL) {
		n = strcspn(content_type, "; \t");
		for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (strlen(types[i].type) == n &&
			    strncasecmp(content_type, types[i].type, n) == 0)
				return types[i].ext;
	}
	if (url != NULL && is_http_url(url)) {
		end = url + strcspn(url, "?#");
		slash = NULL;
		dot = NULL;
		for (c = strstr(url, "://") + 3; c < end; c++) {
			if (*c == '/') {
				slash = c;
				dot = NULL;
			} else if (*c == '.')
				dot = c;
		}
		if (slash != NULL && dot != NULL) {
			n = (size_t)(end - dot - 1);
			for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
				if (strlen(exts[i]) == n &&
				    strncasecmp(dot + 1, exts[i], n) == 0)
					return exts[i];
		}
	}
	return fallback;
}

enum cb_err
recfetch_rel_path(const char *day, int64_t call_id, const char *ext,
    char *out, size_t outsz)
{
	const char *c;
	size_t i;

	/* "YYYY/MM/DD" exactly: it becomes folders. */
	if (day == NULL || strlen(day) != 10 || day[4] != '/' ||
	    day[7] != '/')
		return CB_EINVAL;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)day[i]))
			return CB_EINVAL;
	if (ext == NULL || *ext == '\0' || strlen(ext) > 5 || call_id <= 0)
		return CB_EINVAL;
	for (c = ext; *c != '\0'; c++)
		if (!islower((unsigned char)*c) && !isdigit((unsigned char)*c))
			return CB_EINVAL;
	return fits(out, outsz, "%s/%lld.%s", day, (long long)call_id, ext) ?
	    CB_OK : CB_EINVAL;
}

/* --------------------------------------------------- the job itself -- */

bool
recording_fetch_retryable(enum cb_err rc)
{
	/* A file over the cap stays over it: retrying only re-downloads
	 * 200 MiB eight times. */
	return rc != CB_OK && rc != CB_EINVAL && rc != CB_ENOTFOUND &&
	    rc != CB_ETOOBIG;
}

/* What an HTTP status means for a recording. */
enum answer { ANS_OK, ANS_MISSING, ANS_FAILED };

static enum answer
classify(long status)
{
	if (status >= 200 && status <= 299)
		return ANS_OK;
	/* §1.5: Twilio answers 404 for a deleted or never-made recording;
	 * 410 says the same. Anything else (401, 429, 5xx...) may pass. */
	if (status == 404 || status == 410)
		return ANS_MISSING;
	return ANS_FAILED;
}

/* mkdir -p for the day's folder. Folders are 0755 (then the umask):
 * nginx, often another user, serves the files; restrict access with the
 * recordings_dir's own mode and group. */
static enum cb_err
make_dirs(const char *path, char *err, size_t errsz)
{
	char tmp[1200], c;
	char *p;

	if (!fits(tmp, sizeof(tmp), "%s", path))
		return CB_EINVAL;
	for (p = tmp + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		c = *p;
		*p = '\0';
		if (mkdir(tmp, 0755) != 0 && errno != EEXIST) {
			say(err, errsz, "cannot create %s: %s", tmp,
			    strerror(errno));
			return CB_EIO;
		}
		if (c == '\0')
			break;
		*p = c;
	}
	return CB_OK;
}

static void
sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

static bool
is_error_page(const char *ct)
{
	static const char *const bad[] = {
		"text/html", "application/json", "text/xml", "application/xml",
		"text/plain", "application/problem+json"
	};
	size_t i, n;

	if (ct == NULL || *ct == '\0')
		return false;
	n = strcspn(ct, "; \t");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (strlen(bad[i]) == n && strncasecmp(ct, bad[i], n) == 0)
			return true;
	return false;
}

/* Downloads url into recordings_dir/day/<id>.<ext>. CB_ENOTFOUND when the
 * server says there is no such file. */
static enum cb_err
download(const struct cb_config *cfg, const struct recording_source *src,
    const struct recfetch_plan *p, const char *url, char *relpath,
    size_t relsz, char *err, size_t errsz)
{
	char dir[1200], tmp[1300], final[1300], origin[300];
	const char *hdrs[2] = { NULL, NULL };
	struct httpc_req rq;
	struct httpc_res res;
	const char *ext;
	enum cb_err rc;
	FILE *f;
	int fd;

	httpc_origin(url, origin, sizeof(origin));
	if (cfg->recordings_dir[0] == '\0') {
		say(err, errsz, "recordings_dir is not set");
		return CB_EINVAL;
	}
	if (!fits(dir, sizeof(dir), "%s/%s", cfg->recordings_dir, src->day) ||
	    !fits(tmp, sizeof(tmp), "%s/.%lld.XXXXXX", dir,
	    (long long)src->call_id)) {
		say(err, errsz, "recordings_dir path too long");
		return CB_EINVAL;
	}
	if ((rc = make_dirs(dir, err, errsz)) != CB_OK)
		return rc;
	/* A temporary name in the same folder: the rename below is atomic
	 * and the final name never shows a partial file. */
	if ((fd = mkstemp(tmp)) < 0) {
		say(err, errsz, "cannot create a file in %s: %s", dir,
		    strerror(errno));
		return CB_EIO;
	}
	if ((f = fdopen(fd, "wb")) == NULL) {
		close(fd);
		unlink(tmp);
		say(err, errsz, "fdopen: %s", strerror(errno));
		return CB_EIO;
	}
	memset(&rq, 0, sizeof(rq));
	rq.method = HTTPC_GET;
	rq.url = url;
	hdrs[0] = p->file_header[0] != '\0' ? p->file_header : NULL;
	rq.headers = hdrs[0] != NULL ? hdrs : NULL;
	rq.user = p->user[0] ? p->user : NULL;
	rq.password = p->password;
	rq.timeout_s = RECFETCH_FILE_TIMEOUT;
	rq.max_bytes = RECFETCH_MAX_FILE;
	rq.public_only = true;
	rq.allow_private = p->allow;
	rc = httpc_download(&rq, f, &res);
	if (rc == CB_EDENIED) {
		/* Retrying cannot change where the URL points. */
		say(err, errsz, "GET %s: refused: %s%s", origin, res.error,
		    RECFETCH_ALLOW_HINT);
		rc = CB_EINVAL;
		goto drop;
	}
	if (rc != CB_OK) {
		say(err, errsz, "GET %s: %s", origin, res.error);
		goto drop;
	}
	switch (classify(res.status)) {
	case ANS_MISSING:
		if (p->missing_is_late) {
			say(err, errsz, "GET %s: HTTP %ld: the recording is not "
			    "there yet; trying again later", origin,
			    res.status);
			rc = CB_EUPSTREAM;
			goto drop;
		}
		say(err, errsz, "GET %s: HTTP %ld: no recording", origin,
		    res.status);
		rc = CB_ENOTFOUND;
		goto drop;
	case ANS_FAILED:
		say(err, errsz, "GET %s: HTTP %ld", origin, res.status);
		/* The caller asks once more with the plan's retry_header. */
		rc = (res.status == 401 || res.status == 403) &&
		    p->retry_header[0] != '\0' ? CB_EDENIED : CB_EUPSTREAM;
		goto drop;
	case ANS_OK:
		break;
	}
	if (is_error_page(res.content_type)) {
		say(err, errsz, "GET %s: answered %.60s, not audio", origin,
		    res.content_type);
		rc = CB_EUPSTREAM;
		goto drop;
	}
	if (res.bytes == 0) {
		say(err, errsz, "GET %s: empty file", origin);
		rc = CB_EUPSTREAM;
		goto drop;
	}
	ext = recfetch_ext(url, res.content_type, p->ext);
	if (recfetch_rel_path(src->day, src->call_id, ext, relpath, relsz) !=
	    CB_OK || !fits(final, sizeof(final), "%s/%s", cfg->recordings_dir,
	    relpath)) {
		say(err, errsz, "bad recording file name");
		rc = CB_EINVAL;
		goto drop;
	}
	/* Readable by nginx (see make_dirs); durable before it is named. */
	if (fflush(f) != 0 || fchmod(fd, 0644) != 0 || fsync(fd) != 0) {
		say(err, errsz, "cannot write %s: %s", tmp, strerror(errno));
		rc = CB_EIO;
		goto drop;
	}
	if (fclose(f) != 0) {
		f = NULL;
		say(err, errsz, "cannot write %s: %s", tmp, strerror(errno));
		rc = CB_EIO;
		goto drop;
	}
	f = NULL;
	if (rename(tmp, final) != 0) {
		say(err, errsz, "cannot rename to %s: %s", final,
		    strerror(errno));
		rc = CB_EIO;
		goto drop;
	}
	sync_dir(dir);
	return CB_OK;
drop:
	if (f != NULL)
		fclose(f);
	unlink(tmp);
	return rc;
}

/* Asks the provider's API for the file's link (a GET with an
 * Authorization header, or a POST of a JSON body: the plan says which) and
 * reads the answer with the provider's recording->link. CB_ENOTFOUND when
 * the provider says there is none. */
static enum cb_err
ask_link(const struct provider *pv, const struct recfetch_plan *p,
    char *link, size_t linksz, bool *refused, char *err, size_t errsz)
{
	const char *headers[2] = { NULL, NULL };
	const char *who = pv->kind;
	char where[600];
	struct httpc_req rq;
	struct httpc_res res;
	struct buf body;
	enum cb_err rc;
	size_t n;

	/* For messages: origin and path, never the query. */
	n = strcspn(p->url, "?");
	snprintf(where, sizeof(where), "%.*s", (int)(n < 599 ? n : 599),
	    p->url);
	memset(&rq, 0, sizeof(rq));
	rq.url = p->url;
	rq.timeout_s = RECFETCH_API_TIMEOUT;
	rq.max_bytes = RECFETCH_MAX_JSON;
	rq.public_only = true;
	rq.allow_private = p->allow;
	if (p->body[0] == '\0') {
		rq.method = HTTPC_GET;
		headers[0] = p->auth_header[0] != '\0' ? p->auth_header : NULL;
		rq.headers = headers[0] != NULL ? headers : NULL;
	} else {
		rq.method = HTTPC_POST;
		rq.body = p->body;
		rq.body_len = strlen(p->body);
		rq.content_type = "application/json";
	}
	buf_init(&body, RECFETCH_MAX_JSON);
	rc = httpc_request(&rq, &body, &res);
	if (rc != CB_OK) {
		say(err, errsz, "%s: %s %s: %s%s", who, rq.method == HTTPC_GET ?
		    "GET" : "POST", where, res.error, rc == CB_EDENIED ?
		    RECFETCH_ALLOW_HINT : "");
		buf_free(&body);
		return rc == CB_ETOOBIG ? CB_EUPSTREAM : rc == CB_EDENIED ?
		    CB_EINVAL : rc;
	}
	*refused = dial_token_refused(pv->kind, res.status, body.p ? body.p :
	    "", body.len);
	if (*refused) {
		say(err, errsz, "%s: %s: the API token was refused", who,
		    where);
		rc = CB_EUPSTREAM;
	} else if (classify(res.status) == ANS_MISSING) {
		say(err, errsz, "%s: HTTP %ld: no recording", who, res.status);
		rc = CB_ENOTFOUND;
	} else {
		/* Zadarma reports errors in JSON, sometimes with a 4xx: the
		 * body decides "not found" even then. */
		rc = pv->recording->link(body.p, body.len, link, linksz, err,
		    errsz);
		if (rc == CB_OK && classify(res.status) != ANS_OK) {
			say(err, errsz, "%s: %s: HTTP %ld", who, where,
			    res.status);
			rc = CB_EUPSTREAM;
		} else if (rc == CB_EUPSTREAM && classify(res.status) !=
		    ANS_OK) {
			size_t l = strlen(err);
			if (l < errsz)
				snprintf(err + l, errsz - l, " (HTTP %ld)",
				    res.status);
		}
	}
	buf_free(&body);
	return rc;
}

/* recordings_store = s3: the file just written under recordings_dir goes
 * to the bucket under the same relative name, and relpath becomes
 * "s3:<key>". The local copy is removed either way: a failed upload is
 * retried by the job, which fetches from the provider again. */
static enum cb_err
to_s3(const struct cb_config *cfg, char *relpath, size_t relsz, char *err,
    size_t errsz)
{
	struct s3_target t;
	char file[1300], key[256];
	enum cb_err rc;

	if (!fits(file, sizeof(file), "%s/%s", cfg->recordings_dir, relpath) ||
	    /* Sites may share a bucket; their call ids overlap, so each site
	     * keeps its objects under its own name. */
	    !fits(key, sizeof(key), "%s%s%s", site_current(),
	    site_current()[0] != '\0' ? "/" : "", relpath) ||
	    !fits(relpath, relsz, "%s%s", S3_PATH_PREFIX, key)) {
		say(err, errsz, "bad recording file name");
		return CB_EINVAL;
	}
	if ((rc = s3_target_of(cfg, &t, err, errsz)) == CB_OK)
		rc = s3_put_file(&t, key, file, recfetch_media_type(key), err,
		    errsz);
	unlink(file);
	return rc;
}

/* The file is in place: the call says so and, when its integration
 * transcribes recordings automatically (config "transcribe_recordings":
 * true, issue 22) and this server has an engine, a transcript is queued
 * in the same transaction. */
static enum cb_err
stored(struct db *db, const struct cb_config *cfg,
    const struct recording_source *src, const char *relpath)
{
	struct json_object *v;
	bool queued;
	enum cb_err rc;

	if (cfg->transcribe_engine[0] == '\0' || src->config == NULL ||
	    !json_object_object_get_ex(src->config, "transcribe_recordings",
	    &v) || !json_object_get_boolean(v))
		return db_recording_stored(db, src->call_id, relpath);
	if ((rc = db_begin(db)) != CB_OK)
		return rc;
	if ((rc = db_recording_stored(db, src->call_id, relpath)) != CB_OK ||
	    (rc = db_transcript_request_in(db, src->call_id, 0, &queued)) !=
	    CB_OK || (rc = db_commit(db)) != CB_OK)
		db_rollback(db);
	return rc;
}

enum cb_err
recording_fetch(struct db *db, const struct cb_config *cfg, int64_t call_id,
    char *err, size_t errsz)
{
	struct recording_source src;
	struct recfetch_plan plan;
	struct prov_token tok;
	struct dial_target dt;
	char link[2048], file[2048], relpath[256], perr[300];
	const char *url;
	bool renewed = false, refused = false;
	enum cb_err rc, prc;

	if (errsz > 0)
		err[0] = '\0';
	if ((rc = db_recording_source(db, call_id, &src)) != CB_OK) {
		if (rc == CB_ENOTFOUND)
			say(err, errsz, "no call %lld", (long long)call_id);
		else
			say(err, errsz, "database: %s", db_error(db));
		return rc;
	}
	/* Several events of one call may each queue a job: the first to
	 * finish decides, the others have nothing left to do. */
	if (strcmp(src.state, "stored") == 0 ||
	    strcmp(src.state, "unavailable") == 0) {
		db_recording_source_free(&src);
		return CB_OK;
	}
	if (src.url[0] == '\0') {
		rc = CB_OK;
		if (strcmp(src.state, "pending") == 0 &&
		    (rc = db_recording_unavailable(db, call_id)) != CB_OK)
			say(err, errsz, "database: %s", db_error(db));
		db_recording_source_free(&src);
		return rc;
	}
	/* The provider's login first, when it has one (dial/prepare.c). */
	memset(&dt, 0, sizeof(dt));
	dt.kind = src.kind;
	dt.slug = "";
	dt.config = src.config;
	dt.secrets = src.secrets;
again:
	prc = dial_prepare(&dt, renewed, RECFETCH_API_TIMEOUT, &tok, perr,
	    sizeof(perr));
	if (prc != CB_OK && prc != CB_EINVAL) {
		say(err, errsz, "%s", perr);
		rc = prc;
		goto out;
	}
	/* Settings that cannot log in (no API key): a plan that needs no
	 * token (Phonet's public audio link) still works; one that does
	 * fails, and the login's words say why. */
	rc = recfetch_plan_token(src.kind, src.url, src.config, src.secrets,
	    tok.value, &plan, err, errsz);
	explicit_bzero(&tok, sizeof(tok));
	if (rc != CB_OK && prc != CB_OK)
		say(err, errsz, "%s", perr);
	if (rc != CB_OK)
		goto out;
	url = plan.url;
	if (plan.step == RECFETCH_LINK) {
		/* recfetch_plan() found the provider and its recording. */
		const struct provider *pv = provider_by_kind(src.kind);

		if (pv == NULL || pv->recording->link == NULL) {
			say(err, errsz, "%s: no way to read the API's answer",
			    src.kind);
			rc = CB_EINVAL;
			goto out;
		}
		rc = ask_link(pv, &plan, link, sizeof(link), &refused, err,
		    errsz);
		if (rc != CB_OK && refused && !renewed) {
			/* The token died early: log in again, once. */
			renewed = true;
			explicit_bzero(&plan, sizeof(plan));
			goto again;
		}
		if (rc != CB_OK)
			goto out;
		if (recfetch_file_url(&plan, link, file, sizeof(file)) !=
		    CB_OK) {
			say(err, errsz, "%s: the API's link is not a usable "
			    "address", src.kind);
			rc = CB_EUPSTREAM;
			goto out;
		}
		url = file;
	}
	rc = download(cfg, &src, &plan, url, relpath, sizeof(relpath), err,
	    errsz);
	if (rc == CB_EDENIED) {
		/* Refused without credentials: once more with them. */
		memcpy(plan.file_header, plan.retry_header,
		    sizeof(plan.file_header));
		explicit_bzero(plan.retry_header, sizeof(plan.retry_header));
		rc = download(cfg, &src, &plan, url, relpath, sizeof(relpath),
		    err, errsz);
		if (rc == CB_EDENIED)
			rc = CB_EUPSTREAM;
	}
	if (rc == CB_OK && s3_enabled(cfg))
		rc = to_s3(cfg, relpath, sizeof(relpath), err, errsz);
	if (rc == CB_OK && (rc = stored(db, cfg, &src, relpath)) != CB_OK)
		say(err, errsz, "database: %s", db_error(db));
out:
	if (rc == CB_ENOTFOUND) {
		/* "A provider that offers no recording is shown as such,
		 * never as an error" (issue 3 §6). */
		if ((rc = db_recording_unavailable(db, call_id)) != CB_OK)
			say(err, errsz, "database: %s", db_error(db));
	}
	explicit_bzero(&plan, sizeof(plan));
	explicit_bzero(file, sizeof(file));
	db_recording_source_free(&src);
	return rc;
}
