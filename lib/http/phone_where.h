/* Beside a customer's phone (issue 18): the client's local time, and where
 * libphonenumber knows them the place and the time zone. In the geo
 * library (GEO_LIBS in Makefile.am): only the card and the CRM pages link
 * it. */
#ifndef CB_HTTP_PHONE_WHERE_H
#define CB_HTTP_PHONE_WHERE_H

#include <json-c/json.h>

#include "http/app.h"

/* Adds to o, for a valid E.164 number: "client_region" ("UA"),
 * "client_zone" ("Europe/Kyiv", when the region has a known usual zone),
 * "client_time" ("14:05" there now; static/clienttime.js keeps it
 * ticking) and "client_place" ("Kyiv city", when the geocoder knows it).
 * Adds nothing for anything else (an extension, a withheld number). */
void phone_where_add(struct ctx *ctx, struct json_object *o,
    const char *e164);

#endif
