/* TurboSMS (UA; platform-notes §a.1 [third-party code]):
 *   POST {base}/message/send.json, Authorization: Bearer <token>,
 *   {"recipients":["380…"],"sms":{"sender":"<alpha name>","text":"…"}}
 * The answer has response_code (0 = OK in the clients we know),
 * response_status, and result[] (or response_result[]) with message_id per
 * recipient. Anything but 0 is refused with its response_status. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/jsonget.h"
#include "sms/registry.h"

static const struct sms_field fields[] = {
	{ "sender", "Sender name", "the alpha name registered in TurboSMS",
	    false, true },
	{ "token", "API token", NULL, true, true },
	{ NULL, NULL, NULL, false, false }
};

static enum cb_err
build(const struct sms_send *in, struct sms_request *rq, char *err,
    size_t errsz)
{
	const char *sender = sms_setting(in->settings, "sender");
	const char *token = sms_setting(in->secrets, "token");
	struct json_object *o, *sms, *to;

	if (sender == NULL)
		return sms_missing(&sms_turbosms, "sender", err, errsz);
	if (token == NULL)
		return sms_missing(&sms_turbosms, "token", err, errsz);
	o = json_object_new_object();
	to = json_object_new_array();
	sms = json_object_new_object();
	json_object_array_add(to, json_object_new_string(in->to));
	json_object_object_add(o, "recipients", to);
	json_object_object_add(sms, "sender", json_object_new_string(sender));
	json_object_object_add(sms, "text", json_object_new_string(in->text));
	json_object_object_add(o, "sms", sms);
	buf_puts(&rq->body, json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	snprintf(rq->headers[0], sizeof(rq->headers[0]),
	    "Authorization: Bearer %s", token);
	snprintf(rq->url, sizeof(rq->url), "%s/message/send.json", in->base);
	rq->method = HTTPC_POST;
	rq->content_type = "application/json";
	return rq->body.err;
}

static void
parse(long status, const char *body, size_t len, struct sms_result *r)
{
	struct json_object *o = sms_json(body, len), *res = NULL, *first;
	const char *code = json_member_text(o, "response_code");
	const char *st = json_member_str(o, "response_status");
	char m[200];

	sms_clean(st, m, sizeof(m));
	if (sms_status_decides(status, m, r))
		;
	else if (code == NULL)
		sms_result_set(r, SMS_UNKNOWN, "TurboSMS answered HTTP %ld "
		    "without a response_code", status);
	else if (strcmp(code, "0") != 0)
		sms_result_set(r, SMS_REJECTED, "TurboSMS: %s %s", code,
		    m[0] ? m : "error");
	else {
		sms_result_set(r, SMS_SENT, "%s", "");
		if (!json_object_object_get_ex(o, "result", &res))
			json_object_object_get_ex(o, "response_result", &res);
		if (json_object_is_type(res, json_type_array) &&
		    (first = json_object_array_get_idx(res, 0)) != NULL)
			sms_clean(json_member_text(first, "message_id"),
			    r->message_id, sizeof(r->message_id));
	}
	json_object_put(o);
}

const struct sms_gateway sms_turbosms = {
	"turbosms", "TurboSMS", "https://api.turbosms.ua", fields,
	SMS_NUM_DIGITS, build, parse
};
