/* The provider adapter interface (DESIGN §2.2). An adapter is pure: it
 * reads a request and the integration's settings and fills a call_event or
 * a response body. It never touches the database, the network or the
 * FastCGI stream, so every adapter is unit-tested and fuzzed on its own.
 * Adding a provider = one file here, one row in registry.c. */
#ifndef CB_PROVIDERS_PROVIDER_H
#define CB_PROVIDERS_PROVIDER_H

#include <stdint.h>

#include <json-c/json.h>

#include "calls/event.h"
#include "core/buf.h"
#include "core/err.h"
#include "http/request.h"

/* What an adapter may read of a request. Everything is borrowed for the
 * duration of the call. */
struct prov_req {
	enum http_method method;
	/* The URL exactly as the provider requested it: scheme, host, optional
	 * port, path and the raw query (Twilio signs this). */
	const char *url;
	const struct kvlist *query;
	const struct kvlist *form;     /* urlencoded body, in order */
	struct json_object *json;      /* JSON body, or NULL */
	const char *body;              /* raw body (NUL-terminated) */
	size_t body_len;
	const char *content_type;      /* media type, lowercased, or NULL */
	const char *remote_addr;
	int64_t now;                   /* unix seconds (replay windows) */
	/* A request header by its HTTP name, or NULL. */
	const char *(*header)(const void *hctx, const char *name);
	const void *hctx;
};

/* The integration's settings, from the integrations row. */
struct prov_conf {
	const char *slug;
	/* This integration's public callback URL, without a query
	 * ("https://crm.example.com/hook/twilio"): for answers that point the
	 * provider back at us (TwiML action and status callbacks). */
	const char *hook_url;
	struct json_object *secrets;   /* provider keys (see each adapter) */
	struct json_object *config;    /* options (IP allow-lists, ...), or NULL */
	const char *default_country;   /* ISO 3166 alpha-2 */
};

/* The answer to a routing question (DESIGN §2.6, issue 3 §5). */
struct route_answer {
	const char *extension;         /* responsible manager's line, or NULL */
	const char *manager_email;     /* or NULL */
	const char *customer_name;     /* or NULL (unknown caller) */
	const char *customer_url;      /* absolute link to the CRM card, or NULL */
	/* The integration's fallback when there is no responsible manager:
	 * kind "queue", "manager" or "voicemail" and its target (a queue or
	 * scenario id, an extension, a voicemail box). NULL = none. */
	const char *fallback_kind;
	const char *fallback_target;
};

struct provider {
	const char *kind;              /* integrations.kind */
	/* CB_OK, or CB_EDENIED (→ 403, nothing stored) with *why set. Must
	 * compare secrets in constant time (sig_equal()). */
	enum cb_err (*verify)(const struct prov_conf *c, const struct prov_req *r,
	    const char **why);
	/* Fills ev (already ev_init()ed). CB_EINVAL (→ 400) with *why for a
	 * malformed request. An event type the adapter does not know is not an
	 * error: kind EV_UNKNOWN, type_name set. */
	enum cb_err (*parse)(const struct prov_conf *c, const struct prov_req *r,
	    struct call_event *ev, const char **why);
	/* The 200 body the provider expects for ev (an acknowledgement, an
	 * echo, or with ra != NULL the routing answer). Sets *content_type to
	 * a static string. */
	enum cb_err (*answer)(const struct prov_conf *c,
	    const struct call_event *ev, const struct route_answer *ra,
	    struct buf *out, const char **content_type);
};

/* The adapter for an integrations.kind, or NULL. */
const struct provider *provider_find(const char *kind);

/* Helpers for adapters. */
/* A string member of the secrets/config object, or NULL. */
const char *prov_secret(const struct prov_conf *c, const char *key);
/* A form field, else a top-level JSON string or number member (as text,
 * owned by the JSON object), else a query parameter. */
const char *prov_field(const struct prov_req *r, const char *name);

#endif
