/* Yeastar hang-up (providers-2.md §5.8, developer guide hang-up-a-call):
 *   POST {base}/openapi/v1.0/call/hangup?access_token=… {"channel_id":…}
 * → {"errcode":0,…}. The PBX hangs up a member's channel
 * ("PJSIP/1005-00000023", from the call's latest 30011), not a call id:
 * a call id is refused here with words, since the adapter does not keep
 * channels yet (docs/providers.md). */
#include "config.h"

#include <string.h>

#include "providers/adapt.h"
#include "providers/yeastar/yeastar.h"

bool
yeastar_channel_ok(const char *ch)
{
	size_t n = ch != NULL ? strlen(ch) : 0;

	return n > 2 && n <= 128 && adapt_printable(ch) &&
	    strchr(ch, '/') != NULL && strchr(ch, ' ') == NULL;
}

enum cb_err
yeastar_hangup(const struct dial_target *t, const char *channel_id,
    struct dial_request *r, char *err, size_t errsz)
{
	struct json_object *o;
	enum cb_err rc;

	if (t->token == NULL || *t->token == '\0') {
		dial_say(err, errsz, "Yeastar: no access token");
		return CB_EINVAL;
	}
	if (!yeastar_channel_ok(channel_id)) {
		dial_say(err, errsz, "Yeastar hangs up a channel "
		    "(\"PJSIP/1005-00000023\"), and this call's is not known");
		return CB_EINVAL;
	}
	o = json_object_new_object();
	json_object_object_add(o, "channel_id",
	    json_object_new_string(channel_id));
	rc = yeastar_post(t, "/openapi/v1.0/call/hangup", t->token, o, r, err,
	    errsz);
	json_object_put(o);
	return rc;
}
