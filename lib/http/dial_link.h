/* The "call" button beside a phone number (issue 5 §3). Every page that
 * shows a number links it through here, so the choice between the
 * provider's click-to-call and the user's own softphone lives in one place. */
#ifndef CB_HTTP_DIAL_LINK_H
#define CB_HTTP_DIAL_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/perm.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"

/* The longest SIP domain we keep: a DNS name (253) and ":65535". */
#define DIAL_SIP_DOMAIN_MAX 259

/* The href for dialling number (E.164 or as typed), in the arena:
 *   - users with the deep-link preference and a SIP domain:
 *     "sip:+380...@pbx.example.com" (their SIP client places the call
 *     through that account; no provider request);
 *   - users with the deep-link preference and no SIP domain:
 *     "tel:+380..." (the system's tel: handler opens it);
 *   - users with calls.dial: "/dial?number=...&call=<call_id>" (the dial
 *     program asks which integration when there are several, then asks the
 *     provider; call_id 0 = not from a call);
 *   - anyone else: NULL (draw no button).
 * NULL too for an empty number. */
const char *dial_href(struct arena *a, const struct user *u,
    const char *number, int64_t call_id);
/* dial_href() from a page of a store's record (an order): the provider
 * link carries "&store=<id>" (store_id > 0), so that a click calls through
 * the store's line when the user has no last-used one (cgi/dial.c). */
const char *dial_href_store(struct arena *a, const struct user *u,
    const char *number, int64_t store_id);
/* The same href appended to b (a page's rows build theirs in one reused
 * buffer); false, and b unchanged, where dial_href() gives NULL. */
bool dial_href_put(struct buf *b, const struct user *u, const char *number,
    int64_t call_id);

/* Checks a SIP domain as a user types it in their profile and writes its
 * canonical form (lower case) to out (outsz > DIAL_SIP_DOMAIN_MAX):
 * a host name (letters, digits and '-' in dot-separated labels of 1..63,
 * no '-' at either end of a label, 253 at most; RFC 1035 §2.3.1, RFC 1123
 * §2.1) or a dotted IPv4 address, optionally ":port" (1..65535), which is
 * the hostport of a SIP URI (RFC 3261 §19.1.1, §25.1) without IPv6
 * references. Surrounding blanks are ignored; anything else (a scheme, a
 * user part, a path, spaces, '@') is CB_EINVAL. An empty string is valid
 * and means "none". */
enum cb_err dial_sip_domain_parse(const char *in, char *out, size_t outsz);

#endif
