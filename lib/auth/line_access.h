/* Which employees see a line's calls (issue 19 item 5; seed 004: "for an
 * employee to see the incoming call card, give them access to the handset
 * in the integration's settings").
 *
 * A line is one of an integration's external numbers as store_numbers
 * keeps it (calls.our_number of its calls). Per integration an admin may
 * list the users of each line and the users of "any line" (line ""); the
 * lists are the line_access table (migration 0026, lib/db/line_access.c).
 * The rule, written once here and nowhere else:
 *
 *   a line with a list of its own admits only the users on it;
 *   else the integration's "any line" list, when it has one;
 *   else everybody (today's behaviour: the role permissions decide).
 *
 * "Admits" means: gets the line's live popups and may place click-to-call
 * calls through it. The call history is not affected (role rules only).
 * Pure functions: no database; tests/unit/test_line_access.c. */
#ifndef CB_AUTH_LINE_ACCESS_H
#define CB_AUTH_LINE_ACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

/* Users on one list; the settings form refuses more. */
#define LINE_ACL_MAX 500
/* A line's number as stored (store_numbers.number is VARCHAR(32)). */
#define LINE_NUMBER_MAX 32

/* The lists that decide one line of one integration. A list that is not
 * set (no rows) is not the same as an empty one: an admin cannot save an
 * empty list, since "nobody" is "disable the integration". */
struct line_acl {
	bool line_set;                  /* the line has a list of its own */
	size_t nline;
	int64_t line[LINE_ACL_MAX];
	bool any_set;                   /* the integration has an "any line" list */
	size_t nany;
	int64_t any[LINE_ACL_MAX];
};

/* Empties a (nothing set: everybody is admitted). */
void line_acl_init(struct line_acl *a);
/* Adds one row of line_access: line "" (or NULL) is the "any line" list,
 * anything else the line's own. Rows over LINE_ACL_MAX are dropped (the
 * form never saves them). */
void line_acl_add(struct line_acl *a, const char *line, int64_t user_id);
/* The rule above: may user_id see live calls of the line, and call from
 * it? */
bool line_acl_allows(const struct line_acl *a, int64_t user_id);

/* The line a click-to-call call through an integration goes out on: the
 * configured caller ID (config "caller_id", Twilio), else "" (the PBX
 * picks the trunk, so only the "any line" list applies). Borrowed from
 * config. */
const char *line_of_dial(struct json_object *config);

#endif
