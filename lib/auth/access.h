/* Who may see which call, customer, order or lead (issue 16 "One rule,
 * written once"). Every page that shows, lists, plays or links one of
 * these asks here; none compares scopes itself.
 *
 * A scope (lib/auth/perm.h) is none, own or all. "Own" means the record's
 * manager is the user: calls.manager_id, customers.manager_id,
 * orders.manager_id, leads.manager_id. A record without a manager is
 * nobody's own, so only scope "all" covers it. Pure functions of the user
 * and the facts passed in: no database, unit-tested in
 * tests/unit/test_access.c. */
#ifndef CB_AUTH_ACCESS_H
#define CB_AUTH_ACCESS_H

#include <stdbool.h>
#include <stdint.h>

#include "auth/perm.h"

/* The page a call is seen through: the history (/calls, the card, the
 * missed-calls list), a customer's feed or an order's feed. A recording
 * link names its page with from=customer:<id> / from=order:<id>. */
enum access_via { VIA_HISTORY = 0, VIA_CUSTOMER, VIA_ORDER, VIA__MAX };

/* What the rule needs to know about one call; 0 = none. */
struct access_call {
	int64_t manager_id;
	int64_t customer_id;
	int64_t order_id;
};

/* The scope the user sees calls with through a page: the page's own
 * permission (calls, customers.calls, orders.calls), widened by `calls`
 * (the whole history already shows every call of a feed). */
enum perm_scope access_call_scope(const struct user *u, enum access_via via);
/* May u see call c through the page via (via_id: the customer or order of
 * the feed, which the call must belong to; ignored for VIA_HISTORY)? */
bool access_call(const struct user *u, enum access_via via, int64_t via_id,
    const struct access_call *c);
/* For a list of calls through a page: -1 when it shows nothing, 0 when
 * every manager's calls, else the one manager (the user) it is narrowed
 * to. The list's query filters on it, so it stays one indexed range. */
int64_t access_call_list_manager(const struct user *u, enum access_via via);

/* May u hear call c's recording through the page via (recordings.listen
 * and the call visible there)? The one rule for the audio's bytes
 * (cgi/recording.c) and everything drawn from them (transcripts). */
bool access_recording_hear(const struct user *u, enum access_via via,
    int64_t via_id, const struct access_call *c);
/* What a user may do with a call's transcript (issue 22). */
enum access_transcript_act { TRANSCRIPT_READ = 0, TRANSCRIPT_EDIT };
/* Reading needs the recording (access_recording_hear: an intern who may
 * not hear a call may not read what was said in it either) and
 * transcripts.view covering the call's manager; editing also needs
 * transcripts.edit covering it. */
bool access_transcript(const struct user *u, enum access_via via,
    int64_t via_id, const struct access_call *c,
    enum access_transcript_act act);
/* For a list (the history's "said" search, its summary column): like
 * access_call_list_manager() for what the transcripts of the list's calls
 * may be read: -1 none, 0 every manager's, else only the user's own. */
int64_t access_transcript_list_manager(const struct user *u,
    enum access_via via);

/* The analytics page (issue 21): like access_call_list_manager(), for
 * the `analytics` permission: -1 nothing, 0 every manager's calls, else
 * the user's id (scope "own": every figure counts only their calls). */
int64_t access_analytics_manager(const struct user *u);

/* CRM records (issue 16 §1-2). */
enum access_kind { ACCESS_CUSTOMER = 0, ACCESS_ORDER, ACCESS_LEAD,
	ACCESS_KIND__MAX };
enum access_act { ACCESS_VIEW = 0, ACCESS_EDIT, ACCESS_ACT__MAX };

/* The permission that decides an act on a kind (customers, customers.edit,
 * orders, ...). */
enum perm access_record_perm(enum access_kind k, enum access_act a);
/* May u do a on a record of kind k whose manager is manager_id (0: none)?
 * Creating is ACCESS_EDIT of a record the user will manage (manager_id =
 * the user), so scope "own" may create. */
bool access_record(const struct user *u, enum access_kind k,
    enum access_act a, int64_t manager_id);
/* Whether the user may do a on some record of kind k at all (to show or
 * hide a link before the record is known). */
bool access_record_any(const struct user *u, enum access_kind k,
    enum access_act a);

#endif
