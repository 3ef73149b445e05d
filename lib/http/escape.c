#include "config.h"

#include <string.h>
#include <strings.h>

#include "http/escape.h"

/* The bytes escape_html() replaces: a table, so that the runs between them
 * (nearly all of a page's text) cost one load and test per byte. */
static const unsigned char html_special[256] = {
	['&'] = 1, ['<'] = 1, ['>'] = 1, ['"'] = 1, ['\''] = 1, ['\0'] = 1,
};

/* Appends runs of bytes that need no escaping in one call. */
static enum cb_err
escape_html(struct buf *b, const char *s, size_t len)
{
	size_t i = 0, run = 0;
	const char *rep;

	for (;;) {
		while (i < len && !html_special[(unsigned char)s[i]])
			i++;
		if (i == len)
			break;
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: rep = "\xEF\xBF\xBD"; break; /* NUL: U+FFFD */
		}
		buf_append(b, s + run, i - run);
		buf_puts(b, rep);
		run = ++i;
	}
	return buf_append(b, s + run, len - run);
}

enum cb_err
html_text(struct buf *b, const char *s, size_t len)
{
	return escape_html(b, s, len);
}

enum cb_err
html_attr(struct buf *b, const char *s, size_t len)
{
	return escape_html(b, s, len);
}

enum cb_err
url_component(struct buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;
	unsigned char c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~') {
			buf_putc(b, (char)c);
		} else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };
			buf_append(b, e, 3);
		}
	}
	return b->err;
}

enum cb_err
json_string(struct buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;
	unsigned char c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		switch (c) {
		case '"': buf_puts(b, "\\\""); break;
		case '\\': buf_puts(b, "\\\\"); break;
		case '/': buf_puts(b, "\\/"); break;
		case '\n': buf_puts(b, "\\n"); break;
		case '\r': buf_puts(b, "\\r"); break;
		case '\t': buf_puts(b, "\\t"); break;
		default:
			if (c < 0x20 || c == '<' || c == '>' || c == '&' ||
			    c == 0x7f) {
				char e[6] = { '\\', 'u', '0', '0',
				    hex[c >> 4], hex[c & 15] };
				buf_append(b, e, 6);
			} else
				buf_putc(b, (char)c);
		}
	}
	return b->err;
}

enum cb_err
log_field(struct buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;
	unsigned char c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"')
			buf_putc(b, (char)c);
		else {
			char e[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };
			buf_append(b, e, 4);
		}
	}
	return b->err;
}

bool
url_is_safe(const char *s, size_t len)
{
	static const char *const schemes[] = {
		"http:", "https:", "tel:", "sip:", "mailto:"
	};
	size_t i, colon = len;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			return false;
		if (c == ':' && colon == len)
			colon = i;
		/* A '/', '?' or '#' before any ':' means a relative URL. */
		if ((c == '/' || c == '?' || c == '#') && colon == len)
			return true;
	}
	if (colon == len)
		return true; /* no scheme: relative */
	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		size_t n = strlen(schemes[i]);
		if (colon + 1 == n && strncasecmp(s, schemes[i], n) == 0)
			return true;
	}
	return false;
}
