/* Escaping, one function per output context (STYLE §2.11, cgit html.c).
 * Each appends to a struct buf and returns its (sticky) error. */
#ifndef CB_HTTP_ESCAPE_H
#define CB_HTTP_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

/* Text between tags: & < > escaped (also " and ' so the result is safe
 * anywhere outside <script>/<style>). */
enum cb_err html_text(struct buf *b, const char *s, size_t len);
/* A double-quoted attribute value. */
enum cb_err html_attr(struct buf *b, const char *s, size_t len);
/* A URL path segment or query component: everything but ALPHA DIGIT -._~
 * is %XX-encoded (RFC 3986 §2.3). */
enum cb_err url_component(struct buf *b, const char *s, size_t len);
/* A JSON string body (without the quotes); also escapes '/' and '<' so the
 * result can sit inside <script>. */
enum cb_err json_string(struct buf *b, const char *s, size_t len);
/* A log field: printable ASCII kept, everything else \xNN. */
enum cb_err log_field(struct buf *b, const char *s, size_t len);
/* true if a URL may be put in href/src/action: relative, http(s), tel:,
 * sip:, mailto:. Rejects javascript:, data:, vbscript: and anything with a
 * control character or an unknown scheme. */
bool url_is_safe(const char *s, size_t len);

#endif
