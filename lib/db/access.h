/* What a permission check needs to know about one call, and the listening
 * log (issue 4 §4: who played or downloaded which recording, when). */
#ifndef CB_DB_ACCESS_H
#define CB_DB_ACCESS_H

#include <stdint.h>

#include "auth/access.h"
#include "db/db.h"

struct call_access {
	int64_t id;
	/* What access_call() decides on: manager, customer, order (0: none). */
	struct access_call who;
	char recording_state[16];
	char recording_path[256];
};

/* CB_ENOTFOUND when there is no such call. */
enum cb_err db_call_access(struct db *db, int64_t call_id,
    struct call_access *out);
/* action "play" or "download"; context "calls", "customer", "order". */
enum cb_err db_listen_log(struct db *db, int64_t user_id, int64_t call_id,
    const char *action, const char *context, const char *ip,
    const char *user_agent);

#endif
