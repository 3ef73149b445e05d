/* Hang up from the card (issue 19 §1; seed 002: "the manager can hang up;
 * the card stays open until Close").
 *
 *   POST /calls/<id>/hangup   csrf
 *        asks the call's provider to end it (lib/dial/hangup.h: the
 *        provider's descriptor builds the request, dial_send() sends it
 *        through the address guard, caps and outbound_timeout_seconds of
 *        click-to-call) and redirects to the card with ?hangup=requested
 *        (303), where the call shows "Ending…" until the provider's end
 *        event arrives; JSON clients (static/card.js) get {"status":
 *        "ending","message":…}.
 *
 * Who may: the click-to-call permission (calls.dial, the route's), on a
 * call the user may see (card_load_call()); the button is drawn by the
 * same two checks. Answers: 404/403 as the card; 409 when the call has
 * already ended (here or, says the provider, there) or its integration
 * cannot hang up; 502 when the provider refuses, is unreachable or too
 * slow, with its reason in plain words. Nothing here logs a secret:
 * dial_send() logs the origin only. */
#include "config.h"

#include <string.h>
#include <time.h>

#include "card.h"
#include "core/log.h"
#include "db/integration.h"
#include "dial/hangup.h"
#include "providers/registry.h"

/* The call's integration as a hang-up target (borrowing ig's strings and
 * JSON, which live in the arena). CB_ENOTFOUND when the integration is
 * gone or its provider has no hang-up at all (checked before the
 * database), CB_EDENIED when an admin switched it off (no requests go to
 * a disabled integration, as for click-to-call). */
static enum cb_err
target_of(struct ctx *ctx, const struct card *c, struct integration *ig,
    struct dial_target *t)
{
	const struct provider *p = c->v[CARD_INTEGRATION_KIND] != NULL ?
	    provider_by_kind(c->v[CARD_INTEGRATION_KIND]) : NULL;
	const char *slug = c->v[CARD_INTEGRATION_SLUG];

	if (p == NULL || p->hangup == NULL || slug == NULL ||
	    db_integration_by_slug(ctx->db, ctx->arena, slug, ig) != CB_OK)
		return CB_ENOTFOUND;
	if (!ig->enabled)
		return CB_EDENIED;
	memset(t, 0, sizeof(*t));
	t->kind = ig->kind;
	t->slug = ig->slug;
	t->name = ig->name;
	t->config = ig->config;
	t->secrets = ig->secrets;
	t->extension = ctx->user->extension;
	t->number = c->v[CARD_CLIENT_NUMBER] ? c->v[CARD_CLIENT_NUMBER] : "";
	t->public_url = ctx->cfg->public_url;
	t->call_id = c->id;
	t->now = (long long)time(NULL);
	return CB_OK;
}

/* What the provider's hang-up names (dial_hangup_id(): the call id, or
 * Yeastar's channel from the call's stored events), in the arena. */
static const char *
hangup_id(struct ctx *ctx, const struct card *c, const struct dial_target *t)
{
	char id[256];

	if (dial_hangup_id(ctx->db, t, c->id, c->v[CARD_EXTERNAL_ID], id,
	    sizeof(id)) != CB_OK)
		return "";
	return arena_strdup(ctx->arena, id);
}

const char *
card_hangup_url(struct ctx *ctx, const struct card *c)
{
	struct integration ig;
	struct dial_target t;
	const char *ext = c->v[CARD_EXTERNAL_ID];

	if (!perm_has(ctx->user, PERM_CALLS_DIAL) || ext == NULL || !*ext ||
	    target_of(ctx, c, &ig, &t) != CB_OK ||
	    !dial_hangup_capable(&t, hangup_id(ctx, c, &t)))
		return NULL;
	return arena_printf(ctx->arena, "/calls/%lld/hangup",
	    (long long)c->id);
}

