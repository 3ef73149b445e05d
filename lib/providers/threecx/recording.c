/* 3CX recordings (providers-2.md §6.6): the journal's [RecordingUrl],
 * fetched as it is. Whether it needs 3CX credentials and how long it lives
 * is unverified: a refusal shows on the call as the fetch's error (HTTP
 * status), and the link stays on the call. https only, or http to the
 * PBX when config allow_private_hosts lets the worker reach it. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "calls/recfetch.h"
#include "providers/adapt.h"
#include "providers/threecx/threecx.h"

static enum cb_err
threecx_recording_plan(const char *url, struct json_object *config,
    struct json_object *secrets, struct recfetch_plan *p, char *err,
    size_t errsz)
{
	size_t n;

	(void)config;
	(void)secrets;
	if (url == NULL || !recfetch_is_http_url(url) ||
	    !adapt_printable(url) || strchr(url, ' ') != NULL) {
		err_say(err, errsz, "3CX: the recording link is not an "
		    "http(s) address");
		return CB_EINVAL;
	}
	n = strcspn(url, "?#");
	snprintf(p->ext, sizeof(p->ext), "%s", n >= 4 &&
	    strncasecmp(url + n - 4, ".mp3", 4) == 0 ? "mp3" : "wav");
	p->step = RECFETCH_FILE;
	return recfetch_fits(p->url, sizeof(p->url), "%s", url) ? CB_OK :
	    CB_EINVAL;
}

const struct prov_recording threecx_recording = {
	.plan = threecx_recording_plan,
	.link = NULL,
};
