/* Ringostat recordings (providers-2.md §3.6): the after-call webhook's and
 * the call log's recording_wav (or recording), a signed link. Its
 * lifetime is unverified: the worker fetches it soon after the event, and
 * a failed link is fetched again from the call log by the next
 * reconciliation (same call, same link field). */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "calls/recfetch.h"
#include "providers/adapt.h"
#include "providers/ringostat/ringostat.h"

bool
ringostat_recording_link_ok(const char *url)
{
	return url != NULL && strncmp(url, "https://", 8) == 0 &&
	    url[8] != '\0' && url[8] != '/' && adapt_printable(url) &&
	    strchr(url, ' ') == NULL;
}

/* The link is the file (RECFETCH_FILE): no API step, so no link(). */
static enum cb_err
ringostat_recording_plan(const char *url, struct json_object *config,
    struct json_object *secrets, struct recfetch_plan *p, char *err,
    size_t errsz)
{
	size_t n;

	(void)config;
	(void)secrets;
	if (!ringostat_recording_link_ok(url)) {
		err_say(err, errsz, "Ringostat: the recording link is not "
		    "an address this provider gives");
		return CB_EINVAL;
	}
	/* recording_wav is a WAV file; a path ending in .mp3 an MP3 [U]. */
	n = strcspn(url, "?#");
	snprintf(p->ext, sizeof(p->ext), "%s", n >= 4 &&
	    strncasecmp(url + n - 4, ".mp3", 4) == 0 ? "mp3" : "wav");
	p->step = RECFETCH_FILE;
	return recfetch_fits(p->url, sizeof(p->url), "%s", url) ? CB_OK :
	    CB_EINVAL;
}

const struct prov_recording ringostat_recording = {
	.plan = ringostat_recording_plan,
	.link = NULL,
};
