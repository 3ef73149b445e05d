/* Ringostat click-to-call, the simple callback method (providers-2.md
 * §3.7, https://help.ringostat.com/en/articles/6312685 [official docs]):
 * POST {api_base}/callback/outward_call with "Auth-key: <key>" and the
 * form extension=<the number to call from>&destination=<the client>.
 * Ringostat rings the employee's extension, then the client. Some
 * clients also send the project id (Project-Id [third-party code, source
 * not named]): config "project_id" adds it. No hang-up request is known
 * (§3.7). ringostat_dial is the descriptor's .dial. */
#include "config.h"

#include <string.h>

#include "core/buf.h"
#include "core/jsonget.h"
#include "http/escape.h"
#include "providers/ringostat/ringostat.h"

enum cb_err
ringostat_dial_build(const struct dial_target *t, struct dial_request *r,
    char *err, size_t errsz)
{
	const char *key = json_member_str(t->secrets, "api_key");
	const char *project = json_member_str(t->config, "project_id");
	char base[512];
	struct buf form;
	enum cb_err rc;

	if (key == NULL || *key == '\0' || strpbrk(key, "\r\n") != NULL) {
		err_say(err, errsz, "Ringostat: the integration has no "
		    "Auth-key (Integration › Ringostat API); an admin can add "
		    "it in Settings › Integrations");
		return CB_EINVAL;
	}
	if (project != NULL && (*project == '\0' ||
	    strspn(project, "0123456789") != strlen(project)))
		project = NULL;
	if ((rc = dial_api_base(t, RINGOSTAT_API_BASE, base, sizeof(base), err,
	    errsz)) != CB_OK)
		return rc;
	buf_init(&form, sizeof(r->body) - 1);
	buf_puts(&form, "extension=");
	url_component(&form, t->extension, strlen(t->extension));
	buf_puts(&form, "&destination=");
	url_component(&form, t->number, strlen(t->number));
	rc = form.err == CB_OK &&
	    dial_fits(r->url, sizeof(r->url), "%s/callback/outward_call",
	    base) &&
	    dial_fits(r->body, sizeof(r->body), "%s", buf_cstr(&form)) &&
	    dial_fits(r->headers[0], sizeof(r->headers[0]), "Auth-key: %s",
	    key) && (project == NULL || dial_fits(r->headers[1],
	    sizeof(r->headers[1]), "Project-Id: %s", project)) ? CB_OK :
	    CB_EINVAL;
	buf_free(&form);
	if (rc != CB_OK) {
		err_say(err, errsz, "Ringostat: cannot build the request");
		return rc;
	}
	r->header_ptrs[0] = r->headers[0];
	r->header_ptrs[1] = project ? r->headers[1] : NULL;
	r->body_len = strlen(r->body);
	r->method = HTTPC_POST;
	r->content_type = "application/x-www-form-urlencoded";
	return CB_OK;
}

/* The answer's shape is not documented: any 2xx is acceptance. */
const struct prov_dial ringostat_dial = {
	.name = "Ringostat",
	.setting = PROV_DIALSET_NONE,
	.capable = NULL,
	.missing = NULL,
	.build = ringostat_dial_build,
	.says_success = false,
};
