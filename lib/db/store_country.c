#include "config.h"

#include "db/store_country.h"

static const char sql_stores[] =
    "SELECT id, name, COALESCE(country, '') FROM stores "
    "ORDER BY name, id LIMIT 1000";

/* ix_store_numbers_integration, then the stores' primary key. */
static const char sql_integration_stores[] =
    "SELECT DISTINCT sn.integration_id, s.name, COALESCE(s.country, '') "
    "FROM store_numbers sn JOIN stores s ON s.id = sn.store_id "
    "WHERE sn.integration_id IS NOT NULL "
    "ORDER BY sn.integration_id, s.name LIMIT 10000";

enum cb_err
db_store_countries(struct db *db, struct db_stmt **out)
{
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_stores, out)) != CB_OK)
		return rc;
	return db_exec(*out);
}

enum cb_err
db_integration_stores(struct db *db, struct db_stmt **out)
{
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_integration_stores, out)) != CB_OK)
		return rc;
	return db_exec(*out);
}
