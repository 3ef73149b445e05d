/* SMS.ru (RU; platform-notes §a.1 [third-party code]):
 *   GET {base}/sms/send?api_id=<key>&to=<digits>&msg=<text>&json=1
 *   (&from=<sender> when set).
 * Accepted when "status":"OK" and the recipient's own entry in "sms" says
 * "OK" too (with its sms_id); otherwise refused with status_text. The key
 * travels in the URL, as the API wants: httpc never puts a URL into its
 * error texts, and the outbox logs only the origin. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/jsonget.h"
#include "sms/registry.h"

static const struct sms_field fields[] = {
	{ "from", "Sender name", "optional: a name approved by SMS.ru", false,
	    false },
	{ "api_id", "api_id", NULL, true, true },
	{ NULL, NULL, NULL, false, false }
};

static enum cb_err
build(const struct sms_send *in, struct sms_request *rq, char *err,
    size_t errsz)
{
	const char *key = sms_setting(in->secrets, "api_id");
	const char *from = sms_setting(in->settings, "from");
	struct buf q;
	int n;

	if (key == NULL)
		return sms_missing(&sms_smsru, "api_id", err, errsz);
	buf_init(&q, sizeof(rq->url) - 64);
	sms_form_add(&q, "api_id", key);
	sms_form_add(&q, "to", in->to);
	sms_form_add(&q, "msg", in->text);
	if (from != NULL)
		sms_form_add(&q, "from", from);
	sms_form_add(&q, "json", "1");
	if (q.err != CB_OK) {
		snprintf(err, errsz, "SMS.ru: the text is too long for a URL");
		buf_free(&q);
		return CB_EINVAL;
	}
	n = snprintf(rq->url, sizeof(rq->url), "%s/sms/send?%s", in->base,
	    buf_cstr(&q));
	explicit_bzero(q.p, q.cap);
	buf_free(&q);
	if (n < 0 || (size_t)n >= sizeof(rq->url)) {
		snprintf(err, errsz, "SMS.ru: the text is too long for a URL");
		return CB_EINVAL;
	}
	rq->method = HTTPC_GET;
	return CB_OK;
}

static void
parse(long status, const char *body, size_t len, struct sms_result *r)
{
	struct json_object *o = sms_json(body, len), *sms, *one = NULL;
	const char *st = json_member_str(o, "status");
	const char *text = json_member_str(o, "status_text");
	char m[200];

	if (json_object_object_get_ex(o, "sms", &sms) &&
	    json_object_is_type(sms, json_type_object)) {
		/* One recipient per request: its entry is the only one. */
		json_object_object_foreach(sms, k, v) {
			(void)k;
			one = v;
			break;
		}
	}
	if (one != NULL && json_member_str(one, "status") != NULL &&
	    strcmp(json_member_str(one, "status"), "OK") != 0) {
		st = json_member_str(one, "status");
		text = json_member_str(one, "status_text");
	}
	sms_clean(text, m, sizeof(m));
	if (sms_status_decides(status, m, r))
		;
	else if (st == NULL)
		sms_result_set(r, SMS_UNKNOWN, "SMS.ru answered HTTP %ld "
		    "without a status", status);
	else if (strcmp(st, "OK") != 0)
		sms_result_set(r, SMS_REJECTED, "SMS.ru: %s", m[0] ? m :
		    "ERROR");
	else {
		sms_result_set(r, SMS_SENT, "%s", "");
		sms_clean(json_member_text(one, "sms_id"), r->message_id,
		    sizeof(r->message_id));
	}
	json_object_put(o);
}

const struct sms_gateway sms_smsru = {
	"smsru", "SMS.ru", "https://sms.ru", fields, SMS_NUM_DIGITS, build,
	parse
};
