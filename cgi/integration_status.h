/* Settings › Integrations › <one> › Status (issue 17 §3): the
 * integration's last event, its reconciliations (when, window, result,
 * calls recovered) with "Reconcile now" for a chosen window, and the event
 * inspector (the newest events with what became of them). Part of the
 * callboard-integrations program; routes in cgi/integrations.c. */
#ifndef CB_CGI_INTEGRATION_STATUS_H
#define CB_CGI_INTEGRATION_STATUS_H

#include "http/app.h"

/* GET /settings/integrations/#/status */
enum cb_err page_integration_status(struct ctx *ctx);
/* POST /settings/integrations/#/reconcile (form: from, to in the viewer's
 * time zone, "YYYY-MM-DD HH:MM"): queues a run for the worker. */
enum cb_err post_integration_reconcile(struct ctx *ctx);

#endif
