#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

void
buf_init(struct buf *b, size_t max)
{
	b->p = NULL;
	b->len = b->cap = 0;
	b->max = max;
	b->err = CB_OK;
}

static enum cb_err
buf_reserve(struct buf *b, size_t n)
{
	size_t need, cap;
	char *p;

	if (b->err != CB_OK)
		return b->err;
	if (n > b->max - b->len)
		return b->err = CB_ETOOBIG;
	need = b->len + n + 1;
	if (need <= b->cap)
		return CB_OK;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	if (cap > b->max + 1)
		cap = b->max + 1;
	if ((p = realloc(b->p, cap)) == NULL)
		return b->err = CB_ENOMEM;
	b->p = p;
	b->cap = cap;
	return CB_OK;
}

enum cb_err
buf_append(struct buf *b, const void *data, size_t n)
{
	/* Room already there (cap <= max + 1, so the cap holds too): a page
	 * appends a few thousand short runs, and the call to buf_reserve()
	 * for each was 5 % of callboard-calls' instructions. */
	if (b->err != CB_OK || b->len >= b->cap || n >= b->cap - b->len)
		if (buf_reserve(b, n) != CB_OK)
			return b->err;
	if (n)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return CB_OK;
}

enum cb_err
buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

enum cb_err
buf_putc(struct buf *b, char c)
{
	return buf_append(b, &c, 1);
}

char *
digits_put(char *p, uint64_t v, unsigned width)
{
	char tmp[20];
	unsigned n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	for (; n < width; width--)
		*p++ = '0';
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}

enum cb_err
buf_put_i64(struct buf *b, int64_t v)
{
	char tmp[24], *p = tmp;

	if (v < 0)
		*p++ = '-';
	/* In unsigned arithmetic, so INT64_MIN negates without overflow. */
	p = digits_put(p, v < 0 ? -(uint64_t)v : (uint64_t)v, 0);
	return buf_append(b, tmp, (size_t)(p - tmp));
}

enum cb_err
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	if (b->err != CB_OK)
		return b->err;
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return b->err = CB_EINVAL;
	if (buf_reserve(b, (size_t)n) != CB_OK)
		return b->err;
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return CB_OK;
}

enum cb_err
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	enum cb_err e;

	va_start(ap, fmt);
	e = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return e;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	b->err = CB_OK;
	if (b->p)
		b->p[0] = '\0';
}

const char *
buf_cstr(const struct buf *b)
{
	return b->p ? b->p : "";
}

char *
buf_steal(struct buf *b)
{
	char *p = b->p;

	if (p == NULL)
		p = strdup("");
	buf_init(b, b->max);
	return p;
}

void
buf_free(struct buf *b)
{
	free(b->p);
	buf_init(b, b->max);
}
