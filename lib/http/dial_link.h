/* The "call" button beside a phone number (issue 5 §3). Every page that
 * shows a number links it through here, so the choice between the
 * provider's click-to-call and the user's own softphone lives in one place. */
#ifndef CB_HTTP_DIAL_LINK_H
#define CB_HTTP_DIAL_LINK_H

#include <stdint.h>

#include "auth/perm.h"
#include "core/arena.h"

/* The href for dialling number (E.164 or as typed), in the arena:
 *   - users with the deep-link preference: "tel:+380..." (their softphone
 *     opens it directly; no provider request);
 *   - users with calls.dial: "/dial?number=...&call=<call_id>" (the dial
 *     program asks which integration when there are several, then asks the
 *     provider; call_id 0 = not from a call);
 *   - anyone else: NULL (draw no button).
 * NULL too for an empty number. */
const char *dial_href(struct arena *a, const struct user *u,
    const char *number, int64_t call_id);

#endif
