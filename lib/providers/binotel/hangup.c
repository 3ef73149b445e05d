/* Binotel's hang-up (providers.md §3.4, "Other call methods"): POST
 * /api/4.0/calls/hangup-call.json with the key and secret in the JSON body
 * (API 4.0 has no signature) and the call's generalCallID, sent as the
 * text Binotel gave it (as recording.c does for stats/call-record).
 * Binotel answers {"status":"success"} (its dial's says_success reads
 * it). */
#include "config.h"

#include <string.h>

#include "core/jsonget.h"
#include "dial/dial.h"
#include "providers/binotel/binotel.h"

#define BINOTEL_API_BASE "https://api.binotel.com"
#define BINOTEL_HANGUP_PATH "/api/4.0/calls/hangup-call.json"

enum cb_err
binotel_hangup_build(const struct dial_target *t, const char *call_id,
    struct dial_request *r, char *err, size_t errsz)
{
	const char *key = json_member_str(t->secrets, "key");
	const char *secret = json_member_str(t->secrets, "secret");
	struct json_object *o;
	char base[512];
	enum cb_err rc;

	if (key == NULL || secret == NULL || !*key || !*secret) {
		err_say(err, errsz, "Binotel: the integration has no API key "
		    "and secret; an admin can add them in Settings › "
		    "Integrations");
		return CB_EINVAL;
	}
	if ((rc = dial_api_base(t, BINOTEL_API_BASE, base, sizeof(base), err,
	    errsz)) != CB_OK)
		return rc;
	o = json_object_new_object();
	json_object_object_add(o, "key", json_object_new_string(key));
	json_object_object_add(o, "secret", json_object_new_string(secret));
	json_object_object_add(o, "generalCallID",
	    json_object_new_string(call_id));
	rc = dial_fits(r->body, sizeof(r->body), "%s",
	    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE)) &&
	    dial_fits(r->url, sizeof(r->url), "%s%s", base,
	    BINOTEL_HANGUP_PATH) ? CB_OK : CB_EINVAL;
	json_object_put(o);
	if (rc != CB_OK) {
		err_say(err, errsz, "Binotel: cannot build the request");
		return rc;
	}
	r->body_len = strlen(r->body);
	r->method = HTTPC_POST;
	r->content_type = "application/json";
	return CB_OK;
}
