/* hook: provider callbacks, POST/GET /hook/<integration-slug> (DESIGN §2).
 * Receive → verify → adapt → store once → answer, with the database's
 * absence covered by the local spool: an event we acknowledged is never
 * lost. The adapters in lib/providers/ do the provider-specific parts. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calls/ingest.h"
#include "calls/live.h"
#include "calls/route.h"
#include "calls/spool.h"
#include "core/log.h"
#include "core/utf8.h"
#include "db/integration.h"
#include "net/httpc.h"
#include "http/app.h"
#include "net/sig.h"
#include "phone/phone.h"
#include "providers/provider.h"

#define HOOK_MAX_BODY (1024 * 1024)
#define CACHE_SLOTS 32
#define CACHE_TTL 30 /* seconds: settings changes apply this quickly */

/* Integrations are read on every event; a small per-process cache saves
 * that query on the hot path and lets the hook verify signatures while
 * the database is down. */
struct cache_slot {
	char slug[65];
	time_t loaded;
	struct arena *arena;
	struct integration ig;
};
static struct cache_slot cache[CACHE_SLOTS];

/* Unknown event types are logged once per process, not per request. */
static char logged_unknown[16][48];

static enum cb_err
integration_get(struct ctx *ctx, const char *slug,
    const struct integration **out)
{
	struct cache_slot *slot = NULL, *oldest = &cache[0];
	struct arena *a;
	struct integration ig;
	time_t now = time(NULL);
	enum cb_err rc;
	size_t i;

	for (i = 0; i < CACHE_SLOTS; i++) {
		if (strcmp(cache[i].slug, slug) == 0)
			slot = &cache[i];
		if (cache[i].loaded < oldest->loaded)
			oldest = &cache[i];
	}
	if (slot && now - slot->loaded < CACHE_TTL) {
		*out = &slot->ig;
		return CB_OK;
	}
	a = arena_new();
	rc = db_integration_by_slug(ctx->db, a, slug, &ig);
	if (rc != CB_OK) {
		arena_free(a);
		if (rc == CB_EDB && slot) {
			*out = &slot->ig; /* stale beats nothing */
			return CB_OK;
		}
		if (rc == CB_ENOTFOUND && slot) {
			arena_free(slot->arena);
			memset(slot, 0, sizeof(*slot));
		}
		return rc;
	}
	if (slot == NULL)
		slot = oldest;
	if (slot->arena)
		arena_free(slot->arena);
	snprintf(slot->slug, sizeof(slot->slug), "%s", slug);
	slot->loaded = now;
	slot->arena = a;
	slot->ig = ig;
	*out = &slot->ig;
	return CB_OK;
}

static const char *
header_of(const void *hctx, const char *name)
{
	return http_header(hctx, name);
}


/* What call_events keeps: the body (or the query of a GET), as text; any
 * bytes that are not UTF-8 are kept as base64 so the row always fits. */
static const char *
raw_payload(struct ctx *ctx)
{
	const struct http_request *r = ctx->req;
	const char *p = r->body_len ? r->body : r->query_string;
	size_t n = r->body_len ? r->body_len : strlen(r->query_string);
	char *b64;

	if (utf8_valid(p, n) && !memchr(p, '\0', n))
		return p;
	b64 = arena_alloc(ctx->arena, 8 + 4 * ((n + 2) / 3) + 1);
	memcpy(b64, "base64:", 7);
	sig_base64((const unsigned char *)p, n, b64 + 7);
	return b64;
}

static void
log_unknown_once(const char *slug, const char *type)
{
	size_t i;
	char key[48];

	snprintf(key, sizeof(key), "%s/%s", slug, type);
	for (i = 0; i < sizeof(logged_unknown) / sizeof(logged_unknown[0]); i++) {
		if (strcmp(logged_unknown[i], key) == 0)
			return;
		if (logged_unknown[i][0] == '\0') {
			snprintf(logged_unknown[i], sizeof(logged_unknown[i]),
			    "%s", key);
			break;
		}
	}
	log_warn("integration %s: unknown event type '%s' stored raw", slug,
	    type);
}

static enum cb_err
spool_request(struct ctx *ctx, const char *slug, const char *url,
    bool verified)
{
	struct spool_rec s;

	memset(&s, 0, sizeof(s));
	s.slug = slug;
	s.method = ctx->req->method_name;
	s.url = url;
	s.query = ctx->req->query_string;
	s.content_type = http_env(ctx->req->envp, "CONTENT_TYPE");
	s.body = ctx->req->body;
	s.body_len = ctx->req->body_len;
	s.remote_addr = ctx->req->remote_addr;
	s.received_ms = now_ms();
	s.verified = verified;
	s.envp = ctx->req->envp;
	return spool_append(ctx->cfg->spool_dir, &s);
}

static const char *
public_url(struct ctx *ctx)
{
	const char *base = ctx->cfg->public_url;
	size_t n = strlen(base);

	while (n > 0 && base[n - 1] == '/')
		n--;
	return arena_printf(ctx->arena, "%.*s%s", (int)n, base,
	    ctx->req->request_uri);
}

