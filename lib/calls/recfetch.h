/* Downloading call recordings: the worker's "recording.fetch" job
 * (issue 3 §6; providers.md §1.5, §2.5, §3.5, §4.5).
 *
 * The ingest pipeline leaves calls.recording_state = 'pending' and
 * calls.recording_url = the provider's URL, or "ref:<id>" when the
 * provider gave only an id (Zadarma call_id_with_rec / pbx_call_id,
 * Binotel generalCallID, an Asterisk/generic path relative to the PBX's
 * recordings root). recording_fetch() turns that into a file with the
 * plan of the integration's provider (the descriptor's .recording member,
 * lib/providers/<kind>/recording.c): either the file's URL, or an API
 * request whose answer names the file (Zadarma's record/request, Binotel's
 * stats/call-record).
 *
 * The integration's config may set "api_base" (defaults: the providers'
 * own https bases; tests point it at a local stand-in).
 *
 * The file lands in <recordings_dir>/YYYY/MM/DD/<call id>.<ext> (the
 * call's UTC start day) through a temporary file, fsync and rename, so
 * the final name never holds a partial file; calls.recording_path gets the
 * relative path. */
#ifndef CB_CALLS_RECFETCH_H
#define CB_CALLS_RECFETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "core/buf.h"
#include "core/conf.h"
#include "core/err.h"
#include "db/db.h"

#define RECFETCH_MAX_FILE ((size_t)200 * 1024 * 1024)  /* one recording */
#define RECFETCH_MAX_JSON ((size_t)64 * 1024)          /* an API answer */
/* Whole job under the worker's 300 s "stale running job" requeue
 * (tools/worker.c housekeeping), so a slow download is never started
 * twice: API answer + file <= 260 s. */
#define RECFETCH_FILE_TIMEOUT 240                      /* seconds */
#define RECFETCH_API_TIMEOUT 20                        /* seconds */

/* Fetches call_id's recording. Results:
 *   CB_OK         stored, or the provider says there is no recording
 *                 (recording_state 'unavailable': never an error), or
 *                 there was nothing left to do (already stored)
 *   CB_EUPSTREAM  the provider failed or is unreachable (timeout, 5xx,
 *                 429, other unexpected answers): retry later
 *   CB_EDB, CB_EIO, CB_ENOMEM
 *                 local trouble (database, disk, memory): retry later
 *   CB_ETOOBIG    the file is over RECFETCH_MAX_FILE
 *   CB_EINVAL     can never work as configured (unknown kind, missing
 *                 secrets, an unsafe path, no recordings_base_url)
 *   CB_ENOTFOUND  no such call
 * On failure err holds a one-line reason for admins and logs; on CB_OK
 * it may hold a note (why the recording is unavailable) or be "". It
 * never holds a secret or a signed URL (only the URL's origin). */
enum cb_err recording_fetch(struct db *db, const struct cb_config *cfg,
    int64_t call_id, char *err, size_t errsz);

/* Whether a failed fetch may succeed later (the worker retries with
 * backoff) or should be given up now (CB_EINVAL, CB_ENOTFOUND,
 * CB_ETOOBIG). */
bool recording_fetch_retryable(enum cb_err rc);

/* ---- for tests: the pure parts, no network and no database ---- */

/* What to ask first. */
enum recfetch_step {
	RECFETCH_FILE,       /* url is the file itself */
	RECFETCH_LINK        /* url is an API request (GET with auth_header,
	                      * or POST of the JSON body when body is set);
	                      * the provider's recording->link reads its
	                      * answer */
};

/* At most this many entries in an integration's allow_private_hosts. */
#define RECFETCH_ALLOW_MAX 16

struct recfetch_plan {
	enum recfetch_step step;
	/* The integration's allowance for private addresses (see
	 * recfetch_allow_private), borrowed from its config. */
	const char *allow[RECFETCH_ALLOW_MAX + 1];
	char url[2048];
	char auth_header[192];   /* "Authorization: ..." for the API, or "" */
	char body[1024];         /* the API's JSON request (POST), or "" */
	char user[256];          /* Basic auth for the file; "" = none */
	char password[256];
	char ext[8];             /* extension when the answer does not tell */
	/* The provider's prepare step's token (lib/dial/prepare.c), "" when
	 * it has none: input to the plan, which puts it where the provider
	 * wants it (the URL, file_query, file_header). */
	char token[512];
	/* Added to the file's request: a header line ("Cookie: ..."), and a
	 * query ("access_token=...") appended to its URL. "" = none. */
	char file_header[600];
	char file_query[600];
	/* On a 401 or 403 for the file, it is asked once more with this
	 * header line instead of file_header (Stream Telecom's "without,
	 * then with Bearer", providers-2.md §4.6). "" = none. */
	char retry_header[600];
	/* A 404 for the file means "not there yet" (UniTalk publishes a
	 * recording 10-15 minutes after the call, §2.6): retried with the
	 * job's backoff (about an hour in all), not taken as "none". */
	bool missing_is_late;
};

/* Decides the first request for a call's recording_url ("ref:..." or a
 * URL) of an integration of this kind (its provider's recording->plan).
 * CB_EINVAL with err set when it cannot work (a kind without recordings,
 * missing secrets, unsafe path, bad api_base). The plan holds
 * credentials: wipe it after use (explicit_bzero). */
