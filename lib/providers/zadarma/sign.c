/* Signing Zadarma API requests (providers.md §2.4), for click-to-call
 * (dial.c) and recording links (recording.c). */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "net/sig.h"
#include "providers/zadarma/zadarma.h"


enum cb_err
zadarma_php_urlencode(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.')
			buf_putc(b, (char)*p);
		else if (*p == ' ')
			buf_putc(b, '+');
		else {
			buf_putc(b, '%');
			buf_putc(b, hex[*p >> 4]);
			buf_putc(b, hex[*p & 15]);
		}
	}
	return b->err;
}

enum cb_err
zadarma_api_query(const char *const *kv, size_t n, struct buf *q)
{
	size_t order[16], i, j, t;

	if (n > sizeof(order) / sizeof(order[0]))
		return CB_EINVAL;
	for (i = 0; i < n; i++)
		order[i] = i;
	/* PHP ksort on non-numeric string keys is byte order. */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(kv[2 * order[j - 1]],
		    kv[2 * order[j]]) > 0; j--) {
			t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_putc(q, '&');
		zadarma_php_urlencode(q, kv[2 * order[i]]);
		buf_putc(q, '=');
		zadarma_php_urlencode(q, kv[2 * order[i] + 1]);
	}
	return q->err;
}

enum cb_err
zadarma_api_auth(const char *key, const char *secret,
    const char *method_path, const char *q, char *out, size_t outsz)
{
	unsigned char md5[SIG_MD5_LEN], mac[SIG_SHA1_LEN];
	char md5hex[2 * SIG_MD5_LEN + 1], machex[2 * SIG_SHA1_LEN + 1];
	char b64[4 * ((2 * SIG_SHA1_LEN + 2) / 3) + 1];
	struct buf s;
	enum cb_err rc;
	int n;

	sig_md5(q, strlen(q), md5);
	sig_hex(md5, sizeof(md5), md5hex);
	buf_init(&s, 8192);
	buf_puts(&s, method_path);
	buf_puts(&s, q);
	buf_puts(&s, md5hex);
	if ((rc = s.err) != CB_OK) {
		buf_free(&s);
		return rc;
	}
	sig_hmac_sha1(secret, strlen(secret), s.p, s.len, mac);
	buf_free(&s);
	/* §2.4 step 4: base64 of the 40 lowercase hex characters, not of
	 * the raw digest. */
	sig_hex(mac, sizeof(mac), machex);
	sig_base64((const unsigned char *)machex, 2 * SIG_SHA1_LEN, b64);
	n = snprintf(out, outsz, "%s:%s", key, b64);
	return n >= 0 && (size_t)n < outsz ? CB_OK : CB_ETOOBIG;
}

