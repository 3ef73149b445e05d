/* Binotel's recordings (providers.md §3.5): a URL in the event is fetched
 * as is; a generalCallID is asked of POST /api/4.0/stats/call-record.json
 * {"key","secret","generalCallID"}, whose answer has the "url". */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "calls/recfetch.h"
#include "core/jsonget.h"
#include "providers/binotel/binotel.h"

#define BINOTEL_API_BASE "https://api.binotel.com"
#define BINOTEL_RECORD_PATH "/api/4.0/stats/call-record.json"

#define say err_say
#define fits recfetch_fits
#define is_http_url recfetch_is_http_url

static enum cb_err
binotel_recording_plan(const char *url, struct json_object *config,
    struct json_object *secrets, struct recfetch_plan *p, char *err,
    size_t errsz)
{
	const char *key = json_member_str(secrets, "key");
	const char *secret = json_member_str(secrets, "secret");
	struct json_object *o;
	char base[512];
	bool ok;
	enum cb_err rc;

	snprintf(p->ext, sizeof(p->ext), "mp3");
	if (is_http_url(url)) {
		p->step = RECFETCH_FILE;
		return fits(p->url, sizeof(p->url), "%s", url) ? CB_OK :
		    CB_EINVAL;
	}
	if (strncmp(url, "ref:", 4) != 0 || url[4] == '\0' ||
	    strlen(url + 4) > 128) {
		say(err, errsz, "binotel: no generalCallID");
		return CB_EINVAL;
	}
	if (key == NULL || secret == NULL || *key == '\0' || *secret == '\0') {
		say(err, errsz, "binotel: the integration's secrets need "
		    "\"key\" and \"secret\" to ask for recordings");
		return CB_EINVAL;
	}
	if ((rc = recfetch_config_api_base(config, BINOTEL_API_BASE, "binotel",
	    base, sizeof(base), err, errsz)) != CB_OK)
		return rc;
	/* §3.5: the key and secret travel in the JSON body. */
	if ((o = json_object_new_object()) == NULL)
		return CB_ENOMEM;
	json_object_object_add(o, "key", json_object_new_string(key));
	json_object_object_add(o, "secret", json_object_new_string(secret));
	json_object_object_add(o, "generalCallID",
	    json_object_new_string(url + 4));
	ok = fits(p->body, sizeof(p->body), "%s",
	    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE)) &&
	    fits(p->url, sizeof(p->url), "%s%s", base, BINOTEL_RECORD_PATH);
	json_object_put(o);
	if (!ok) {
		say(err, errsz, "binotel: key, secret or generalCallID too long");
		return CB_EINVAL;
	}
	p->step = RECFETCH_LINK;
	return CB_OK;
}

static enum cb_err
binotel_recording_link(const char *json, size_t len, char *out, size_t outsz,
    char *err, size_t errsz)
{
	return recfetch_read_link("binotel", json, len, "url", false, out,
	    outsz, err, errsz);
}

const struct prov_recording binotel_recording = {
	.plan = binotel_recording_plan,
	.link = binotel_recording_link,
};
