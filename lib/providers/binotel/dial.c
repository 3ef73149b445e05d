/* Binotel's extension-to-number call (providers.md §3.4): POST
 * /api/4.0/calls/internal-number-to-external-number.json with the key and
 * secret in the JSON body (API 4.0 has no signature). Binotel rings
 * internalNumber first. externalNumber is the national form for Ukrainian
 * numbers ("0671234567", as Binotel's own validator wants); other numbers
 * go as international digits. */
#include "config.h"

#include <string.h>

#include "core/jsonget.h"
#include "dial/dial.h"
#include "providers/binotel/binotel.h"

#define BINOTEL_API_BASE "https://api.binotel.com"
#define BINOTEL_CALL_PATH \
	"/api/4.0/calls/internal-number-to-external-number.json"

static enum cb_err
binotel_dial_build(const struct dial_target *t, struct dial_request *r,
    char *err, size_t errsz)
{
	const char *key = json_member_str(t->secrets, "key");
	const char *secret = json_member_str(t->secrets, "secret");
	struct json_object *o;
	char base[512], external[40];
	const char *s;
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
	if (strncmp(t->number, "+380", 4) == 0)
		dial_fits(external, sizeof(external), "0%s", t->number + 4);
	else
		dial_fits(external, sizeof(external), "%s",
		    t->number[0] == '+' ? t->number + 1 : t->number);
	o = json_object_new_object();
	json_object_object_add(o, "key", json_object_new_string(key));
	json_object_object_add(o, "secret", json_object_new_string(secret));
	json_object_object_add(o, "internalNumber",
	    json_object_new_string(t->extension));
	json_object_object_add(o, "externalNumber",
	    json_object_new_string(external));
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	rc = dial_fits(r->body, sizeof(r->body), "%s", s) &&
	    dial_fits(r->url, sizeof(r->url), "%s%s", base,
	    BINOTEL_CALL_PATH) ? CB_OK : CB_EINVAL;
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

const struct prov_dial binotel_dial = {
	.name = "Binotel",
	.setting = PROV_DIALSET_NONE,
	.capable = NULL,
	.missing = NULL,
	.build = binotel_dial_build,
	.says_success = true,
};
