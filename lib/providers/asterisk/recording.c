/* Asterisk's recordings: MixMonitor's files, as the generic format fetches
 * them (lib/providers/generic/recording.c); .wav unless the server says. */
#include "config.h"

#include "calls/recfetch.h"
#include "providers/asterisk/asterisk.h"
#include "providers/generic/generic.h"

static enum cb_err
asterisk_recording_plan(const char *url, struct json_object *config,
    struct json_object *secrets, struct recfetch_plan *p, char *err,
    size_t errsz)
{
	return generic_recording_plan_for("asterisk", "wav", url, config,
	    secrets, p, err, errsz);
}

const struct prov_recording asterisk_recording = {
	.plan = asterisk_recording_plan,
	.link = NULL,
};
