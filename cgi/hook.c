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
#include "calls/receive.h"
#include "calls/replay.h"
#include "calls/route.h"
#include "calls/spool.h"
#include "core/log.h"
#include "db/integration.h"
#include "net/httpc.h"
#include "http/app.h"
#include "phone/phone.h"
#include "providers/provider.h"

#define HOOK_MAX_BODY (1024 * 1024)
#define CACHE_SLOTS 32
#define CACHE_TTL 30 /* seconds: settings changes apply this quickly */

/* Integrations are read on every event; a small per-process cache saves
 * that query on the hot path and lets the hook verify signatures while
 * the database is down. Keyed by site and slug: one process serves
 * several sites (issue 23), and site B's "twilio" is not site A's. */
struct cache_slot {
	char site[SITE_NAME_MAX + 1];
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
		if (strcmp(cache[i].slug, slug) == 0 &&
		    strcmp(cache[i].site, ctx->cfg->site) == 0)
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
	snprintf(slot->site, sizeof(slot->site), "%s", ctx->cfg->site);
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

/* The request as the spool (and a dead letter) keeps it: everything
 * receive_event() needs to run again later. */
static void
spool_rec_of(struct ctx *ctx, const char *slug, const char *url,
    bool verified, struct spool_rec *s)
{
	memset(s, 0, sizeof(*s));
	s->slug = slug;
	s->method = ctx->req->method_name;
	s->url = url;
	s->request_uri = ctx->req->request_uri;
	s->query = ctx->req->query_string;
	s->content_type = http_env(ctx->req->envp, "CONTENT_TYPE");
	s->body = ctx->req->body;
	s->body_len = ctx->req->body_len;
	s->remote_addr = ctx->req->remote_addr;
	s->received_ms = now_ms();
	s->verified = verified;
	s->envp = ctx->req->envp;
}

static enum cb_err
spool_request(struct ctx *ctx, const char *slug, const char *url,
    bool verified)
{
	struct spool_rec s;

	spool_rec_of(ctx, slug, url, verified, &s);
	return spool_append(ctx->cfg->spool_dir, &s);
}

static enum cb_err
dead_letter_request(struct ctx *ctx, const char *slug, const char *url,
    const char *why)
{
	struct spool_rec s;

	log_error("integration %s: the database refused the event (%s); kept "
	    "as a dead letter", slug, why);
	spool_rec_of(ctx, slug, url, true, &s);
	return replay_dead_letter(ctx->db, &s, why);
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
	const char *slug = ctx->segs[0], *ctype = "text/plain";
	const struct integration *ig = NULL;
	struct route_answer ra, *rap = NULL;
	struct recv_req rq;
	struct recv_opts o = { "hook", false, false };
	struct recv_out out;
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
	memset(&rq, 0, sizeof(rq));
	rq.method = ctx->req->method_name;
	rq.url = url;
	rq.request_uri = ctx->req->request_uri;
	rq.query = ctx->req->query_string;
	rq.content_type = http_env(ctx->req->envp, "CONTENT_TYPE");
	rq.body = ctx->req->body;
	rq.body_len = ctx->req->body_len;
	rq.remote_addr = ctx->req->remote_addr;
	rq.received_ms = now_ms();
	rq.header = header_of;
	rq.hctx = ctx->req;
	/* The front line parsed them already (the same functions). */
	rq.query_kv = &ctx->req->query;
	rq.form = &ctx->req->form;
	rq.json = ctx->req->json;
	o.live = ctx->cfg->live_publish_url[0] != '\0';
	receive_event(ctx->db, ctx->arena, ig, &rq, &o, &out);
	switch (out.status) {
	case RECV_DENIED:
		log_info("integration %s: refused: %s", slug, out.why);
		ctx->message = arena_printf(ctx->arena, "Refused: %s.",
		    out.why);
		return CB_EDENIED;
	case RECV_MALFORMED:
		log_info("integration %s: malformed callback: %s", slug,
		    out.why);
		ctx->message = arena_printf(ctx->arena, "Malformed callback: "
		    "%s.", out.why);
		return CB_EINVAL;
	case RECV_FAILED:
		return CB_EIO;
	case RECV_UNKNOWN_KIND:
		app_fail(ctx, CB_EIO, 503, arena_printf(ctx->arena,
		    "Not stored: %s.", out.why));
		return CB_OK;
	case RECV_DB_DOWN:
		db_down = true;
		log_warn("database down (%s): event for %s spooled",
		    db_error(ctx->db), slug);
		if (spool_request(ctx, slug, url, true) != CB_OK)
			return CB_EDB; /* not stored anywhere: 503 */
		break;
	case RECV_REFUSED:
		/* Validated, yet the database refused the row: kept where an
		 * admin sees it (`callboard dead-letters`), acknowledged. */
		if (dead_letter_request(ctx, slug, url, out.why) != CB_OK)
			return CB_EDB;
		break;
	case RECV_STORED:
		/* Committed: now the popup (a retry changed nothing, so it
		 * publishes nothing). Never fails the provider's request. */
		if (out.ev.kind == EV_UNKNOWN)
			log_unknown_once(slug, out.ev.type_name[0] ?
			    out.ev.type_name : "?");
		if (!out.res.excepted && out.res.live_msg != NULL)
			live_send(ctx->cfg, out.res.call_id, out.res.live_msg,
			    out.res.live_users, out.res.live_n);
		break;
	case RECV_DUPLICATE:
		break;
	}
	ingest_result_free(&out.res);
	if (out.ev.wants_route) {
		int64_t customer;
		rap = &ra;
		if (db_down)
			route_fallback(NULL, ctx->arena, ig, &ra);
		else if (route_lookup(ctx->db, ctx->arena, ig,
		    ctx->cfg->public_url, out.ev.client, &ra, &customer) !=
		    CB_OK)
			route_fallback(NULL, ctx->arena, ig, &ra);
	}
	if ((rc = out.p->answer(&out.pc, &out.ev, rap, &ctx->resp->body,
	    &ctype)) != CB_OK) {
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
