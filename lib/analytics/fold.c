#include "config.h"

#include <stdbool.h>
#include <time.h>

#include "analytics/fold.h"
#include "analytics/query.h"
#include "core/log.h"

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
		if (an_fold(db, AN_FOLD_BATCH_HOURS, 0, &folded, &pending) !=
		    CB_OK) {
			log_warn("analytics: fold failed: %s; will retry",
			    db_error(db));
			return;
		}
		if (folded <= 0)
			break;
		total += folded;
	}
	if (total > AN_FOLD_BATCH_HOURS)
		log_info("analytics: folded %d hour(s) and number(s)%s", total,
		    pending ? ", more left" : "");
}
