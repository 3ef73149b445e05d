#include "config.h"

#include "db/dial.h"

static const char sql_integrations[] =
    "SELECT slug, name, kind, config, id FROM integrations "
    "WHERE enabled = 1 "
    "ORDER BY name, id LIMIT 50";

enum cb_err
db_dial_integrations(struct db *db, struct db_stmt **out)
{
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_integrations, &st)) != CB_OK)
		return rc;
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	*out = st;
	return CB_OK;
}
