/* Phonet hang-up (providers-2.md §1.7, wearesho-team/phonet
 * tests/Unit/Api/Service/HangupCallTest.php [third-party code]):
 *   GET https://{domain}/rest/calls/active/{uuid}/hangup, empty body, with
 *   the session cookie of the prepare step (dial.c). */
#include "config.h"

#include <string.h>

#include "providers/phonet/phonet.h"

enum cb_err
phonet_hangup(const struct dial_target *t, const char *uuid,
    struct dial_request *r, char *err, size_t errsz)
{
	char base[512];
	enum cb_err rc;

	if ((rc = phonet_api_base(t, base, sizeof(base), err, errsz)) !=
	    CB_OK || (rc = phonet_session_cookie(t, r, err, errsz)) != CB_OK)
		return rc;
	if (uuid == NULL || *uuid == '\0' || strlen(uuid) > 64 ||
	    strspn(uuid, "0123456789abcdefABCDEF-") != strlen(uuid) ||
	    !dial_fits(r->url, sizeof(r->url),
	    "%s/rest/calls/active/%s/hangup", base, uuid)) {
		err_say(err, errsz, "Phonet: not a call id: cannot hang up");
		return CB_EINVAL;
	}
	r->method = HTTPC_GET;
	r->body_len = 0;
	r->content_type = NULL;
	return CB_OK;
}
