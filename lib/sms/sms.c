/* Helpers shared by the gateway files: request building blocks, the
 * common reading of HTTP statuses, number formats, GSM 03.38 length and
 * the text template. See sms.h. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonget.h"
#include "sms/sms.h"

void
sms_request_init(struct sms_request *rq)
{
	memset(rq, 0, sizeof(*rq));
	rq->method = HTTPC_POST;
	buf_init(&rq->body, 16 * 1024);
}

void
sms_request_wipe(struct sms_request *rq)
{
	if (rq->body.p != NULL)
		explicit_bzero(rq->body.p, rq->body.cap);
	buf_free(&rq->body);
	explicit_bzero(rq, sizeof(*rq));
}

const char *
sms_setting(struct json_object *o, const char *key)
{
	const char *s = json_member_str(o, key);

	return s != NULL && *s != '\0' ? s : NULL;
}

enum cb_err
sms_missing(const struct sms_gateway *g, const char *key, char *err,
    size_t errsz)
{
	snprintf(err, errsz, "%s: the gateway account has no %s", g->label,
	    key);
	return CB_EINVAL;
}

void
sms_form_add(struct buf *b, const char *key, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *s = (const unsigned char *)value;

	if (b->len > 0)
		buf_putc(b, '&');
	buf_puts(b, key);
	buf_putc(b, '=');
	for (; *s; s++) {
		if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || *s == '-' || *s == '.' ||
		    *s == '_' || *s == '~')
			buf_putc(b, (char)*s);
		else {
			buf_putc(b, '%');
			buf_putc(b, hex[*s >> 4]);
			buf_putc(b, hex[*s & 15]);
		}
	}
}

struct json_object *
sms_json(const char *body, size_t len)
{
	struct json_tokener *tok;
	struct json_object *o;

	if (body == NULL || len == 0 || len > SMS_RESPONSE_MAX ||
	    memchr(body, '\0', len) != NULL)
		return NULL;
	if ((tok = json_tokener_new_ex(16)) == NULL)
		abort();
	o = json_tokener_parse_ex(tok, body, (int)len);
	if (json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

void
sms_result_set(struct sms_result *r, enum sms_outcome o, const char *fmt,
    ...)
{
	va_list ap;

	r->outcome = o;
	r->message_id[0] = '\0';
	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
}

void
sms_clean(const char *s, char *out, size_t outsz)
{
	size_t i, k = 0;

	if (outsz == 0)
		return;
	for (i = 0; s != NULL && s[i] && k + 1 < outsz; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
			continue;
		out[k++] = (char)c;
	}
	/* Never end inside a UTF-8 sequence: find where the last one
	 * starts and drop it when it is incomplete. */
	if (k > 0) {
		size_t st = k, need;
		unsigned char b;

		while (st > 0 && ((unsigned char)out[st - 1] & 0xc0) == 0x80)
			st--;
		if (st > 0) {
			b = (unsigned char)out[st - 1];
			need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
			if (k - (st - 1) < need)
				k = st - 1;
		}
	}
	out[k] = '\0';
}

bool
sms_status_decides(long status, const char *msg, struct sms_result *r)
{
	char m[200];

	if (status >= 200 && status < 300)
		return false;
	sms_clean(msg, m, sizeof(m));
	sms_result_set(r, status == 429 || status >= 500 ? SMS_RETRY :
	    SMS_REJECTED, "the gateway answered HTTP %ld%s%s", status,
	    m[0] ? ": " : "", m);
	return true;
}

enum cb_err
sms_format_number(enum sms_number_format f, const char *e164, char *out,
    size_t outsz)
{
	size_t n, i;

	if (e164 == NULL || e164[0] != '+')
		return CB_EINVAL;
	n = strlen(e164 + 1);
	if (n < 8 || n > 15 || e164[1] == '0')
		return CB_EINVAL;
	for (i = 1; i <= n; i++)
		if (e164[i] < '0' || e164[i] > '9')
			return CB_EINVAL;
	if ((f == SMS_NUM_E164 ? n + 2 : n + 1) > outsz)
		return CB_EINVAL;
	memcpy(out, f == SMS_NUM_E164 ? e164 : e164 + 1,
	    f == SMS_NUM_E164 ? n + 2 : n + 1);
	return CB_OK;
}

