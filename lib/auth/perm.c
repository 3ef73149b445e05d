#include "config.h"

#include <string.h>

#include "auth/perm.h"

static const char *const names[PERM__MAX] = {
	[PERM_CALLS] = "calls",
	[PERM_ORDERS_CALLS] = "orders.calls",
	[PERM_CUSTOMERS_CALLS] = "customers.calls",
	[PERM_RECORDINGS_LISTEN] = "recordings.listen",
	[PERM_RECORDINGS_DOWNLOAD] = "recordings.download",
	[PERM_CALLS_DIAL] = "calls.dial",
	[PERM_SETTINGS] = "settings",
	[PERM_CUSTOMERS] = "customers",
	[PERM_CUSTOMERS_EDIT] = "customers.edit",
	[PERM_ORDERS] = "orders",
	[PERM_ORDERS_EDIT] = "orders.edit",
	[PERM_LEADS] = "leads",
	[PERM_LEADS_EDIT] = "leads.edit",
	[PERM_ANALYTICS] = "analytics",
	[PERM_TRANSCRIPTS_VIEW] = "transcripts.view",
	[PERM_TRANSCRIPTS_EDIT] = "transcripts.edit",
};

const char *
perm_name(enum perm p)
{
	return (unsigned)p < PERM__MAX ? names[p] : "none";
}

enum perm
perm_parse(const char *name)
{
	int i;

	for (i = 0; i < PERM__MAX; i++)
		if (strcmp(names[i], name) == 0)
			return (enum perm)i;
	return PERM_NONE;
}

bool
perm_has(const struct user *u, enum perm p)
{
	return u && (unsigned)p < PERM__MAX && u->perms[p] != SCOPE_NONE;
}

void
perm_load(struct user *u, const char *list)
{
	char item[64];
	const char *p = list, *end;
	size_t n;
	int i;

	for (i = 0; i < PERM__MAX; i++)
		u->perms[i] = SCOPE_NONE;
	while (p && *p) {
		char *colon;
		enum perm pm;

		end = strchr(p, ',');
		n = end ? (size_t)(end - p) : strlen(p);
		if (n < sizeof(item)) {
			memcpy(item, p, n);
			item[n] = '\0';
			if ((colon = strchr(item, ':')) != NULL) {
				*colon = '\0';
				if ((pm = perm_parse(item)) != PERM_NONE)
					u->perms[pm] = strcmp(colon + 1,
					    "all") == 0 ? SCOPE_ALL : SCOPE_OWN;
			}
		}
		p = end ? end + 1 : NULL;
	}
}
