/* The integrations table: one row per provider account (DESIGN §2.1). */
#ifndef CB_DB_INTEGRATION_H
#define CB_DB_INTEGRATION_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "core/arena.h"
#include "db/db.h"

struct integration {
	int64_t id;
	const char *kind;
	const char *slug;
	const char *name;
	bool enabled;
	char default_country[3];
	bool link_to_leads;
	struct json_object *routing_fallback; /* {"type": ..., ...} or NULL */
	struct json_object *config;           /* or NULL */
	struct json_object *secrets;          /* or NULL */
};

/* Loads by slug; strings and JSON live in the arena. CB_ENOTFOUND when
 * there is no such slug. Secrets never leave this struct for a log. */
enum cb_err db_integration_by_slug(struct db *db, struct arena *a,
    const char *slug, struct integration *out);

#endif
