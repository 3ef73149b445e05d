#include "config.h"

#include <string.h>
#include <time.h>

#include "calls/dead_preview.h"
#include "core/log.h"
#include "db/reconcile.h"
#include "reconcile/inspect.h"

static const char *
outcome_of(enum recv_status s)
{
	switch (s) {
	case RECV_DUPLICATE:
		return "duplicate";
	case RECV_DENIED:
		return "denied";
	case RECV_MALFORMED:
		return "malformed";
	case RECV_REFUSED:
		return "refused";
	default:
		return NULL;  /* stored (call_events), or nothing to say */
	}
}

/* A crude per-process budget: at most INSPECT_NOTES_PER_S a second. */
static bool
budget_ok(void)
{
	static time_t second;
	static unsigned used;
	time_t now = time(NULL);

	if (now != second) {
		second = now;
		used = 0;
	}
	return used++ < INSPECT_NOTES_PER_S;
}

void
inspect_note(struct db *db, struct arena *a, const struct integration *ig,
    const struct recv_req *rq, const char *source, const struct recv_out *out)
{
	const char *outcome = outcome_of(out->status), *preview;
	struct dead_parts p;

	if (outcome == NULL || ig == NULL || ig->id <= 0 || !budget_ok())
		return;
	memset(&p, 0, sizeof(p));
	p.method = rq->method;
	p.query = rq->query;
	p.content_type = rq->content_type;
	p.body = rq->body;
	p.body_len = rq->body_len;
	preview = dead_preview(a, &p);
	if (db_event_outcome_add(db, ig->id, source ? source : "hook", outcome,
	    out->ev.type_name[0] ? out->ev.type_name : NULL,
	    out->ev.call_id[0] ? out->ev.call_id : NULL, out->why,
	    preview) != CB_OK)
		log_warn("integration %s: cannot note a %s event for the "
		    "inspector: %s", ig->slug, outcome, db_error(db));
}

const char *
inspect_preview(struct arena *a, const char *payload, size_t len)
{
	struct dead_parts p;
	const char *s;

	if (payload == NULL)
		return "";
	memset(&p, 0, sizeof(p));
	p.method = "";
	if (strncmp(payload, "base64:", 7) == 0)
		p.not_text = true;
	else if (len > 0 && (payload[0] == '{' || payload[0] == '['))
		p.content_type = "application/json";
	else
		p.content_type = "application/x-www-form-urlencoded";
	p.body = payload;
	p.body_len = len;
	s = dead_preview(a, &p);
	while (*s == ' ')
		s++;
	return s;
}
