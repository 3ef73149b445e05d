/* Versioned schema migrations (DESIGN §4): sql/migrations/NNNN_name.sql,
 * applied in name order, each recorded in schema_migrations. Idempotent;
 * a lease row (schema_migrate_lease) keeps two migrators, on one server or
 * on two nodes of a Galera cluster, from racing. */
#ifndef CB_DB_MIGRATE_H
#define CB_DB_MIGRATE_H

#include "core/buf.h"
#include "db/db.h"

/* Applies what is missing from dir/migrations. *applied gets the count.
 * On error, msg says which file failed and why. */
enum cb_err migrate_run(struct db *db, const char *sql_dir, int *applied,
    struct buf *msg);
/* Reads a whole (trusted, local) file; caller frees. Capped at 64 MiB. */
enum cb_err file_read_all(const char *path, char **out, size_t *len);

#endif
