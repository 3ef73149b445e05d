/* A provider is one unit (DESIGN §2.2, issue 17 §1): everything Callboard
 * knows about a telephony provider hangs off one `struct provider`, the way
 * curl describes a protocol with `struct Curl_scheme` or nginx a module:
 * its kind and label, where it sells, its settings form, how its webhooks
 * are verified, parsed and answered, how it places and hangs up calls, how
 * its recordings are fetched and how Settings tests it.
 *
 * Each provider lives in lib/providers/<kind>/ and exports exactly one
 * descriptor (`extern const struct provider <kind>_provider;` in
 * <kind>/<kind>.h); lib/providers/registry.c is the only list. Nothing
 * outside a provider's folder compares kinds: it asks the registry for the
 * descriptor and uses its members. docs/providers.md says how to add one.
 *
 * Every member is pure: it reads a request and the integration's settings
 * and fills a call_event, a response body or an HTTP request to make. None
 * touches the database, the network or the FastCGI stream, so every
 * provider is unit-tested, replayed from tests/vectors/<kind>/ and fuzzed
 * on its own. */
#ifndef CB_PROVIDERS_PROVIDER_H
#define CB_PROVIDERS_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <json-c/json.h>

#include "calls/event.h"
#include "core/buf.h"
#include "core/err.h"
#include "http/request.h"

struct arena;
struct dial_request;        /* dial/dial.h */
struct dial_target;         /* dial/dial.h */
struct recfetch_plan;       /* calls/recfetch.h */
struct test_event;          /* providers/test_event.h */
/* Pulling the provider's call history for reconciliation (issue 17 §3):
 * defined in reconcile/history.h. NULL for a provider without one. */
struct prov_history;

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
	/* The descriptor's prepare step's token (a session cookie, an access
	 * token), or NULL: set by whoever sends the provider's requests
	 * (lib/dial/prepare.c's dial_prepare()), never logged. */
	const char *token;
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

/* One setting of the integration form that the provider defines (issue 17
 * §1): cgi/integrations.c renders and checks the form from this list. A
 * secret field is stored encrypted in integrations.secrets and shown
 * masked; a typed value replaces it, an empty one keeps it. A field that
 * is not secret (a host, the API's address) is stored in
 * integrations.config under its name and shown in clear; an empty value
 * removes it. The descriptor's check_setting says whether its value is
 * good. */
struct prov_field {
	const char *name;              /* key in the secrets or config object */
	const char *label;             /* the form's label */
	bool secret;                   /* encrypted, never shown again */
	bool required;                 /* the form refuses to save without */
	const char *help;              /* a line under the field, or NULL */
};

/* What the click-to-call part of the integration form edits in config. */
enum prov_dial_setting {
	PROV_DIALSET_NONE,             /* the provider's API with the secrets */
	PROV_DIALSET_CALLER_ID,        /* "caller_id": the calls' number */
	PROV_DIALSET_URL               /* "make_call_url", "make_call_method"
	                                * (docs/generic-format.md §9) */
};

/* Click-to-call (issue 5 §3): lib/dial/dial.c sends the request the
 * provider builds and reads its answer. */
struct prov_dial {
	/* The provider's name in messages ("Zadarma"), or NULL: the
	 * integration's own name (a PBX the admin named). */
	const char *name;
	enum prov_dial_setting setting;
	/* Whether an integration with this config can place calls; NULL =
	 * always (the secrets are enough). */
	bool (*capable)(struct json_object *config);
	/* What capable() still lacks, in words for a person, or NULL: an
	 * N_() msgid, translated where it is shown (cgi/dial.c). */
	const char *missing;
	/* The request that rings t->extension, then t->number. CB_EINVAL with
	 * err set when the settings cannot work. r is zeroed by the caller;
	 * the builder fills headers[] (not header_ptrs). */
	enum cb_err (*build)(const struct dial_target *t,
	    struct dial_request *r, char *err, size_t errsz);
	/* The provider accepts with a 2xx and {"status":"success"} (and says
	 * no with a 2xx too); false = any 2xx is acceptance. */
	bool says_success;
	/* Reads the answer itself (Yeastar: errcode 0, whatever the HTTP
	 * status says), or NULL: the rules above. false with why (printable,
	 * from the answer, or "") when refused. Also read for hang-ups. */
	bool (*accepted)(long status, const char *body, size_t len,
	    char *why, size_t whysz);
};

/* A short-lived credential some provider APIs want before any other
 * request (issue 17): Phonet's session cookie, Yeastar's 30-minute access
 * token. lib/dial/prepare.c runs the login, keeps the token in the
 * process's memory while it lives and gives it to the provider's other
 * builders (dial_target.token, prov_conf.token); it is never logged. */
/* 3CX's access token is a signed JWT (about 1 KB). */
#define PROV_TOKEN_MAX 2048
struct prov_token {
	char value[PROV_TOKEN_MAX];    /* what the next requests carry */
	int64_t expires_s;             /* unix seconds; 0 = until refused */
};

