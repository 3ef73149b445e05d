#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "core/buf.h"
#include "net/httpc.h"
#include "net/sig.h"
#include "storage/s3.h"

bool
s3_enabled(const struct cb_config *cfg)
{
	return strcmp(cfg->recordings_store, "s3") == 0;
}

/* scheme://host[:port][/]: nothing else, so "<endpoint>/<bucket>/<key>"
 * is the object and the host is what gets signed. */
static bool
endpoint_ok(const char *e)
{
	const char *h;
	size_t i;

	if (strncmp(e, "http://", 7) == 0)
		h = e + 7;
	else if (strncmp(e, "https://", 8) == 0)
		h = e + 8;
	else
		return false;
	if (*h == '\0' || *h == '/')
		return false;
	for (i = 0; h[i] != '\0'; i++) {
		char c = h[i];

		if (c == '/')
			return h[i + 1] == '\0';
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '-' ||
		    c == ':' || c == '[' || c == ']'))
			return false;
	}
	return true;
}

/* S3 bucket names: 3-63 of a-z 0-9 . - */
static bool
bucket_ok(const char *b)
{
	size_t n = strlen(b), i;

	if (n < 3 || n > 63)
		return false;
	for (i = 0; i < n; i++)
		if (!((b[i] >= 'a' && b[i] <= 'z') || (b[i] >= '0' &&
		    b[i] <= '9') || b[i] == '.' || b[i] == '-'))
			return false;
	return true;
}

enum cb_err
s3_target_of(const struct cb_config *cfg, struct s3_target *t, char *err,
    size_t errsz)
{
	t->endpoint = cfg->s3_endpoint;
	t->bucket = cfg->s3_bucket;
	t->region = cfg->s3_region[0] != '\0' ? cfg->s3_region : "us-east-1";
	t->access_key = cfg->s3_access_key;
	t->secret_key = cfg->s3_secret_key;
	t->virtual_host = cfg->s3_virtual_host != 0;
	if (!endpoint_ok(t->endpoint)) {
		err_say(err, errsz, "s3_endpoint must be http(s)://host[:port] "
		    "(path-style; the bucket goes in s3_bucket)");
		return CB_EINVAL;
	}
	if (!bucket_ok(t->bucket)) {
		err_say(err, errsz, "s3_bucket must be 3-63 of a-z, 0-9, '.', '-'");
		return CB_EINVAL;
	}
	if (t->access_key[0] == '\0' || t->secret_key[0] == '\0' ||
	    strchr(t->access_key, ':') != NULL || strchr(t->region, ':')) {
		err_say(err, errsz, "s3_access_key and s3_secret_key must be set "
		    "(and the key and s3_region hold no ':')");
		return CB_EINVAL;
	}
	return CB_OK;
}

/* Without its trailing "/". */
static size_t
endpoint_len(const char *e)
{
	size_t n = strlen(e);

	return n > 0 && e[n - 1] == '/' ? n - 1 : n;
}

/* RFC 3986 encoding as SigV4 wants it: unreserved characters stay, every
 * other byte is %XX (uppercase); '/' stays when keep_slash. */
static enum cb_err
uri_encode(struct buf *b, const char *s, bool keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	enum cb_err rc = CB_OK;

	for (p = (const unsigned char *)s; *p && rc == CB_OK; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
		    *p == '_' || *p == '~' || (keep_slash && *p == '/'))
			rc = buf_putc(b, (char)*p);
		else
			rc = buf_printf(b, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
	}
	return rc;
}

/* The object's address: url = scheme://host + path, where host and path
 * are what SigV4 signs. Path-style puts the bucket in the path
 * (<endpoint>/<bucket>/<key>: MinIO, s3rver, most self-hosted stores);
 * virtual-hosted style in the host name (<bucket>.<endpoint host>/<key>:
 * AWS's default for new buckets). */
static enum cb_err
object_at(const struct s3_target *t, const char *key, struct buf *url,
    struct buf *host, struct buf *path)
{
	const char *h = strstr(t->endpoint, "://") + 3;
	size_t hlen = endpoint_len(t->endpoint) - (size_t)(h - t->endpoint);

	if (t->virtual_host) {
		buf_puts(host, t->bucket);
		buf_putc(host, '.');
	}
	buf_append(host, h, hlen);
	if (!t->virtual_host) {
		buf_putc(path, '/');
		uri_encode(path, t->bucket, false);
	}
	buf_putc(path, '/');
	uri_encode(path, key, true);
	buf_append(url, t->endpoint, (size_t)(h - t->endpoint));
	buf_puts(url, buf_cstr(host));
	buf_puts(url, buf_cstr(path));
	return host->err != CB_OK ? host->err : path->err != CB_OK ?
	    path->err : url->err;
}

