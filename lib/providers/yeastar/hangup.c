/* Yeastar hang-up (providers-2.md §5.8, developer guide hang-up-a-call):
 *   POST {base}/openapi/v1.0/call/hangup?access_token=… {"channel_id":…}
 * → {"errcode":0,…}. The PBX hangs up a member's channel
 * ("PJSIP/1005-00000023", from the call's latest 30011), not a call id.
 * The adapter keeps no channels: yeastar_hangup_id() reads it from the
 * call's stored raw events at hang-up time (lib/dial/hangup.c
 * dial_hangup_id()). A call id is refused here with words. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "providers/adapt.h"
#include "providers/yeastar/yeastar.h"

bool
yeastar_channel_ok(const char *ch)
{
	size_t n = ch != NULL ? strlen(ch) : 0;

	return n > 2 && n <= 128 && adapt_printable(ch) &&
	    strchr(ch, '/') != NULL && strchr(ch, ' ') == NULL;
}

/* A JSON text parsed with a depth cap, or NULL. */
static struct json_object *
parse(const char *text)
{
	struct json_tokener *tok = json_tokener_new_ex(16);
	struct json_object *o;

	if (tok == NULL)
		return NULL;
	o = json_tokener_parse_ex(tok, text, (int)strlen(text));
	if (json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

/* member's channel when it is still on the call (not BYE) and looks like
 * one, else NULL. */
static const char *
live_channel(struct json_object *side)
{
	struct json_object *ch, *st;
	const char *c;

	if (!json_object_object_get_ex(side, "channel_id", &ch) ||
	    !json_object_is_type(ch, json_type_string))
		return NULL;
	c = json_object_get_string(ch);
	if (json_object_object_get_ex(side, "member_status", &st) &&
	    json_object_is_type(st, json_type_string) &&
	    strcasecmp(json_object_get_string(st), "BYE") == 0)
		return NULL;
	return yeastar_channel_ok(c) ? c : NULL;
}

/* Which channel ends the call: the outside party's (inbound or outbound
 * member: hanging it up ends the call for every extension, as a transfer
 * or a ring group leaves several), else an extension's. */
bool
yeastar_hangup_id(const char *payload, const char *call_id, char *out,
    size_t outsz)
{
	struct json_object *o, *v, *msg = NULL, *list, *side;
	const char *outside = NULL, *ext = NULL, *c;
	bool said = false;
	size_t i, n;

	if ((o = parse(payload)) == NULL)
		return false;
	if (!json_object_object_get_ex(o, "type", &v) ||
	    json_object_get_int(v) != 30011 ||
	    !json_object_object_get_ex(o, "msg", &v))
		goto out;
	if (json_object_is_type(v, json_type_string))
		msg = parse(json_object_get_string(v));
	else if (json_object_is_type(v, json_type_object))
		msg = json_object_get(v);
	if (msg == NULL || !json_object_object_get_ex(msg, "call_id", &v) ||
	    strcmp(json_object_get_string(v), call_id) != 0 ||
	    !json_object_object_get_ex(msg, "members", &list) ||
	    !json_object_is_type(list, json_type_array))
		goto out;
	n = json_object_array_length(list);
	for (i = 0; i < n && i < 32; i++) {
		struct json_object *m = json_object_array_get_idx(list, i);

		if (json_object_object_get_ex(m, "extension", &side)) {
			if (ext == NULL)
				ext = live_channel(side);
		} else if ((json_object_object_get_ex(m, "inbound", &side) ||
		    json_object_object_get_ex(m, "outbound", &side)) &&
		    outside == NULL)
			outside = live_channel(side);
	}
	/* The latest state says it: a live channel, or none (all BYE). */
	said = true;
	c = outside != NULL ? outside : ext;
	snprintf(out, outsz, "%s", c != NULL ? c : "");
out:
	json_object_put(msg);
	json_object_put(o);
	return said;
}

enum cb_err
yeastar_hangup(const struct dial_target *t, const char *channel_id,
    struct dial_request *r, char *err, size_t errsz)
{
	struct json_object *o;
	enum cb_err rc;

	if (t->token == NULL || *t->token == '\0') {
		err_say(err, errsz, "Yeastar: no access token");
		return CB_EINVAL;
	}
	if (!yeastar_channel_ok(channel_id)) {
		err_say(err, errsz, "Yeastar hangs up a channel "
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
