/* One receive pipeline (issue 15 §3): a provider's request, as the hook
 * has it now or as the spool kept it, goes through the same steps in the
 * same code: verify → adapt → validate (lib/calls/event.h ev_validate) →
 * store once. The hook (cgi/hook.c) and the spool's replay
 * (lib/calls/replay.c) both call receive_event(), so the raw payload and
 * the dedupe key of an event are the same whichever way it arrives: an
 * event spooled while the database was down and retried live by the
 * provider is stored once.
 *
 * What stays with the callers: finding the integration (the hook caches
 * it), spooling (the hook), dead letters (the replay), the live popup,
 * routing and the provider's answer (the hook). */
#ifndef CB_CALLS_RECEIVE_H
#define CB_CALLS_RECEIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "calls/event.h"
#include "calls/ingest.h"
#include "core/arena.h"
#include "db/db.h"
#include "db/integration.h"
#include "http/request.h"
#include "providers/provider.h"

/* A provider's request. Everything is borrowed for the call. */
struct recv_req {
	const char *method;         /* "POST" */
	const char *url;            /* the public URL requested (signatures) */
	const char *request_uri;    /* raw path and query, as sent (dedupe) */
	const char *query;          /* raw query string ("" for none) */
	const char *content_type;   /* raw Content-Type header, or NULL */
	const char *body;           /* NUL-terminated, body_len bytes */
	size_t body_len;
	const char *remote_addr;
	int64_t received_ms;        /* when it arrived (signature windows) */
	const char *(*header)(const void *hctx, const char *name);
	const void *hctx;
	/* Already parsed by the caller (the hook's front line), or NULL to
	 * have receive_event() parse query and body here (the replay). */
	const struct kvlist *query_kv;
	const struct kvlist *form;
	struct json_object *json;
};

enum recv_status {
	RECV_STORED,     /* stored now, or nothing to store (an echo) */
	RECV_DUPLICATE,  /* stored before: a retry, answered as usual */
	RECV_DENIED,     /* signature or source refused: 403, nothing stored */
	RECV_MALFORMED,  /* cannot be read, or cannot be stored as it is
	                  * (a value longer than its column): 400, *why */
	RECV_DB_DOWN,    /* the database is unreachable: keep it, retry */
	RECV_REFUSED,    /* the database refused the row (a data error):
	                  * retrying cannot help; a dead letter */
	RECV_FAILED,     /* out of memory: 500 */
	RECV_UNKNOWN_KIND /* no adapter for the stored kind: 503, *why */
};

struct recv_out {
	enum recv_status status;
	const char *why;            /* for DENIED, MALFORMED, REFUSED */
	bool verified;              /* the signature was good (or checked
	                             * before): nothing needs it again */
	const struct provider *p;   /* for the answer */
	struct prov_conf pc;
	struct call_event ev;
	struct ingest_result res;   /* with STORED: ingest_result_free() */
};

struct recv_opts {
	const char *source;         /* "hook", "spool", "dead-letter",
	                             * "reconcile" */
	bool verified;              /* the signature was checked before */
	bool live;                  /* find the popup's recipients */
};

/* Runs the pipeline for one request of integration ig; strings in out live
 * in a. Always fills out->status; out->res must be freed with
 * ingest_result_free() whatever the status (a no-op when empty). */
void receive_event(struct db *db, struct arena *a,
    const struct integration *ig, const struct recv_req *rq,
    const struct recv_opts *o, struct recv_out *out);

const char *recv_status_name(enum recv_status s);

/* The source of a history record rebuilt as its webhook (lib/reconcile/):
 * never signed, so it binds no signature key to its call (Zadarma, issue
 * 16 §7: its fields are not what Zadarma signed). */
#define RECV_SOURCE_RECONCILE "reconcile"

#endif
