/* Click-to-call's one query: the enabled integrations a manager may pick
 * from (lib/dial/ decides which of them can place calls). */
#ifndef CB_DB_DIAL_H
#define CB_DB_DIAL_H

#include "db/db.h"

enum dial_integ_col { DIAL_SLUG, DIAL_NAME, DIAL_KIND, DIAL_CONFIG,
	DIAL_ID, DIAL_COL__MAX };

/* Enabled integrations by name, at most 50 rows, buffered for db_fetch();
 * columns as above (config is JSON text or NULL). */
enum cb_err db_dial_integrations(struct db *db, struct db_stmt **out);

#endif
