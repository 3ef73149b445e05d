/* Recordings of a PBX speaking our generic format (providers.md §4.5,
 * docs/generic-format.md): a relative path is joined to config
 * "recordings_base_url"; an http(s) URL is fetched as is; optional Basic
 * auth from "recordings_auth" ("user:password", secrets or config). Never
 * an absolute path or "..". Asterisk's recordings are the same. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "calls/recfetch.h"
#include "core/jsonget.h"
#include "providers/generic/generic.h"

#define say err_say
#define fits recfetch_fits
#define is_http_url recfetch_is_http_url

enum cb_err
generic_recording_plan_for(const char *kind, const char *ext,
    const char *url, struct json_object *config,
    struct json_object *secrets, struct recfetch_plan *p, char *err,
    size_t errsz)
{
	const char *base = json_member_str(config, "recordings_base_url");
	const char *auth = json_member_str(secrets, "recordings_auth");
	const char *colon;
	char user[256];

	if (auth == NULL)
		auth = json_member_str(config, "recordings_auth");
	snprintf(p->ext, sizeof(p->ext), "%s", ext);
	if (strncmp(url, "ref:", 4) == 0)
		url += 4;
	if (base != NULL && !recfetch_base_ok(base)) {
		say(err, errsz, "%s: config recordings_base_url must be an "
		    "http(s) URL", kind);
		return CB_EINVAL;
	}
	if (is_http_url(url)) {
		if (!fits(p->url, sizeof(p->url), "%s", url)) {
			say(err, errsz, "%s: recording URL too long", kind);
			return CB_EINVAL;
		}
	} else if (!recfetch_safe_relpath(url)) {
		/* §4.5: never absolute paths or "..". */
		say(err, errsz, "%s: refusing recording path (absolute, "
		    "\"..\", or odd characters)", kind);
		return CB_EINVAL;
	} else if (base == NULL) {
		say(err, errsz, "%s: a relative recording path needs config "
		    "recordings_base_url", kind);
		return CB_EINVAL;
	} else if (recfetch_join_url(base, url, p->url, sizeof(p->url)) !=
	    CB_OK) {
		say(err, errsz, "%s: recording URL too long", kind);
		return CB_EINVAL;
	}
	if (auth != NULL && *auth != '\0' &&
	    recfetch_creds_allowed(p->url, base)) {
		colon = strchr(auth, ':');
		if (colon == NULL || !fits(user, sizeof(user), "%.*s",
		    (int)(colon - auth), auth) || !recfetch_set_creds(p, user,
		    colon + 1)) {
			explicit_bzero(user, sizeof(user));
			say(err, errsz, "%s: recordings_auth must be "
			    "\"user:password\"", kind);
			return CB_EINVAL;
		}
		explicit_bzero(user, sizeof(user));
	}
	p->step = RECFETCH_FILE;
	return CB_OK;
}

static enum cb_err
generic_recording_plan(const char *url, struct json_object *config,
    struct json_object *secrets, struct recfetch_plan *p, char *err,
    size_t errsz)
{
	return generic_recording_plan_for("generic", "mp3", url, config,
	    secrets, p, err, errsz);
}

const struct prov_recording generic_recording = {
	.plan = generic_recording_plan,
	.link = NULL,
};
