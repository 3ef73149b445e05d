/* Twilio Messaging (platform-notes §a.1, from twilio-go's
 * AccountsMessagesApi.md [official docs]):
 *   POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json
 *   Basic AccountSid:AuthToken; form To (E.164), From or
 *   MessagingServiceSid, Body.
 * 201 with {"sid":"SM…","status":"queued"|"accepted"} is accepted; an error
 * is {"code":21211,"message":"…","status":400}. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/jsonget.h"
#include "sms/registry.h"

static const struct sms_field fields[] = {
	{ "account_sid", "Account SID", "AC… from the Twilio console", false,
	    true },
	{ "from", "From", "a Twilio number in E.164 (+1…) or an alphanumeric "
	    "sender; leave empty when a Messaging Service is set", false,
	    false },
	{ "messaging_service_sid", "Messaging Service SID", "MG…, instead of "
	    "From", false, false },
	{ "auth_token", "Auth token", NULL, true, true },
	{ NULL, NULL, NULL, false, false }
};

static enum cb_err
build(const struct sms_send *in, struct sms_request *rq, char *err,
    size_t errsz)
{
	const char *sid = sms_setting(in->settings, "account_sid");
	const char *from = sms_setting(in->settings, "from");
	const char *msid = sms_setting(in->settings, "messaging_service_sid");
	const char *token = sms_setting(in->secrets, "auth_token");
	size_t i;

	if (sid == NULL)
		return sms_missing(&sms_twilio, "account_sid", err, errsz);
	if (token == NULL)
		return sms_missing(&sms_twilio, "auth_token", err, errsz);
	if (from == NULL && msid == NULL)
		return sms_missing(&sms_twilio, "from or messaging_service_sid",
		    err, errsz);
	/* The SID goes into the path: letters and digits only. */
	for (i = 0; sid[i]; i++)
		if (!((sid[i] >= '0' && sid[i] <= '9') ||
		    (sid[i] >= 'A' && sid[i] <= 'Z') ||
		    (sid[i] >= 'a' && sid[i] <= 'z')) || i > 64) {
			snprintf(err, errsz, "Twilio Messaging: the account SID "
			    "has characters other than letters and digits");
			return CB_EINVAL;
		}
	snprintf(rq->url, sizeof(rq->url),
	    "%s/2010-04-01/Accounts/%s/Messages.json", in->base, sid);
	rq->method = HTTPC_POST;
	rq->content_type = "application/x-www-form-urlencoded";
	snprintf(rq->user, sizeof(rq->user), "%s", sid);
	snprintf(rq->password, sizeof(rq->password), "%s", token);
	sms_form_add(&rq->body, "To", in->to);
	if (msid != NULL)
		sms_form_add(&rq->body, "MessagingServiceSid", msid);
	else
		sms_form_add(&rq->body, "From", from);
	sms_form_add(&rq->body, "Body", in->text);
	return rq->body.err;
}

static void
parse(long status, const char *body, size_t len, struct sms_result *r)
{
	struct json_object *o = sms_json(body, len);
	const char *sid = json_member_str(o, "sid");
	const char *st = json_member_str(o, "status");
	const char *msg = json_member_str(o, "message");
	const char *code = json_member_text(o, "code");
	char m[240];

	if (!(status >= 200 && status < 300)) {
		snprintf(m, sizeof(m), "%s%s%s", code ? code : "",
		    code && msg ? " " : "", msg ? msg : "");
		sms_status_decides(status, m, r);
	} else if (sid == NULL || strncmp(sid, "SM", 2) != 0)
		sms_result_set(r, SMS_UNKNOWN, "Twilio answered HTTP %ld "
		    "without a message SID", status);
	else if (st != NULL && (strcmp(st, "failed") == 0 ||
	    strcmp(st, "undelivered") == 0))
		sms_result_set(r, SMS_REJECTED, "Twilio: message %.40s is %s",
		    sid, st);
	else {
		sms_result_set(r, SMS_SENT, "%s", "");
		sms_clean(sid, r->message_id, sizeof(r->message_id));
	}
	json_object_put(o);
}

const struct sms_gateway sms_twilio = {
	"twilio", "Twilio Messaging", "https://api.twilio.com", fields,
	SMS_NUM_E164, build, parse
};