void
card_hangup_requested(struct ctx *ctx, struct json_object *m)
{
	struct json_object *call = json_object_object_get(m, "call");
	struct json_object *live = json_object_object_get(call, "live");

	if (!json_object_get_boolean(live))
		return;     /* it has ended: the card shows how */
	app_add_str(call, "state_label", _("Ending…"));
	app_add_bool(call, "ending", true);
	json_object_object_add(call, "hangup_url", NULL);
	app_add_str(m, "confirmation", _("Hang-up requested. The call ends "
	    "in a moment; this card shows its end when the provider reports "
	    "it."));
}

/* A refusal: the card again with the reason next to the button (HTML), or
 * the JSON error. */
static enum cb_err
refuse(struct ctx *ctx, enum cb_err err, int status, const char *why)
{
	struct json_object *m;
	enum cb_err rc;

	if (ctx->req->want == WANT_JSON) {
		app_fail(ctx, err, status, why);
		return CB_OK;
	}
	if ((rc = card_model(ctx, ctx->ids[0], 0, false, &m)) != CB_OK)
		return rc;
	app_add_str(m, "hangup_error", why);
	ctx->resp->status = status;
	return app_render(ctx, "card.html", m);
}

enum cb_err
card_post_hangup(struct ctx *ctx)
{
	struct integration ig;
	struct dial_target t;
	struct card c;
	const char *state, *ext;
	char msg[512];
	enum cb_err rc;

	if ((rc = card_load_call(ctx, ctx->ids[0], &c)) != CB_OK)
		return rc;
	state = c.v[CARD_STATE];
	ext = c.v[CARD_EXTERNAL_ID];
	if (state == NULL || strcmp(state, "ended") == 0)
		return refuse(ctx, CB_EINVAL, 409, _("This call has already "
		    "ended."));
	if ((rc = target_of(ctx, &c, &ig, &t)) == CB_EDENIED)
		return refuse(ctx, CB_EINVAL, 409, app_fill(ctx,
		    _("{name} is switched off (Settings › Integrations): end "
		    "the call on the phone."), "{name}", ig.name,
		    (const char *)NULL));
	if (rc != CB_OK)
		return refuse(ctx, CB_EINVAL, 409, c.v[CARD_INTEGRATION_NAME] ?
		    app_fill(ctx, _("{name} cannot hang up calls from "
		    "Callboard: end the call on the phone."), "{name}",
		    c.v[CARD_INTEGRATION_NAME], (const char *)NULL) :
		    _("This call's integration cannot hang up calls from "
		    "Callboard: end the call on the phone."));
	/* Settings that cannot work (no hangup_url, no token) are the
	 * integration's state, not the provider's answer: nothing is sent. */
	ext = hangup_id(ctx, &c, &t);
	if ((rc = dial_hangup_check(&t, ext, msg, sizeof(msg))) != CB_OK)
		return refuse(ctx, CB_EINVAL, 409, arena_strdup(ctx->arena,
		    msg));
	rc = dial_hangup(&t, ext, ctx->cfg->outbound_timeout_seconds, msg,
	    sizeof(msg));
	log_info("hangup: call %lld by user %lld: %s", (long long)c.id,
	    (long long)ctx->user->id, rc == CB_OK ? "requested" : msg);
	if (rc == CB_ENOTFOUND)
		return refuse(ctx, CB_EINVAL, 409, arena_printf(ctx->arena,
		    "%s The card shows its end when the provider reports it.",
		    msg));
	if (rc != CB_OK)
		return refuse(ctx, CB_EUPSTREAM, 502, arena_strdup(ctx->arena,
		    msg));
	if (ctx->req->want == WANT_JSON) {
		struct json_object *m = json_object_new_object();
		app_add_str(m, "status", "ending");
		app_add_str(m, "state_label", _("Ending…"));
		app_add_str(m, "message", msg);
		return app_render(ctx, NULL, m);
	}
	resp_redirect(ctx->resp, 303, arena_printf(ctx->arena,
	    "/calls/%lld?hangup=requested", (long long)c.id));
	return CB_OK;
}
