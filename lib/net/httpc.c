#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <curl/curl.h>

#include "net/httpc.h"
#include "net/ipmatch.h"

/* A peer slower than this for this long is treated as gone: the total
 * timeout of a large download is generous, this is what catches a stall. */
#define HTTPC_LOW_SPEED_BYTES 512
#define HTTPC_LOW_SPEED_SECONDS 30

/* CURLOPT_PROTOCOLS_STR arrived in 7.85 and the bitmask form is deprecated
 * there; configure accepts 7.68, so both are kept. */
#if LIBCURL_VERSION_NUM >= 0x075500
#define HTTPC_PROTOCOLS_STR 1
#endif

struct sink {
	CURL *h;
	struct buf *b;        /* httpc_request() */
	size_t b_start;       /* b->len before this transfer */
	FILE *f;              /* httpc_download() */
	size_t max;
	size_t n;             /* bytes of the current response's body */
	size_t dropped;       /* non-2xx body bytes read and dropped */
	long status;          /* status the current bytes belong to */
	enum cb_err err;      /* why the callback stopped the transfer */
	bool public_only;     /* the request's public_only */
	const char *const *allow_private;   /* and its allowance */
	/* The first address open_socket() refused, and why. */
	char refused[INET6_ADDRSTRLEN];
	const char *refused_why;
};

void
httpc_global_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void
httpc_global_cleanup(void)
{
	curl_global_cleanup();
}

static long
current_status(CURL *h)
{
	long code = 0;

	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	return code;
}

/* Bytes of a response that is not the final one (an interim answer whose
 * body libcurl still hands over) must not end up mixed with the final
 * body: when the status changes, start again. */
static size_t
to_buf(char *data, size_t size, size_t nmemb, void *userp)
{
	struct sink *s = userp;
	size_t len = size * nmemb;
	long code = current_status(s->h);

	if (code != s->status) {
		s->status = code;
		s->n = 0;
		s->b->len = s->b_start;
		if (s->b->p != NULL)
			s->b->p[s->b_start] = '\0';
	}
	if (len > s->max - s->n) {
		s->err = CB_ETOOBIG;
		return 0;
	}
	if (buf_append(s->b, data, len) != CB_OK) {
		s->err = s->b->err;
		return 0;
	}
	s->n += len;
	return len;
}

static size_t
to_file(char *data, size_t size, size_t nmemb, void *userp)
{
	struct sink *s = userp;
	size_t len = size * nmemb;
	long code = current_status(s->h);

	if (code < 200 || code > 299) {
		/* An error page: read (so the connection ends cleanly) but
		 * never written where a file is expected. */
		if (len > s->max - s->dropped) {
			s->err = CB_ETOOBIG;
			return 0;
		}
		s->dropped += len;
		return len;
	}
	if (len > s->max - s->n) {
		s->err = CB_ETOOBIG;
		return 0;
	}
	if (fwrite(data, 1, len, s->f) != len) {
		s->err = CB_EIO;
		return 0;
	}
	s->n += len;
	return len;
}

/* Only absolute http(s) URLs with a host; out (optional) gets the scheme. */
static bool
url_parts(const char *url, char *scheme, size_t ssz, char *host, size_t hsz,
    char *port, size_t psz)
{
	CURLU *u;
	char *v = NULL;
	bool ok = false;

	if (url == NULL || (u = curl_url()) == NULL)
		return false;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK)
		goto out;
	if (curl_url_get(u, CURLUPART_SCHEME, &v, 0) != CURLUE_OK)
		goto out;
	if (strcasecmp(v, "http") != 0 && strcasecmp(v, "https") != 0)
		goto out;
	snprintf(scheme, ssz, "%s", v);
	curl_free(v);
	v = NULL;
	if (curl_url_get(u, CURLUPART_HOST, &v, 0) != CURLUE_OK || *v == '\0')
		goto out;
	snprintf(host, hsz, "%s", v);
	curl_free(v);
	v = NULL;
	port[0] = '\0';
	if (curl_url_get(u, CURLUPART_PORT, &v, 0) == CURLUE_OK)
		snprintf(port, psz, "%s", v);
	ok = true;
out:
	curl_free(v);
	curl_url_cleanup(u);
	return ok;
}

void
httpc_origin(const char *url, char *out, size_t outsz)
{
	char scheme[16], host[256], port[16];

	if (!url_parts(url, scheme, sizeof(scheme), host, sizeof(host), port,
	    sizeof(port))) {
		snprintf(out, outsz, "(bad URL)");
		return;
	}
	snprintf(out, outsz, "%s://%s%s%s", scheme, host, port[0] ? ":" : "",
	    port);
}

