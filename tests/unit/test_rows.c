#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <json-c/json.h>

#include "core/buf.h"
#include "core/err.h"
#include "tmpl/rows.h"
#include "tmpl/template.h"

/* One test per behaviour of lib/tmpl/rows.c and of the template engine's
 * reading of a table (STYLE §2.18). The main promise is sameness: a table
 * renders and serialises exactly as the json-c array of objects it stands
 * for, so most tests build both from one JSON text and compare. */

#define OUT_MAX (1024 * 1024)

/* The columns of the test tables, in the key order of the JSON below. */
static const char *const cols[] = {
	"id", "name", "n", "flag", "url", "cls", "nothing", "note"
};
#define NCOLS (sizeof(cols) / sizeof(cols[0]))

static int
col_of(const char *key)
{
	size_t i;

	for (i = 0; i < NCOLS; i++)
		if (strcmp(cols[i], key) == 0)
			return (int)i;
	ck_abort_msg("test JSON has key %s outside the columns", key);
	return -1;
}

/* The table of a JSON array of flat objects (keys in column order). */
static struct tmpl_rows *
table_of(struct json_object *arr)
{
	struct tmpl_rows *t = tmpl_rows_new(cols, NCOLS, 16, 4096);
	size_t r;

	ck_assert_ptr_nonnull(t);
	for (r = 0; r < json_object_array_length(arr); r++) {
		struct json_object *o = json_object_array_get_idx(arr, r);
		ck_assert_int_eq(tmpl_rows_add(t), CB_OK);
		json_object_object_foreach(o, key, v) {
			unsigned c = (unsigned)col_of(key);
			switch (json_object_get_type(v)) {
			case json_type_null:
				tmpl_rows_null(t, c);
				break;
			case json_type_boolean:
				tmpl_rows_bool(t, c, json_object_get_boolean(v));
				break;
			case json_type_int:
				tmpl_rows_i64(t, c, json_object_get_int64(v));
				break;
			case json_type_string:
				tmpl_rows_strn(t, c, json_object_get_string(v),
				    (size_t)json_object_get_string_len(v));
				break;
			default:
				ck_abort_msg("test JSON: %s is not a scalar", key);
			}
		}
	}
	ck_assert_int_eq(tmpl_rows_err(t), CB_OK);
	return t;
}

/* The root model of json with its "rows" array replaced by a table (put
 * last, where "rows" is in the JSON texts here). */
static struct json_object *
table_model(const char *json)
{
	struct json_object *m = json_tokener_parse(json), *arr;
	struct tmpl_rows *t;

	ck_assert_msg(m != NULL, "bad test JSON: %s", json);
	ck_assert(json_object_object_get_ex(m, "rows", &arr));
	t = table_of(arr);
	json_object_object_del(m, "rows");
	ck_assert_int_eq(tmpl_rows_attach(m, "rows", t), CB_OK);
	return m;
}

static char *
render(const char *html, struct json_object *model)
{
	struct tmpl_set *set = tmpl_set_new();
	struct buf err, out;
	enum cb_err e;

	ck_assert_ptr_nonnull(set);
	buf_init(&err, 4096);
	buf_init(&out, OUT_MAX);
	e = tmpl_set_add(set, "t.html", html, strlen(html), &err);
	ck_assert_msg(e == CB_OK, "add: %s: %s", cb_strerror(e),
	    buf_cstr(&err));
	e = tmpl_render(set, "t.html", model, &out);
	ck_assert_msg(e == CB_OK, "render: %s", cb_strerror(e));
	tmpl_set_free(set);
	buf_free(&err);
	return buf_steal(&out);
}

/* Renders html with json as json-c objects and as a table; both must give
 * the same bytes. Returns the table's output (caller frees). */
static char *
render_both(const char *html, const char *json)
{
	struct json_object *plain = json_tokener_parse(json);
	struct json_object *table = table_model(json);
	char *a, *b;

	ck_assert_ptr_nonnull(plain);
	a = render(html, plain);
	b = render(html, table);
	ck_assert_str_eq(b, a);
	json_object_put(plain);
	json_object_put(table);
	free(a);
	return b;
}

