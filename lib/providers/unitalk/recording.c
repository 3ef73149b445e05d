/* UniTalk recordings (providers-2.md §2.6): CALL_END's call.link, present
 * only for an answered call, on a host like
 * api.unitalk.cloud:8443/tracking/rec/... Whether it needs the API key
 * and how long it lives are unverified: the fetcher should send
 * "Authorization: <api key>" and, since the file may appear only 10–15
 * minutes after the call, retry with backoff for at least 30 minutes.
 * So: the API key goes along as "Authorization: <key>" (only to UniTalk's
 * own hosts or the integration's api_base), and a 404 is "not there
 * yet", retried with the job's backoff (recfetch_plan.missing_is_late). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/jsonget.h"
#include "providers/adapt.h"
#include "calls/recfetch.h"
#include "providers/unitalk/unitalk.h"

bool
unitalk_recording_link_ok(const char *url)
{
	const char *host;

	if (url == NULL || !adapt_printable(url) || strchr(url, ' ') != NULL)
		return false;
	if (strncmp(url, "https://", 8) == 0)
		host = url + 8;
	else if (strncmp(url, "http://", 7) == 0)
		host = url + 7;
	else
		return false;
	return *host != '\0' && *host != '/' && *host != ':';
}

/* The recording_url the events carry is the file itself (RECFETCH_FILE);
 * there is no API step, so no link(). */
static enum cb_err
unitalk_recording_plan(const char *url, struct json_object *config,
    struct json_object *secrets, struct recfetch_plan *p, char *err,
    size_t errsz)
{
	static const char *const hosts[] = { "unitalk.cloud", "nextel.com.ua",
	    NULL };
	const char *key = json_member_str(secrets, "api_key");

	snprintf(p->ext, sizeof(p->ext), "mp3");
	if (!unitalk_recording_link_ok(url)) {
		err_say(err, errsz, "UniTalk: the recording link is not an "
		    "address this provider gives");
		return CB_EINVAL;
	}
	p->step = RECFETCH_FILE;
	p->missing_is_late = true;
	if (key != NULL && *key != '\0' && strpbrk(key, "\r\n") == NULL &&
	    recfetch_creds_host(url, json_member_str(config, "api_base"),
	    hosts) && !recfetch_fits(p->file_header, sizeof(p->file_header),
	    "Authorization: %s", key)) {
		err_say(err, errsz, "UniTalk: the API key is too long");
		return CB_EINVAL;
	}
	return recfetch_fits(p->url, sizeof(p->url), "%s", url) ? CB_OK :
	    CB_EINVAL;
}

const struct prov_recording unitalk_recording = {
	.plan = unitalk_recording_plan,
	.link = NULL,
};
