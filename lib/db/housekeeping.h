/* Retention of the tables that would otherwise grow forever (docs/schema.md
 * "Retention"): expired sessions, forgotten login throttling counts, and
 * Zadarma signatures past their replay window. The worker runs it every
 * housekeeping_seconds; `callboard housekeeping` runs it once. */
#ifndef CB_DB_HOUSEKEEPING_H
#define CB_DB_HOUSEKEEPING_H

#include <stdint.h>

#include "db/db.h"

/* How long a Zadarma signature stays bound to its call (call_signatures,
 * migration 0013): a replay of it for another call is refused that long.
 * Zadarma retries a notification for minutes, not days; an older replay
 * is refused by the adapter's age check on call_start instead (the signed
 * time; lib/providers/zadarma/zadarma.c ZD_MAX_AGE_S, which must stay below this
 * by more than the largest time zone error). */
#define HK_SIGNATURE_KEEP_S (7 * 86400)

/* Rows deleted per statement: each DELETE is its own short transaction,
 * so no lock is held for long. */
#define HK_BATCH 1000
/* Batches per table per run: a backlog is cleared over several runs
 * rather than in one long one. */
#define HK_MAX_BATCHES 100

struct hk_counts {
	uint64_t sessions;
	uint64_t login_attempts;
	uint64_t call_signatures;
};

/* Deletes, in batches of HK_BATCH over each table's time index: sessions
 * past expires_at; login_attempts whose block has ended and whose last
 * failure is older than THROTTLE_FORGET_S (lib/auth/throttle.h: such a
 * count would start again at 1 anyway); call_signatures older than
 * HK_SIGNATURE_KEEP_S. Counts what went. CB_OK, or the first error (the
 * tables before it are done). */
enum cb_err db_housekeeping(struct db *db, struct hk_counts *n);

#endif
