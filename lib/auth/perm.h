/* Role permissions (issue 4 §3, DESIGN §3): each with a scope, own calls
 * only or all. What a scope means for one call or CRM record is decided in
 * one place, lib/auth/access.h. */
#ifndef CB_AUTH_PERM_H
#define CB_AUTH_PERM_H

#include <stdbool.h>
#include <stdint.h>

enum perm {
	PERM_CALLS = 0,           /* the history page and every recording */
	PERM_ORDERS_CALLS,        /* listen in an order's feed */
	PERM_CUSTOMERS_CALLS,     /* listen in a customer's feed */
	PERM_RECORDINGS_LISTEN,   /* play recordings of calls the role sees */
	PERM_RECORDINGS_DOWNLOAD, /* download recordings */
	PERM_CALLS_DIAL,          /* click-to-call */
	PERM_SETTINGS,            /* settings pages */
	/* The CRM pages (issue 16 §1-2): see / create and edit customers,
	 * orders and leads; scope "own": those whose manager is the user. */
	PERM_CUSTOMERS,
	PERM_CUSTOMERS_EDIT,
	PERM_ORDERS,
	PERM_ORDERS_EDIT,
	PERM_LEADS,
	PERM_LEADS_EDIT,
	/* The call analytics page (issue 21); scope "own": every figure
	 * counts only the user's calls. */
	PERM_ANALYTICS,
	/* Transcripts of recordings (issue 22): read them (scope "own":
	 * only the user's calls; never more than the recordings the role
	 * may hear, access_transcript()) and correct them. */
	PERM_TRANSCRIPTS_VIEW,
	PERM_TRANSCRIPTS_EDIT,
	PERM__MAX,
	PERM_NONE = -1
};

enum perm_scope { SCOPE_NONE = 0, SCOPE_OWN, SCOPE_ALL };

struct user {
	int64_t id;
	int64_t role_id;
	char login[65];
	char name[129];
	char extension[17];
	char time_zone[65];
	/* The country numbers are shown for (ISO 3166 alpha-2), "" = the
	 * configuration's default_country (lib/http/phone_view.h). */
	char country[3];
	bool deep_link;
	/* The host[:port] of the user's SIP account, "" when none: with
	 * deep_link the call buttons are sip:<number>@<this>, else tel:. */
	char sip_domain[260];
	/* The user's language code (lib/i18n/i18n.h), "" when the browser's
	 * Accept-Language decides (0030_user_language.sql). */
	char language[8];
	enum perm_scope perms[PERM__MAX];
	/* Not the user's own: the version of the shared lists
	 * (list_versions, lib/db/calllists.h), read by the session query so
	 * that a page can check its process's copy without another round
	 * trip. 0 when unknown. */
	uint64_t lists_version;
};

const char *perm_name(enum perm p);
/* PERM_NONE for an unknown name. */
enum perm perm_parse(const char *name);
bool perm_has(const struct user *u, enum perm p);
/* Parses "calls:all,orders.calls:own" (as the session query returns it). */
void perm_load(struct user *u, const char *list);

#endif
