#include "config.h"

#include <string.h>

#include "core/buf.h"
#include "core/strparse.h"
#include "http/dial_link.h"
#include "http/escape.h"

/* The dialled number as a dialler reads it: digits, '*', '#' and a leading
 * '+'; formatting and anything else dropped. In a sip: URI's user part '#'
 * is not allowed as it is (RFC 3261 §25.1: it is not an unreserved or
 * user-unreserved character), so it is written %23 there. */
static void
put_dial_digits(struct buf *b, const char *number, bool sip)
{
	const char *p;

	for (p = number; *p; p++) {
		if (*p == '#' && sip)
			buf_puts(b, "%23");
		else if ((*p >= '0' && *p <= '9') || *p == '*' || *p == '#' ||
		    (*p == '+' && p == number))
			buf_putc(b, *p);
	}
}

bool
dial_href_put(struct buf *b, const struct user *u, const char *number,
    int64_t call_id)
{
	if (number == NULL || *number == '\0' || u == NULL)
		return false;
	if (u->deep_link && u->sip_domain[0] != '\0') {
		/* The domain was checked when it was saved
		 * (dial_sip_domain_parse): host[:port] characters only. */
		buf_puts(b, "sip:");
		put_dial_digits(b, number, true);
		buf_putc(b, '@');
		buf_puts(b, u->sip_domain);
	} else if (u->deep_link) {
		buf_puts(b, "tel:");
		put_dial_digits(b, number, false);
	} else if (perm_has(u, PERM_CALLS_DIAL)) {
		buf_puts(b, "/dial?number=");
		url_component(b, number, strlen(number));
		if (call_id > 0) {
			buf_puts(b, "&call=");
			buf_put_i64(b, call_id);
		}
	} else
		return false;
	return true;
}

const char *
dial_href(struct arena *a, const struct user *u, const char *number,
    int64_t call_id)
{
	struct buf b;
	const char *out;

	buf_init(&b, 512);
	out = dial_href_put(&b, u, number, call_id) && b.err == CB_OK ?
	    arena_strdup(a, buf_cstr(&b)) : NULL;
	buf_free(&b);
	return out;
}

const char *
dial_href_store(struct arena *a, const struct user *u, const char *number,
    int64_t store_id)
{
	const char *h = dial_href(a, u, number, 0);

	if (h == NULL || store_id <= 0 || strncmp(h, "/dial?", 6) != 0)
		return h;
	return arena_printf(a, "%s&store=%lld", h, (long long)store_id);
}

static bool
is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

enum cb_err
dial_sip_domain_parse(const char *in, char *out, size_t outsz)
{
	const char *s = in, *e, *colon, *p;
	size_t hostlen, label = 0, i;
	int64_t port;

	if (outsz <= DIAL_SIP_DOMAIN_MAX)
		return CB_EINVAL;
	out[0] = '\0';
	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (e == s)
		return CB_OK;
	colon = memchr(s, ':', (size_t)(e - s));
	hostlen = colon ? (size_t)(colon - s) : (size_t)(e - s);
	if (hostlen == 0 || hostlen > 253)
		return CB_EINVAL;
	for (p = s; p < s + hostlen; p++) {
		if (*p == '.') {
			/* No empty label, no '-' before the dot. */
			if (label == 0 || p[-1] == '-')
				return CB_EINVAL;
			label = 0;
		} else if (is_alnum(*p) || *p == '-') {
			if (*p == '-' && label == 0)
				return CB_EINVAL;
			if (++label > 63)
				return CB_EINVAL;
		} else
			return CB_EINVAL;
	}
	/* A trailing dot (the DNS root) is not a SIP host; nor a label
	 * ending in '-'. */
	if (label == 0 || s[hostlen - 1] == '-')
		return CB_EINVAL;
	if (colon) {
		char num[8];
		size_t n = (size_t)(e - colon - 1);

		if (n == 0 || n > 5)
			return CB_EINVAL;
		memcpy(num, colon + 1, n);
		num[n] = '\0';
		for (i = 0; i < n; i++)
			if (num[i] < '0' || num[i] > '9')
				return CB_EINVAL;
		if (strparse_i64z(num, 1, 65535, &port) != CB_OK)
			return CB_EINVAL;
	}
	for (i = 0; s + i < e; i++)
		out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a')
		    : s[i];
	out[i] = '\0';
	return CB_OK;
}