/* Every kind of cell and every directive that reads one. */
static const char page[] =
	"<p data-if=\"rows\">some</p><p data-unless=\"rows\">none</p>"
	"<table><tr data-repeat=\"rows\" data-attr-data-id=\"id\" "
	"data-attr-class=\"cls\"><td data-text=\"$index\"></td>"
	"<td data-text=\"name\"></td><td data-text=\"n\"></td>"
	"<td data-text=\"flag\"></td><td data-text=\"nothing\"></td>"
	"<td data-text=\"outer\"></td><td data-text=\"name.deeper\"></td>"
	"<td data-text=\"nothing.deeper\"></td>"
	"<td><a data-attr-href=\"url\" data-text=\"url\">u</a></td>"
	"<td><input type=\"checkbox\" data-attr-checked=\"flag\"></td>"
	"<td data-attr-title=\"flag\"></td><td data-attr-title=\"n\"></td>"
	"<td data-if=\".\">row</td><td data-text=\".\">x</td>"
	"<td data-if=\"name\">named</td><td data-unless=\"n\">zero</td>"
	"<td data-if=\"note\" data-text=\"note\"></td></tr></table>";

static const char rows_json[] =
	"{\"outer\":\"from the root\",\"nothing\":\"root's nothing\","
	"\"note\":\"root note\",\"rows\":["
	"{\"id\":1,\"name\":\"<script>alert(1)</script>\",\"n\":-5,"
	"\"flag\":true,\"url\":\"/calls/1?a=1&b=2\","
	"\"cls\":\"\\\"><img src=x onerror=alert(1)>\",\"nothing\":null},"
	"{\"id\":2,\"name\":\"\\\"><img onerror=alert(1)> & ' \\u00e9 / "
	"\\\\ \\u0001 \\n\",\"n\":0,\"flag\":false,"
	"\"url\":\"javascript:alert(1)\",\"cls\":\"\",\"note\":\"\"},"
	"{\"id\":9223372036854775807,\"n\":-9223372036854775808,"
	"\"url\":\" JavaScript:alert(1)\",\"note\":\"row note\"},"
	"{}]}";

START_TEST(test_rows_render_like_json_objects)
{
	free(render_both(page, rows_json));
}
END_TEST

