/* A growable byte buffer with a hard maximum set at creation (STYLE §2.9,
 * like curl's dynbuf). Errors are sticky: after the first failure every
 * append is a no-op and returns the same error, so callers may check once
 * at the end. The content is always NUL-terminated when p != NULL. */
#ifndef CB_CORE_BUF_H
#define CB_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct buf {
	char *p;          /* owned; NULL until the first append */
	size_t len;       /* bytes used, not counting the NUL */
	size_t cap;       /* bytes allocated */
	size_t max;       /* hard cap on len */
	enum cb_err err;  /* first error, sticky */
};

void buf_init(struct buf *b, size_t max);
enum cb_err buf_append(struct buf *b, const void *data, size_t n);
enum cb_err buf_puts(struct buf *b, const char *s);
enum cb_err buf_putc(struct buf *b, char c);
/* The decimal digits of v (with '-' when negative), without printf: the
 * history page writes five ids into links per row, and vsnprintf (which
 * buf_printf runs twice) was 15 % of callboard-calls' instructions. */
enum cb_err buf_put_i64(struct buf *b, int64_t v);
/* Writes the decimal digits of v at p, zero-padded to at least width
 * (as "%0*llu"; at most 20 digits or width), no NUL; returns the end. */
char *digits_put(char *p, uint64_t v, unsigned width);
enum cb_err buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
enum cb_err buf_vprintf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Keeps the memory and the cap; clears len and the error. */
void buf_reset(struct buf *b);
/* Never NULL: "" for an empty buffer. Borrowed until the next append. */
const char *buf_cstr(const struct buf *b);
/* Hands the bytes to the caller (caller frees) and re-initialises b. */
char *buf_steal(struct buf *b);
void buf_free(struct buf *b);

#endif
