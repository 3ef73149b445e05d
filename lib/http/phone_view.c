#include "config.h"

#include <stdio.h>

#include "core/conf.h"
#include "http/phone_view.h"
#include "phone/phone.h"

const char *
phone_viewer_region(const struct ctx *ctx)
{
	if (ctx->user != NULL && ctx->user->country[0] != '\0')
		return ctx->user->country;
	return ctx->cfg != NULL ? ctx->cfg->default_country : "";
}

const char *
phone_shown(struct ctx *ctx, const char *stored)
{
	char out[PHONE_DISPLAY_MAX];

	if (stored == NULL)
		return NULL;
	phone_format(stored, phone_viewer_region(ctx), out, sizeof(out));
	return arena_strdup(ctx->arena, out);
}

void
phone_view_add(struct ctx *ctx, struct json_object *o, const char *key,
    const char *stored)
{
	app_add_str(o, key, stored);
	app_add_str(o, arena_printf(ctx->arena, "%s_shown", key),
	    phone_shown(ctx, stored));
}
