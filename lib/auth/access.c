#include "config.h"

#include <stddef.h>

#include "auth/access.h"

/* The one meaning of a scope for one record. */
static bool
scope_covers(enum perm_scope s, const struct user *u, int64_t manager_id)
{
	switch (s) {
	case SCOPE_ALL:
		return true;
	case SCOPE_OWN:
		return manager_id > 0 && manager_id == u->id;
	case SCOPE_NONE:
	default:
		return false;
	}
}

static enum perm_scope
scope_of(const struct user *u, enum perm p)
{
	if (u == NULL || (unsigned)p >= PERM__MAX)
		return SCOPE_NONE;
	return u->perms[p];
}

static const enum perm via_perm[VIA__MAX] = {
	[VIA_HISTORY] = PERM_CALLS,
	[VIA_CUSTOMER] = PERM_CUSTOMERS_CALLS,
	[VIA_ORDER] = PERM_ORDERS_CALLS,
};

enum perm_scope
access_call_scope(const struct user *u, enum access_via via)
{
	enum perm_scope page, calls;

	if ((unsigned)via >= VIA__MAX)
		return SCOPE_NONE;
	page = scope_of(u, via_perm[via]);
	calls = scope_of(u, PERM_CALLS);
	return page > calls ? page : calls;
}

bool
access_call(const struct user *u, enum access_via via, int64_t via_id,
    const struct access_call *c)
{
	if (u == NULL || c == NULL)
		return false;
	/* A feed shows only its own customer's or order's calls: a
	 * recording link cannot borrow a feed's permission for another. */
	if (via == VIA_CUSTOMER && (via_id <= 0 || c->customer_id != via_id))
		return false;
	if (via == VIA_ORDER && (via_id <= 0 || c->order_id != via_id))
		return false;
	return scope_covers(access_call_scope(u, via), u, c->manager_id);
}

int64_t
access_call_list_manager(const struct user *u, enum access_via via)
{
	switch (access_call_scope(u, via)) {
	case SCOPE_ALL:
		return 0;
	case SCOPE_OWN:
		return u->id;
	case SCOPE_NONE:
	default:
		return -1;
	}
}

bool
access_recording_hear(const struct user *u, enum access_via via,
    int64_t via_id, const struct access_call *c)
{
	return access_call(u, via, via_id, c) &&
	    perm_has(u, PERM_RECORDINGS_LISTEN);
}

bool
access_transcript(const struct user *u, enum access_via via, int64_t via_id,
    const struct access_call *c, enum access_transcript_act act)
{
	if (!access_recording_hear(u, via, via_id, c) ||
	    !scope_covers(scope_of(u, PERM_TRANSCRIPTS_VIEW), u,
	    c->manager_id))
		return false;
	return act == TRANSCRIPT_READ || scope_covers(scope_of(u,
	    PERM_TRANSCRIPTS_EDIT), u, c->manager_id);
}

int64_t
access_transcript_list_manager(const struct user *u, enum access_via via)
{
	int64_t calls = access_call_list_manager(u, via);

	if (calls < 0 || !perm_has(u, PERM_RECORDINGS_LISTEN))
		return -1;
	switch (scope_of(u, PERM_TRANSCRIPTS_VIEW)) {
	case SCOPE_ALL:
		return calls;
	case SCOPE_OWN:
		return u->id;
	case SCOPE_NONE:
	default:
		return -1;
	}
}

int64_t
access_analytics_manager(const struct user *u)
{
	if (u == NULL)
		return -1;
	switch (u->perms[PERM_ANALYTICS]) {
	case SCOPE_ALL:
		return 0;
	case SCOPE_OWN:
		return u->id;
	case SCOPE_NONE:
	default:
		return -1;
	}
}

static const enum perm record_perm[ACCESS_KIND__MAX][ACCESS_ACT__MAX] = {
	[ACCESS_CUSTOMER] = { PERM_CUSTOMERS, PERM_CUSTOMERS_EDIT },
	[ACCESS_ORDER] = { PERM_ORDERS, PERM_ORDERS_EDIT },
	[ACCESS_LEAD] = { PERM_LEADS, PERM_LEADS_EDIT },
};

enum perm
access_record_perm(enum access_kind k, enum access_act a)
{
	if ((unsigned)k >= ACCESS_KIND__MAX || (unsigned)a >= ACCESS_ACT__MAX)
		return PERM_NONE;
	return record_perm[k][a];
}

bool
access_record(const struct user *u, enum access_kind k, enum access_act a,
    int64_t manager_id)
{
	return u != NULL && scope_covers(scope_of(u, access_record_perm(k, a)),
	    u, manager_id);
}

bool
access_record_any(const struct user *u, enum access_kind k,
    enum access_act a)
{
	return scope_of(u, access_record_perm(k, a)) != SCOPE_NONE;
}