/* GSM 03.38 default alphabet beyond printable ASCII, as code points. */
static const unsigned gsm_basic_extra[] = {
	0xa3, 0xa5, 0xe8, 0xe9, 0xf9, 0xec, 0xf2, 0xc7, 0xd8, 0xf8, 0xc5,
	0xe5, 0x394, 0x3a6, 0x393, 0x39b, 0x3a9, 0x3a0, 0x3a8, 0x3a3, 0x398,
	0x39e, 0xc6, 0xe6, 0xdf, 0xc9, 0xa4, 0xa1, 0xc4, 0xd6, 0xd1, 0xdc,
	0xa7, 0xbf, 0xe4, 0xf6, 0xf1, 0xfc, 0xe0
};

/* 1 or 2 GSM-7 septets for cp, 0 when it is not in GSM-7. */
static int
gsm_septets(unsigned cp)
{
	size_t i;

	if (cp == '\n' || cp == '\r')
		return 1;
	if (strchr("^{}\\[~]|", (int)cp) != NULL && cp != 0)
		return 2;
	if (cp == 0x20ac || cp == '\f')        /* € and form feed */
		return 2;
	if (cp >= 0x20 && cp < 0x7f)
		return cp == '`' ? 0 : 1;
	for (i = 0; i < sizeof(gsm_basic_extra) / sizeof(gsm_basic_extra[0]);
	    i++)
		if (gsm_basic_extra[i] == cp)
			return 1;
	return 0;
}

/* The next code point of s (len bytes left) into *cp; bytes used, or 0
 * for invalid UTF-8. */
static size_t
utf8_next(const unsigned char *s, size_t len, unsigned *cp)
{
	size_t need, k;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 1, *cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		need = 2, *cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		need = 3, *cp = s[0] & 0x07;
	else
		return 0;
	if (len <= need)
		return 0;
	for (k = 1; k <= need; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (s[k] & 0x3f);
	}
	if ((need == 2 && (*cp < 0x800 || (*cp >= 0xd800 && *cp <= 0xdfff)))
	    || (need == 3 && (*cp < 0x10000 || *cp > 0x10ffff)))
		return 0;
	return need + 1;
}

void
sms_length(const char *text, size_t len, struct sms_length *out)
{
	const unsigned char *s = (const unsigned char *)text;
	long septets = 0, units = 0;
	bool gsm = true, valid = true;
	size_t i = 0, k;
	unsigned cp;
	int n;

	while (i < len) {
		if ((k = utf8_next(s + i, len - i, &cp)) == 0) {
			valid = false;
			units++;
			i++;
			continue;
		}
		i += k;
		units += cp >= 0x10000 ? 2 : 1;
		if (gsm && (n = gsm_septets(cp)) > 0)
			septets += n;
		else
			gsm = false;
	}
	out->ucs2 = !gsm || !valid;
	out->chars = out->ucs2 ? units : septets;
	if (out->chars == 0)
		out->segments = 0;
	else if (out->ucs2)
		out->segments = out->chars <= 70 ? 1 :
		    (unsigned)((out->chars + 66) / 67);
	else
		out->segments = out->chars <= 160 ? 1 :
		    (unsigned)((out->chars + 152) / 153);
}

/* A substituted value: control characters dropped, at most 100
 * characters (whole UTF-8 sequences). */
static void
put_value(struct buf *out, const char *v)
{
	const unsigned char *s = (const unsigned char *)(v ? v : "");
	size_t i = 0, len = strlen((const char *)s), k;
	unsigned cp;
	int chars = 0;

	while (i < len && chars < 100) {
		if ((k = utf8_next(s + i, len - i, &cp)) == 0) {
			i++;
			continue;
		}
		if (cp >= 0x20 && cp != 0x7f && !(cp >= 0x80 && cp < 0xa0) &&
		    cp != 0x2028 && cp != 0x2029) {
			buf_append(out, s + i, k);
			chars++;
		}
		i += k;
	}
}

enum cb_err
sms_render(const char *tmpl, const struct sms_vars *v, struct buf *out)
{
	static const char *const names[] = { "name", "number", "time",
	    "manager" };
	const char *vals[4] = { v->name, v->number, v->time, v->manager };
	const char *p = tmpl, *close;
	size_t i, n;

	while (*p) {
		if (*p == '{' && (close = strchr(p + 1, '}')) != NULL) {
			n = (size_t)(close - p - 1);
			for (i = 0; i < 4; i++)
				if (strlen(names[i]) == n &&
				    memcmp(p + 1, names[i], n) == 0)
					break;
			if (i < 4) {
				put_value(out, vals[i]);
				p = close + 1;
				continue;
			}
		}
		buf_putc(out, *p++);
	}
	return out->err;
}
