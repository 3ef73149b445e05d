#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "auth/access.h"

/* lib/auth/access.c as tables (issue 16 "One rule, written once"): page x
 * scope x owner for calls, kind x act x scope x owner for CRM records.
 * Each row states the expected answer; none is computed by the test. */

#define ME 7
#define OTHER 8
#define NOBODY 0

enum { N = SCOPE_NONE, O = SCOPE_OWN, A = SCOPE_ALL };

static struct user
user_with(enum perm p1, int s1, enum perm p2, int s2)
{
	struct user u;
	int i;

	memset(&u, 0, sizeof(u));
	u.id = ME;
	for (i = 0; i < PERM__MAX; i++)
		u.perms[i] = SCOPE_NONE;
	if (p1 != PERM_NONE)
		u.perms[p1] = (enum perm_scope)s1;
	if (p2 != PERM_NONE)
		u.perms[p2] = (enum perm_scope)s2;
	return u;
}

static const struct call_case {
	enum access_via via;
	int calls;              /* scope of `calls` */
	int page;               /* scope of the feed's permission */
	int64_t owner;          /* calls.manager_id */
	bool in_feed;           /* the call belongs to the feed's record */
	bool expect;
	int64_t list;           /* access_call_list_manager() */
} call_cases[] = {
	/* The history: `calls` alone decides. */
	{ VIA_HISTORY, N, N, ME, true, false, -1 },
	{ VIA_HISTORY, N, A, ME, true, false, -1 },
	{ VIA_HISTORY, O, N, ME, true, true, ME },
	{ VIA_HISTORY, O, N, OTHER, true, false, ME },
	{ VIA_HISTORY, O, N, NOBODY, true, false, ME },
	{ VIA_HISTORY, A, N, ME, true, true, 0 },
	{ VIA_HISTORY, A, N, OTHER, true, true, 0 },
	{ VIA_HISTORY, A, N, NOBODY, true, true, 0 },
	/* A customer's feed: customers.calls, widened by calls. */
	{ VIA_CUSTOMER, N, N, ME, true, false, -1 },
	{ VIA_CUSTOMER, N, O, ME, true, true, ME },
	{ VIA_CUSTOMER, N, O, OTHER, true, false, ME },
	{ VIA_CUSTOMER, N, O, NOBODY, true, false, ME },
	{ VIA_CUSTOMER, N, A, OTHER, true, true, 0 },
	{ VIA_CUSTOMER, N, A, NOBODY, true, true, 0 },
	{ VIA_CUSTOMER, O, O, OTHER, true, false, ME },
	{ VIA_CUSTOMER, A, O, OTHER, true, true, 0 },
	{ VIA_CUSTOMER, A, N, OTHER, true, true, 0 },
	{ VIA_CUSTOMER, O, A, OTHER, true, true, 0 },
	/* ...but never a call of another customer. */
	{ VIA_CUSTOMER, A, A, ME, false, false, 0 },
	{ VIA_CUSTOMER, N, A, ME, false, false, 0 },
	/* An order's feed: the same with orders.calls. */
	{ VIA_ORDER, N, N, ME, true, false, -1 },
	{ VIA_ORDER, N, O, ME, true, true, ME },
	{ VIA_ORDER, N, O, OTHER, true, false, ME },
	{ VIA_ORDER, N, A, OTHER, true, true, 0 },
	{ VIA_ORDER, A, N, OTHER, true, true, 0 },
	{ VIA_ORDER, O, N, ME, true, true, ME },
	{ VIA_ORDER, O, N, OTHER, true, false, ME },
	{ VIA_ORDER, A, A, ME, false, false, 0 },
};

START_TEST(test_call_access_table)
{
	const struct call_case *k = &call_cases[_i];
	enum perm page = k->via == VIA_CUSTOMER ? PERM_CUSTOMERS_CALLS :
	    k->via == VIA_ORDER ? PERM_ORDERS_CALLS : PERM_NONE;
	struct user u = user_with(PERM_CALLS, k->calls, page, k->page);
	struct access_call c = { k->owner, 40, 50 };
	int64_t via_id = k->via == VIA_CUSTOMER ? (k->in_feed ? 40 : 41) :
	    k->via == VIA_ORDER ? (k->in_feed ? 50 : 51) : 0;

	ck_assert_msg(access_call(&u, k->via, via_id, &c) == k->expect,
	    "row %d: expected %s", _i, k->expect ? "allowed" : "refused");
	ck_assert_msg(access_call_list_manager(&u, k->via) == k->list,
	    "row %d: list manager %lld", _i,
	    (long long)access_call_list_manager(&u, k->via));
}
END_TEST

