/* Twilio's recordings (providers.md §1.5): the RecordingUrl with ".mp3",
 * or for a bare RecordingSid the media URL under the account, fetched with
 * Basic auth AccountSid:AuthToken. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "calls/recfetch.h"
#include "core/jsonget.h"
#include "providers/twilio/twilio.h"

#define TWILIO_API_BASE "https://api.twilio.com"

#define say err_say
#define fits recfetch_fits
#define is_http_url recfetch_is_http_url

enum cb_err
twilio_media_url(const char *recording_url, char *out, size_t outsz)
{
	const char *q;
	size_t n;

	if (recording_url == NULL || !is_http_url(recording_url))
		return CB_EINVAL;
	q = recording_url + strcspn(recording_url, "?#");
	n = (size_t)(q - recording_url);
	if ((n >= 4 && (strncasecmp(q - 4, ".mp3", 4) == 0 ||
	    strncasecmp(q - 4, ".wav", 4) == 0)))
		return fits(out, outsz, "%s", recording_url) ? CB_OK :
		    CB_EINVAL;
	return fits(out, outsz, "%.*s.mp3%s", (int)n, recording_url, q) ?
	    CB_OK : CB_EINVAL;
}

static enum cb_err
twilio_recording_plan(const char *url, struct json_object *config,
    struct json_object *secrets, struct recfetch_plan *p, char *err,
    size_t errsz)
{
	const char *sid = json_member_str(secrets, "account_sid");
	const char *token = json_member_str(secrets, "auth_token");
	char base[512];
	const char *c;
	enum cb_err rc;

	if (strncmp(url, "ref:", 4) == 0) {
		/* Only a RecordingSid: build the media URL (§1.5). */
		url += 4;
		for (c = url; *c != '\0'; c++)
			if (!isalnum((unsigned char)*c))
				break;
		if (*url == '\0' || *c != '\0' || strlen(url) > 64 ||
		    sid == NULL) {
			say(err, errsz, "twilio: cannot build a media URL "
			    "from this recording id");
			return CB_EINVAL;
		}
		if ((rc = recfetch_config_api_base(config, TWILIO_API_BASE,
		    "twilio", base, sizeof(base), err, errsz)) != CB_OK)
			return rc;
		for (c = sid; isalnum((unsigned char)*c); c++)
			;
		if (*sid == '\0' || *c != '\0' || !fits(p->url,
		    sizeof(p->url), "%s/2010-04-01/Accounts/%s/Recordings/%s.mp3",
		    base, sid, url)) {
			say(err, errsz, "twilio: bad account_sid");
			return CB_EINVAL;
		}
	} else if (twilio_media_url(url, p->url, sizeof(p->url)) !=
	    CB_OK) {
		say(err, errsz, "twilio: the recording URL is not an http(s) "
		    "URL");
		return CB_EINVAL;
	}
	/* §1.5: media may require Basic auth; always sending it is
	 * harmless (over https). */
	if (sid != NULL && token != NULL &&
	    recfetch_creds_allowed(p->url, NULL) &&
	    !recfetch_set_creds(p, sid, token)) {
		say(err, errsz, "twilio: account_sid or auth_token too long");
		return CB_EINVAL;
	}
	snprintf(p->ext, sizeof(p->ext), "mp3");
	return CB_OK;
}

const struct prov_recording twilio_recording = {
	.plan = twilio_recording_plan,
	.link = NULL,
};
