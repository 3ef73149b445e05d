/* UniTalk click-to-call (providers-2.md §2.7, community code [third-party
 * code, source not named]): POST {api_base}/phones/directCall with
 * "Authorization: <key>" and the form sip=<extension>&number=<client>;
 * {"status":"Success"} when accepted. Every API method is POST; the base
 * differs between copies of the docs (§2.4), so config "api_base" may
 * override it. No hang-up request was found. unitalk_dial is the
 * descriptor's .dial. */
#include "config.h"

#include <string.h>

#include "core/buf.h"
#include "core/jsonget.h"
#include "http/escape.h"
#include "providers/unitalk/unitalk.h"


enum cb_err
unitalk_dial_build(const struct dial_target *t, struct dial_request *r,
    char *err, size_t errsz)
{
	const char *key = json_member_str(t->secrets, "api_key");
	char base[512];
	struct buf form;
	enum cb_err rc;

	if (key == NULL || *key == '\0' || strpbrk(key, "\r\n") != NULL) {
		err_say(err, errsz, "UniTalk: the integration has no API key "
		    "(cabinet › API); an admin can add it in Settings › "
		    "Integrations");
		return CB_EINVAL;
	}
	if ((rc = dial_api_base(t, UNITALK_API_BASE, base, sizeof(base), err,
	    errsz)) != CB_OK)
		return rc;
	buf_init(&form, sizeof(r->body) - 1);
	buf_puts(&form, "sip=");
	url_component(&form, t->extension, strlen(t->extension));
	buf_puts(&form, "&number=");
	url_component(&form, t->number, strlen(t->number));
	rc = form.err == CB_OK &&
	    dial_fits(r->url, sizeof(r->url), "%s/phones/directCall", base) &&
	    dial_fits(r->body, sizeof(r->body), "%s", buf_cstr(&form)) &&
	    dial_fits(r->headers[0], sizeof(r->headers[0]),
	    "Authorization: %s", key) ? CB_OK : CB_EINVAL;
	buf_free(&form);
	if (rc != CB_OK) {
		err_say(err, errsz, "UniTalk: cannot build the request");
		return rc;
	}
	r->header_ptrs[0] = r->headers[0];
	r->body_len = strlen(r->body);
	r->method = HTTPC_POST;
	r->content_type = "application/x-www-form-urlencoded";
	return CB_OK;
}

/* {"status":"Success"} comes from community code only (and capitalised):
 * any 2xx is taken as acceptance. */
const struct prov_dial unitalk_dial = {
	.name = "UniTalk",
	.setting = PROV_DIALSET_NONE,
	.capable = NULL,
	.missing = NULL,
	.build = unitalk_dial_build,
	.says_success = false,
};