START_TEST(test_call_access_feed_needs_its_id)
{
	struct user u = user_with(PERM_CALLS, A, PERM_CUSTOMERS_CALLS, A);
	struct access_call none = { ME, 0, 0 };

	/* A call with no customer is not in "customer 0's" feed. */
	ck_assert(!access_call(&u, VIA_CUSTOMER, 0, &none));
	ck_assert(!access_call(&u, VIA_ORDER, 0, &none));
	ck_assert(!access_call(NULL, VIA_HISTORY, 0, &none));
	ck_assert(!access_call(&u, VIA__MAX, 0, &none));
}
END_TEST

static const struct record_case {
	enum access_kind kind;
	enum access_act act;
	int scope;              /* of the permission for kind and act */
	int64_t owner;          /* the record's manager_id */
	bool expect;
} record_cases[] = {
	{ ACCESS_CUSTOMER, ACCESS_VIEW, N, ME, false },
	{ ACCESS_CUSTOMER, ACCESS_VIEW, O, ME, true },
	{ ACCESS_CUSTOMER, ACCESS_VIEW, O, OTHER, false },
	{ ACCESS_CUSTOMER, ACCESS_VIEW, O, NOBODY, false },
	{ ACCESS_CUSTOMER, ACCESS_VIEW, A, OTHER, true },
	{ ACCESS_CUSTOMER, ACCESS_VIEW, A, NOBODY, true },
	{ ACCESS_CUSTOMER, ACCESS_EDIT, N, ME, false },
	{ ACCESS_CUSTOMER, ACCESS_EDIT, O, ME, true },
	{ ACCESS_CUSTOMER, ACCESS_EDIT, O, OTHER, false },
	{ ACCESS_CUSTOMER, ACCESS_EDIT, A, OTHER, true },
	{ ACCESS_ORDER, ACCESS_VIEW, N, ME, false },
	{ ACCESS_ORDER, ACCESS_VIEW, O, ME, true },
	{ ACCESS_ORDER, ACCESS_VIEW, O, OTHER, false },
	{ ACCESS_ORDER, ACCESS_VIEW, A, OTHER, true },
	{ ACCESS_ORDER, ACCESS_EDIT, O, ME, true },
	{ ACCESS_ORDER, ACCESS_EDIT, O, OTHER, false },
	{ ACCESS_ORDER, ACCESS_EDIT, A, NOBODY, true },
	{ ACCESS_LEAD, ACCESS_VIEW, N, ME, false },
	{ ACCESS_LEAD, ACCESS_VIEW, O, ME, true },
	{ ACCESS_LEAD, ACCESS_VIEW, O, NOBODY, false },
	{ ACCESS_LEAD, ACCESS_VIEW, A, OTHER, true },
	{ ACCESS_LEAD, ACCESS_EDIT, N, ME, false },
	{ ACCESS_LEAD, ACCESS_EDIT, O, ME, true },
	{ ACCESS_LEAD, ACCESS_EDIT, A, OTHER, true },
};

START_TEST(test_record_access_table)
{
	const struct record_case *k = &record_cases[_i];
	struct user u = user_with(access_record_perm(k->kind, k->act),
	    k->scope, PERM_NONE, 0);

	ck_assert_msg(access_record(&u, k->kind, k->act, k->owner) ==
	    k->expect, "row %d: expected %s", _i,
	    k->expect ? "allowed" : "refused");
	ck_assert(access_record_any(&u, k->kind, k->act) == (k->scope != N));
}
END_TEST

/* One permission never lends its scope to another act or kind: every
 * other (kind, act) is refused even for the user's own record. */
START_TEST(test_record_access_no_leak)
{
	int k, a, k2, a2;

	for (k = 0; k < ACCESS_KIND__MAX; k++)
		for (a = 0; a < ACCESS_ACT__MAX; a++) {
			struct user u = user_with(access_record_perm(
			    (enum access_kind)k, (enum access_act)a), A,
			    PERM_CALLS, A);
			for (k2 = 0; k2 < ACCESS_KIND__MAX; k2++)
				for (a2 = 0; a2 < ACCESS_ACT__MAX; a2++)
					ck_assert(access_record(&u,
					    (enum access_kind)k2,
					    (enum access_act)a2, ME) ==
					    (k == k2 && a == a2));
		}
	ck_assert(!access_record(NULL, ACCESS_CUSTOMER, ACCESS_VIEW, ME));
	ck_assert_int_eq(access_record_perm(ACCESS_KIND__MAX, ACCESS_VIEW),
	    PERM_NONE);
}
END_TEST

static Suite *
access_suite(void)
{
	Suite *s = suite_create("access");
	TCase *tc = tcase_create("rules");

	tcase_add_loop_test(tc, test_call_access_table, 0,
	    (int)(sizeof(call_cases) / sizeof(call_cases[0])));
	tcase_add_test(tc, test_call_access_feed_needs_its_id);
	tcase_add_loop_test(tc, test_record_access_table, 0,
	    (int)(sizeof(record_cases) / sizeof(record_cases[0])));
	tcase_add_test(tc, test_record_access_no_leak);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(access_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
