/* A provider's call history, for reconciliation (issue 17 §3): providers
 * stop retrying a webhook after minutes (Twilio, Zadarma) or ~38 h
 * (Binotel), and a server can be down for longer. Each provider with a
 * history API describes here how to ask it for the calls of a window and
 * how to read the answer. Everything is pure (no database, no network),
 * so the parsers are unit-tested and fuzzed on their own; lib/reconcile/
 * run.c sends the requests (lib/net/httpc) and stores what comes back.
 *
 * A history record is turned into the webhook request the provider itself
 * sends at a call's end (Zadarma NOTIFY_END / NOTIFY_OUT_END, Binotel
 * apiCallCompleted, Twilio's "completed" status callback), which then
 * goes through the ONE receive pipeline (lib/calls/receive.c) as if it
 * had arrived late, with source 'reconcile'. So the adapter's own rules
 * read it, and its event id is the webhook's: a call already stored from
 * webhooks is completed, never duplicated, and a second run is a
 * duplicate of the first.
 *
 * One per provider with a history API, in its folder
 * (lib/providers/<kind>/history.c), named by its descriptor's .history. */
#ifndef CB_RECONCILE_HISTORY_H
#define CB_RECONCILE_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "net/httpc.h"
#include "providers/provider.h"

/* Caps (STYLE §2.9): one page of an answer, pages per run, records per
 * run. Over them the run fails with the reason, nothing stored. */
#define HIST_PAGE_MAX_BYTES ((size_t)8 * 1024 * 1024)
#define HIST_MAX_PAGES 50
#define HIST_MAX_RECORDS 20000
#define HIST_CURSOR_MAX 1024

/* The window asked for: [from_s, to_s), unix seconds. */
struct hist_window {
	int64_t from_s;
	int64_t to_s;
};

/* One request, built by prov_history.request. Holds credentials (Zadarma's
 * signature, Binotel's key and secret in the body, Twilio's Basic auth):
 * wipe it after use (hist_request_wipe) and never log it; log the URL's
 * origin only (httpc_origin). */
struct hist_request {
	enum httpc_method method;
	char url[2048];
	char headers[2][600];        /* "Name: value", "" = unused */
	const char *header_ptrs[3];  /* filled by hist_request_headers() */
	char body[2048];
	size_t body_len;
	const char *content_type;    /* static, or NULL */
	char user[256];              /* Basic auth; "" = none */
	char password[256];
};

/* One history record as the webhook request it stands for. */
struct hist_event {
	const char *call_id;         /* the provider's call id (reports) */
	const char *body;            /* the webhook's body, NUL-terminated */
	size_t body_len;
	const char *content_type;    /* static */
	/* When the provider would have sent it (the call's end), unix ms;
	 * 0 = not known (the event states its own times). */
	int64_t at_ms;
};

/* What one answer held. Events and strings live in the arena. */
struct hist_page {
	struct hist_event *ev;
	size_t n;
	char next[HIST_CURSOR_MAX];  /* cursor of the next page, "" = done */
};

struct prov_history {
	/* The request for window w's page at cursor ("" = the first).
	 * CB_EINVAL with *why (static) when the integration's settings cannot
	 * work (no key, a bad api_base). */
	enum cb_err (*request)(const struct prov_conf *c,
	    const struct hist_window *w, const char *cursor,
	    struct hist_request *rq, const char **why);
	/* Reads an answer (status 2xx, len bytes, not NUL-terminated). CB_OK
	 * with out filled, or CB_EUPSTREAM with *why (static or in a) when
	 * the answer is an error or garbage: then nothing of it may be
	 * used. */
	enum cb_err (*parse)(const struct prov_conf *c,
	    const struct hist_window *w, const char *cursor, const char *body,
	    size_t len, struct arena *a, struct hist_page *out,
	    const char **why);
};

/* Each provider's history is its descriptor's .history member
 * (lib/providers/<kind>/history.c); these are the ones that have one. */
extern const struct prov_history zadarma_history;
extern const struct prov_history binotel_history;
extern const struct prov_history twilio_history;

/* The history of an integrations.kind (its descriptor's .history), or
 * NULL when the provider has none (Asterisk, generic) or the kind is
 * unknown. */
const struct prov_history *reconcile_history_for(const char *kind);

/* ---- helpers shared by the descriptors (lib/reconcile/hist_util.c) ---- */

/* Points rq->header_ptrs at the non-empty headers. */
void hist_request_headers(struct hist_request *rq);
/* Zeroes everything that may hold a credential. */
void hist_request_wipe(struct hist_request *rq);
/* "name=value" appended to a form body being built (b has '&' added
 * between pairs); value NULL adds nothing. */
void hist_form_add(struct buf *b, const char *name, const char *value);
/* The integration's API base (config "api_base", else dflt) checked as
 * recordings and click-to-call check it: https, or http to loopback. */
enum cb_err hist_api_base(const struct prov_conf *c, const char *dflt,
    char *out, size_t outsz, const char **why);
/* A JSON member as text: a string, or an integer/double/boolean as json-c
 * writes it; NULL when absent or null or another type. */
const char *hist_json_text(struct json_object *o, const char *key);
/* One JSON value (depth <= 32, nothing but white space after it), or
 * NULL. Caller frees with json_object_put(). */
struct json_object *hist_json_parse(const char *body, size_t len);
/* Printable ASCII, 1..max bytes. */
bool hist_token_ok(const char *s, size_t max);

#endif
