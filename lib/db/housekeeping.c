#include "config.h"

#include "auth/throttle.h"
#include "db/housekeeping.h"
#include "db/user.h"

/* Each statement walks its table's time index (ix_login_attempts_last,
 * ix_call_signatures_created; migrations 0016, 0013) and stops after
 * HK_BATCH rows. A block never outlasts the forget window (THROTTLE_MAX_S
 * < THROTTLE_FORGET_S), so blocked_until only guards a future change of
 * those numbers. */
static const char sql_login_attempts[] =
    "DELETE FROM login_attempts WHERE last_at < UTC_TIMESTAMP(3) - "
    "INTERVAL ? SECOND AND blocked_until < UTC_TIMESTAMP(3) LIMIT ?";

static const char sql_call_signatures[] =
    "DELETE FROM call_signatures WHERE created_at < UTC_TIMESTAMP(3) - "
    "INTERVAL ? SECOND LIMIT ?";

/* The statement again and again while it fills a batch. */
static enum cb_err
purge(struct db *db, const char *sql, int64_t age_s, uint64_t *total)
{
	struct db_stmt *st;
	enum cb_err rc;
	uint64_t n;
	int i;

	*total = 0;
	for (i = 0; i < HK_MAX_BATCHES; i++) {
		if ((rc = db_stmt(db, sql, &st)) != CB_OK)
			return rc;
		db_bind_i64(st, 0, age_s);
		db_bind_i64(st, 1, HK_BATCH);
		if ((rc = db_exec(st)) != CB_OK)
			return rc;
		n = db_affected(st);
		*total += n;
		if (n < HK_BATCH)
			break;
	}
	return CB_OK;
}

enum cb_err
db_housekeeping(struct db *db, struct hk_counts *n)
{
	enum cb_err rc;
	uint64_t k;
	int i;

	n->sessions = n->login_attempts = n->call_signatures = 0;
	/* Sessions: the one routine of lib/db/user.c, in its own batches. */
	for (i = 0; i < HK_MAX_BATCHES; i++) {
		k = 0;
		if ((rc = db_session_purge_expired(db, &k)) != CB_OK)
			return rc;
		n->sessions += k;
		if (k == 0)
			break;
	}
	if ((rc = purge(db, sql_login_attempts, THROTTLE_FORGET_S,
	    &n->login_attempts)) != CB_OK)
		return rc;
	return purge(db, sql_call_signatures, HK_SIGNATURE_KEEP_S,
	    &n->call_signatures);
}
