/* Zadarma SMS (platform-notes §a.1, §a.6):
 *   POST {base}/v1/sms/send/, form number (digits), message, optional
 *   caller_id, format=json; Authorization: <key>:<signature> signed like
 *   every Zadarma API call (providers.md §2.4: the sorted query, PHP
 *   urlencode rules), so the body is exactly the signed query.
 * {"status":"success",…} is accepted (Zadarma returns no message id);
 * {"status":"error","message":"…"} is refused. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/jsonget.h"
#include "providers/zadarma/zadarma.h"
#include "sms/registry.h"

#define ZADARMA_SMS_PATH "/v1/sms/send/"

static const struct sms_field fields[] = {
	{ "key", "API key", "Settings › API in the Zadarma cabinet", false,
	    true },
	{ "caller_id", "Sender (caller_id)", "optional: a number or name "
	    "registered with Zadarma", false, false },
	{ "secret", "API secret", NULL, true, true },
	{ NULL, NULL, NULL, false, false }
};

static enum cb_err
build(const struct sms_send *in, struct sms_request *rq, char *err,
    size_t errsz)
{
	const char *key = sms_setting(in->settings, "key");
	const char *cid = sms_setting(in->settings, "caller_id");
	const char *secret = sms_setting(in->secrets, "secret");
	const char *kv[8];
	char auth[256];
	size_t n = 0;
	enum cb_err rc;

	if (key == NULL)
		return sms_missing(&sms_zadarma, "key", err, errsz);
	if (secret == NULL)
		return sms_missing(&sms_zadarma, "secret", err, errsz);
	kv[n++] = "number";
	kv[n++] = in->to;
	kv[n++] = "message";
	kv[n++] = in->text;
	if (cid != NULL) {
		kv[n++] = "caller_id";
		kv[n++] = cid;
	}
	kv[n++] = "format";
	kv[n++] = "json";
	if ((rc = zadarma_api_query(kv, n / 2, &rq->body)) != CB_OK ||
	    (rc = zadarma_api_auth(key, secret, ZADARMA_SMS_PATH,
	    buf_cstr(&rq->body), auth, sizeof(auth))) != CB_OK) {
		snprintf(err, errsz, "Zadarma SMS: cannot sign the request: %s",
		    cb_strerror(rc));
		return rc;
	}
	snprintf(rq->headers[0], sizeof(rq->headers[0]), "Authorization: %s",
	    auth);
	explicit_bzero(auth, sizeof(auth));
	snprintf(rq->url, sizeof(rq->url), "%s%s", in->base, ZADARMA_SMS_PATH);
	rq->method = HTTPC_POST;
	rq->content_type = "application/x-www-form-urlencoded";
	return CB_OK;
}

static void
parse(long status, const char *body, size_t len, struct sms_result *r)
{
	struct json_object *o = sms_json(body, len);
	const char *st = json_member_str(o, "status");
	const char *msg = json_member_str(o, "message");

	if (sms_status_decides(status, msg, r))
		;
	else if (st != NULL && strcmp(st, "success") == 0)
		sms_result_set(r, SMS_SENT, "%s", "");
	else if (st != NULL && strcmp(st, "error") == 0) {
		char m[200];

		sms_clean(msg, m, sizeof(m));
		sms_result_set(r, SMS_REJECTED, "Zadarma: %s", m[0] ? m :
		    "error");
	} else
		sms_result_set(r, SMS_UNKNOWN, "Zadarma answered HTTP %ld "
		    "without a status", status);
	json_object_put(o);
}

const struct sms_gateway sms_zadarma = {
	"zadarma", "Zadarma SMS", "https://api.zadarma.com", fields,
	SMS_NUM_DIGITS, build, parse
};
