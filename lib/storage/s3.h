/* Recordings on S3-compatible storage (issue 23 §3; docs/scaling.md).
 *
 * With recordings_store = s3 the worker puts each fetched recording into
 * s3_bucket at s3_endpoint (path-style: <endpoint>/<bucket>/<key>), signed
 * by libcurl's AWS SigV4 (CURLOPT_AWS_SIGV4), and the call's
 * recording_path becomes "s3:<key>" (S3_PATH_PREFIX). Playback
 * (cgi/recording.c) answers, after the same permission check and
 * listening-log entry as for a local file, with a redirect to a presigned
 * GET valid S3_PRESIGN_SECONDS: libcurl cannot presign (it signs the
 * request it sends), so s3_presign() computes the SigV4 query itself.
 *
 * The endpoint is the admin's own setting in callboard.conf, like
 * summary_url: requests to it are not held to public addresses (a MinIO
 * on the LAN or on this machine is the usual case), and nothing a caller
 * or a provider sends can change it. The secret is never logged nor put in
 * an error text. */
#ifndef CB_STORAGE_S3_H
#define CB_STORAGE_S3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "core/conf.h"
#include "core/err.h"

#define S3_PATH_PREFIX "s3:"
/* A presigned playback URL lives this long: enough for the browser to
 * follow the redirect and start; seeking asks the program again. */
#define S3_PRESIGN_SECONDS 60
#define S3_PUT_TIMEOUT 240   /* seconds: one recording, under the job's */
#define S3_GET_TIMEOUT 240   /* the same for reading one back */

/* Where objects go: borrowed strings. endpoint is scheme://host[:port]
 * with no path (a trailing "/" is allowed). */
struct s3_target {
	const char *endpoint;
	const char *bucket;
	const char *region;
	const char *access_key;
	const char *secret_key;
	/* <bucket>.<endpoint host>/<key> instead of <endpoint>/<bucket>/<key>
	 * (s3_virtual_host = yes: AWS). */
	bool virtual_host;
};

/* Whether cfg stores new recordings in S3 (recordings_store = s3). */
bool s3_enabled(const struct cb_config *cfg);
/* cfg's target; CB_EINVAL with err when a setting is missing or bad. */
enum cb_err s3_target_of(const struct cb_config *cfg, struct s3_target *t,
    char *err, size_t errsz);

/* PUTs the file at `file` as key. CB_EUPSTREAM when the store is down or
 * answers an error (retry later; err says what it said), CB_EIO when the
 * file cannot be read, CB_EINVAL for bad settings. */
enum cb_err s3_put_file(const struct s3_target *t, const char *key,
    const char *file, const char *content_type, char *err, size_t errsz);

/* GETs key into the open file out (the caller's temporary file; it
 * flushes and closes it), through a presigned URL (s3_presign_now: the
 * secret never travels nor appears in err, which names only the origin).
 * At most max_bytes. CB_EUPSTREAM when the store is down or answers an
 * error (retry later), CB_ETOOBIG over max_bytes, CB_EIO when out cannot
 * be written, CB_EINVAL for bad settings. */
enum cb_err s3_get_file(const struct s3_target *t, const char *key,
    FILE *out, size_t max_bytes, char *err, size_t errsz);

/* A presigned GET of key, valid `expires` seconds from amz_date
 * ("YYYYMMDDTHHMMSSZ"), into out. disposition: a Content-Disposition
 * S3 answers with (response-content-disposition), or NULL. false when
 * out is too small or a setting is bad. Pure: no clock, no network (the
 * unit test checks it against a published vector). */
bool s3_presign(const struct s3_target *t, const char *key,
    const char *amz_date, unsigned expires, const char *disposition,
    char *out, size_t outsz);
/* The same at the current time. */
bool s3_presign_now(const struct s3_target *t, const char *key,
    unsigned expires, const char *disposition, char *out, size_t outsz);

#endif
