#include "config.h"

#include <stdbool.h>
#include <time.h>

#include "analytics/fold.h"
#include "analytics/query.h"
#include "core/log.h"

/* Hours per batch: AN_FOLD_BATCH_HOURS, halved for the rest of this
 * process each time a batch's calls do not fit the fold's in-memory table
 * of ids (MariaDB's max_heap_table_size, 16 MB by default: about 500,000
 * ids). A week of a backlog of 5,000,000 calls loaded at once is 583,000:
 * without this the worker retried the same batch for ever. */
static unsigned batch_hours = AN_FOLD_BATCH_HOURS;

void
an_fold_tick(struct db *db)
{
	static time_t last;
	time_t begun = time(NULL);
	bool pending = true;
	int folded = 0, total = 0;

	if (last != 0 && begun - last < AN_FOLD_PERIOD)
		return;
	last = begun;
	while (pending && time(NULL) - begun < AN_FOLD_BUDGET) {
		/* wait 0: a page folding now has the lease; next tick. */
		if (an_fold(db, batch_hours, 0, &folded, &pending) != CB_OK) {
			if (db_table_full(db) && batch_hours > 1) {
				batch_hours /= 2;
				log_info("analytics: a batch's calls did not fit "
				    "the fold's memory table; %u hour(s) a batch "
				    "now", batch_hours);
				continue;
			}
			log_warn("analytics: fold failed: %s; will retry",
			    db_error(db));
			return;
		}
		if (folded <= 0)
			break;
		total += folded;
	}
	if (total > (int)batch_hours)
		log_info("analytics: folded %d hour(s) and number(s)%s", total,
		    pending ? ", more left" : "");
}
