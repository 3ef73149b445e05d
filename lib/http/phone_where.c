#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/timefmt.h"
#include "http/phone_where.h"
#include "phone/geo.h"
#include "phone/phone.h"

void
phone_where_add(struct ctx *ctx, struct json_object *o, const char *e164)
{
	struct phone_where w;
	char place[PHONE_PLACE_MAX], now[32], local[32];
	time_t t = time(NULL);
	struct tm tm;

	if (e164 == NULL || !phone_where_of(e164, &w))
		return;
	app_add_str(o, "client_region", w.region);
	if (phone_geo_place(e164, place, sizeof(place)) == 0)
		app_add_str(o, "client_place", place);
	if (w.time_zone[0] == '\0' || gmtime_r(&t, &tm) == NULL)
		return;
	strftime(now, sizeof(now), "%Y-%m-%d %H:%M:%S", &tm);
	/* "2026-11-23 10:15": the clock is the tail. */
	if (time_utc_to_local(now, w.time_zone, local, sizeof(local)) !=
	    CB_OK || strlen(local) < 16)
		return;
	app_add_str(o, "client_zone", w.time_zone);
	app_add_str(o, "client_time", arena_printf(ctx->arena, "%.5s",
	    local + 11));
}
