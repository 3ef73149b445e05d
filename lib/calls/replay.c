#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/jsonget.h"
#include "calls/ingest.h"
#include "calls/replay.h"
#include "calls/spool.h"
#include "core/arena.h"
#include "core/log.h"
#include "db/integration.h"
#include "http/request.h"
#include "providers/provider.h"


struct hdrs {
	struct json_object *h;
};

/* Headers were spooled under their CGI names (HTTP_X_SIGNATURE). */
static const char *
header_of(const void *hctx, const char *name)
{
	const struct hdrs *hs = hctx;
	char key[128];

	http_header_cgi_name(name, key, sizeof(key));
	return hs->h ? json_member_str(hs->h, key) : NULL;
}

static enum cb_err
replay_in(struct db *db, struct arena *a, struct json_object *rec)
{
	const char *slug = json_member_str(rec, "slug"), *why = NULL;
	const char *query = json_member_str(rec, "query"), *method = json_member_str(rec, "method");
	struct json_object *v;
	struct integration ig;
	const struct provider *p;
	struct kvlist q, form;
	struct prov_req pr;
	struct prov_conf pc;
	struct call_event ev;
	struct ingest_input in;
	struct ingest_result res;
	struct hdrs hs = { NULL };
	int64_t received = 0;
	bool verified = false;
	size_t blen = 0;
	char *body;
	enum cb_err rc;

	if (slug == NULL || method == NULL)
		return CB_EINVAL;
	if (json_object_object_get_ex(rec, "received_ms", &v))
		received = json_object_get_int64(v);
	if (json_object_object_get_ex(rec, "verified", &v))
		verified = json_object_get_boolean(v);
	json_object_object_get_ex(rec, "headers", &hs.h);
	if ((rc = db_integration_by_slug(db, a, slug, &ig)) != CB_OK)
		return rc;
	if ((p = provider_find(ig.kind)) == NULL)
		return CB_EINVAL;
	if ((body = spool_body(rec, &blen)) == NULL)
		return CB_EINVAL;
	arena_cleanup_add(a, free, body);

	memset(&pr, 0, sizeof(pr));
	memset(&form, 0, sizeof(form));
	if (http_parse_urlencoded(a, query ? query : "", query ? strlen(query)
	    : 0, &q, &why) != CB_OK)
		return CB_EINVAL;
	pr.content_type = http_media_type(a, json_member_str(rec, "content_type"));
	if (blen && pr.content_type && strcmp(pr.content_type,
	    "application/x-www-form-urlencoded") == 0 &&
	    http_parse_urlencoded(a, body, blen, &form, &why) != CB_OK)
		return CB_EINVAL;
	if (blen && pr.content_type && strcmp(pr.content_type,
	    "application/json") == 0 &&
	    http_parse_json(a, body, blen, &pr.json, &why) != CB_OK)
		return CB_EINVAL;
	pr.method = http_method_parse(method);
	pr.url = json_member_str(rec, "url");
	pr.query = &q;
	pr.form = &form;
	pr.body = body;
	pr.body_len = blen;
	pr.remote_addr = json_member_str(rec, "remote_addr");
	/* Signatures are checked against the time the request arrived. */
	pr.now = received / 1000;
	pr.header = header_of;
	pr.hctx = &hs;
	memset(&pc, 0, sizeof(pc));
	pc.slug = ig.slug;
	pc.hook_url = pr.url ? arena_printf(a, "%.*s",
	    (int)strcspn(pr.url, "?"), pr.url) : NULL;
	pc.secrets = ig.secrets;
	pc.config = ig.config;
	pc.default_country = ig.default_country;
	if (!verified && p->verify(&pc, &pr, &why) != CB_OK) {
		log_warn("spool: %s event refused at replay: %s", slug,
		    why ? why : "bad signature");
		return CB_EDENIED;
	}
	ev_init(&ev);
	if (p->parse(&pc, &pr, &ev, &why) != CB_OK || ev.kind == EV_ECHO)
		return CB_EINVAL;
	memset(&in, 0, sizeof(in));
	in.integ = &ig;
	in.ev = &ev;
	in.payload = blen ? body : (query ? query : "");
	in.dedupe_source = ev.event_id[0] ? "" : arena_printf(a,
	    "%s %s\n%s", method,
	    strstr(pr.url ? pr.url : "", "/hook/") ?
	    strstr(pr.url, "/hook/") : "", body);
	in.remote_addr = pr.remote_addr;
	in.source = "spool";
	in.received_ms = received;
	rc = ingest_event(db, &in, &res);
	ingest_result_free(&res);
	return rc == CB_DUPLICATE ? CB_OK : rc;
}

enum cb_err
replay_record(struct db *db, struct json_object *rec)
{
	struct arena *a = arena_new();
	enum cb_err rc = replay_in(db, a, rec);

	arena_free(a);
	if (rc == CB_EDB)
		return rc;
	if (rc != CB_OK && rc != CB_EDENIED)
		log_warn("spool: dropping a record that cannot be stored: %s",
		    cb_strerror(rc));
	return CB_OK;
}
