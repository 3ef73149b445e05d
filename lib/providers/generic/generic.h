/* Callboard's own webhook format for any PBX (docs/generic-format.md,
 * providers.md §4.5): the parts the "generic" and "asterisk" adapters
 * share. Both read the same fields and sign the same way; they differ in
 * how a dialplan may authenticate (asterisk.c also takes a Bearer token,
 * since dialplan CURL() cannot compute an HMAC) and in the answer format
 * (JSON here, plain text for CURL() there). Everything is a pure function
 * of its arguments: no database, no network, no globals. */
#ifndef CB_PROVIDERS_GENERIC_H
#define CB_PROVIDERS_GENERIC_H

#include <stdbool.h>

#include "calls/event.h"
#include "core/buf.h"
#include "core/err.h"
#include "providers/provider.h"

extern const struct provider generic_provider;

/* Its members in other files of the folder, for the descriptor. */
extern const struct prov_dial generic_dial;      /* dial.c */
/* Signs r for the PBX when the integration has a secret (dial.c;
 * docs/generic-format.md §9): X-Timestamp t->now and X-Signature
 * sha256=<hex HMAC-SHA256(secret, timestamp "." body)>. */
enum cb_err generic_sign(const struct dial_target *t, struct dial_request *r);
/* The descriptor's hangup (hangup.c). */
enum cb_err generic_hangup_build(const struct dial_target *t,
    const char *call_id, struct dial_request *r, char *err, size_t errsz);
extern const struct prov_recording generic_recording; /* recording.c */
/* test_event.c: "Send a test event" (providers/test_event.h). */
enum cb_err generic_test_event(struct arena *a, const char *hook_url,
    const char *sign_url, struct json_object *secrets, const char *did,
    time_t now, struct test_event *out, const char **why);

/* The recording plan of a PBX in our format (recording.c), for generic
 * and asterisk: kind names it in messages, ext is the file's extension
 * when the server does not say. */
enum cb_err generic_recording_plan_for(const char *kind, const char *ext,
    const char *url, struct json_object *config, struct json_object *secrets,
    struct recfetch_plan *p, char *err, size_t errsz);

/* Seconds an X-Timestamp may differ from our clock (§4.5 (a)). */
#define GX_REPLAY_WINDOW 300

/* X-Timestamp + X-Signature: sha256=<hex HMAC-SHA256(secret,
 * timestamp "." raw body)>, the timestamp within GX_REPLAY_WINDOW of
 * r->now. The key is secrets "secret". CB_OK, or CB_EDENIED with *why
 * (a static string that never contains the secret or the signature). */
enum cb_err prov_generic_verify_hmac(const struct prov_conf *c,
    const struct prov_req *r, const char **why);

/* Fills ev (already ev_init()ed) from the request's fields: a JSON
 * object, a urlencoded form (also when the Content-Type header is
 * missing, as dialplan CURL() sends it once any header is set), and,
 * only when use_query, the query string. Signed requests must pass
 * use_query = false: the signature covers the body, not the URL.
 * CB_EINVAL with a static *why for a malformed request. */
enum cb_err prov_generic_parse(const struct prov_req *r, bool use_query,
    struct call_event *ev, const char **why);

/* A status value (ours, Asterisk DIALSTATUS or CDR disposition, any
 * case, with or without blanks, '-' or '_') as a call result for that
 * direction. RES_NONE for NULL, "" and values that say nothing yet
 * (CONTINUE, GOTO); RES_UNKNOWN for values we do not know. */
enum call_result prov_generic_result(const char *status, enum call_dir dir);

/* The routing answer as JSON: {"extension": "101" | null, "customer":
 * {"name", "url"} | null, "fallback": {"kind", "target"} | null}. ra may
 * be NULL (nothing known). Appends to out. */
enum cb_err prov_generic_route_json(const struct route_answer *ra,
    struct buf *out);

#endif