struct prov_prepare {
	/* The login request (t->token is NULL). Same contract as
	 * dial->build. */
	enum cb_err (*build)(const struct dial_target *t,
	    struct dial_request *r, char *err, size_t errsz);
	/* Reads the login's answer: its status, the first Set-Cookie's
	 * "name=value" ("" when none) and body. CB_OK with tok filled;
	 * CB_EDENIED when the provider refuses the credentials (an admin's
	 * fix: never retried); CB_EUPSTREAM for anything else. err says why
	 * and never holds the token. */
	enum cb_err (*read)(long status, const char *set_cookie,
	    const char *body, size_t len, int64_t now, struct prov_token *tok,
	    char *err, size_t errsz);
	/* Whether an answer to a later request means the token is no longer
	 * good (Phonet: HTTP 403; Yeastar: errcode 10004): the sender logs
	 * in again, once, and repeats the request. */
	bool (*refused)(long status, const char *body, size_t len);
};

/* Recording downloads (issue 3 §6): lib/calls/recfetch.c runs the plan. */
struct prov_recording {
	/* The first request for a call's recording_url ("ref:<id>" or a
	 * URL): the file itself (RECFETCH_FILE) or an API request whose
	 * answer names it (RECFETCH_LINK). p is zeroed by the caller. */
	enum cb_err (*plan)(const char *recording_url,
	    struct json_object *config, struct json_object *secrets,
	    struct recfetch_plan *p, char *err, size_t errsz);
	/* Reads that API's answer: CB_OK with the file's URL, CB_ENOTFOUND
	 * when it says there is no recording, CB_EUPSTREAM otherwise. NULL
	 * when plan() never asks an API. */
	enum cb_err (*link)(const char *json, size_t len, char *out,
	    size_t outsz, char *err, size_t errsz);
};

/* A file the admin uploads in the provider's own panel, built for one
 * integration (3CX's server-side CRM template): Settings › Integrations
 * offers it as a download. */
struct prov_panel_file {
	const char *label;             /* the link's text */
	const char *filename;          /* the download's name */
	const char *content_type;      /* static */
	/* The file for the integration c (its hook_url and secrets) named
	 * name, appended to out. CB_EINVAL with *why when the settings lack
	 * what it needs (a key). */
	enum cb_err (*build)(const struct prov_conf *c, const char *name,
	    struct buf *out, const char **why);
};

struct provider {
	const char *kind;              /* integrations.kind: [a-z0-9]{1,32} */
	const char *label;             /* for people: "Twilio Voice" */
	/* Where it sells: ISO 3166 alpha-2 codes, NULL-terminated; NULL =
	 * anywhere. Settings offers the kinds of the store's country first. */
	const char *const *countries;
	/* The settings form: NULL-terminated by name. */
	const struct prov_field *fields;
	/* Checks a non-secret field's value (trimmed, not empty) before it is
	 * saved: NULL when good, else words for a person shown beside the
	 * field (static). NULL member: any printable text of at most 200
	 * bytes is good. */
	const char *(*check_setting)(const char *name, const char *value);
	/* Where to paste the callback URL in the provider's panel. */
	const char *where;
	/* The zone the provider's times are in when they carry none, from
	 * config "time_zone" else the country's; NULL = its times carry a
	 * zone (then the form has no time zone field). Borrowed/static. */
	const char *(*time_zone)(struct json_object *config,
	    const char *country);
	/* The networks its webhooks come from when config has no
	 * "allowed_ips" (NULL-terminated, static), or NULL: no source check
	 * (then the form has no address list). */
	const char *const *networks;

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

	/* A login every API request needs first, or NULL (the secrets go in
	 * each request). Run by lib/dial/prepare.c for click-to-call,
	 * hang-ups, recordings and history pulls alike. */
	const struct prov_prepare *prepare;
	/* Click-to-call, or NULL: the provider cannot place calls. */
	const struct prov_dial *dial;
	/* Ends a call in progress (its provider call id), or NULL: not
	 * offered. Same contract as dial->build (with the prepare step's
	 * token in t->token); the answer is read like dial's. */
	enum cb_err (*hangup)(const struct dial_target *t, const char *call_id,
	    struct dial_request *r, char *err, size_t errsz);
	/* When the hang-up names something else than the provider's call id
	 * (Yeastar: a member's channel), or NULL: the call id. Given one of
	 * the call's stored raw events (newest first, lib/dial/hangup.c):
	 * true when it says which, the id in out ("" when the call has none
	 * left to hang up); false when this event does not say. */
	bool (*hangup_id)(const char *payload, const char *call_id,
	    char *out, size_t outsz);
	/* Recording downloads, or NULL: the provider has none. */
	const struct prov_recording *recording;
	/* "Send a test event" (issue 6 §4): the request the provider would
	 * send to hook_url, signed with the integration's secrets (see
	 * providers/test_event.h). NULL: the button is not offered. */
	enum cb_err (*test_event)(struct arena *a, const char *hook_url,
	    const char *sign_url, struct json_object *secrets, const char *did,
	    time_t now, struct test_event *out, const char **why);
	/* Call history for reconciliation, or NULL (reconcile/history.h). */
	const struct prov_history *history;
	/* A file for the provider's panel, or NULL (none to upload). */
	const struct prov_panel_file *panel_file;
};

/* Helpers for adapters. */
/* A string member of the secrets/config object, or NULL. */
const char *prov_secret(const struct prov_conf *c, const char *key);
/* A form field, else a top-level JSON string or number member (as text,
 * owned by the JSON object), else a query parameter. */
const char *prov_field(const struct prov_req *r, const char *name);

#endif
