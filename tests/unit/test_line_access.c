#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include <check.h>
#include <json-c/json.h>

#include "auth/line_access.h"

/* lib/auth/line_access.c: who sees a line's popups and may call from it
 * (issue 19 item 5). Each row states the lists and the expected answer
 * for users ANN, BOB and EVE; none is computed by the test. */

#define ANN 11
#define BOB 12
#define EVE 13

static const struct line_case {
	const char *name;
	/* Rows of line_access for the line asked about: "" = any line. */
	struct { const char *line; int64_t user; } rows[4];
	size_t nrows;
	bool ann, bob, eve;
} cases[] = {
	{ "no lists: everybody, as before the setting existed",
	    { { NULL, 0 } }, 0, true, true, true },
	{ "the line's own list admits only its users",
	    { { "+380441234567", ANN } }, 1, true, false, false },
	{ "the integration's any-line list applies to a line without one",
	    { { "", BOB }, { "", EVE } }, 2, false, true, true },
	{ "the line's own list wins over the any-line list",
	    { { "", BOB }, { "+380441234567", ANN } }, 2, true, false, false },
	{ "a user on both lists is admitted",
	    { { "", ANN }, { "+380441234567", ANN }, { "+380441234567", EVE } },
	    3, true, false, true },
	{ "NULL line is the any-line list",
	    { { NULL, EVE } }, 1, false, false, true },
};

START_TEST(test_line_rule_table)
{
	const struct line_case *c = &cases[_i];
	struct line_acl *a = malloc(sizeof(*a));
	size_t i;

	ck_assert_ptr_nonnull(a);
	line_acl_init(a);
	for (i = 0; i < c->nrows; i++)
		line_acl_add(a, c->rows[i].line, c->rows[i].user);
	ck_assert_msg(line_acl_allows(a, ANN) == c->ann, "%s: ann", c->name);
	ck_assert_msg(line_acl_allows(a, BOB) == c->bob, "%s: bob", c->name);
	ck_assert_msg(line_acl_allows(a, EVE) == c->eve, "%s: eve", c->name);
	/* Not a user at all (id 0) only where nothing is set. */
	ck_assert_msg(line_acl_allows(a, 0) == (c->nrows == 0), "%s: 0",
	    c->name);
	free(a);
}
END_TEST

/* A list longer than the cap keeps the first LINE_ACL_MAX users and
 * never writes past its array (ASan watches). */
START_TEST(test_line_rule_cap)
{
	struct line_acl *a = malloc(sizeof(*a));
	int64_t u;

	ck_assert_ptr_nonnull(a);
	line_acl_init(a);
	for (u = 1; u <= LINE_ACL_MAX + 10; u++)
		line_acl_add(a, "+48221234567", u);
	ck_assert_uint_eq(a->nline, LINE_ACL_MAX);
	ck_assert(line_acl_allows(a, LINE_ACL_MAX));
	ck_assert(!line_acl_allows(a, LINE_ACL_MAX + 1));
	free(a);
}
END_TEST

START_TEST(test_line_of_dial)
{
	struct json_object *c = json_tokener_parse(
	    "{\"caller_id\":\"+14155550100\",\"make_call_url\":\"x\"}");
	struct json_object *d = json_tokener_parse("{\"make_call_url\":\"x\"}");

	ck_assert_str_eq(line_of_dial(c), "+14155550100");
	ck_assert_str_eq(line_of_dial(d), "");
	ck_assert_str_eq(line_of_dial(NULL), "");
	json_object_put(c);
	json_object_put(d);
}
END_TEST

static Suite *
line_suite(void)
{
	Suite *s = suite_create("line_access");
	TCase *tc = tcase_create("rule");

	tcase_add_loop_test(tc, test_line_rule_table, 0,
	    (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, test_line_rule_cap);
	tcase_add_test(tc, test_line_of_dial);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(line_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
