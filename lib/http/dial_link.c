#include "config.h"

#include <string.h>

#include "core/buf.h"
#include "http/dial_link.h"
#include "http/escape.h"

const char *
dial_href(struct arena *a, const struct user *u, const char *number,
    int64_t call_id)
{
	struct buf b;
	const char *out;

	if (number == NULL || *number == '\0' || u == NULL)
		return NULL;
	buf_init(&b, 256);
	if (u->deep_link) {
		const char *p;
		/* Only what a dialler understands: no formatting, no escapes. */
		buf_puts(&b, "tel:");
		for (p = number; *p; p++)
			if ((*p >= '0' && *p <= '9') || *p == '*' || *p == '#' ||
			    (*p == '+' && p == number))
				buf_putc(&b, *p);
	} else if (perm_has(u, PERM_CALLS_DIAL)) {
		buf_puts(&b, "/dial?number=");
		url_component(&b, number, strlen(number));
		if (call_id > 0)
			buf_printf(&b, "&call=%lld", (long long)call_id);
	} else {
		buf_free(&b);
		return NULL;
	}
	out = b.err == CB_OK ? arena_strdup(a, buf_cstr(&b)) : NULL;
	buf_free(&b);
	return out;
}
