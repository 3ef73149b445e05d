/* Zadarma's recordings (providers.md §2.5): a download link in the event is
 * fetched as is; an id (call_id_with_rec, or the pbx_call_id) is asked of
 * GET /v1/pbx/record/request/, signed (§2.4), whose answer has the "link"
 * (or "links"). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "calls/recfetch.h"
#include "core/buf.h"
#include "core/jsonget.h"
#include "providers/zadarma/zadarma.h"

#define ZADARMA_API_BASE "https://api.zadarma.com"
/* providers.md §2.5: the path is signed with its trailing slash. */
#define ZADARMA_RECORD_PATH "/v1/pbx/record/request/"

#define say err_say
#define fits recfetch_fits
#define is_http_url recfetch_is_http_url

static enum cb_err
zadarma_recording_plan(const char *url, struct json_object *config,
    struct json_object *secrets, struct recfetch_plan *p, char *err,
    size_t errsz)
{
	const char *key = json_member_str(secrets, "key");
	const char *secret = json_member_str(secrets, "secret");
	const char *kv[4];
	char base[512], auth[160];
	struct buf q;
	enum cb_err rc;

	snprintf(p->ext, sizeof(p->ext), "mp3");
	if (is_http_url(url)) {
		/* Already a (pre-authorised) download link. */
		p->step = RECFETCH_FILE;
		return fits(p->url, sizeof(p->url), "%s", url) ? CB_OK :
		    CB_EINVAL;
	}
	if (strncmp(url, "ref:", 4) != 0 || url[4] == '\0' ||
	    strlen(url + 4) > 128) {
		say(err, errsz, "zadarma: no recording id");
		return CB_EINVAL;
	}
	url += 4;
	if (key == NULL || secret == NULL || *key == '\0' || *secret == '\0') {
		say(err, errsz, "zadarma: the integration's secrets need "
		    "\"key\" and \"secret\" to ask for recordings");
		return CB_EINVAL;
	}
	if ((rc = recfetch_config_api_base(config, ZADARMA_API_BASE, "zadarma",
	    base, sizeof(base), err, errsz)) != CB_OK)
		return rc;
	/* §2.5: call_id=<call_id_with_rec>, or pbx_call_id=<in_…/out_…>. */
	kv[0] = strncmp(url, "in_", 3) == 0 || strncmp(url, "out_", 4) == 0 ?
	    "pbx_call_id" : "call_id";
	kv[1] = url;
	kv[2] = "format";
	kv[3] = "json";
	buf_init(&q, 1024);
	if (zadarma_api_query(kv, 2, &q) != CB_OK ||
	    zadarma_api_auth(key, secret, ZADARMA_RECORD_PATH,
	    buf_cstr(&q), auth, sizeof(auth)) != CB_OK ||
	    !fits(p->url, sizeof(p->url), "%s%s?%s", base, ZADARMA_RECORD_PATH,
	    buf_cstr(&q)) ||
	    !fits(p->auth_header, sizeof(p->auth_header), "Authorization: %s",
	    auth)) {
		buf_free(&q);
		explicit_bzero(auth, sizeof(auth));
		say(err, errsz, "zadarma: recording id or key too long");
		return CB_EINVAL;
	}
	buf_free(&q);
	explicit_bzero(auth, sizeof(auth));
	p->step = RECFETCH_LINK;
	return CB_OK;
}

static enum cb_err
zadarma_recording_link(const char *json, size_t len, char *out, size_t outsz,
    char *err, size_t errsz)
{
	return recfetch_read_link("zadarma", json, len, "link", true, out,
	    outsz, err, errsz);
}

const struct prov_recording zadarma_recording = {
	.plan = zadarma_recording_plan,
	.link = zadarma_recording_link,
};