static enum cb_err
hook(struct ctx *ctx)
{
	const char *slug = ctx->segs[0], *why = NULL, *ctype = "text/plain";
	const struct integration *ig = NULL;
	const struct provider *p;
	struct prov_req pr;
	struct prov_conf pc;
	struct call_event ev;
	struct route_answer ra, *rap = NULL;
	struct ingest_input in;
	struct ingest_result res;
	const char *url = public_url(ctx);
	bool db_down = false;
	enum cb_err rc;

	rc = integration_get(ctx, slug, &ig);
	if (rc == CB_ENOTFOUND) {
		ctx->message = "No integration has this callback address. "
		    "Copy the exact URL from Settings › Integrations.";
		return CB_ENOTFOUND;
	}
	if (rc == CB_EDB) {
		/* No database and nothing cached: keep the request, verify
		 * it at replay time (with the time it arrived). */
		if (spool_request(ctx, slug, url, false) != CB_OK)
			return CB_EDB;
		log_warn("database down: event for %s spooled unverified", slug);
		ctx->resp->content_type = "text/plain";
		return CB_OK;
	}
	if (rc != CB_OK)
		return rc;
	if (!ig->enabled) {
		app_fail(ctx, CB_ENOTFOUND, 410, "This integration is "
		    "disabled in Callboard.");
		return CB_OK;
	}
	if ((p = provider_find(ig->kind)) == NULL) {
		log_error("integration %s: no adapter for kind %s", slug,
		    ig->kind);
		return CB_EIO;
	}
	memset(&pr, 0, sizeof(pr));
	pr.method = ctx->req->method;
	pr.url = url;
	pr.query = &ctx->req->query;
	pr.form = &ctx->req->form;
	pr.json = ctx->req->json;
	pr.body = ctx->req->body;
	pr.body_len = ctx->req->body_len;
	pr.content_type = ctx->req->content_type;
	pr.remote_addr = ctx->req->remote_addr;
	pr.now = time(NULL);
	pr.header = header_of;
	pr.hctx = ctx->req;
	memset(&pc, 0, sizeof(pc));
	pc.slug = ig->slug;
	pc.hook_url = arena_printf(ctx->arena, "%.*s", (int)(strcspn(url, "?")),
	    url);
	pc.secrets = ig->secrets;
	pc.config = ig->config;
	pc.default_country = ig->default_country;

	if ((rc = p->verify(&pc, &pr, &why)) == CB_ENOMEM)
		return rc;
	if (rc != CB_OK) {
		log_info("integration %s: refused: %s", slug,
		    why ? why : "bad signature");
		ctx->message = arena_printf(ctx->arena, "Refused: %s.",
		    why ? why : "the request's signature does not match");
		return CB_EDENIED;
	}
	ev_init(&ev);
	if ((rc = p->parse(&pc, &pr, &ev, &why)) != CB_OK) {
		ctx->message = arena_printf(ctx->arena, "Malformed callback: "
		    "%s.", why ? why : "cannot read it");
		return rc == CB_ENOMEM ? rc : CB_EINVAL;
	}
	if (ev.kind == EV_UNKNOWN)
		log_unknown_once(slug, ev.type_name[0] ? ev.type_name : "?");
	if (ev.kind != EV_ECHO) {
		memset(&in, 0, sizeof(in));
		in.integ = ig;
		in.ev = &ev;
		in.payload = raw_payload(ctx);
		/* Hashed only when the provider gave no event id: no copy of
		 * the body on the hot path otherwise. */
		in.dedupe_source = ev.event_id[0] ? "" : arena_printf(
		    ctx->arena, "%s %s\n%s", ctx->req->method_name,
		    ctx->req->request_uri, ctx->req->body);
		in.remote_addr = ctx->req->remote_addr;
		in.source = "hook";
		in.received_ms = now_ms();
		in.live = ctx->cfg->live_publish_url[0] != '\0';
		rc = ingest_event(ctx->db, &in, &res);
		if (rc == CB_EDB) {
			db_down = true;
			log_warn("database down (%s): event for %s spooled",
			    db_error(ctx->db), slug);
			if (spool_request(ctx, slug, url, true) != CB_OK)
				return CB_EDB; /* not stored anywhere: 503 */
		} else if (rc != CB_OK && rc != CB_DUPLICATE)
			return rc;
		/* Committed: now the popup (a retry changed nothing, so it
		 * publishes nothing). Never fails the provider's request. */
		if (rc == CB_OK && !res.excepted)
			live_send(ctx->cfg, res.call_id, res.live_msg,
			    res.live_users, res.live_n);
		ingest_result_free(&res);
	}
	if (ev.wants_route) {
		int64_t customer;
		rap = &ra;
		if (db_down)
			route_fallback(NULL, ctx->arena, ig, &ra);
		else if (route_lookup(ctx->db, ctx->arena, ig,
		    ctx->cfg->public_url, ev.client, &ra, &customer) != CB_OK)
			route_fallback(NULL, ctx->arena, ig, &ra);
	}
	if ((rc = p->answer(&pc, &ev, rap, &ctx->resp->body, &ctype)) !=
	    CB_OK) {
		buf_reset(&ctx->resp->body);
		return rc;
	}
	ctx->resp->content_type = ctype;
	return CB_OK;
}

static const struct route routes[] = {
	{ "/hook/*", HTTP_M(HTTP_GET) | HTTP_M(HTTP_POST), AUTH_NONE,
	    PERM_NONE, BODY_FORM | BODY_JSON, HOOK_MAX_BODY, hook },
};

static const struct program program = {
	"hook", routes, sizeof(routes) / sizeof(routes[0]), false
};

int
main(int argc, char *argv[])
{
	/* libphonenumber's metadata, once, before the first event. */
	int rc;

	phone_init();
	httpc_global_init();
	rc = app_main(&program, argc, argv);
	live_cleanup();
	httpc_global_cleanup();
	return rc;
}
