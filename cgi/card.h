/* What the card program's files share (card.c: the card, notes, call-back
 * tasks; card_hangup.c: hanging up from the card). */
#ifndef CB_CGI_CARD_H
#define CB_CGI_CARD_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "db/card.h"
#include "http/app.h"

/* One call's row, copied out of the statement so the statement can be
 * reused by the lists that follow. Values are arena strings or NULL. */
struct card {
	const char *v[CARD_COL__MAX];
	int64_t id;
	int64_t manager_id;       /* 0 when none */
	int64_t customer_id;
	int64_t order_id;
	int64_t lead_id;
	int64_t store_id;
};

/* Reads the call and decides whether this user may see it. ctx->message
 * says what happened when the result is not CB_OK. */
enum cb_err card_load_call(struct ctx *ctx, int64_t call_id, struct card *c);

/* The whole view model of the card (shown_task, joined: the confirmation
 * of a call-back request). On error *out is NULL and ctx->message set. */
enum cb_err card_model(struct ctx *ctx, int64_t call_id, int64_t shown_task,
    bool joined, struct json_object **out);

/* card_hangup.c: the address of the card's "Hang up" form when this user
 * may hang this call up and its provider can (NULL otherwise). */
const char *card_hangup_url(struct ctx *ctx, const struct card *c);
/* After a hang-up was asked for (the redirect's ?hangup=requested): a live
 * call shows "Ending…" and what happens now; an ended one its end. */
void card_hangup_requested(struct ctx *ctx, struct json_object *m);
/* POST /calls/<id>/hangup */
enum cb_err card_post_hangup(struct ctx *ctx);

#endif
