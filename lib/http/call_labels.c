#include "config.h"
#include <stdio.h>
#include <string.h>
#include "http/call_labels.h"
#include "i18n/i18n.h"

const char *
call_result_label(const char *r)
{
	static const char *m[6][LANG__MAX];

	if (r == NULL) return i18n_memo(N_("Unknown"), m[5]);
	if (strcmp(r, "answered") == 0) return i18n_memo(N_("Answered"), m[0]);
	if (strcmp(r, "missed") == 0) return i18n_memo(N_("Missed"), m[1]);
	if (strcmp(r, "busy") == 0) return i18n_memo(N_("Busy"), m[2]);
	if (strcmp(r, "failed") == 0) return i18n_memo(N_("Failed"), m[3]);
	if (strcmp(r, "no_answer") == 0)
		return i18n_memo(N_("No answer"), m[4]);
	return i18n_memo(N_("Unknown"), m[5]);
}

const char *
call_direction_label(const char *d)
{
	static const char *m[3][LANG__MAX];

	if (d != NULL && strcmp(d, "in") == 0)
		return i18n_memo(N_("Incoming"), m[0]);
	if (d != NULL && strcmp(d, "out") == 0)
		return i18n_memo(N_("Outgoing"), m[1]);
	return i18n_memo(N_("Internal"), m[2]);
}

void
order_label(char *out, size_t outsz, const char *number, int64_t id)
{
	if (number != NULL && *number != '\0')
		snprintf(out, outsz, "%s", number);
	else
		snprintf(out, outsz, "#%lld", (long long)id);
}
