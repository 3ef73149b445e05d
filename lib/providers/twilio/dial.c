/* Twilio's call creation (providers.md §1.4): POST
 * /2010-04-01/Accounts/{AccountSid}/Calls.json with Basic auth
 * AccountSid:AuthToken and a form body. Twilio calls `To` (the manager:
 * config "manager_to" with {extension}, by default the Twilio Client
 * identity "client:{extension}") from `From` (config "caller_id", a Twilio
 * number), and when the manager answers runs the inline `Twiml`, which
 * <Dial>s the customer. Its status callbacks go to our hook, so the call
 * appears in the history like any other. */
#include "config.h"

#include <string.h>

#include "core/buf.h"
#include "core/jsonget.h"
#include "dial/dial.h"
#include "providers/twilio/twilio.h"
#include "http/escape.h"
#include "i18n/i18n.h"

#define TWILIO_API_BASE "https://api.twilio.com"

/* "+15551234567": what may stand in callerId="" and <Number> without
 * escaping. */
static bool
plain_number(const char *s)
{
	size_t i, n = strlen(s);

	if (n < 3 || n > 20)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (i == 0 && s[i] == '+')))
			return false;
	return true;
}

static void
field(struct buf *b, const char *name, const char *value)
{
	if (b->len > 0)
		buf_putc(b, '&');
	buf_puts(b, name);
	buf_putc(b, '=');
	url_component(b, value, strlen(value));
}

static enum cb_err
twilio_dial_build(const struct dial_target *t, struct dial_request *r,
    char *err, size_t errsz)
{
	static const char *const events[] = { "initiated", "ringing",
	    "answered", "completed" };
	const char *sid = json_member_str(t->secrets, "account_sid");
	const char *token = json_member_str(t->secrets, "auth_token");
	const char *from = json_member_str(t->config, "caller_id");
	const char *to_tmpl = json_member_str(t->config, "manager_to");
	char base[512], to[256], twiml[512], cb[1024];
	const char *p;
	struct buf b;
	size_t i;
	enum cb_err rc;

	if (sid == NULL || token == NULL || !*sid || !*token) {
		err_say(err, errsz, "Twilio: the integration has no Account "
		    "SID and Auth Token; an admin can add them in Settings › "
		    "Integrations");
		return CB_EINVAL;
	}
	if (from == NULL || !plain_number(from)) {
		err_say(err, errsz, "Twilio: set caller_id (a Twilio number "
		    "such as +15551234567) in the integration's settings");
		return CB_EINVAL;
	}
	if ((rc = dial_api_base(t, TWILIO_API_BASE, base, sizeof(base), err,
	    errsz)) != CB_OK)
		return rc;
	if (to_tmpl == NULL || *to_tmpl == '\0')
		to_tmpl = "client:{extension}";
	/* {extension} → the extension; everything else as written. */
	to[0] = '\0';
	for (p = to_tmpl, i = 0; *p != '\0' && i + 1 < sizeof(to); ) {
		if (strncmp(p, "{extension}", 11) == 0) {
			size_t n = strlen(t->extension);
			if (i + n + 1 > sizeof(to))
				break;
			memcpy(to + i, t->extension, n);
			i += n;
			p += 11;
		} else
			to[i++] = *p++;
	}
	to[i] = '\0';
	if (*p != '\0' || !dial_fits(twiml, sizeof(twiml), "<Response><Dial "
	    "callerId=\"%s\"><Number>%s</Number></Dial></Response>", from,
	    t->number)) {
		err_say(err, errsz, "Twilio: manager_to is too long");
		return CB_EINVAL;
	}
	buf_init(&b, sizeof(r->body) - 1);
	field(&b, "To", to);
	field(&b, "From", from);
	field(&b, "Twiml", twiml);
	if (t->public_url != NULL && *t->public_url != '\0') {
		size_t n = strlen(t->public_url);
		while (n > 0 && t->public_url[n - 1] == '/')
			n--;
		if (dial_fits(cb, sizeof(cb), "%.*s/hook/%s", (int)n,
		    t->public_url, t->slug)) {
			field(&b, "StatusCallback", cb);
			field(&b, "StatusCallbackMethod", "POST");
			/* §1.4: the parameter repeats, once per event. */
			for (i = 0; i < sizeof(events) / sizeof(events[0]); i++)
				field(&b, "StatusCallbackEvent", events[i]);
		}
	}
	rc = b.err;
	if (rc == CB_OK && (!dial_fits(r->body, sizeof(r->body), "%s",
	    buf_cstr(&b)) || !dial_fits(r->url, sizeof(r->url),
	    "%s/2010-04-01/Accounts/%s/Calls.json", base, sid) ||
	    !dial_fits(r->user, sizeof(r->user), "%s", sid) ||
	    !dial_fits(r->password, sizeof(r->password), "%s", token)))
		rc = CB_ETOOBIG;
	buf_free(&b);
	if (rc != CB_OK) {
		err_say(err, errsz, "Twilio: cannot build the request");
		return CB_EINVAL;
	}
	r->body_len = strlen(r->body);
	r->method = HTTPC_POST;
	r->content_type = "application/x-www-form-urlencoded";
	return CB_OK;
}

/* Twilio places calls from one of its numbers: config "caller_id". */
static bool
twilio_dial_capable(struct json_object *config)
{
	return json_member_str(config, "caller_id") != NULL;
}

const struct prov_dial twilio_dial = {
	.name = "Twilio",
	.setting = PROV_DIALSET_CALLER_ID,
	.capable = twilio_dial_capable,
	.missing = N_("its caller ID (the Twilio number calls come "
	    "from)"),
	.build = twilio_dial_build,
	.says_success = false,
};
