/* Numbers on pages (issue 18): what a person reads is the number as people
 * write it for the viewer's country (lib/phone/format.c); links, CSV and
 * the JSON API keep the stored E.164 form so that machines can read them,
 * and pages put the display form beside it as "<key>_shown". */
#ifndef CB_HTTP_PHONE_VIEW_H
#define CB_HTTP_PHONE_VIEW_H

#include <json-c/json.h>

#include "http/app.h"

/* The viewer's country: their profile's, else the configuration's
 * default_country ("" when neither). */
const char *phone_viewer_region(const struct ctx *ctx);

/* The display form of stored, in the arena (NULL for NULL). */
const char *phone_shown(struct ctx *ctx, const char *stored);

/* Adds key (the stored number, as it was) and key + "_shown" to o. */
void phone_view_add(struct ctx *ctx, struct json_object *o, const char *key,
    const char *stored);

#endif
