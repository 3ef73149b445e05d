/* Downloading call recordings: the worker's "recording.fetch" job
 * (issue 3 §6; providers.md §1.5, §2.5, §3.5, §4.5).
 *
 * The ingest pipeline leaves calls.recording_state = 'pending' and
 * calls.recording_url = the provider's URL, or "ref:<id>" when the
 * provider gave only an id (Zadarma call_id_with_rec / pbx_call_id,
 * Binotel generalCallID, an Asterisk/generic path relative to the PBX's
 * recordings root). recording_fetch() turns that into a file:
 *
 *   twilio    GET <RecordingUrl>.mp3, Basic auth AccountSid:AuthToken (§1.5)
 *   zadarma   GET {api_base}/v1/pbx/record/request/?call_id=… signed (§2.4),
 *             then GET the answer's "link" (or the first of "links") (§2.5)
 *   binotel   POST {api_base}/api/4.0/stats/call-record.json
 *             {"key","secret","generalCallID"}, then GET its "url" (§3.5)
 *   asterisk, generic
 *             a relative path: GET config "recordings_base_url" + path;
 *             an http(s) URL: GET it; optional Basic auth from
 *             "recordings_auth" ("user:password", secrets or config) (§4.5)
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
	RECFETCH_ZADARMA,    /* url is the signed API request; answer has the link */
	RECFETCH_BINOTEL     /* url is the API endpoint, body the JSON to POST */
};

/* At most this many entries in an integration's allow_private_hosts. */
#define RECFETCH_ALLOW_MAX 16

struct recfetch_plan {
	enum recfetch_step step;
	/* The integration's allowance for private addresses (see
	 * recfetch_allow_private), borrowed from its config. */
	const char *allow[RECFETCH_ALLOW_MAX + 1];
	char url[2048];
	char auth_header[192];   /* "Authorization: key:sig" (Zadarma) or "" */
	char body[1024];         /* Binotel's JSON request, or "" */
	char user[256];          /* Basic auth for the file; "" = none */
	char password[256];
	char ext[8];             /* extension when the answer does not tell */
};

/* Decides the first request for a call's recording_url ("ref:..." or a
 * URL) of an integration of this kind. CB_EINVAL with err set when it
 * cannot work (missing secrets, unsafe path, bad api_base). The plan holds
 * credentials: wipe it after use (explicit_bzero). */
enum cb_err recfetch_plan(const char *kind, const char *recording_url,
    struct json_object *config, struct json_object *secrets,
    struct recfetch_plan *p, char *err, size_t errsz);

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

/* PHP urlencode() (RFC 1738 form): A-Za-z0-9 - _ . kept, space as '+',
 * everything else %XX uppercase (providers.md §5.4). */
enum cb_err recfetch_php_urlencode(struct buf *b, const char *s);
/* Zadarma's query string: the n key/value pairs (kv[2i], kv[2i+1]) sorted
 * by key (PHP ksort) and joined with http_build_query rules (§2.4). */
enum cb_err recfetch_zadarma_query(const char *const *kv, size_t n,
    struct buf *q);
/* The value of Zadarma's Authorization header, "key:signature", with
 * signature = base64(hex(HMAC-SHA1(secret, path + q + md5hex(q)))). */
enum cb_err recfetch_zadarma_auth(const char *key, const char *secret,
    const char *method_path, const char *q, char *out, size_t outsz);

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
/* Twilio's media URL for a RecordingUrl: ".mp3" appended to the path
 * unless it already ends in .mp3 or .wav (§1.5). */
enum cb_err recfetch_twilio_url(const char *recording_url, char *out,
    size_t outsz);

/* Reads Zadarma's answer to /v1/pbx/record/request/ (§2.5): CB_OK with
 * the link (first of "links" when there are several), CB_ENOTFOUND when
 * it says there is no recording, CB_EUPSTREAM for any other answer
 * (err says what it said). */
enum cb_err recfetch_zadarma_link(const char *json, size_t len, char *out,
    size_t outsz, char *err, size_t errsz);
/* Same for Binotel's stats/call-record answer and its "url" (§3.5). */
enum cb_err recfetch_binotel_url(const char *json, size_t len, char *out,
    size_t outsz, char *err, size_t errsz);

/* The file's extension: from a known audio Content-Type, else from the
 * URL path's last segment when it is a known audio extension, else
 * fallback. Static or fallback's storage. */
const char *recfetch_ext(const char *url, const char *content_type,
    const char *fallback);
/* "YYYY/MM/DD/<call id>.<ext>" (day as "YYYY/MM/DD"). CB_EINVAL for a
 * malformed day or extension. */
enum cb_err recfetch_rel_path(const char *day, int64_t call_id,
    const char *ext, char *out, size_t outsz);

#endif
