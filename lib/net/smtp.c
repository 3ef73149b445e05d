#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "core/buf.h"
#include "core/rand.h"
#include "net/sig.h"
#include "net/smtp.h"

#define SMTP_MAX_MESSAGE (256 * 1024)

struct reader {
	const char *p;
	size_t left;
};

static size_t
read_cb(char *out, size_t size, size_t n, void *arg)
{
	struct reader *r = arg;
	size_t k = size * n;

	if (k > r->left)
		k = r->left;
	memcpy(out, r->p, k);
	r->p += k;
	r->left -= k;
	return k;
}

static int
bad_address(const char *s)
{
	return s == NULL || *s == '\0' || strlen(s) > 254 ||
	    strpbrk(s, "\r\n<>, \t\"") != NULL || strchr(s, '@') == NULL;
}

static int
ascii_only(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

/* The length of the longest prefix of s, at most max bytes, that does not
 * cut a UTF-8 character. */
static size_t
utf8_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

/* Subject: as is when ASCII, else RFC 2047 encoded words (base64). An
 * encoded word is at most 75 characters (§2), so a long subject is several,
 * each of whole UTF-8 characters (§5), on folded lines; a reader joins
 * them without the folding space (§6.2). CR and LF become spaces: no
 * header can be injected. */
/* 39 bytes: 52 base64 characters + 12, after "Subject: " 73 < 78 (§2.1.1
 * of RFC 5322). */
#define SUBJECT_WORD_BYTES 39
static void
put_subject(struct buf *b, const char *subject)
{
	char clean[600], enc[4 * (SUBJECT_WORD_BYTES + 2) / 3 + 1];
	size_t i, len, n;

	if (subject == NULL)
		subject = "";
	len = utf8_cut(subject, strlen(subject), sizeof(clean) - 1);
	memcpy(clean, subject, len);
	clean[len] = '\0';
	for (i = 0; clean[i]; i++)
		if (clean[i] == '\r' || clean[i] == '\n')
			clean[i] = ' ';
	if (ascii_only(clean)) {
		buf_printf(b, "Subject: %s\r\n", clean);
		return;
	}
	buf_puts(b, "Subject:");
	for (i = 0; i < len; i += n) {
		if ((n = utf8_cut(clean + i, len - i, SUBJECT_WORD_BYTES)) == 0)
			n = 1;  /* not UTF-8: a byte at a time, still encoded */
		sig_base64((const unsigned char *)clean + i, n, enc);
		buf_printf(b, "%s=?UTF-8?B?%s?=", i ? "\r\n " : " ", enc);
	}
	buf_puts(b, "\r\n");
}

/* The body with every line ending made CRLF (RFC 5322 §2.3). */
static void
put_text(struct buf *b, const char *text)
{
	const char *p;

	for (p = text ? text : ""; *p; p++) {
		if (*p == '\r')
			continue;
		if (*p == '\n')
			buf_append(b, "\r\n", 2);
		else
			buf_append(b, p, 1);
	}
	buf_append(b, "\r\n", 2);
}

static enum cb_err
build(const struct smtp_msg *m, struct buf *b)
{
	char date[64], id[2 * 12 + 1];
	struct tm tm;
	time_t now = time(NULL);

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	if (rand_hex(id, sizeof(id), 12) != CB_OK)
		return CB_ENOMEM;
	buf_printf(b, "Date: %s\r\n", date);
	buf_printf(b, "From: <%s>\r\n", m->from);
	buf_printf(b, "To: <%s>\r\n", m->to);
	buf_printf(b, "Message-ID: <%s.%lld@callboard>\r\n", id,
	    (long long)now);
	put_subject(b, m->subject);
	buf_printf(b, "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n\r\n");
	put_text(b, m->text);
	return b->err;
}

enum cb_err
smtp_send(const struct smtp_msg *m, char *err, size_t errsz)
{
	char curlerr[CURL_ERROR_SIZE] = "", from[300], to[300];
	struct curl_slist *rcpt = NULL;
	struct reader r;
	struct buf msg;
	CURL *c;
	CURLcode cc;
	long code = 0;
	enum cb_err rc;

	err[0] = '\0';
	if (m->url == NULL || (strncmp(m->url, "smtp://", 7) != 0 &&
	    strncmp(m->url, "smtps://", 8) != 0)) {
		snprintf(err, errsz, "smtp_url is not set (smtp:// or smtps://)");
		return CB_EINVAL;
	}
	if (bad_address(m->from) || bad_address(m->to)) {
		snprintf(err, errsz, "%s is not one e-mail address",
		    bad_address(m->from) ? "smtp_from" : "the recipient");
		return CB_EINVAL;
	}
	buf_init(&msg, SMTP_MAX_MESSAGE);
	if ((rc = build(m, &msg)) != CB_OK) {
		buf_free(&msg);
		snprintf(err, errsz, "the message is over %d bytes",
		    SMTP_MAX_MESSAGE);
		return rc;
	}
	if ((c = curl_easy_init()) == NULL) {
		buf_free(&msg);
		snprintf(err, errsz, "cannot start libcurl");
		return CB_ENOMEM;
	}
	snprintf(from, sizeof(from), "<%s>", m->from);
	snprintf(to, sizeof(to), "<%s>", m->to);
	rcpt = curl_slist_append(NULL, to);
	r.p = buf_cstr(&msg);
	r.left = msg.len;
	curl_easy_setopt(c, CURLOPT_URL, m->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(c, CURLOPT_READDATA, &r);
	curl_easy_setopt(c, CURLOPT_INFILESIZE, (long)r.left);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)(m->timeout_s ?
	    m->timeout_s : 20));
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curlerr);
	if (m->user && *m->user) {
		/* A password never crosses the network in clear. */
		curl_easy_setopt(c, CURLOPT_USERNAME, m->user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, m->password ?
		    m->password : "");
		curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	} else
		curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(c);
	curl_slist_free_all(rcpt);
	buf_free(&msg);
	if (cc == CURLE_OK)
		return CB_OK;
	if (code)
		snprintf(err, errsz, "SMTP %ld: %s", code, curlerr[0] ? curlerr :
		    curl_easy_strerror(cc));
	else
		snprintf(err, errsz, "%s", curlerr[0] ? curlerr :
		    curl_easy_strerror(cc));
	return CB_EUPSTREAM;
}