bool
httpc_is_loopback(const char *url)
{
	char scheme[16], host[256], port[16];
	struct in_addr a4;

	if (!url_parts(url, scheme, sizeof(scheme), host, sizeof(host), port,
	    sizeof(port)))
		return false;
	if (strcasecmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0)
		return true;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return false;
}

/* Whether addr is on the request's allow-list of private addresses. */
static bool
allowed(const char *const *list, const unsigned char addr[16])
{
	for (; list != NULL && *list != NULL; list++)
		if (ip_match(*list, addr))
			return true;
	return false;
}

/* The first Set-Cookie's "name=value" (before any attribute). */
static void
take_cookie(CURL *h, struct httpc_res *res)
{
	struct curl_header *hh;
	size_t n;

	if (curl_easy_header(h, "Set-Cookie", 0, CURLH_HEADER, -1, &hh) !=
	    CURLHE_OK || hh->value == NULL)
		return;
	n = strcspn(hh->value, ";");
	if (n < sizeof(res->set_cookie))
		snprintf(res->set_cookie, sizeof(res->set_cookie), "%.*s",
		    (int)n, hh->value);
}

/* CURLOPT_OPENSOCKETFUNCTION: libcurl has resolved the host and is about
 * to connect to addr. For a public_only request an address that is not a
 * public one gets no socket, so libcurl never connects to it (and tries
 * the host's next address, if any). The check sits here, on the address
 * actually used, rather than on a lookup of our own before the request:
 * a second lookup could answer differently (DNS rebinding). */
static curl_socket_t
open_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct sink *s = clientp;
	unsigned char a[16];
	char text[INET6_ADDRSTRLEN] = "";
	const char *why = "not an IP";
	int type = addr->socktype;
	bool have = false;    /* a holds the address */

	(void)purpose;
	if (s->public_only) {
		if (addr->family == AF_INET &&
		    addr->addrlen >= sizeof(struct sockaddr_in)) {
			const struct sockaddr_in *in =
			    (const struct sockaddr_in *)(const void *)&addr->addr;
			memset(a, 0, 10);
			a[10] = a[11] = 0xff;
			memcpy(a + 12, &in->sin_addr, 4);
			why = ip_not_public(a);
			have = true;
			inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text));
		} else if (addr->family == AF_INET6 &&
		    addr->addrlen >= sizeof(struct sockaddr_in6)) {
			const struct sockaddr_in6 *in6 =
			    (const struct sockaddr_in6 *)(const void *)&addr->addr;
			memcpy(a, &in6->sin6_addr, 16);
			why = ip_not_public(a);
			have = true;
			inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof(text));
		} else
			snprintf(text, sizeof(text), "(family %d)",
			    addr->family);
		if (why != NULL && have && allowed(s->allow_private, a))
			why = NULL;
		if (why != NULL) {
			if (s->refused_why == NULL) {
				s->refused_why = why;
				memcpy(s->refused, text, sizeof(s->refused));
			}
			return CURL_SOCKET_BAD;
		}
	}
#ifdef SOCK_CLOEXEC
	type |= SOCK_CLOEXEC;
#endif
	return socket(addr->family, type, addr->protocol);
}

static enum cb_err
fail(struct httpc_res *res, enum cb_err rc, const char *why)
{
	snprintf(res->error, sizeof(res->error), "%s", why);
	return rc;
}

/* The multipart body of rq (rq->parts), or NULL with *rc set. A file that
 * cannot be opened is found here, before anything is sent. */
static curl_mime *
mime_of(CURL *h, const struct httpc_req *rq, enum cb_err *rc,
    struct httpc_res *res)
{
	curl_mime *m = curl_mime_init(h);
	curl_mimepart *p;
	size_t i;

	*rc = CB_ENOMEM;
	if (m == NULL)
		return NULL;
	for (i = 0; i < rq->nparts; i++) {
		const struct httpc_part *in = &rq->parts[i];
		CURLcode cc = CURLE_OK;

		if ((p = curl_mime_addpart(m)) == NULL)
			goto fail;
		if (curl_mime_name(p, in->name) != CURLE_OK)
			goto fail;
		if (in->file != NULL) {
			if ((cc = curl_mime_filedata(p, in->file)) != CURLE_OK) {
				*rc = CB_EIO;
				snprintf(res->error, sizeof(res->error),
				    "cannot read the file to send (%s)",
				    curl_easy_strerror(cc));
				goto fail;
			}
			if (in->filename != NULL)
				cc = curl_mime_filename(p, in->filename);
		} else
			cc = curl_mime_data(p, in->value ? in->value : "",
			    CURL_ZERO_TERMINATED);
		if (cc == CURLE_OK && in->type != NULL)
			cc = curl_mime_type(p, in->type);
		if (cc != CURLE_OK)
			goto fail;
	}
	*rc = CB_OK;
	return m;
fail:
	curl_mime_free(m);
	return NULL;
}

