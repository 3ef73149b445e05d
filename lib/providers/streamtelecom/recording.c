/* Stream Telecom recordings (providers-2.md §4.6): Hangup's recordUrl,
 * built by the gateway as https://gate.streamtele.com/api/<name>/audio?
 * <key>. Whether a Bearer header is also needed is unverified: the
 * fetcher should try without, then with "Authorization: Bearer <api
 * key>". streamtelecom_recording fetches the link as it is (without). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "providers/adapt.h"
#include "calls/recfetch.h"
#include "providers/streamtelecom/streamtelecom.h"

bool
streamtelecom_recording_link_ok(const char *url)
{
	return url != NULL && strncmp(url, "https://", 8) == 0 &&
	    url[8] != '\0' && url[8] != '/' && adapt_printable(url) &&
	    strchr(url, ' ') == NULL;
}

/* The recording_url the events carry is the file itself (RECFETCH_FILE);
 * there is no API step, so no link(). */
static enum cb_err
streamtelecom_recording_plan(const char *url, struct json_object *config,
    struct json_object *secrets, struct recfetch_plan *p, char *err,
    size_t errsz)
{
	(void)config;
	(void)secrets;
	snprintf(p->ext, sizeof(p->ext), "mp3");
	if (!streamtelecom_recording_link_ok(url)) {
		recfetch_say(err, errsz, "Stream Telecom: the recording link is not an "
		    "address this provider gives");
		return CB_EINVAL;
	}
	p->step = RECFETCH_FILE;
	return recfetch_fits(p->url, sizeof(p->url), "%s", url) ? CB_OK :
	    CB_EINVAL;
}

const struct prov_recording streamtelecom_recording = {
	.plan = streamtelecom_recording_plan,
	.link = NULL,
};
