#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/jsonget.h"
#include "calls/route.h"
#include "db/route.h"
#include "phone/phone.h"


void
route_fallback(struct db *db, struct arena *a, const struct integration *ig,
    struct route_answer *ra)
{
	struct json_object *fb = ig->routing_fallback;
	const char *type = json_member_text(fb, "type");

	ra->fallback_kind = NULL;
	ra->fallback_target = NULL;
	if (type == NULL)
		return;
	if (strcmp(type, "manager") == 0) {
		char ext[17] = "", email[256] = "";
		const char *uid = json_member_text(fb, "user_id");
		int64_t id = uid ? strtoll(uid, NULL, 10) : 0;

		if (db && id > 0 && db_user_line(db, id, ext, sizeof(ext), email,
		    sizeof(email)) == CB_OK && ext[0]) {
			ra->fallback_kind = "manager";
			ra->fallback_target = arena_strdup(a, ext);
		} else if ((uid = json_member_text(fb, "extension")) != NULL) {
			ra->fallback_kind = "manager";
			ra->fallback_target = arena_strdup(a, uid);
		}
		return;
	}
	if (strcmp(type, "queue") == 0 || strcmp(type, "voicemail") == 0) {
		const char *target = json_member_text(fb, "target");
		ra->fallback_kind = strcmp(type, "queue") == 0 ? "queue" :
		    "voicemail";
		ra->fallback_target = target ? arena_strdup(a, target) : NULL;
	}
}

enum cb_err
route_lookup(struct db *db, struct arena *a, const struct integration *ig,
    const char *public_url, const char *client, struct route_answer *ra,
    int64_t *customer_id)
{
	char number[PHONE_MAX];
	struct route_row r;
	enum cb_err rc = CB_OK;

	memset(ra, 0, sizeof(*ra));
	*customer_id = 0;
	if (client && *client && phone_normalize(client, strlen(client),
	    ig->default_country, number, sizeof(number)) != PHONE_INVALID) {
		rc = db_route_by_phone(db, number, &r);
		if (rc == CB_OK) {
			*customer_id = r.customer_id;
			ra->customer_name = arena_strdup(a, r.customer_name);
			ra->customer_url = arena_printf(a,
			    "%s/customers/%lld/calls", public_url,
			    (long long)r.customer_id);
			if (r.extension[0])
				ra->extension = arena_strdup(a, r.extension);
			if (r.email[0])
				ra->manager_email = arena_strdup(a, r.email);
		}
	}
	route_fallback(rc == CB_EDB ? NULL : db, a, ig, ra);
	return rc == CB_ENOTFOUND ? CB_OK : rc;
}