static enum cb_err
perform(const struct httpc_req *rq, struct sink *s, struct httpc_res *res)
{
	curl_mime *mime = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	char scheme[16], host[256], port[16], hdr[160];
	struct curl_slist *hl = NULL, *t;
	const char *const *hp;
	const char *ct = NULL;
	curl_off_t pre = 0;
	CURL *h;
	CURLcode cc;
	enum cb_err rc;
	bool https;

	memset(res, 0, sizeof(*res));
	if (rq->max_bytes == 0)
		return fail(res, CB_EINVAL, "no response size cap given");
	if (!url_parts(rq->url, scheme, sizeof(scheme), host, sizeof(host),
	    port, sizeof(port)))
		return fail(res, CB_EINVAL, "not an absolute http(s) URL");
	https = strcasecmp(scheme, "https") == 0;
	if ((h = curl_easy_init()) == NULL)
		return fail(res, CB_ENOMEM, "cannot create a curl handle");
	s->h = h;
	s->max = rq->max_bytes;
	s->status = -1;
	s->public_only = rq->public_only;
	s->allow_private = rq->allow_private;

	for (hp = rq->headers; hp != NULL && *hp != NULL; hp++) {
		if ((t = curl_slist_append(hl, *hp)) == NULL)
			goto nomem;
		hl = t;
	}
	if (rq->method == HTTPC_POST && rq->parts != NULL) {
		if ((mime = mime_of(h, rq, &rc, res)) == NULL) {
			curl_slist_free_all(hl);
			curl_easy_cleanup(h);
			if (res->error[0] == '\0')
				snprintf(res->error, sizeof(res->error),
				    "cannot build the multipart body");
			return rc;
		}
		if ((t = curl_slist_append(hl, "Expect:")) == NULL)
			goto nomem;
		hl = t;
	} else if (rq->method == HTTPC_POST || rq->method == HTTPC_PUT ||
	    rq->body != NULL) {
		if (rq->content_type != NULL) {
			snprintf(hdr, sizeof(hdr), "Content-Type: %s",
			    rq->content_type);
			if ((t = curl_slist_append(hl, hdr)) == NULL)
				goto nomem;
			hl = t;
		}
		/* No "Expect: 100-continue" round trip for small bodies.
		 * Not with SigV4: libcurl 7.88 signs the emptied header as
		 * "expect:" but does not send it, and S3 then refuses the
		 * signature (tests/http/recording_s3.test.js). */
		if (rq->aws_sigv4 == NULL) {
			if ((t = curl_slist_append(hl, "Expect:")) == NULL)
				goto nomem;
			hl = t;
		}
	}

	curl_easy_setopt(h, CURLOPT_URL, rq->url);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)HTTPC_CONNECT_TIMEOUT);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)(rq->timeout_s ?
	    rq->timeout_s : HTTPC_DEFAULT_TIMEOUT));
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, (long)HTTPC_LOW_SPEED_BYTES);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME,
	    (long)HTTPC_LOW_SPEED_SECONDS);
	/* TLS: verified, always. There is deliberately no option to skip
	 * it; a test stand-in speaks plain http on loopback instead. */
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
#ifdef HTTPC_PROTOCOLS_STR
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR,
	    https ? "https" : "http,https");
