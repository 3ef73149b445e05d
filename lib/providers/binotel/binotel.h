/* The binotel provider (lib/providers/binotel/): its one descriptor. */
#ifndef CB_PROVIDERS_BINOTEL_H
#define CB_PROVIDERS_BINOTEL_H

#include "providers/provider.h"

extern const struct provider binotel_provider;

/* Its members in other files of the folder, for the descriptor. */
extern const struct prov_dial binotel_dial;      /* dial.c */
/* The descriptor's hangup (hangup.c). */
enum cb_err binotel_hangup_build(const struct dial_target *t,
    const char *call_id, struct dial_request *r, char *err, size_t errsz);
extern const struct prov_recording binotel_recording;  /* recording.c */

/* test_event.c: "Send a test event" (providers/test_event.h). */
enum cb_err binotel_test_event(struct arena *a, const char *hook_url,
    const char *sign_url, struct json_object *secrets, const char *did,
    time_t now, struct test_event *out, const char **why);

#endif
