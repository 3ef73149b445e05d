/* A short, safe preview of a dead letter (lib/db/job.h JOB_DEAD_LETTER)
 * for the admin's page: what the provider sent, without its credentials.
 * Headers are never shown (Authorization, Zadarma's Signature, Twilio's
 * signature live there); in the query string and in a form or JSON body,
 * the value of every field whose name looks like a credential (key, token,
 * secret, sign..., pass..., auth..., hash) is replaced by "[redacted]" —
 * Binotel's ?key= is one. A body that cannot be read as a form or JSON
 * object is described (type and size), never shown. */
#ifndef CB_CALLS_DEAD_PREVIEW_H
#define CB_CALLS_DEAD_PREVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"

#define DEAD_PREVIEW_CHARS 300

struct dead_parts {
	const char *method;        /* "POST", or NULL */
	const char *query;         /* raw query string, or NULL */
	const char *content_type;  /* raw Content-Type, or NULL */
	const char *body;          /* the body's first bytes, or NULL */
	size_t body_len;
	bool body_cut;             /* body holds only the first bytes */
	bool not_text;             /* the record was kept as base64 */
};

/* At most DEAD_PREVIEW_CHARS characters of text (control bytes as
 * spaces), in a; the caller escapes it for its page. */
const char *dead_preview(struct arena *a, const struct dead_parts *p);

#endif