/* The signing key: HMAC chain over date, region, "s3", "aws4_request". */
static void
signing_key(const char *secret, const char *day, const char *region,
    unsigned char key[SIG_SHA256_LEN])
{
	char k0[300];
	int n = snprintf(k0, sizeof(k0), "AWS4%s", secret);

	sig_hmac_sha256(k0, (size_t)n, day, strlen(day), key);
	explicit_bzero(k0, sizeof(k0));
	sig_hmac_sha256(key, SIG_SHA256_LEN, region, strlen(region), key);
	sig_hmac_sha256(key, SIG_SHA256_LEN, "s3", 2, key);
	sig_hmac_sha256(key, SIG_SHA256_LEN, "aws4_request", 12, key);
}

bool
s3_presign(const struct s3_target *t, const char *key, const char *amz_date,
    unsigned expires, const char *disposition, char *out, size_t outsz)
{
	char day[9], cred[400], hash[2 * SIG_SHA256_LEN + 1];
	char sig[2 * SIG_SHA256_LEN + 1];
	unsigned char k[SIG_SHA256_LEN], mac[SIG_SHA256_LEN];
	struct buf url, host, path, query, creq, sts;
	bool ok = false;

	if (!endpoint_ok(t->endpoint) || strlen(amz_date) != 16 ||
	    key[0] == '\0' || strlen(t->secret_key) > 250)
		return false;
	memcpy(day, amz_date, 8);
	day[8] = '\0';
	buf_init(&url, 8192);
	buf_init(&host, 512);
	buf_init(&path, 4096);
	buf_init(&query, 8192);
	buf_init(&creq, 16384);
	buf_init(&sts, 1024);
	if (object_at(t, key, &url, &host, &path) != CB_OK)
		goto out;
	/* Canonical query: sorted by name ("X-Amz-..." < "response-..."). */
	snprintf(cred, sizeof(cred), "%s/%s/%s/s3/aws4_request", t->access_key,
	    day, t->region);
	buf_puts(&query, "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=");
	uri_encode(&query, cred, false);
	buf_printf(&query, "&X-Amz-Date=%s&X-Amz-Expires=%u"
	    "&X-Amz-SignedHeaders=host", amz_date, expires);
	if (disposition != NULL) {
		buf_puts(&query, "&response-content-disposition=");
		uri_encode(&query, disposition, false);
	}
	if (query.err != CB_OK)
		goto out;
	buf_printf(&creq, "GET\n%s\n%s\nhost:%s\n\nhost\nUNSIGNED-PAYLOAD",
	    buf_cstr(&path), buf_cstr(&query), buf_cstr(&host));
	if (creq.err != CB_OK)
		goto out;
	sig_sha256(buf_cstr(&creq), creq.len, mac);
	sig_hex(mac, SIG_SHA256_LEN, hash);
	buf_printf(&sts, "AWS4-HMAC-SHA256\n%s\n%s/%s/s3/aws4_request\n%s",
	    amz_date, day, t->region, hash);
	if (sts.err != CB_OK)
		goto out;
	signing_key(t->secret_key, day, t->region, k);
	sig_hmac_sha256(k, sizeof(k), buf_cstr(&sts), sts.len, mac);
	explicit_bzero(k, sizeof(k));
	sig_hex(mac, SIG_SHA256_LEN, sig);
	ok = (size_t)snprintf(out, outsz, "%s?%s&X-Amz-Signature=%s",
	    buf_cstr(&url), buf_cstr(&query), sig) < outsz;
out:
	buf_free(&url);
	buf_free(&host);
	buf_free(&path);
	buf_free(&query);
	buf_free(&creq);
	buf_free(&sts);
	return ok;
}

bool
s3_presign_now(const struct s3_target *t, const char *key, unsigned expires,
    const char *disposition, char *out, size_t outsz)
{
	char amz[20];
	time_t now = time(NULL);
	struct tm tm;

	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(amz, sizeof(amz), "%Y%m%dT%H%M%SZ", &tm) != 16)
		return false;
	return s3_presign(t, key, amz, expires, disposition, out, outsz);
}

