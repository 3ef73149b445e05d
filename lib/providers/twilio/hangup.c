/* Twilio's hang-up (the Call resource, providers.md §1.4's "Call resource
 * page"): POST /2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json with
 * Basic auth AccountSid:AuthToken and the form body Status=completed ends
 * a call in progress and every leg it <Dial>ed. The call's id is the
 * parent CallSid (twilio.c keys a call by it). Twilio answers 200 with
 * the call, or 404 for a call it does not know. */
#include "config.h"

#include <string.h>

#include "core/jsonget.h"
#include "dial/dial.h"
#include "providers/twilio/twilio.h"

#define TWILIO_API_BASE "https://api.twilio.com"

/* "CA" and 32 hex digits: nothing else may stand in the path. */
static bool
call_sid(const char *s)
{
	size_t i;

	if (strlen(s) != 34 || s[0] != 'C' || s[1] != 'A')
		return false;
	for (i = 2; i < 34; i++)
		if (strchr("0123456789abcdefABCDEF", s[i]) == NULL)
			return false;
	return true;
}

enum cb_err
twilio_hangup_build(const struct dial_target *t, const char *call_id,
    struct dial_request *r, char *err, size_t errsz)
{
	const char *sid = json_member_str(t->secrets, "account_sid");
	const char *token = json_member_str(t->secrets, "auth_token");
	char base[512];
	enum cb_err rc;

	if (sid == NULL || token == NULL || !*sid || !*token) {
		err_say(err, errsz, "Twilio: the integration has no Account "
		    "SID and Auth Token; an admin can add them in Settings › "
		    "Integrations");
		return CB_EINVAL;
	}
	if (!call_sid(call_id)) {
		err_say(err, errsz, "Twilio: this call's id is not a Twilio "
		    "CallSid, so Twilio cannot be asked to end it");
		return CB_EINVAL;
	}
	if ((rc = dial_api_base(t, TWILIO_API_BASE, base, sizeof(base), err,
	    errsz)) != CB_OK)
		return rc;
	if (!dial_fits(r->url, sizeof(r->url),
	    "%s/2010-04-01/Accounts/%s/Calls/%s.json", base, sid, call_id) ||
	    !dial_fits(r->user, sizeof(r->user), "%s", sid) ||
	    !dial_fits(r->password, sizeof(r->password), "%s", token) ||
	    strpbrk(sid, "/?#") != NULL) {
		err_say(err, errsz, "Twilio: cannot build the request");
		return CB_EINVAL;
	}
	memcpy(r->body, "Status=completed", sizeof("Status=completed"));
	r->body_len = strlen(r->body);
	r->method = HTTPC_POST;
	r->content_type = "application/x-www-form-urlencoded";
	return CB_OK;
}
