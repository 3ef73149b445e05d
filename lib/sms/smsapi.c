/* SMSAPI.pl (PL; platform-notes §a.1 [third-party code]):
 *   POST {base}/sms.do, Authorization: Bearer <OAuth token>, form to
 *   (48…), message, from (optional registered name), format=json,
 *   encoding=utf-8, test=1 when the account says so.
 * The answer's shape is not in our sources [unverified]: SMSAPI's clients
 * read {"count":1,"list":[{"id":"…","status":"QUEUE",…}]} on success and
 * {"error":13,"message":"…"} (often with HTTP 200) otherwise. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/jsonget.h"
#include "sms/registry.h"

static const struct sms_field fields[] = {
	{ "from", "Sender name", "optional: a sender name registered with "
	    "SMSAPI", false, false },
	{ "test", "Test mode", "1 = SMSAPI checks the request and sends "
	    "nothing", false, false },
	{ "token", "OAuth token", NULL, true, true },
	{ NULL, NULL, NULL, false, false }
};

static enum cb_err
build(const struct sms_send *in, struct sms_request *rq, char *err,
    size_t errsz)
{
	const char *token = sms_setting(in->secrets, "token");
	const char *from = sms_setting(in->settings, "from");
	const char *test = sms_setting(in->settings, "test");

	if (token == NULL)
		return sms_missing(&sms_smsapi, "token", err, errsz);
	sms_form_add(&rq->body, "to", in->to);
	sms_form_add(&rq->body, "message", in->text);
	if (from != NULL)
		sms_form_add(&rq->body, "from", from);
	sms_form_add(&rq->body, "format", "json");
	sms_form_add(&rq->body, "encoding", "utf-8");
	if (test != NULL && strcmp(test, "1") == 0)
		sms_form_add(&rq->body, "test", "1");
	snprintf(rq->headers[0], sizeof(rq->headers[0]),
	    "Authorization: Bearer %s", token);
	snprintf(rq->url, sizeof(rq->url), "%s/sms.do", in->base);
	rq->method = HTTPC_POST;
	rq->content_type = "application/x-www-form-urlencoded";
	return rq->body.err;
}

static void
parse(long status, const char *body, size_t len, struct sms_result *r)
{
	struct json_object *o = sms_json(body, len), *list, *first = NULL;
	const char *e = json_member_text(o, "error");
	const char *msg = json_member_str(o, "message");
	char m[200];

	sms_clean(msg, m, sizeof(m));
	if (json_object_object_get_ex(o, "list", &list) &&
	    json_object_is_type(list, json_type_array))
		first = json_object_array_get_idx(list, 0);
	if (sms_status_decides(status, m, r))
		;
	else if (e != NULL)
		sms_result_set(r, SMS_REJECTED, "SMSAPI: error %s%s%s", e,
		    m[0] ? ": " : "", m);
	else if (first != NULL && json_member_text(first, "id") != NULL) {
		sms_result_set(r, SMS_SENT, "%s", "");
		sms_clean(json_member_text(first, "id"), r->message_id,
		    sizeof(r->message_id));
	} else
		sms_result_set(r, SMS_UNKNOWN, "SMSAPI answered HTTP %ld "
		    "without a message id", status);
	json_object_put(o);
}

const struct sms_gateway sms_smsapi = {
	"smsapi", "SMSAPI.pl", "https://api.smsapi.pl", fields,
	SMS_NUM_DIGITS, build, parse
};