enum cb_err
s3_put_file(const struct s3_target *t, const char *key, const char *file,
    const char *content_type, char *err, size_t errsz)
{
	char sigv4[128], origin[300];
	struct httpc_req rq;
	struct httpc_res res;
	struct buf url, host, path, body;
	struct stat sb;
	/* libcurl 7.88 does not add this header for S3, which requires it
	 * on every SigV4 request; with it, curl signs it as the payload's
	 * hash (platform-notes c.7). The body is streamed, not hashed. */
	const char *hdrs[] = { "x-amz-content-sha256: UNSIGNED-PAYLOAD", NULL };
	enum cb_err rc;
	FILE *f;

	if (snprintf(sigv4, sizeof(sigv4), "aws:amz:%s:s3", t->region) >=
	    (int)sizeof(sigv4)) {
		err_say(err, errsz, "s3_region too long");
		return CB_EINVAL;
	}
	if ((f = fopen(file, "rb")) == NULL || fstat(fileno(f), &sb) != 0) {
		err_say(err, errsz, "cannot read %s: %s", file, strerror(errno));
		if (f != NULL)
			fclose(f);
		return CB_EIO;
	}
	buf_init(&url, 8192);
	buf_init(&host, 512);
	buf_init(&path, 4096);
	buf_init(&body, 64 * 1024);   /* S3's error document */
	httpc_origin(t->endpoint, origin, sizeof(origin));
	if (object_at(t, key, &url, &host, &path) != CB_OK) {
		err_say(err, errsz, "S3 object name too long");
		rc = CB_EINVAL;
		goto out;
	}
	memset(&rq, 0, sizeof(rq));
	rq.method = HTTPC_PUT;
	rq.url = buf_cstr(&url);
	rq.headers = hdrs;
	rq.content_type = content_type;
	rq.upload = f;
	rq.upload_len = (size_t)sb.st_size;
	rq.user = t->access_key;
	rq.password = t->secret_key;
	rq.aws_sigv4 = sigv4;
	rq.timeout_s = S3_PUT_TIMEOUT;
	rq.max_bytes = 64 * 1024;
	/* The admin's own endpoint (see s3.h): not held to public ones. */
	rq.public_only = false;
	rc = httpc_request(&rq, &body, &res);
	if (rc != CB_OK) {
		err_say(err, errsz, "S3 %s: %s", origin, res.error);
		rc = rc == CB_EINVAL ? CB_EINVAL : CB_EUPSTREAM;
	} else if (res.status < 200 || res.status > 299) {
		const char *code = strstr(buf_cstr(&body), "<Code>");
		const char *end = code ? strstr(code, "</Code>") : NULL;

		err_say(err, errsz, "S3 %s: PUT answered HTTP %ld%s%.*s", origin,
		    res.status, code && end ? " " : "",
		    code && end ? (int)(end - code - 6) : 0,
		    code && end ? code + 6 : "");
		rc = CB_EUPSTREAM;
	}
out:
	fclose(f);
	buf_free(&url);
	buf_free(&host);
	buf_free(&path);
	buf_free(&body);
	return rc;
}

enum cb_err
s3_get_file(const struct s3_target *t, const char *key, FILE *out,
    size_t max_bytes, char *err, size_t errsz)
{
	char url[16384], origin[300];
	struct httpc_req rq;
	struct httpc_res res;
	enum cb_err rc;

	httpc_origin(t->endpoint, origin, sizeof(origin));
	/* Presigned rather than CURLOPT_AWS_SIGV4: the signing is the
	 * unit-tested s3_presign, and the URL is never shown (only origin). */
	if (!s3_presign_now(t, key, S3_PRESIGN_SECONDS, NULL, url,
	    sizeof(url))) {
		err_say(err, errsz, "S3 %s: cannot sign a GET of the object "
		    "(settings or name)", origin);
		return CB_EINVAL;
	}
	memset(&rq, 0, sizeof(rq));
	rq.method = HTTPC_GET;
	rq.url = url;
	rq.timeout_s = S3_GET_TIMEOUT;
	rq.max_bytes = max_bytes;
	/* The admin's own endpoint (see s3.h): not held to public ones. */
	rq.public_only = false;
	rc = httpc_download(&rq, out, &res);
	explicit_bzero(url, sizeof(url));
	if (rc != CB_OK) {
		err_say(err, errsz, "S3 %s: %s", origin, res.error);
		return rc == CB_EINVAL || rc == CB_ETOOBIG || rc == CB_EIO ||
		    rc == CB_ENOMEM ? rc : CB_EUPSTREAM;
	}
	if (res.status < 200 || res.status > 299) {
		err_say(err, errsz, "S3 %s: GET answered HTTP %ld", origin,
		    res.status);
		return CB_EUPSTREAM;
	}
	return CB_OK;
}
