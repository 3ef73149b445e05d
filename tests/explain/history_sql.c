/* Prints the history page's list query for a filter, as JSON
 * {"sql": "...", "params": [...]}, so tests/http/explain.test.js can
 * EXPLAIN exactly what db_call_list() would run. Test-only (check_PROGRAMS).
 *
 *   history_sql manager=3 from='2024-01-01 00:00:00' sort=talk_desc
 *
 * Arguments name struct call_filter fields; text filters take MODE:VALUE
 * (exact, begins, ends, contains; "not-" in front negates), and number is
 * the client's digits as typed (reversed here, as cgi/calls.c does);
 * number_longer=1 adds the longer-number column (struct call_filter);
 * gram_at=N drives a "contains" by the gram at offset N of the reversed
 * digits (number_plan, contains_plan: what db_call_contains_plan()
 * chose); pending=0 is the first query of a page, which does not know yet
 * whether a pending call contains it (a time sort reads the grams itself
 * and asks in its last column, a duration sort reads the pending calls
 * too); default 1: a pending call does (the pending calls' branch);
 * export=1 asks for the CSV's columns (export_cols).
 *
 *   history_sql api=1 contains=264612 integration=generic before=ID
 *
 * prints the JSON API's /api/v1/calls query instead (db_api_calls_query;
 * contains as typed, reversed here as cgi/api.c does; phone= as reversed
 * digits). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "db/apicall.h"
#include "db/call.h"

static const char *const modes[] = {
	[MATCH_EXACT] = "exact", [MATCH_BEGINS] = "begins",
	[MATCH_ENDS] = "ends", [MATCH_CONTAINS] = "contains",
};
static const char *const sorts[] = {
	[SORT_TIME_DESC] = "time_desc", [SORT_TIME_ASC] = "time_asc",
	[SORT_TALK_DESC] = "talk_desc", [SORT_TALK_ASC] = "talk_asc",
};

static int
usage(const char *arg)
{
	fprintf(stderr, "history_sql: cannot read \"%s\"\n", arg);
	return 2;
}

static int
read_text(char *v, struct call_text *t)
{
	char *colon = strchr(v, ':');
	int m;

	if (colon == NULL)
		return -1;
	*colon = '\0';
	if (strncmp(v, "not-", 4) == 0) {
		t->negate = true;
		v += 4;
	}
	for (m = MATCH_EXACT; m <= MATCH_CONTAINS; m++)
		if (strcmp(v, modes[m]) == 0)
			break;
	if (m > MATCH_CONTAINS)
		return -1;
	t->mode = (enum call_match)m;
	t->value = colon + 1;
	return 0;
}

static void
reverse(char *s)
{
	size_t i, n = strlen(s);
	char c;

	for (i = 0; i < n / 2; i++) {
		c = s[i];
		s[i] = s[n - 1 - i];
		s[n - 1 - i] = c;
	}
}

int
main(int argc, char *argv[])
{
	static int64_t ids[CALL_CONTACT_MAX];
	static struct call_query q;
	struct call_filter f;
	struct api_call_filter af;
	bool api = false;
	struct json_object *out, *params;
	char *k, *v, *p;
	unsigned i;
	int a, s;

	memset(&f, 0, sizeof(f));
	memset(&af, 0, sizeof(af));
	f.talk_min = f.talk_max = -1;
	f.limit = 51;
	af.limit = 50;
	f.number_plan.pending = af.contains_plan.pending = true;
	for (a = 1; a < argc; a++) {
		k = argv[a];
		if ((v = strchr(k, '=')) == NULL)
			return usage(k);
		*v++ = '\0';
		if (strcmp(k, "api") == 0)
			api = strcmp(v, "1") == 0;
		else if (strcmp(k, "contains") == 0) {
			reverse(v);
			af.contains_rev = v;
		} else if (strcmp(k, "phone") == 0)
			af.digits_rev = v;
		else if (api && strcmp(k, "integration") == 0)
			af.integration = v;
		else if (api && strcmp(k, "external_id") == 0)
			af.external_id = v;
		else if (api && strcmp(k, "before") == 0)
			af.before_id = strtoll(v, NULL, 10);
		else if (strcmp(k, "said") == 0)
			f.said = v;     /* a BOOLEAN MODE query, as built */
		else if (strcmp(k, "manager") == 0)
			f.manager_id = strtoll(v, NULL, 10);
		else if (strcmp(k, "integration") == 0)
			f.integration_id = strtoll(v, NULL, 10);
		else if (strcmp(k, "customer") == 0)
			f.customer_id = strtoll(v, NULL, 10);
		else if (strcmp(k, "order") == 0)
			f.order_id = strtoll(v, NULL, 10);
		else if (strcmp(k, "direction") == 0)
			f.direction = v;
		else if (strcmp(k, "result") == 0)
			f.result = v;
		else if (strcmp(k, "number") == 0) {
			if (read_text(v, &f.number) != 0)
				return usage(v);
			reverse((char *)f.number.value);
		} else if (strcmp(k, "gram_at") == 0) {
			f.number_plan.gram_at = (unsigned)strtoul(v, NULL, 10);
			af.contains_plan.gram_at = f.number_plan.gram_at;
		} else if (strcmp(k, "pending") == 0) {
			f.number_plan.pending = strcmp(v, "0") != 0;
			f.number_plan.ask_pending = !f.number_plan.pending;
			af.contains_plan = f.number_plan;
		} else if (strcmp(k, "export") == 0)
			f.export_cols = strcmp(v, "1") == 0;
		else if (strcmp(k, "number_longer") == 0)
			f.number_longer_col = strcmp(v, "1") == 0;
		else if (strcmp(k, "our_number") == 0) {
			if (read_text(v, &f.our_number) != 0)
				return usage(v);
		} else if (strcmp(k, "external_id") == 0) {
			if (read_text(v, &f.external_id) != 0)
				return usage(v);
		} else if (strcmp(k, "customers") == 0) {
			for (p = strtok(v, ","); p && f.ncustomer_ids <
			    CALL_CONTACT_MAX; p = strtok(NULL, ","))
				ids[f.ncustomer_ids++] = strtoll(p, NULL, 10);
			f.customer_ids = ids;
		} else if (strcmp(k, "talk_min") == 0)
			f.talk_min = strtoll(v, NULL, 10);
		else if (strcmp(k, "talk_max") == 0)
			f.talk_max = strtoll(v, NULL, 10);
		else if (strcmp(k, "recording") == 0)
			f.recording = strcmp(v, "yes") == 0 ? REC_YES : REC_NO;
		else if (strcmp(k, "from") == 0)
			f.from_utc = v;
		else if (strcmp(k, "to") == 0)
			f.to_utc = v;
		else if (strcmp(k, "sort") == 0) {
			for (s = 0; s <= SORT_TALK_ASC; s++)
				if (strcmp(v, sorts[s]) == 0)
					break;
			if (s > SORT_TALK_ASC)
				return usage(v);
			f.sort = (enum call_sort)s;
		} else if (strcmp(k, "before") == 0) {
			/* AT,ID: started_at (or talk seconds) and id */
			if ((p = strrchr(v, ',')) == NULL)
				return usage(v);
			*p = '\0';
			f.has_cursor = true;
			f.cursor_at = v;
			f.cursor_talk = strtoll(v, NULL, 10);
			f.cursor_id = strtoll(p + 1, NULL, 10);
		} else if (strcmp(k, "limit") == 0)
			f.limit = (unsigned)strtoul(v, NULL, 10);
		else
			return usage(k);
	}
	if ((api ? db_api_calls_query(&af, &q) : db_call_list_query(&f, &q)) !=
	    CB_OK) {
		buf_free(&q.sql);
		fputs("history_sql: cannot assemble the query\n", stderr);
		return 1;
	}
	out = json_object_new_object();
	params = json_object_new_array();
	json_object_object_add(out, "sql",
	    json_object_new_string(buf_cstr(&q.sql)));
	for (i = 0; i < q.nparams; i++)
		json_object_array_add(params, q.params[i].is_text ?
		    json_object_new_string_len(q.params[i].text,
		    (int)q.params[i].len) :
		    json_object_new_int64(q.params[i].i64));
	json_object_object_add(out, "params", params);
	puts(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN));
	json_object_put(out);
	buf_free(&q.sql);
	return 0;
}
