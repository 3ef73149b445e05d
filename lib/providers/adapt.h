/* Pieces the second-wave adapters share (providers-2.md: Phonet, UniTalk,
 * Stream Telecom, Yeastar): reading nested fields of a form or JSON body,
 * source-address allow-lists, the key in the callback URL, epoch and
 * zone-less times. Pure functions, like the adapters that use them. */
#ifndef CB_PROVIDERS_ADAPT_H
#define CB_PROVIDERS_ADAPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "calls/event.h"
#include "core/err.h"
#include "providers/provider.h"

/* A scalar of o by a PHP-style path ("leg[ext]", "otherLegs[0][num]"),
 * walked through objects and arrays: the text of a string, number or
 * boolean, owned by o. NULL when absent, null, not a scalar or holding an
 * embedded NUL. */
const char *adapt_json_path(struct json_object *o, const char *path);
/* The same for a request: the literal form field of that name first (a
 * form body spells nesting in its names), else the JSON body's path. */
const char *adapt_path(const struct prov_req *r, const char *path);
/* Whether a JSON value at path is present and not null. */
bool adapt_json_present(struct json_object *o, const char *path);

/* Printable ASCII (0x20..0x7e) only. */
bool adapt_printable(const char *s);
/* A text value: NULL or "" → *out NULL (CB_EINVAL with *why = bad if
 * required); longer than cap - 1 bytes, or not printable ASCII when
 * ascii, → CB_EINVAL with *why = bad. "null" (Stream Telecom writes absent
 * values so, providers-2.md §4.1) is absent when null_word. */
enum cb_err adapt_text(const char *v, size_t cap, bool required, bool ascii,
    bool null_word, const char *bad, const char **out, const char **why);

/* Whether remote is in config "allowed_ips" (a JSON list of addresses and
 * prefixes), else in defaults (NULL-terminated; NULL = none). A config
 * value that is not a list allows nobody (fail closed). */
bool adapt_ip_allowed(const struct prov_conf *c, const char *const *defaults,
    const char *remote);

/* The key in the callback URL (?key=...), our own hardening for
 * providers that sign nothing: ADAPT_KEY_NONE when the integration has no
 * secrets "key", ADAPT_KEY_OK when the query's key equals it (constant
 * time), else ADAPT_KEY_BAD (missing or wrong). */
enum adapt_key { ADAPT_KEY_NONE, ADAPT_KEY_OK, ADAPT_KEY_BAD };
enum adapt_key adapt_url_key(const struct prov_conf *c,
    const struct prov_req *r);

/* verify() for providers that sign nothing and publish no addresses
 * (Stream Telecom, Yeastar): the URL key is required (a missing one in
 * the settings refuses everything: fail closed), and config
 * "allowed_ips", when set, as well. CB_OK or CB_EDENIED with *why. */
enum cb_err adapt_verify_url_key(const struct prov_conf *c,
    const struct prov_req *r, const char **why);

/* An epoch value as unix milliseconds: below 10^12 it is seconds, from
 * 10^12 milliseconds (providers-2.md §1.3: Phonet mixes both; Stream
 * Telecom sends milliseconds). Digits only, 1970..2100. */
enum cb_err adapt_epoch_ms(const char *s, int64_t *ms);
/* "YYYY-MM-DD HH:MM:SS" of wall-clock time in zone tz (an IANA name) →
 * unix milliseconds. CB_EINVAL for anything else. */
enum cb_err adapt_local_ms(const char *s, const char *tz, int64_t *ms);
/* The integration's config "time_zone", else dflt (providers that send
 * times without an offset, providers-2.md §0.1). Borrowed. */
const char *adapt_time_zone(struct json_object *config, const char *dflt);

/* ev->event_id = a ":" b [":" c]; left empty (the pipeline then hashes
 * the payload) when it does not fit. */
void adapt_event_id(struct call_event *ev, const char *a, const char *b,
    const char *c);
/* ev->type_name from the provider's own name, cut to fit. */
void adapt_type_name(struct call_event *ev, const char *name);

struct arena;
struct test_event;
/* "Send a test event" for the JSON providers: POSTs body (consumed) to
 * hook_url, with ?key=<key> added when key is not NULL; the hook must store
 * the call external_id. CB_ETOOBIG when it does not fit. */
enum cb_err adapt_test_event(struct arena *a, const char *hook_url,
    const char *key, struct json_object *body, const char *external_id,
    struct test_event *ev);

#endif