enum cb_err recfetch_plan(const char *kind, const char *recording_url,
    struct json_object *config, struct json_object *secrets,
    struct recfetch_plan *p, char *err, size_t errsz);
/* The same with the prepare step's token (NULL or "" = none). */
enum cb_err recfetch_plan_token(const char *kind, const char *recording_url,
    struct json_object *config, struct json_object *secrets,
    const char *token, struct recfetch_plan *p, char *err, size_t errsz);
/* The file's URL from the API's link: a link that is a path ("/api/...",
 * Yeastar) is taken on the API request's origin; p->file_query is
 * appended. CB_EINVAL when it does not fit or is not http(s). */
enum cb_err recfetch_file_url(const struct recfetch_plan *p,
    const char *link, char *out, size_t outsz);

/* Every request made for an integration (recording downloads, provider
 * API calls, click-to-call) goes only to public Internet addresses
 * (httpc public_only): URLs in events are chosen by whoever can send an
 * event, and a redirect can point anywhere (issue 16 item 3). The one
 * exception is the integration's own config "allow_private_hosts": an
 * array of addresses or networks ("192.168.1.20", "10.20.0.0/16", "::1")
 * for a PBX on the LAN, or on this machine. Writes that list into out,
 * NULL-terminated, the strings borrowed from config; non-strings and
 * entries past RECFETCH_ALLOW_MAX are ignored. */
void recfetch_allow_private(struct json_object *config,
    const char *out[RECFETCH_ALLOW_MAX + 1]);
/* The words added to a refused address's error: what the admin can do. */
#define RECFETCH_ALLOW_HINT "; a PBX on the LAN needs its address in the " \
	"integration's setting allow_private_hosts"

/* A recording path relative to the PBX's recordings root: non-empty,
 * at most 512 bytes, printable ASCII without '\\', not starting with '/',
 * no empty, "." or ".." segment. */
bool recfetch_safe_relpath(const char *path);
/* base (http(s), trailing slashes ignored) + "/" + path with each segment
 * %-encoded. CB_EINVAL for an unsafe path or a bad base. */
enum cb_err recfetch_join_url(const char *base, const char *path, char *out,
    size_t outsz);
/* An API base URL: http(s), no query, no user info; trailing slashes
 * removed. Plain http only to a loopback host (credentials travel in
 * these requests). */
enum cb_err recfetch_api_base(const char *base, char *out, size_t outsz);
/* ---- for the providers' plans (lib/providers/<kind>/recording.c) ---- */

/* snprintf that says whether everything fitted. */
bool recfetch_fits(char *out, size_t outsz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool recfetch_is_http_url(const char *s);
/* A base URL: http(s), no query, fragment, user info or blanks. */
bool recfetch_base_ok(const char *base);
/* The API base of an integration: config "api_base", else dflt, checked
 * by recfetch_api_base(). CB_EINVAL with err ("<who>: ...") when bad. */
enum cb_err recfetch_config_api_base(struct json_object *config,
    const char *dflt, const char *who, char *out, size_t outsz, char *err,
    size_t errsz);
/* Credentials go over https, to loopback, or to the origin the admin
 * configured for the PBX's recordings (trusted_base, or NULL): never in
 * clear text to a host an event named. */
bool recfetch_creds_allowed(const char *url, const char *trusted_base);
/* Whether a provider's credential may go with url: https (or loopback)
 * and the same origin as the integration's configured base (NULL: none),
 * or a host that is one of domains or under one ("unitalk.cloud" takes
 * "api.unitalk.cloud"), NULL-terminated. Never to a host only an event
 * named. */
bool recfetch_creds_host(const char *url, const char *base,
    const char *const *domains);
/* Basic auth for the file; false when it does not fit. */
bool recfetch_set_creds(struct recfetch_plan *p, const char *user,
    const char *password);
/* Reads an API answer {"status":"success", <field>: url} (with array_too
 * also {"links": [url, ...]}) or {"status":"error","message":...}: CB_OK
 * with the http(s) link, CB_ENOTFOUND when it says there is no recording
 * (or names no file), CB_EUPSTREAM for any other answer (err says what it
 * said, prefixed with who). */
enum cb_err recfetch_read_link(const char *who, const char *json, size_t len,
    const char *field, bool array_too, char *out, size_t outsz, char *err,
    size_t errsz);

/* The file's extension: from a known audio Content-Type, else from the
 * URL path's last segment when it is a known audio extension, else
 * fallback. Static or fallback's storage. */
const char *recfetch_ext(const char *url, const char *content_type,
    const char *fallback);
/* The media type of a recording file by its extension (.mp3 audio/mpeg,
 * ...; application/octet-stream when unknown): what playback and the S3
 * upload say. */
const char *recfetch_media_type(const char *path);
/* "YYYY/MM/DD/<call id>.<ext>" (day as "YYYY/MM/DD"). CB_EINVAL for a
 * malformed day or extension. */
enum cb_err recfetch_rel_path(const char *day, int64_t call_id,
    const char *ext, char *out, size_t outsz);

#endif
