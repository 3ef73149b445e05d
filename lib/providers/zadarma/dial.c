/* Zadarma's callback request (providers.md §2.4): GET
 * /v1/request/callback/ rings `from` (the manager's extension) first, then
 * bridges to `to` (international digits). `sip` names the extension whose
 * caller id and recording settings apply. Signed like every Zadarma API
 * call, with sign.c. */
#include "config.h"

#include <string.h>

#include "core/buf.h"
#include "core/jsonget.h"
#include "dial/dial.h"
#include "providers/zadarma/zadarma.h"

#define ZADARMA_API_BASE "https://api.zadarma.com"
#define ZADARMA_CALLBACK_PATH "/v1/request/callback/"

static enum cb_err
zadarma_dial_build(const struct dial_target *t, struct dial_request *r,
    char *err, size_t errsz)
{
	const char *key = json_member_str(t->secrets, "key");
	const char *secret = json_member_str(t->secrets, "secret");
	const char *to = t->number[0] == '+' ? t->number + 1 : t->number;
	const char *kv[] = { "format", "json", "from", t->extension,
	    "sip", t->extension, "to", to };
	char base[512], auth[256];
	struct buf q;
	enum cb_err rc;

	if (key == NULL || secret == NULL || !*key || !*secret) {
		err_say(err, errsz, "Zadarma: the integration has no API key "
		    "and secret; an admin can add them in Settings › "
		    "Integrations");
		return CB_EINVAL;
	}
	if ((rc = dial_api_base(t, ZADARMA_API_BASE, base, sizeof(base), err,
	    errsz)) != CB_OK)
		return rc;
	buf_init(&q, 1024);
	rc = zadarma_api_query(kv, 4, &q);
	if (rc == CB_OK)
		rc = zadarma_api_auth(key, secret, ZADARMA_CALLBACK_PATH,
		    buf_cstr(&q), auth, sizeof(auth));
	if (rc == CB_OK && (!dial_fits(r->url, sizeof(r->url), "%s%s?%s",
	    base, ZADARMA_CALLBACK_PATH, buf_cstr(&q)) ||
	    !dial_fits(r->headers[0], sizeof(r->headers[0]),
	    "Authorization: %s", auth)))
		rc = CB_ETOOBIG;
	buf_free(&q);
	explicit_bzero(auth, sizeof(auth));
	if (rc != CB_OK) {
		err_say(err, errsz, "Zadarma: cannot build the request");
		return CB_EINVAL;
	}
	r->method = HTTPC_GET;
	return CB_OK;
}

const struct prov_dial zadarma_dial = {
	.name = "Zadarma",
	.setting = PROV_DIALSET_NONE,
	.capable = NULL,
	.missing = NULL,
	.build = zadarma_dial_build,
	.says_success = true,
};
