/* Stream Telecom recordings (providers-2.md §4.6): Hangup's recordUrl,
 * built by the gateway as https://gate.streamtele.com/api/<name>/audio?
 * <key>. Whether a Bearer header is also needed is unverified, so the
 * file is asked for without, and after a 401/403 once more with
 * "Authorization: Bearer <api key>" (recfetch_plan.retry_header), the
 * key going only to Stream Telecom's own hosts over https. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/jsonget.h"
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
	static const char *const hosts[] = { "streamtele.com", NULL };
	const char *key = json_member_str(secrets, "api_key");

	(void)config;
	snprintf(p->ext, sizeof(p->ext), "mp3");
	if (!streamtelecom_recording_link_ok(url)) {
		err_say(err, errsz, "Stream Telecom: the recording link is not an "
		    "address this provider gives");
		return CB_EINVAL;
	}
	p->step = RECFETCH_FILE;
	if (key != NULL && *key != '\0' && strpbrk(key, "\r\n") == NULL &&
	    recfetch_creds_host(url, NULL, hosts) &&
	    !recfetch_fits(p->retry_header, sizeof(p->retry_header),
	    "Authorization: Bearer %s", key)) {
		err_say(err, errsz, "Stream Telecom: the API key is too "
		    "long");
		return CB_EINVAL;
	}
	return recfetch_fits(p->url, sizeof(p->url), "%s", url) ? CB_OK :
	    CB_EINVAL;
}

const struct prov_recording streamtelecom_recording = {
	.plan = streamtelecom_recording_plan,
	.link = NULL,
};
