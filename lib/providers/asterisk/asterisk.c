/* Asterisk (providers.md §4). Asterisk has no webhooks of its own, so it
 * speaks Callboard's generic format (generic.c, docs/generic-format.md)
 * in one of two ways, both shipped in contrib/asterisk/:
 *
 *  - the AMI bridge (callboard-ami-bridge) follows channels, dials,
 *    bridges and transfers keyed by Linkedid and posts signed JSON, exactly
 *    as the generic format: X-Timestamp + X-Signature (a leg seen in a
 *    second call, an attended transfer's target, is Uniqueid@Linkedid);
 *  - the dialplan (extensions_callboard.conf) posts forms with CURL(),
 *    which cannot compute an HMAC, so it sends Authorization: Bearer
 *    <secret> instead (§4.5 (b)), compared in constant time.
 *
 * The routing answer is read by CURL() into a dialplan variable, so it is
 * plain text: just the extension, or an empty body (§4.4). */
#include "config.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "calls/event.h"
#include "core/buf.h"
#include "net/sig.h"
#include "providers/generic/generic.h"
#include "providers/provider.h"
#include "providers/asterisk/asterisk.h"

#define AST_BEARER "Bearer "
#define AST_EXT_MAX 32

static const char *
ast_header(const struct prov_req *r, const char *name)
{
	return r->header != NULL ? r->header(r->hctx, name) : NULL;
}

/* The Bearer token: secrets "token" if the admin set a separate one (so
 * a token seen in a dialplan cannot sign bridge events), else "secret". */
static const char *
ast_token(const struct prov_conf *c)
{
	const char *t = prov_secret(c, "token");

	return t != NULL && *t != '\0' ? t : prov_secret(c, "secret");
}

static enum cb_err
ast_verify(const struct prov_conf *c, const struct prov_req *r,
    const char **why)
{
	const char *auth = ast_header(r, "Authorization");
	const char *signature = ast_header(r, "X-Signature");
	const char *token, *given;

	if (auth != NULL && strncasecmp(auth, AST_BEARER,
	    sizeof(AST_BEARER) - 1) == 0) {
		token = ast_token(c);
		if (token == NULL || *token == '\0') {
			*why = "the integration has no secret configured";
			return CB_EDENIED;
		}
		for (given = auth + sizeof(AST_BEARER) - 1; *given == ' ';
		    given++)
			;
		if (sig_equal(given, token))
			return CB_OK;
		if (signature == NULL) {
			*why = "wrong Bearer token";
			return CB_EDENIED;
		}
	}
	if (signature != NULL || ast_header(r, "X-Timestamp") != NULL)
		return prov_generic_verify_hmac(c, r, why);
	*why = auth != NULL ? "Authorization must be Bearer <secret>" :
	    "missing Authorization: Bearer <secret> (dialplan) or "
	    "X-Timestamp and X-Signature (AMI bridge)";
	return CB_EDENIED;
}

static enum cb_err
ast_parse(const struct prov_conf *c, const struct prov_req *r,
    struct call_event *ev, const char **why)
{
	/* A dialplan may ask its routing question as a GET with the fields
	 * in the query; that request is authenticated by its token. A signed
	 * request is trusted for its body only: the signature does not
	 * cover the URL, so query fields there could be anyone's. */
	return prov_generic_parse(r, ast_header(r, "X-Signature") == NULL, ev,
	    why);
}

/* What the dialplan may safely Goto(): the answer lands in
 * Goto(context,${RESP},1), where a ',' or '(' would change the
 * arguments and a leading '_' would read as a pattern. */
static bool
ast_dialable(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > AST_EXT_MAX)
		return false;
	return strspn(s, "0123456789abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ*#+-") == n;
}

static enum cb_err
ast_answer(const struct prov_conf *c, const struct call_event *ev,
    const struct route_answer *ra, struct buf *out,
    const char **content_type)
{
	const char *ext = NULL;

	*content_type = "text/plain";
	if (!ev->wants_route)
		return buf_puts(out, "OK");
	if (ra != NULL) {
		ext = ra->extension;
		/* A fallback that is a manager is just another extension;
		 * a queue or voicemail fallback is the dialplan's own
		 * (its empty-answer branch), since a bare name cannot say
		 * which context it lives in. */
		if ((ext == NULL || *ext == '\0') &&
		    ra->fallback_kind != NULL &&
		    strcmp(ra->fallback_kind, "manager") == 0)
			ext = ra->fallback_target;
	}
	if (ext != NULL && ast_dialable(ext))
		return buf_puts(out, ext);
	/* §4.4: an empty body means "use your own fallback". */
	return buf_append(out, "", 0);
}

static const struct prov_field ast_fields[] = {
	{ "secret", "Shared secret (signs every event)", true, true, NULL },
	{ NULL, NULL, false, false, NULL }
};

const struct provider asterisk_provider = {
	.kind = "asterisk",
	.label = "Asterisk",
	.countries = NULL,
	.fields = ast_fields,
	.where = "contrib/asterisk/: the dialplan include or the AMI bridge's "
	    "configuration",
	.verify = ast_verify,
	.parse = ast_parse,
	.answer = ast_answer,
	.dial = &generic_dial,
	.hangup = generic_hangup_build,   /* the bridge: AMI Hangup */
	.recording = &asterisk_recording,
	.test_event = generic_test_event,
};