#else
	curl_easy_setopt(h, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS,
	    (long)(https ? CURLPROTO_HTTPS : CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	/* Credentials and custom Authorization headers stay with the first
	 * host (libcurl's default; said here so nobody flips it). */
	curl_easy_setopt(h, CURLOPT_UNRESTRICTED_AUTH, 0L);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)(rq->max_bytes >
	    (size_t)INT64_MAX ? INT64_MAX : (int64_t)rq->max_bytes));
	if (rq->method == HTTPC_GET && rq->body != NULL) {
		/* libcurl sends a body with POSTFIELDS; the method stays GET. */
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)rq->body_len);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, rq->body);
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "GET");
		curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	} else if (rq->method == HTTPC_GET) {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
		curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(h, CURLOPT_MAXREDIRS, (long)HTTPC_MAX_REDIRS);
	} else if (rq->method == HTTPC_PUT) {
		if (rq->upload == NULL) {
			curl_slist_free_all(hl);
			curl_easy_cleanup(h);
			return fail(res, CB_EINVAL, "PUT without a file");
		}
		curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(h, CURLOPT_READDATA, rq->upload);
		curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE,
		    (curl_off_t)rq->upload_len);
		curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	} else if (mime != NULL) {
		curl_easy_setopt(h, CURLOPT_MIMEPOST, mime);
		curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	} else {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)rq->body_len);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS,
		    rq->body != NULL ? rq->body : "");
		curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	}
	if (hl != NULL)
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	if (rq->user != NULL && rq->aws_sigv4 != NULL) {
		/* Sets CURLOPT_HTTPAUTH to CURLAUTH_AWS_SIGV4 too. */
		curl_easy_setopt(h, CURLOPT_AWS_SIGV4, rq->aws_sigv4);
		curl_easy_setopt(h, CURLOPT_USERNAME, rq->user);
		curl_easy_setopt(h, CURLOPT_PASSWORD,
		    rq->password != NULL ? rq->password : "");
	} else if (rq->user != NULL) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_USERNAME, rq->user);
		curl_easy_setopt(h, CURLOPT_PASSWORD,
		    rq->password != NULL ? rq->password : "");
	}
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, s->f ? to_file : to_buf);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, s);
	if (rq->public_only) {
		curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_socket);
		curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, s);
		curl_easy_setopt(h, CURLOPT_PROXY, "");
	}

	cc = curl_easy_perform(h);
	res->status = current_status(h);
	if (curl_easy_getinfo(h, CURLINFO_PRETRANSFER_TIME_T, &pre) ==
	    CURLE_OK)
		res->sent = pre > 0;
	res->bytes = s->n;
	if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK &&
	    ct != NULL)
		snprintf(res->content_type, sizeof(res->content_type), "%s", ct);
	if (rq->want_cookie)
		take_cookie(h, res);

	switch (cc) {
	case CURLE_OK:
		rc = CB_OK;
		break;
	case CURLE_WRITE_ERROR:
		rc = s->err != CB_OK ? s->err : CB_EIO;
		if (rc == CB_ETOOBIG)
			snprintf(res->error, sizeof(res->error),
			    "response larger than %zu bytes", rq->max_bytes);
		else if (rc == CB_EIO)
			snprintf(res->error, sizeof(res->error),
			    "cannot write the response locally");
		else
			snprintf(res->error, sizeof(res->error), "%s",
			    cb_strerror(rc));
		break;
	case CURLE_FILESIZE_EXCEEDED:
		rc = CB_ETOOBIG;
		snprintf(res->error, sizeof(res->error),
		    "response larger than %zu bytes", rq->max_bytes);
		break;
	case CURLE_OUT_OF_MEMORY:
		rc = CB_ENOMEM;
		break;
	case CURLE_URL_MALFORMAT:
		rc = CB_EINVAL;
		break;
	default:
		rc = CB_EUPSTREAM;
		break;
	}
	/* Nothing was connected to because every address was refused:
	 * say which and why, not curl's "couldn't connect". */
	if (rc == CB_EUPSTREAM && s->refused_why != NULL &&
	    (cc == CURLE_COULDNT_CONNECT || cc == CURLE_COULDNT_RESOLVE_HOST)) {
		rc = CB_EDENIED;
		snprintf(res->error, sizeof(res->error), "%s is not a public "
		    "address (%s)", s->refused, s->refused_why);
	}
	if (rc != CB_OK && res->error[0] == '\0')
		snprintf(res->error, sizeof(res->error), "%s",
		    errbuf[0] ? errbuf : curl_easy_strerror(cc));
	curl_slist_free_all(hl);
	curl_easy_cleanup(h);
	curl_mime_free(mime);
	return rc;
nomem:
	curl_slist_free_all(hl);
	curl_easy_cleanup(h);
	curl_mime_free(mime);
	return fail(res, CB_ENOMEM, "out of memory");
}

enum cb_err
httpc_request(const struct httpc_req *rq, struct buf *out,
    struct httpc_res *res)
{
	struct sink s;

	memset(&s, 0, sizeof(s));
	s.b = out;
	s.b_start = out->len;
	return perform(rq, &s, res);
}

enum cb_err
httpc_download(const struct httpc_req *rq, FILE *out, struct httpc_res *res)
{
	struct sink s;

	memset(&s, 0, sizeof(s));
	s.f = out;
	return perform(rq, &s, res);
}
