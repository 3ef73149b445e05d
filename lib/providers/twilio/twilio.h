/* The twilio provider (lib/providers/twilio/): its one descriptor. */
#ifndef CB_PROVIDERS_TWILIO_H
#define CB_PROVIDERS_TWILIO_H

#include <stddef.h>

#include "core/err.h"
#include "providers/provider.h"

extern const struct provider twilio_provider;

/* Its members in other files of the folder, for the descriptor. */
extern const struct prov_dial twilio_dial;      /* dial.c */
/* The descriptor's hangup (hangup.c). */
enum cb_err twilio_hangup_build(const struct dial_target *t,
    const char *call_id, struct dial_request *r, char *err, size_t errsz);
extern const struct prov_recording twilio_recording;   /* recording.c */

/* The media URL for a RecordingUrl: ".mp3" appended to the path unless it
 * already ends in .mp3 or .wav (providers.md §1.5). */
enum cb_err twilio_media_url(const char *recording_url, char *out,
    size_t outsz);

/* test_event.c: "Send a test event" (providers/test_event.h). */
enum cb_err twilio_test_event(struct arena *a, const char *hook_url,
    const char *sign_url, struct json_object *secrets, const char *did,
    time_t now, struct test_event *out, const char **why);

#endif
