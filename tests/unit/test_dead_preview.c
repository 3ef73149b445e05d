/* Unit tests for lib/calls/dead_preview: a dead letter's preview shows the
 * event and never a credential. */
#include "config.h"

#include <check.h>
#include <string.h>

#include "calls/dead_preview.h"
#include "core/arena.h"

static const char *
preview(struct arena *a, const char *query, const char *ctype,
    const char *body, bool cut)
{
	struct dead_parts p;

	memset(&p, 0, sizeof(p));
	p.method = "POST";
	p.query = query;
	p.content_type = ctype;
	p.body = body;
	p.body_len = body ? strlen(body) : 0;
	p.body_cut = cut;
	return dead_preview(a, &p);
}

START_TEST(test_query_key_redacted)
{
	struct arena *a = arena_new();
	const char *s = preview(a, "key=demo-binotel-key&x=1", NULL, NULL,
	    false);

	ck_assert_str_eq(s, "POST ?key=[redacted]&x=1");
	/* Percent-encoded names and values are read as the hook reads them. */
	s = preview(a, "K%65Y=sec%72et&API_Token=t0k", NULL, NULL, false);
	ck_assert_ptr_null(strstr(s, "secret"));
	ck_assert_ptr_null(strstr(s, "t0k"));
	arena_free(a);
}
END_TEST

START_TEST(test_form_body_redacted)
{
	struct arena *a = arena_new();
	const char *s = preview(a, NULL, "application/x-www-form-urlencoded; "
	    "charset=utf-8", "pbx_call_id=in_1&signature=abc%3D&internal=101",
	    false);

	ck_assert_str_eq(s, "POST pbx_call_id=in_1&signature=[redacted]"
	    "&internal=101");
	arena_free(a);
}
END_TEST

START_TEST(test_json_body_redacted_deep)
{
	struct arena *a = arena_new();
	const char *s = preview(a, NULL, "application/json",
	    "{\"call_id\":\"c1\",\"auth\":{\"user\":\"u\"},\"legs\":[{\"Secret\":"
	    "\"s3\",\"ext\":\"101\"}]}", false);

	ck_assert_str_eq(s, "POST {\"call_id\":\"c1\",\"auth\":\"[redacted]\","
	    "\"legs\":[{\"Secret\":\"[redacted]\",\"ext\":\"101\"}]}");
	arena_free(a);
}
END_TEST

START_TEST(test_unreadable_body_not_shown)
{
	struct arena *a = arena_new();
	const char *s;

	/* A cut JSON body cannot be redacted: described, not shown. */
	s = preview(a, NULL, "application/json", "{\"token\":\"t0k", true);
	ck_assert_ptr_null(strstr(s, "t0k"));
	ck_assert_ptr_nonnull(strstr(s, "not shown"));
	s = preview(a, NULL, "text/plain", "password=hunter2", false);
	ck_assert_ptr_null(strstr(s, "hunter2"));
	s = preview(a, NULL, "application/x-www-form-urlencoded",
	    "a=1&token=t0k", true);
	ck_assert_ptr_null(strstr(s, "t0k"));
	arena_free(a);
}
END_TEST

START_TEST(test_clipped_and_no_control_bytes)
{
	struct arena *a = arena_new();
	char body[2000];
	const char *s;
	size_t i;

	strcpy(body, "{\"x\":\"");
	for (i = strlen(body); i < 1000; i++)
		body[i] = 'y';
	strcpy(body + i, "\"}");
	s = preview(a, NULL, "application/json", body, false);
	ck_assert_uint_le(strlen(s), DEAD_PREVIEW_CHARS + strlen("…"));
	ck_assert_ptr_nonnull(strstr(s, "…"));
	s = preview(a, "a=%0d%0aX&b=%ff", NULL, NULL, false);
	ck_assert_str_eq(s, "POST ?a=  X&b=?");
	arena_free(a);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("dead_preview");
	TCase *tc = tcase_create("dead_preview");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_query_key_redacted);
	tcase_add_test(tc, test_form_body_redacted);
	tcase_add_test(tc, test_json_body_redacted_deep);
	tcase_add_test(tc, test_unreadable_body_not_shown);
	tcase_add_test(tc, test_clipped_and_no_control_bytes);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
