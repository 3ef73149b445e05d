/* SMSC (smsc.ua / smsc.ru; platform-notes §a.1 [third-party code]):
 *   POST {base}/sys/send.php, form login, psw, phones, mes, sender
 *   (optional), charset=utf-8, fmt=3 (a JSON answer).
 * The answer's shape is not in our sources [unverified]: SMSC's own page
 * describes {"id":N,"cnt":N} on success and {"error":"…","error_code":N}
 * otherwise, which is what this reads; any other 2xx is "unknown". */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/jsonget.h"
#include "sms/registry.h"

static const struct sms_field fields[] = {
	{ "login", "Login", NULL, false, true },
	{ "sender", "Sender name", "optional: a name registered with SMSC",
	    false, false },
	{ "psw", "Password", NULL, true, true },
	{ NULL, NULL, NULL, false, false }
};

static enum cb_err
build(const struct sms_send *in, struct sms_request *rq, char *err,
    size_t errsz)
{
	const char *login = sms_setting(in->settings, "login");
	const char *sender = sms_setting(in->settings, "sender");
	const char *psw = sms_setting(in->secrets, "psw");

	if (login == NULL)
		return sms_missing(&sms_smsc, "login", err, errsz);
	if (psw == NULL)
		return sms_missing(&sms_smsc, "psw", err, errsz);
	sms_form_add(&rq->body, "login", login);
	sms_form_add(&rq->body, "psw", psw);
	sms_form_add(&rq->body, "phones", in->to);
	sms_form_add(&rq->body, "mes", in->text);
	if (sender != NULL)
		sms_form_add(&rq->body, "sender", sender);
	sms_form_add(&rq->body, "charset", "utf-8");
	sms_form_add(&rq->body, "fmt", "3");
	snprintf(rq->url, sizeof(rq->url), "%s/sys/send.php", in->base);
	rq->method = HTTPC_POST;
	rq->content_type = "application/x-www-form-urlencoded";
	return rq->body.err;
}

static void
parse(long status, const char *body, size_t len, struct sms_result *r)
{
	struct json_object *o = sms_json(body, len);
	const char *id = json_member_text(o, "id");
	const char *e = json_member_text(o, "error");
	const char *code = json_member_text(o, "error_code");
	char m[200];

	sms_clean(e, m, sizeof(m));
	if (sms_status_decides(status, m, r))
		;
	else if (e != NULL || code != NULL)
		sms_result_set(r, SMS_REJECTED, "SMSC: error %s%s%s",
		    code ? code : "?", m[0] ? ": " : "", m);
	else if (id != NULL) {
		sms_result_set(r, SMS_SENT, "%s", "");
		sms_clean(id, r->message_id, sizeof(r->message_id));
	} else
		sms_result_set(r, SMS_UNKNOWN, "SMSC answered HTTP %ld "
		    "without an id or an error", status);
	json_object_put(o);
}

const struct sms_gateway sms_smsc = {
	"smsc", "SMSC", "https://smsc.ua", fields, SMS_NUM_DIGITS, build,
	parse
};
