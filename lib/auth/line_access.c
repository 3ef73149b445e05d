#include "config.h"

#include <string.h>

#include "auth/line_access.h"
#include "core/jsonget.h"

void
line_acl_init(struct line_acl *a)
{
	a->line_set = a->any_set = false;
	a->nline = a->nany = 0;
}

static void
put(int64_t *list, size_t *n, int64_t uid)
{
	if (*n < LINE_ACL_MAX)
		list[(*n)++] = uid;
}

void
line_acl_add(struct line_acl *a, const char *line, int64_t user_id)
{
	if (line == NULL || *line == '\0') {
		a->any_set = true;
		put(a->any, &a->nany, user_id);
	} else {
		a->line_set = true;
		put(a->line, &a->nline, user_id);
	}
}

static bool
member(const int64_t *list, size_t n, int64_t uid)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (list[i] == uid)
			return true;
	return false;
}

bool
line_acl_allows(const struct line_acl *a, int64_t user_id)
{
	/* The most specific list decides alone: a line given to Ann is
	 * Ann's even when the integration's "any line" list names Bob. */
	if (a->line_set)
		return member(a->line, a->nline, user_id);
	if (a->any_set)
		return member(a->any, a->nany, user_id);
	return true;
}

const char *
line_of_dial(struct json_object *config)
{
	const char *v = json_member_str(config, "caller_id");

	return v != NULL ? v : "";
}