START_TEST(test_rows_text_escaped)
{
	char *out = render_both(page, rows_json);

	ck_assert_ptr_null(strstr(out, "<script>"));
	ck_assert_ptr_nonnull(strstr(out, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	ck_assert_ptr_null(strstr(out, "\"><img"));
	ck_assert_ptr_nonnull(strstr(out, "&quot;&gt;&lt;img onerror"));
	free(out);
}
END_TEST

START_TEST(test_rows_attribute_escaped)
{
	char *out = render_both(page, rows_json);

	ck_assert_ptr_nonnull(strstr(out,
	    "class=\"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\""));
	ck_assert_ptr_nonnull(strstr(out, "href=\"/calls/1?a=1&amp;b=2\""));
	free(out);
}
END_TEST

START_TEST(test_rows_unsafe_url_replaced)
{
	char *out = render_both(page, rows_json);

	ck_assert_ptr_null(strstr(out, "href=\"javascript"));
	ck_assert_ptr_null(strstr(out, "href=\" JavaScript"));
	ck_assert_ptr_nonnull(strstr(out, "href=\"#\""));
	free(out);
}
END_TEST

START_TEST(test_rows_absent_cell_reads_outer_scope)
{
	char *out = render_both("<i data-repeat=\"rows\" data-text=\"nothing\">"
	    "</i>", "{\"nothing\":\"outer\",\"rows\":[{\"id\":1},"
	    "{\"nothing\":null},{\"nothing\":\"inner\"}]}");

	ck_assert_str_eq(out, "<i>outer</i><i></i><i>inner</i>");
	free(out);
}
END_TEST

START_TEST(test_rows_numbers_and_booleans)
{
	char *out = render_both("<i data-repeat=\"rows\"><b data-text=\"n\">"
	    "</b><b data-text=\"flag\"></b></i>", "{\"rows\":["
	    "{\"n\":-9223372036854775808,\"flag\":true},"
	    "{\"n\":9223372036854775807,\"flag\":false},{\"n\":0}]}");

	ck_assert_str_eq(out, "<i><b>-9223372036854775808</b><b>true</b></i>"
	    "<i><b>9223372036854775807</b><b>false</b></i>"
	    "<i><b>0</b><b></b></i>");
	free(out);
}
END_TEST

START_TEST(test_rows_empty_table_is_falsy)
{
	char *out = render_both(page, "{\"rows\":[]}");

	ck_assert_str_eq(out, "<p>none</p><table></table>");
	free(out);
}
END_TEST

/* The JSON of a table is json-c's JSON of the objects, byte for byte. */
static void
json_same(const char *json, int flags)
{
	struct json_object *plain = json_tokener_parse(json);
	struct json_object *table = table_model(json);

	ck_assert_ptr_nonnull(plain);
	ck_assert_str_eq(json_object_to_json_string_ext(table, flags),
	    json_object_to_json_string_ext(plain, flags));
	json_object_put(plain);
	json_object_put(table);
}

START_TEST(test_rows_json_like_json_objects)
{
	json_same(rows_json, JSON_C_TO_STRING_PLAIN);
	json_same(rows_json, JSON_C_TO_STRING_SPACED);
	json_same(rows_json, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	json_same("{\"rows\":[]}", JSON_C_TO_STRING_PLAIN);
}
END_TEST

START_TEST(test_rows_new_refuses_bad_columns)
{
	static const char *const dup[] = { "a", "b", "a" };
	static const char *const bad[] = { "a", "b.c" };
	static const char *const empty[] = { "" };
	const char *many[TMPL_ROWS_MAX_COLS + 1];
	char names[TMPL_ROWS_MAX_COLS + 1][8];
	size_t i;

	ck_assert_ptr_null(tmpl_rows_new(dup, 3, 4, 64));
	ck_assert_ptr_null(tmpl_rows_new(bad, 2, 4, 64));
	ck_assert_ptr_null(tmpl_rows_new(empty, 1, 4, 64));
	ck_assert_ptr_null(tmpl_rows_new(cols, 0, 4, 64));
	ck_assert_ptr_null(tmpl_rows_new(cols, NCOLS, 0, 64));
	for (i = 0; i <= TMPL_ROWS_MAX_COLS; i++) {
		snprintf(names[i], sizeof(names[i]), "c%zu", i);
		many[i] = names[i];
	}
	ck_assert_ptr_null(tmpl_rows_new(many, TMPL_ROWS_MAX_COLS + 1, 4, 64));
	tmpl_rows_free(tmpl_rows_new(many, TMPL_ROWS_MAX_COLS, 4, 64));
}
END_TEST

START_TEST(test_rows_find_every_column)
{
	struct tmpl_rows *t = tmpl_rows_new(cols, NCOLS, 1, 64);
	size_t i;

	ck_assert_ptr_nonnull(t);
	for (i = 0; i < NCOLS; i++)
		ck_assert_int_eq(tmpl_rows_find(t, cols[i],
		    tmpl_rows_key_hash(cols[i])), (int)i);
	ck_assert_int_eq(tmpl_rows_find(t, "missing",
	    tmpl_rows_key_hash("missing")), -1);
	tmpl_rows_free(t);
}
END_TEST

START_TEST(test_rows_add_past_max_too_big)
{
	struct tmpl_rows *t = tmpl_rows_new(cols, NCOLS, 2, 64);

	ck_assert_int_eq(tmpl_rows_add(t), CB_OK);
	ck_assert_int_eq(tmpl_rows_add(t), CB_OK);
	ck_assert_int_eq(tmpl_rows_add(t), CB_ETOOBIG);
	ck_assert_uint_eq(tmpl_rows_count(t), 2);
	tmpl_rows_free(t);
}
END_TEST

START_TEST(test_rows_text_cap_makes_null_and_error)
{
	struct tmpl_rows *t = tmpl_rows_new(cols, NCOLS, 2, 8);
	struct tmpl_cell_view c;

	ck_assert_int_eq(tmpl_rows_add(t), CB_OK);
	tmpl_rows_str(t, 1, "1234567");   /* 7 bytes + NUL: fits exactly */
	ck_assert_int_eq(tmpl_rows_err(t), CB_OK);
	tmpl_rows_str(t, 2, "x");
	ck_assert_int_eq(tmpl_rows_err(t), CB_ETOOBIG);
	tmpl_rows_cell(t, 0, 1, &c);
	ck_assert_int_eq(c.kind, TMPL_CELL_STR);
	ck_assert_str_eq(c.s, "1234567");
	tmpl_rows_cell(t, 0, 2, &c);
	ck_assert_int_eq(c.kind, TMPL_CELL_NULL);
	tmpl_rows_free(t);
}
END_TEST

START_TEST(test_rows_write_before_first_row_ignored)
{
	struct tmpl_rows *t = tmpl_rows_new(cols, NCOLS, 2, 64);
	struct tmpl_cell_view c;

	tmpl_rows_str(t, 0, "lost");
	tmpl_rows_i64(t, 0, 1);
	ck_assert_uint_eq(tmpl_rows_count(t), 0);
	ck_assert_int_eq(tmpl_rows_add(t), CB_OK);
	tmpl_rows_cell(t, 0, 0, &c);
	ck_assert_int_eq(c.kind, TMPL_CELL_ABSENT);
	tmpl_rows_free(t);
}
END_TEST

START_TEST(test_rows_text_survives_pool_growth)
{
	struct tmpl_rows *t = tmpl_rows_new(cols, NCOLS, 16, 1 << 20);
	struct tmpl_cell_view c;
	char big[3000];
	unsigned r;

	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (r = 0; r < 16; r++) {
		ck_assert_int_eq(tmpl_rows_add(t), CB_OK);
		tmpl_rows_str(t, 1, big);
		tmpl_rows_i64(t, 0, r);
	}
	ck_assert_int_eq(tmpl_rows_err(t), CB_OK);
	tmpl_rows_cell(t, 0, 1, &c);
	ck_assert_uint_eq(c.len, sizeof(big) - 1);
	ck_assert_str_eq(c.s, big);
	tmpl_rows_cell(t, 15, 0, &c);
	ck_assert_int_eq(c.i, 15);
	tmpl_rows_free(t);
}
END_TEST

START_TEST(test_rows_of_only_attached_tables)
{
	struct json_object *m = json_object_new_object();
	struct json_object *plain = json_object_new_array(), *v;
	struct tmpl_rows *t = tmpl_rows_new(cols, NCOLS, 1, 64);

	ck_assert_ptr_null(tmpl_rows_of(plain));
	ck_assert_ptr_null(tmpl_rows_of(NULL));
	ck_assert_ptr_null(tmpl_rows_of(m));
	ck_assert_int_eq(tmpl_rows_attach(m, "rows", t), CB_OK);
	ck_assert(json_object_object_get_ex(m, "rows", &v));
	ck_assert_ptr_eq(tmpl_rows_of(v), t);
	json_object_put(plain);
	json_object_put(m); /* frees t: LeakSanitizer would say otherwise */
}
END_TEST

static Suite *
rows_suite(void)
{
	Suite *s = suite_create("rows");
	TCase *tc = tcase_create("render");

	tcase_add_test(tc, test_rows_render_like_json_objects);
	tcase_add_test(tc, test_rows_text_escaped);
	tcase_add_test(tc, test_rows_attribute_escaped);
	tcase_add_test(tc, test_rows_unsafe_url_replaced);
	tcase_add_test(tc, test_rows_absent_cell_reads_outer_scope);
	tcase_add_test(tc, test_rows_numbers_and_booleans);
	tcase_add_test(tc, test_rows_empty_table_is_falsy);
	tcase_add_test(tc, test_rows_json_like_json_objects);
	suite_add_tcase(s, tc);

	tc = tcase_create("table");
	tcase_add_test(tc, test_rows_new_refuses_bad_columns);
	tcase_add_test(tc, test_rows_find_every_column);
	tcase_add_test(tc, test_rows_add_past_max_too_big);
	tcase_add_test(tc, test_rows_text_cap_makes_null_and_error);
	tcase_add_test(tc, test_rows_write_before_first_row_ignored);
	tcase_add_test(tc, test_rows_text_survives_pool_growth);
	tcase_add_test(tc, test_rows_of_only_attached_tables);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(rows_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
