/* The Zadarma provider (lib/providers/zadarma/): its one descriptor and
 * what its files share. */
#ifndef CB_PROVIDERS_ZADARMA_H
#define CB_PROVIDERS_ZADARMA_H

#include <json-c/json.h>

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "providers/provider.h"

extern const struct provider zadarma_provider;

/* Its members in other files of the folder, for the descriptor. */
extern const struct prov_dial zadarma_dial;      /* dial.c */

/* The account's time zone: config "time_zone", else the usual zone of the
 * country; never NULL, borrowed from config or static. */
const char *zadarma_time_zone(struct json_object *config, const char *country);
extern const struct prov_recording zadarma_recording;  /* recording.c */

/* sign.c (providers.md §2.4). PHP urlencode() (RFC 1738 form): A-Za-z0-9
 * - _ . kept, space as '+', everything else %XX uppercase (§5.4). */
enum cb_err zadarma_php_urlencode(struct buf *b, const char *s);
/* The API query string: the n key/value pairs (kv[2i], kv[2i+1]) sorted
 * by key (PHP ksort) and joined with http_build_query rules. */
enum cb_err zadarma_api_query(const char *const *kv, size_t n,
    struct buf *q);
/* The value of the Authorization header, "key:signature", with
 * signature = base64(hex(HMAC-SHA1(secret, path + q + md5hex(q)))). */
enum cb_err zadarma_api_auth(const char *key, const char *secret,
    const char *method_path, const char *q, char *out, size_t outsz);

/* test_event.c: "Send a test event" (providers/test_event.h). */
enum cb_err zadarma_test_event(struct arena *a, const char *hook_url,
    const char *sign_url, struct json_object *secrets, const char *did,
    time_t now, struct test_event *out, const char **why);

#endif
