/* The local spool (DESIGN §2, issue 3 §8): when the database is down, the
 * hook appends the provider's request to a file, fsyncs, and answers 200;
 * the worker replays it when the database is back. One JSON object per
 * line; the body is base64 (providers may send any bytes). Appends from
 * many processes are serialised with flock(). */
#ifndef CB_CALLS_SPOOL_H
#define CB_CALLS_SPOOL_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "core/err.h"

struct spool_rec {
	const char *slug;
	const char *method;
	const char *url;            /* the public URL the provider requested */
	const char *request_uri;    /* raw path and query as sent (dedupe);
	                             * records from before it have none */
	const char *query;          /* raw query string */
	const char *content_type;   /* raw Content-Type header, or NULL */
	const char *body;
	size_t body_len;
	const char *remote_addr;
	int64_t received_ms;
	bool verified;              /* the signature was checked before */
	char **envp;                /* for the HTTP_* headers, or NULL */
};

enum cb_err spool_append(const char *dir, const struct spool_rec *r);
/* The record as a JSON object (what a spool line holds; a dead letter's
 * payload), or NULL without memory. Caller puts it. */
struct json_object *spool_record(const struct spool_rec *r);

/* Called for each spooled record (a JSON object, borrowed). Return CB_OK
 * when it is stored (or can never be: bad record), CB_EDB to keep it. */
typedef enum cb_err (*spool_fn)(void *ctx, struct json_object *rec);
/* Replays every record; those kept go back into the spool. Counts what
 * happened. */
enum cb_err spool_replay(const char *dir, spool_fn fn, void *ctx,
    unsigned *done, unsigned *kept);

/* Decodes the base64 body of a record into a malloc'd buffer (caller
 * frees), NUL-terminated. */
char *spool_body(struct json_object *rec, size_t *len);

#endif
