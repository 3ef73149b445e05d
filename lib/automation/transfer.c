#include "config.h"

#include "automation/transfer.h"
#include "core/log.h"
#include "db/leadcall.h"

enum cb_err
transfer_apply(struct db *db, const struct auto_call *c, int64_t *lead_id)
{
	struct lead_transfer f;
	enum cb_err rc;

	*lead_id = 0;
	if ((rc = db_lead_transfer_facts(db, c->id, &f)) != CB_OK)
		return rc == CB_ENOTFOUND ? CB_OK : rc;
	if (!f.follows || f.answerers < 2 || f.manager_id == 0 ||
	    f.lead_id == 0 || f.lead_manager_id == f.manager_id)
		return CB_OK;
	if ((rc = db_lead_set_manager(db, f.lead_id, f.manager_id)) != CB_OK)
		return rc;
	log_info("call %lld was transferred: lead %lld is now user %lld's "
	    "(was %lld)", (long long)c->id, (long long)f.lead_id,
	    (long long)f.manager_id, (long long)f.lead_manager_id);
	*lead_id = f.lead_id;
	return CB_OK;
}
