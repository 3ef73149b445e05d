#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <json-c/json.h>

#include "core/buf.h"
#include "core/err.h"
#include "tmpl/template.h"

/* One test per behaviour of lib/tmpl/template.c (STYLE §2.18). Most tests
 * add one template from memory and compare the whole output. */

#define OUT_MAX (1024 * 1024)

static struct json_object *
model_of(const char *json)
{
	struct json_object *m;

	if (json == NULL)
		return NULL;
	m = json_tokener_parse(json);
	ck_assert_msg(m != NULL, "bad test JSON: %s", json);
	return m;
}

/* Renders html, added as "t.html", with the model in json. Caller frees. */
static char *
render1(const char *html, const char *json)
{
	struct tmpl_set *set = tmpl_set_new();
	struct json_object *model = model_of(json);
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
	json_object_put(model);
	tmpl_set_free(set);
	buf_free(&err);
	return buf_steal(&out);
}

#define RENDERS(html, json, want) do {					\
	char *got_ = render1((html), (json));				\
	ck_assert_str_eq(got_, (want));					\
	free(got_);							\
} while (0)

#define RENDERS_WITH(html, json, needle) do {				\
	char *got_ = render1((html), (json));				\
	ck_assert_msg(strstr(got_, (needle)) != NULL,			\
	    "\"%s\" not in \"%s\"", (needle), got_);			\
	free(got_);							\
} while (0)

/* Adds html as "t.html" to a fresh set; returns the error and leaves the
 * message in msg (caller frees). */
static enum cb_err
add1(const char *html, struct buf *msg)
{
	struct tmpl_set *set = tmpl_set_new();
	enum cb_err e;

	ck_assert_ptr_nonnull(set);
	buf_init(msg, 4096);
	e = tmpl_set_add(set, "t.html", html, strlen(html), msg);
	tmpl_set_free(set);
	return e;
}

#define REFUSED(html, needle) do {					\
	struct buf msg_;						\
	enum cb_err e_ = add1((html), &msg_);				\
	ck_assert_msg(e_ == CB_EINVAL, "accepted: %s", (html));		\
	ck_assert_msg(strstr(buf_cstr(&msg_), (needle)) != NULL,	\
	    "\"%s\" not in message \"%s\"", (needle), buf_cstr(&msg_));	\
	buf_free(&msg_);						\
} while (0)

static void
add_ok(struct tmpl_set *set, const char *name, const char *html)
{
	struct buf err;
	enum cb_err e;

	buf_init(&err, 4096);
	e = tmpl_set_add(set, name, html, strlen(html), &err);
	ck_assert_msg(e == CB_OK, "add %s: %s", name, buf_cstr(&err));
	buf_free(&err);
}

static char *
render_set(const struct tmpl_set *set, const char *name, const char *json)
{
	struct json_object *model = model_of(json);
	struct buf out;
	enum cb_err e;

	buf_init(&out, OUT_MAX);
	e = tmpl_render(set, name, model, &out);
	ck_assert_msg(e == CB_OK, "render %s: %s", name, cb_strerror(e));
	json_object_put(model);
	return buf_steal(&out);
}

/* --- static HTML survives the round trip --------------------------------- */

START_TEST(test_document_round_trip)
{
	static const char page[] =
	    "<!DOCTYPE html>\n"
	    "<html lang=\"en\">\n"
	    "<head>\n"
	    "  <meta charset=\"utf-8\">\n"
	    "  <title>Calls &amp; more</title>\n"
	    "  <link rel=\"stylesheet\" href=\"/s.css\">\n"
	    "</head>\n"
	    "<body class=\"page\">\n"
	    "  <nav><a href=\"/calls?a=1&amp;b=2\">Calls</a></nav>\n"
	    "  <main>\n"
	    "    <p>Hello&nbsp;world <b>bold</b> <i>it</i><br>x</p>\n"
	    "    <input type=\"text\" value=\"\" required>\n"
	    "    <img src=\"a.png\" alt=\"\">\n"
	    "  </main>\n"
	    "</body>\n"
	    "</html>\n";
	static const char want[] =
	    "<!DOCTYPE html>\n"
	    "<html lang=\"en\">\n"
	    "<head>\n"
	    "  <meta charset=\"utf-8\">\n"
	    "  <title>Calls &amp; more</title>\n"
	    "  <link rel=\"stylesheet\" href=\"/s.css\">\n"
	    "</head>\n"
	    "<body class=\"page\">\n"
	    "  <nav><a href=\"/calls?a=1&amp;b=2\">Calls</a></nav>\n"
	    "  <main>\n"
	    "    <p>Hello&nbsp;world <b>bold</b> <i>it</i><br>x</p>\n"
	    "    <input type=\"text\" value=\"\" required>\n"
	    "    <img src=\"a.png\" alt=\"\">\n"
	    "  </main>\n"
	    "</body>\n"
	    "</html>\n";

	RENDERS(page, NULL, want);
}
END_TEST

START_TEST(test_doctype_kept)
{
	RENDERS("<!DOCTYPE html><title>t</title><p>x</p>", NULL,
	    "<!DOCTYPE html>\n<html><head><title>t</title></head>"
	    "<body><p>x</p></body></html>\n");
}
END_TEST

START_TEST(test_doctype_lower_case_is_a_document)
{
	RENDERS_WITH("<!doctype html><p>x</p>", NULL, "<!DOCTYPE html>\n");
}
END_TEST

START_TEST(test_void_elements_have_no_end_tag)
{
	RENDERS("<p>a<br>b<hr><img src=\"i.png\"><input name=\"q\">"
	    "<meta name=\"x\"><link rel=\"x\"></p>", NULL,
	    "<p>a<br>b</p><hr><img src=\"i.png\"><input name=\"q\">"
	    "<meta name=\"x\"><link rel=\"x\">");
}
END_TEST

START_TEST(test_html5_voids_keep_sibling_order)
{
	/* libxml2 2.9 does not know source, track and wbr are void. */
	RENDERS("<audio controls><source src=\"a.mp3\"><track src=\"t.vtt\">"
	    "Fallback</audio><p>a<wbr>b</p>", NULL,
	    "<audio controls><source src=\"a.mp3\"><track src=\"t.vtt\">"
	    "Fallback</audio><p>a<wbr>b</p>");
}
END_TEST

START_TEST(test_nbsp_preserved)
{
	RENDERS("<p>a&nbsp;b</p><p title=\"x&nbsp;y\">c</p>", NULL,
	    "<p>a&nbsp;b</p><p title=\"x&nbsp;y\">c</p>");
}
END_TEST

START_TEST(test_static_entities_reescaped)
{
	RENDERS("<p>a &amp; b &lt;c&gt; &quot;d&quot; &copy;</p>", NULL,
	    "<p>a &amp; b &lt;c&gt; \"d\" \xC2\xA9</p>");
}
END_TEST

START_TEST(test_static_attribute_quotes_escaped)
{
	RENDERS("<p title='say \"hi\" &amp; go'>x</p>", NULL,
	    "<p title=\"say &quot;hi&quot; &amp; go\">x</p>");
}
END_TEST

START_TEST(test_bare_boolean_attribute_kept)
{
	RENDERS("<video controls muted></video>", NULL,
	    "<video controls muted></video>");
}
END_TEST

START_TEST(test_script_copied_verbatim)
{
	RENDERS("<script>var s = \"<b>x</b>\"; if (a < b && c) {}</script>",
	    NULL,
	    "<script>var s = \"<b>x</b>\"; if (a < b && c) {}</script>");
}
END_TEST

START_TEST(test_style_copied_verbatim)
{
	RENDERS("<style>p > a::after { content: \"&\"; }</style>", NULL,
	    "<style>p > a::after { content: \"&\"; }</style>");
}
END_TEST

START_TEST(test_comments_dropped)
{
	RENDERS("<p>a<!-- designer note -->b</p>", NULL, "<p>ab</p>");
}
END_TEST

START_TEST(test_fragment_siblings_stay_siblings)
{
	RENDERS("<p>one</p>\n<p>two</p>\n", NULL, "<p>one</p>\n<p>two</p>\n");
}
END_TEST

START_TEST(test_fragment_leading_text_not_wrapped)
{
	RENDERS("Hello <b>x</b> tail", NULL, "Hello <b>x</b> tail");
}
END_TEST

START_TEST(test_fragment_table_rows)
{
	RENDERS("<tr><td>a</td></tr><tr><td>b</td></tr>", NULL,
	    "<tr><td>a</td></tr><tr><td>b</td></tr>");
}
END_TEST

START_TEST(test_whitespace_kept)
{
	RENDERS("<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>", NULL,
	    "<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>");
}
END_TEST

START_TEST(test_utf8_bom_dropped)
{
	RENDERS("\xEF\xBB\xBF<p>x</p>", NULL, "<p>x</p>");
}
END_TEST

START_TEST(test_empty_template)
{
	RENDERS("", NULL, "");
}
END_TEST

START_TEST(test_document_after_leading_comment)
{
	RENDERS("<!-- layout -->\n<!DOCTYPE html><p>x</p>", NULL,
	    "<!DOCTYPE html>\n<html><body><p>x</p></body></html>\n");
}
END_TEST

/* Random soup of tokens: every template either loads or is refused with
 * CB_EINVAL, and every loaded one renders. Run under ASan/valgrind this
 * is a small fuzz corpus replayed on each build (STYLE §2.21). */
START_TEST(test_garbage_templates_load_or_fail_cleanly)
{
	static const char *const tok[] = {
		"<p>", "</p>", "<div data-if=\"a\">", "</div>",
		"<b data-text=\"x\">", "</b>", "<i data-repeat=\"xs\">", "</i>",
		"<script>", "</script>", "<style>", "</style>", "<!--", "-->",
		"&amp;", "&", "<", ">", "\"", "'", "text ", "\n", "<br>",
		"<source data-if=\"a\">", "<table>", "<tr data-repeat=\"xs\">",
		"<td data-text=\".\">", "</td>", "</tr>", "<body>", "</body>",
		"<html>", "<!DOCTYPE html>", "<a data-attr-href=\"u\">", "</a>",
		"<input data-attr-value=\"$index\">", "\xC2\xA0", "\xC3\xA9",
		"<textarea data-text=\"x\">", "</textarea>", "<title>",
		"<head>", "<svg><path d=x/>", "<select><option>", "&nbsp;",
		"<p data-include=\"t.html\">", "<p data-include=\"p.html\">",
		"<pre>", "<b data-text=\"a..b\">", "<x y=z w>", "</x>",
		"<![CDATA[", "]]>", "<?php ?>", "<p data-unless=\"a.b\">"
	};
	static const char model[] = "{\"a\":1,\"x\":\"<v>\",\"xs\":[1,"
	    "{\"x\":2,\"a\":0}],\"u\":\"javascript:x\"}";
	struct json_object *m = model_of(model);
	unsigned long rng = 12345;
	struct buf html, out;
	struct tmpl_set *set;
	enum cb_err e;
	int i, k, n;

	buf_init(&html, 65536);
	buf_init(&out, OUT_MAX);
	for (i = 0; i < 500; i++) {
		buf_reset(&html);
		rng = rng * 6364136223846793005UL + 1442695040888963407UL;
		n = (int)((rng >> 33) % 60);
		for (k = 0; k < n; k++) {
			rng = rng * 6364136223846793005UL +
			    1442695040888963407UL;
			buf_puts(&html, tok[(rng >> 33) %
			    (sizeof(tok) / sizeof(tok[0]))]);
		}
		set = tmpl_set_new();
		add_ok(set, "p.html", "<b data-text=\"x\">partial</b>");
		e = tmpl_set_add(set, "t.html", buf_cstr(&html), html.len,
		    NULL);
		ck_assert_msg(e == CB_OK || e == CB_EINVAL, "%s: %s",
		    cb_strerror(e), buf_cstr(&html));
		if (e == CB_OK) {
			buf_reset(&out);
			e = tmpl_render(set, "t.html", m, &out);
			ck_assert_msg(e == CB_OK, "%s: %s", cb_strerror(e),
			    buf_cstr(&html));
			ck_assert_ptr_null(strstr(buf_cstr(&out),
			    "href=\"javascript"));
		}
		tmpl_set_free(set);
	}
	buf_free(&html);
	buf_free(&out);
	json_object_put(m);
}
END_TEST

/* --- data-text ----------------------------------------------------------- */

START_TEST(test_text_string)
{
	RENDERS("<p data-text=\"name\">placeholder</p>", "{\"name\":\"Ann\"}",
	    "<p>Ann</p>");
}
END_TEST

START_TEST(test_text_replaces_children)
{
	RENDERS("<p data-text=\"name\">a <b data-text=\"x\">b</b> c</p>",
	    "{\"name\":\"Ann\",\"x\":\"X\"}", "<p>Ann</p>");
}
END_TEST

START_TEST(test_text_escapes_script_tag)
{
	RENDERS("<p data-text=\"v\"></p>",
	    "{\"v\":\"<script>alert(1)</script>\"}",
	    "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>");
}
END_TEST

START_TEST(test_text_escapes_quotes_and_amp)
{
	RENDERS("<p data-text=\"v\"></p>", "{\"v\":\"a & b \\\"c\\\" 'd'\"}",
	    "<p>a &amp; b &quot;c&quot; &#39;d&#39;</p>");
}
END_TEST

START_TEST(test_text_entity_not_double_decoded)
{
	RENDERS("<p data-text=\"v\"></p>", "{\"v\":\"&lt;b&gt;\"}",
	    "<p>&amp;lt;b&amp;gt;</p>");
}
END_TEST

START_TEST(test_text_nul_byte_replaced)
{
	RENDERS("<p data-text=\"v\"></p>", "{\"v\":\"a\\u0000<b\"}",
	    "<p>a\xEF\xBF\xBD&lt;b</p>");
}
END_TEST

START_TEST(test_text_unicode_kept)
{
	RENDERS("<p data-text=\"v\"></p>",
	    "{\"v\":\"\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD1\x96\xD1\x82 "
	    "\\u00e9 \\ud83d\\ude00 \xE2\x80\xAE\"}",
	    "<p>\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD1\x96\xD1\x82 "
	    "\xC3\xA9 \xF0\x9F\x98\x80 \xE2\x80\xAE</p>");
}
END_TEST

START_TEST(test_text_int)
{
	RENDERS("<td data-text=\"n\"></td>", "{\"n\":42}", "<td>42</td>");
}
END_TEST

START_TEST(test_text_negative_int)
{
	RENDERS("<td data-text=\"n\"></td>", "{\"n\":-9223372036854775808}",
	    "<td>-9223372036854775808</td>");
}
END_TEST

START_TEST(test_text_big_unsigned_int)
{
	RENDERS("<td data-text=\"n\"></td>", "{\"n\":18446744073709551615}",
	    "<td>18446744073709551615</td>");
}
END_TEST

START_TEST(test_text_double)
{
	RENDERS("<td data-text=\"a\"></td><td data-text=\"b\"></td>"
	    "<td data-text=\"c\"></td>", "{\"a\":0.1,\"b\":2.5,\"c\":3.0}",
	    "<td>0.1</td><td>2.5</td><td>3</td>");
}
END_TEST

START_TEST(test_text_booleans)
{
	RENDERS("<i data-text=\"t\"></i><i data-text=\"f\"></i>",
	    "{\"t\":true,\"f\":false}", "<i>true</i><i>false</i>");
}
END_TEST

START_TEST(test_text_null_is_empty)
{
	RENDERS("<p data-text=\"v\">x</p>", "{\"v\":null}", "<p></p>");
}
END_TEST

START_TEST(test_text_missing_key_is_empty)
{
	RENDERS("<p data-text=\"nope\">x</p>", "{\"v\":1}", "<p></p>");
}
END_TEST

START_TEST(test_text_object_and_array_are_empty)
{
	RENDERS("<p data-text=\"o\">x</p><p data-text=\"a\">y</p>",
	    "{\"o\":{\"k\":1},\"a\":[1,2]}", "<p></p><p></p>");
}
END_TEST

START_TEST(test_text_null_model)
{
	RENDERS("<p data-text=\"v\">x</p>", NULL, "<p></p>");
}
END_TEST

START_TEST(test_text_dotted_path)
{
	RENDERS("<p data-text=\"customer.address.city\"></p>",
	    "{\"customer\":{\"address\":{\"city\":\"Kyiv\"}}}",
	    "<p>Kyiv</p>");
}
END_TEST

START_TEST(test_text_path_through_scalar_is_missing)
{
	RENDERS("<p data-text=\"customer.name\">x</p>",
	    "{\"customer\":\"Ann\"}", "<p></p>");
}
END_TEST

START_TEST(test_text_path_through_null_is_missing)
{
	RENDERS("<p data-text=\"customer.name\">x</p>",
	    "{\"customer\":null}", "<p></p>");
}
END_TEST

START_TEST(test_text_in_textarea_keeps_leading_newline)
{
	/* A browser drops one LF right after <textarea>. */
	RENDERS("<textarea data-text=\"v\"></textarea>", "{\"v\":\"\\nx\"}",
	    "<textarea>\n\nx</textarea>");
}
END_TEST

START_TEST(test_text_in_title_escaped)
{
	RENDERS("<!DOCTYPE html><title data-text=\"t\">x</title>",
	    "{\"t\":\"</title><script>\"}",
	    "<!DOCTYPE html>\n<html><head><title>&lt;/title&gt;&lt;script&gt;"
	    "</title></head></html>\n");
}
END_TEST

/* --- data-attr-NAME ------------------------------------------------------ */

START_TEST(test_attr_sets_value)
{
	RENDERS("<input data-attr-value=\"v\">", "{\"v\":\"Ann\"}",
	    "<input value=\"Ann\">");
}
END_TEST

START_TEST(test_attr_replaces_static_attribute)
{
	RENDERS("<a href=\"/placeholder\" data-attr-href=\"u\" class=\"x\">"
	    "l</a>", "{\"u\":\"/calls/7\"}",
	    "<a class=\"x\" href=\"/calls/7\">l</a>");
}
END_TEST

START_TEST(test_attr_breakout_escaped)
{
	RENDERS("<input data-attr-value=\"v\">",
	    "{\"v\":\"\\\"><img src=x onerror=alert(1)>\"}",
	    "<input value=\"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\">");
}
END_TEST

START_TEST(test_attr_single_quote_escaped)
{
	RENDERS("<input data-attr-title=\"v\">", "{\"v\":\"' onmouseover='x\"}",
	    "<input title=\"&#39; onmouseover=&#39;x\">");
}
END_TEST

START_TEST(test_attr_missing_omitted)
{
	RENDERS("<a href=\"/x\" data-attr-href=\"u\">l</a>", "{}",
	    "<a>l</a>");
}
END_TEST

START_TEST(test_attr_null_omitted)
{
	RENDERS("<input data-attr-value=\"v\">", "{\"v\":null}", "<input>");
}
END_TEST

START_TEST(test_attr_false_omitted)
{
	RENDERS("<input data-attr-value=\"v\">", "{\"v\":false}", "<input>");
}
END_TEST

START_TEST(test_attr_empty_string_kept)
{
	RENDERS("<input data-attr-value=\"v\">", "{\"v\":\"\"}",
	    "<input value=\"\">");
}
END_TEST

START_TEST(test_attr_true_on_plain_attribute)
{
	RENDERS("<button data-attr-aria-expanded=\"v\">b</button>",
	    "{\"v\":true}", "<button aria-expanded=\"true\">b</button>");
}
END_TEST

START_TEST(test_attr_number)
{
	RENDERS("<input data-attr-value=\"n\">", "{\"n\":12}",
	    "<input value=\"12\">");
}
END_TEST

START_TEST(test_attr_boolean_true_prints_name)
{
	RENDERS("<input type=\"checkbox\" data-attr-checked=\"v\">",
	    "{\"v\":true}", "<input type=\"checkbox\" checked>");
}
END_TEST

START_TEST(test_attr_boolean_falsy_omitted)
{
	RENDERS("<input checked data-attr-checked=\"a\">"
	    "<input data-attr-disabled=\"b\"><option data-attr-selected=\"c\">"
	    "o</option>", "{\"a\":false,\"b\":0,\"c\":\"\"}",
	    "<input><input><option>o</option>");
}
END_TEST

START_TEST(test_attr_boolean_truthy_string)
{
	RENDERS("<option data-attr-selected=\"v\">o</option>",
	    "{\"v\":\"yes\"}", "<option selected>o</option>");
}
END_TEST

START_TEST(test_attr_data_star)
{
	RENDERS("<tr data-attr-data-id=\"id\"></tr>", "{\"id\":5}",
	    "<tr data-id=\"5\"></tr>");
}
END_TEST

START_TEST(test_attr_unicode_kept)
{
	RENDERS("<input data-attr-value=\"v\">",
	    "{\"v\":\"\xD0\x9E\xD0\xBB\xD1\x8F\"}",
	    "<input value=\"\xD0\x9E\xD0\xBB\xD1\x8F\">");
}
END_TEST

START_TEST(test_attr_nul_byte_replaced)
{
	RENDERS("<input data-attr-value=\"v\">", "{\"v\":\"a\\u0000b\"}",
	    "<input value=\"a\xEF\xBF\xBD" "b\">");
}
END_TEST

/* URL attributes: only http(s), relative, tel:, sip:, mailto: pass. */

START_TEST(test_href_javascript_replaced)
{
	RENDERS("<a data-attr-href=\"u\">l</a>",
	    "{\"u\":\"javascript:alert(1)\"}", "<a href=\"#\">l</a>");
}
END_TEST

START_TEST(test_href_javascript_mixed_case_and_space_replaced)
{
	RENDERS("<a data-attr-href=\"u\">l</a>",
	    "{\"u\":\" JaVaScRiPt:alert(1)\"}", "<a href=\"#\">l</a>");
}
END_TEST

START_TEST(test_href_javascript_with_tab_replaced)
{
	RENDERS("<a data-attr-href=\"u\">l</a>",
	    "{\"u\":\"java\\tscript:alert(1)\"}", "<a href=\"#\">l</a>");
}
END_TEST

START_TEST(test_href_data_url_replaced)
{
	RENDERS("<a data-attr-href=\"u\">l</a>",
	    "{\"u\":\"data:text/html,<script>alert(1)</script>\"}",
	    "<a href=\"#\">l</a>");
}
END_TEST

START_TEST(test_href_vbscript_replaced)
{
	RENDERS("<a data-attr-href=\"u\">l</a>",
	    "{\"u\":\"VBScript:msgbox(1)\"}", "<a href=\"#\">l</a>");
}
END_TEST

START_TEST(test_href_nul_byte_replaced)
{
	RENDERS("<a data-attr-href=\"u\">l</a>",
	    "{\"u\":\"javascript\\u0000:alert(1)\"}", "<a href=\"#\">l</a>");
}
END_TEST

START_TEST(test_href_safe_urls_kept)
{
	RENDERS("<a data-attr-href=\"a\">1</a><a data-attr-href=\"b\">2</a>"
	    "<a data-attr-href=\"c\">3</a><a data-attr-href=\"d\">4</a>",
	    "{\"a\":\"/calls?x=1&y=2\",\"b\":\"https://crm.example/c/1\","
	    "\"c\":\"tel:+380671234567\",\"d\":\"?page=2#top\"}",
	    "<a href=\"/calls?x=1&amp;y=2\">1</a>"
	    "<a href=\"https://crm.example/c/1\">2</a>"
	    "<a href=\"tel:+380671234567\">3</a>"
	    "<a href=\"?page=2#top\">4</a>");
}
END_TEST

START_TEST(test_every_url_attribute_checked)
{
	static const char *const attrs[] = {
		"href", "src", "action", "formaction", "poster", "cite", "data",
		"srcset", "background", "longdesc", "manifest", "ping"
	};
	char html[128], want[128];
	size_t i;

	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		snprintf(html, sizeof(html), "<div data-attr-%s=\"u\"></div>",
		    attrs[i]);
		snprintf(want, sizeof(want), "<div %s=\"#\"></div>", attrs[i]);
		RENDERS(html, "{\"u\":\"javascript:alert(1)\"}", want);
	}
}
END_TEST

START_TEST(test_non_url_attribute_not_rewritten)
{
	RENDERS("<p data-attr-title=\"u\">x</p>",
	    "{\"u\":\"javascript:alert(1)\"}",
	    "<p title=\"javascript:alert(1)\">x</p>");
}
END_TEST

START_TEST(test_attr_event_handler_refused)
{
	REFUSED("<a data-attr-onclick=\"js\">l</a>", "onclick");
	REFUSED("<a data-attr-ONMOUSEOVER=\"js\">l</a>", "onmouseover");
	REFUSED("<body data-attr-onload=\"js\"></body>", "refused");
}
END_TEST

START_TEST(test_attr_style_refused)
{
	REFUSED("<p data-attr-style=\"css\">x</p>", "style");
}
END_TEST

START_TEST(test_attr_srcdoc_refused)
{
	REFUSED("<iframe data-attr-srcdoc=\"h\"></iframe>", "srcdoc");
}
END_TEST

START_TEST(test_attr_bad_name_refused)
{
	REFUSED("<p data-attr-=\"v\">x</p>", "data-attr-");
	REFUSED("<p data-attr-1x=\"v\">x</p>", "data-attr-1x");
	REFUSED("<p data-attr-a_b=\"v\">x</p>", "data-attr-a_b");
}
END_TEST

/* --- data-if / data-unless ----------------------------------------------- */

START_TEST(test_if_true_keeps_element)
{
	RENDERS("<p data-if=\"v\">yes</p>", "{\"v\":true}", "<p>yes</p>");
}
END_TEST

START_TEST(test_if_false_drops_element)
{
	RENDERS("a<p data-if=\"v\">yes</p>b", "{\"v\":false}", "ab");
}
END_TEST

START_TEST(test_if_falsy_values)
{
	static const char *const falsy[] = {
		"false", "null", "0", "0.0", "\"\"", "[]", "{}"
	};
	char json[64];
	size_t i;

	for (i = 0; i < sizeof(falsy) / sizeof(falsy[0]); i++) {
		snprintf(json, sizeof(json), "{\"v\":%s}", falsy[i]);
		RENDERS("<p data-if=\"v\">x</p>", json, "");
	}
	RENDERS("<p data-if=\"missing\">x</p>", "{}", "");
}
END_TEST

START_TEST(test_if_truthy_values)
{
	static const char *const truthy[] = {
		"true", "1", "-1", "0.5", "\"0\"", "\"x\"", "[0]", "{\"a\":0}"
	};
	char json[64];
	size_t i;

	for (i = 0; i < sizeof(truthy) / sizeof(truthy[0]); i++) {
		snprintf(json, sizeof(json), "{\"v\":%s}", truthy[i]);
		RENDERS("<p data-if=\"v\">x</p>", json, "<p>x</p>");
	}
}
END_TEST

START_TEST(test_unless_inverts)
{
	RENDERS("<p data-unless=\"v\">a</p><p data-unless=\"w\">b</p>",
	    "{\"v\":true,\"w\":0}", "<p>b</p>");
}
END_TEST

START_TEST(test_if_and_unless_together)
{
	RENDERS("<p data-if=\"a\" data-unless=\"b\">x</p>",
	    "{\"a\":1,\"b\":0}", "<p>x</p>");
	RENDERS("<p data-if=\"a\" data-unless=\"b\">x</p>",
	    "{\"a\":1,\"b\":1}", "");
}
END_TEST

START_TEST(test_if_with_text_and_attr)
{
	RENDERS("<a data-if=\"u\" data-attr-href=\"u\" data-text=\"t\">x</a>",
	    "{\"u\":\"/a\",\"t\":\"A\"}", "<a href=\"/a\">A</a>");
}
END_TEST

START_TEST(test_if_on_void_element_keeps_siblings)
{
	RENDERS("<audio><source data-if=\"no\" src=\"a\">Fallback</audio>",
	    "{}", "<audio>Fallback</audio>");
}
END_TEST

/* --- data-repeat --------------------------------------------------------- */

START_TEST(test_repeat_items)
{
	RENDERS("<ul><li data-repeat=\"xs\" data-text=\"n\">x</li></ul>",
	    "{\"xs\":[{\"n\":\"a\"},{\"n\":\"b\"},{\"n\":\"c\"}]}",
	    "<ul><li>a</li><li>b</li><li>c</li></ul>");
}
END_TEST

START_TEST(test_repeat_empty_missing_and_non_array)
{
	RENDERS("<ul><li data-repeat=\"a\">x</li><li data-repeat=\"b\">y</li>"
	    "<li data-repeat=\"c\">z</li></ul>",
	    "{\"a\":[],\"c\":{\"k\":1}}", "<ul></ul>");
}
END_TEST

START_TEST(test_repeat_dot_is_item)
{
	RENDERS("<b data-repeat=\"tags\" data-text=\".\"></b>",
	    "{\"tags\":[\"vip\",\"<new>\",7]}",
	    "<b>vip</b><b>&lt;new&gt;</b><b>7</b>");
}
END_TEST

START_TEST(test_repeat_index)
{
	RENDERS("<i data-repeat=\"xs\" data-text=\"$index\"></i>",
	    "{\"xs\":[\"a\",\"b\",\"c\"]}", "<i>0</i><i>1</i><i>2</i>");
}
END_TEST

START_TEST(test_repeat_index_in_attr_and_if)
{
	RENDERS("<i data-repeat=\"xs\" data-attr-data-n=\"$index\">"
	    "<b data-unless=\"$index\">first</b></i>",
	    "{\"xs\":[1,2]}",
	    "<i data-n=\"0\"><b>first</b></i><i data-n=\"1\"></i>");
}
END_TEST

START_TEST(test_index_is_innermost)
{
	RENDERS("<p data-repeat=\"rows\"><i data-repeat=\"cells\" "
	    "data-text=\"$index\"></i></p>",
	    "{\"rows\":[{\"cells\":[1,2]},{\"cells\":[3]}]}",
	    "<p><i>0</i><i>1</i></p><p><i>0</i></p>");
}
END_TEST

START_TEST(test_index_outside_repeat_is_empty)
{
	RENDERS("<i data-text=\"$index\">x</i>", "{}", "<i></i>");
}
END_TEST

START_TEST(test_repeat_falls_back_to_outer_scope)
{
	RENDERS("<p data-repeat=\"xs\"><b data-text=\"n\"></b>"
	    "<i data-text=\"currency\"></i></p>",
	    "{\"currency\":\"UAH\",\"xs\":[{\"n\":1},{\"n\":2}]}",
	    "<p><b>1</b><i>UAH</i></p><p><b>2</b><i>UAH</i></p>");
}
END_TEST

START_TEST(test_repeat_item_shadows_root)
{
	RENDERS("<i data-repeat=\"xs\" data-text=\"n\"></i>",
	    "{\"n\":\"root\",\"xs\":[{\"n\":\"item\"},{}]}",
	    "<i>item</i><i>root</i>");
}
END_TEST

START_TEST(test_repeat_null_key_does_not_fall_back)
{
	RENDERS("<i data-repeat=\"xs\" data-text=\"n\"></i>",
	    "{\"n\":\"root\",\"xs\":[{\"n\":null}]}", "<i></i>");
}
END_TEST

START_TEST(test_nested_repeats)
{
	RENDERS("<table><tr data-repeat=\"rows\"><td data-repeat=\"cells\" "
	    "data-text=\".\"></td><td data-text=\"name\"></td></tr></table>",
	    "{\"rows\":[{\"name\":\"r1\",\"cells\":[\"a\",\"b\"]},"
	    "{\"name\":\"r2\",\"cells\":[]}]}",
	    "<table><tr><td>a</td><td>b</td><td>r1</td></tr>"
	    "<tr><td>r2</td></tr></table>");
}
END_TEST

START_TEST(test_nested_repeat_reaches_middle_scope)
{
	RENDERS("<p data-repeat=\"groups\"><i data-repeat=\"items\">"
	    "<b data-text=\"g\"></b><u data-text=\"v\"></u></i></p>",
	    "{\"groups\":[{\"g\":\"G1\",\"items\":[{\"v\":1},{\"v\":2}]}]}",
	    "<p><i><b>G1</b><u>1</u></i><i><b>G1</b><u>2</u></i></p>");
}
END_TEST

START_TEST(test_repeat_with_if_filters_items)
{
	RENDERS("<i data-repeat=\"xs\" data-if=\"on\" data-text=\"n\"></i>",
	    "{\"xs\":[{\"n\":1,\"on\":true},{\"n\":2,\"on\":false},"
	    "{\"n\":3,\"on\":true}]}", "<i>1</i><i>3</i>");
}
END_TEST

START_TEST(test_repeat_item_dotted_path)
{
	RENDERS("<i data-repeat=\"calls\" data-text=\"customer.name\"></i>",
	    "{\"calls\":[{\"customer\":{\"name\":\"Ann\"}},"
	    "{\"customer\":null}]}",
	    "<i>Ann</i><i></i>");
}
END_TEST

/* --- data-include -------------------------------------------------------- */

START_TEST(test_include_fragment)
{
	struct tmpl_set *set = tmpl_set_new();
	char *got;

	add_ok(set, "partials/nav.html", "<a href=\"/\">Home</a>");
	add_ok(set, "page.html", "<nav data-include=\"partials/nav.html\">"
	    "placeholder</nav>");
	got = render_set(set, "page.html", NULL);
	ck_assert_str_eq(got, "<nav><a href=\"/\">Home</a></nav>");
	free(got);
	tmpl_set_free(set);
}
END_TEST

START_TEST(test_include_document_uses_body_content)
{
	struct tmpl_set *set = tmpl_set_new();
	char *got;

	add_ok(set, "nav.html", "<!DOCTYPE html>\n<html><head><title>nav"
	    "</title><link rel=\"stylesheet\" href=\"/s.css\"></head>"
	    "<body><a href=\"/\">Home</a></body></html>\n");
	add_ok(set, "page.html", "<nav data-include=\"nav.html\"></nav>");
	got = render_set(set, "page.html", NULL);
	ck_assert_str_eq(got, "<nav><a href=\"/\">Home</a></nav>");
	free(got);
	tmpl_set_free(set);
}
END_TEST

START_TEST(test_include_renders_in_current_scope)
{
	struct tmpl_set *set = tmpl_set_new();
	char *got;

	add_ok(set, "row.html", "<td data-text=\"$index\"></td>"
	    "<td data-text=\"name\"></td><td data-text=\"title\"></td>");
	add_ok(set, "page.html", "<table><tr data-repeat=\"xs\" "
	    "data-include=\"row.html\"></tr></table>");
	got = render_set(set, "page.html",
	    "{\"title\":\"T\",\"xs\":[{\"name\":\"a\"},{\"name\":\"b\"}]}");
	ck_assert_str_eq(got, "<table><tr><td>0</td><td>a</td><td>T</td></tr>"
	    "<tr><td>1</td><td>b</td><td>T</td></tr></table>");
	free(got);
	tmpl_set_free(set);
}
END_TEST

START_TEST(test_include_added_later_resolves)
{
	struct tmpl_set *set = tmpl_set_new();
	struct buf err;
	char *got;

	add_ok(set, "page.html", "<div data-include=\"later.html\"></div>");
	buf_init(&err, 1024);
	ck_assert_int_eq(tmpl_set_check(set, &err), CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&err), "later.html"));
	buf_free(&err);
	add_ok(set, "later.html", "<b>late</b>");
	ck_assert_int_eq(tmpl_set_check(set, NULL), CB_OK);
	got = render_set(set, "page.html", NULL);
	ck_assert_str_eq(got, "<div><b>late</b></div>");
	free(got);
	tmpl_set_free(set);
}
END_TEST

START_TEST(test_include_missing_render_not_found)
{
	struct tmpl_set *set = tmpl_set_new();
	struct buf out;

	add_ok(set, "page.html", "<div data-include=\"nope.html\"></div>");
	buf_init(&out, 1024);
	ck_assert_int_eq(tmpl_render(set, "page.html", NULL, &out),
	    CB_ENOTFOUND);
	buf_free(&out);
	tmpl_set_free(set);
}
END_TEST

START_TEST(test_include_nested_chain)
{
	struct tmpl_set *set = tmpl_set_new();
	char *got;

	add_ok(set, "c.html", "<i data-text=\"v\"></i>");
	add_ok(set, "b.html", "<b data-include=\"c.html\"></b>");
	add_ok(set, "a.html", "<p data-include=\"b.html\"></p>");
	got = render_set(set, "a.html", "{\"v\":\"deep\"}");
	ck_assert_str_eq(got, "<p><b><i>deep</i></b></p>");
	free(got);
	tmpl_set_free(set);
}
END_TEST

START_TEST(test_include_diamond_is_not_a_cycle)
{
	struct tmpl_set *set = tmpl_set_new();
	char *got;

	add_ok(set, "a.html", "<p data-include=\"b.html\"></p>"
	    "<p data-include=\"c.html\"></p>");
	add_ok(set, "b.html", "<i data-include=\"d.html\"></i>");
	add_ok(set, "c.html", "<u data-include=\"d.html\"></u>");
	add_ok(set, "d.html", "d");
	got = render_set(set, "a.html", NULL);
	ck_assert_str_eq(got, "<p><i>d</i></p><p><u>d</u></p>");
	free(got);
	tmpl_set_free(set);
}
END_TEST

START_TEST(test_include_self_cycle_refused)
{
	REFUSED("<div data-include=\"t.html\"></div>", "include cycle");
}
END_TEST

START_TEST(test_include_cycle_refused)
{
	struct tmpl_set *set = tmpl_set_new();
	struct buf err;
	static const char c[] = "<div data-include=\"a.html\"></div>";
	char *got;

	add_ok(set, "a.html", "<div data-include=\"b.html\"></div>");
	add_ok(set, "b.html", "<div data-include=\"c.html\"></div>");
	buf_init(&err, 1024);
	ck_assert_int_eq(tmpl_set_add(set, "c.html", c, strlen(c), &err),
	    CB_EINVAL);
	ck_assert_str_eq(buf_cstr(&err), "c.html: include cycle: "
	    "c.html -> a.html -> b.html -> c.html");
	buf_free(&err);
	/* The set is unchanged and still renders. */
	add_ok(set, "c.html", "ok");
	got = render_set(set, "a.html", NULL);
	ck_assert_str_eq(got, "<div><div>ok</div></div>");
	free(got);
	tmpl_set_free(set);
}
END_TEST

START_TEST(test_include_bad_name_refused)
{
	REFUSED("<div data-include=\"../etc/passwd\"></div>", "not a template");
	REFUSED("<div data-include=\"/abs.html\"></div>", "not a template");
	REFUSED("<div data-include=\"a//b.html\"></div>", "not a template");
	REFUSED("<div data-include=\"a b.html\"></div>", "not a template");
}
END_TEST

/* --- invalid templates are refused at load time -------------------------- */

START_TEST(test_text_on_script_refused)
{
	REFUSED("<script data-text=\"v\"></script>", "<script>");
}
END_TEST

START_TEST(test_text_on_style_refused)
{
	REFUSED("<style data-text=\"v\"></style>", "<style>");
}
END_TEST

START_TEST(test_include_on_script_refused)
{
	REFUSED("<script data-include=\"x.html\"></script>", "<script>");
}
END_TEST

START_TEST(test_text_on_void_refused)
{
	REFUSED("<input data-text=\"v\">", "void");
	REFUSED("<br data-include=\"x.html\">", "void");
}
END_TEST

START_TEST(test_text_and_include_refused)
{
	REFUSED("<p data-text=\"v\" data-include=\"x.html\"></p>", "one");
}
END_TEST

START_TEST(test_bad_paths_refused)
{
	static const char *const bad[] = {
		"a..b", ".a", "a.", "a b", "$foo", "a.$index", "a/b", "..",
		"a[0]"
	};
	char html[128];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(html, sizeof(html), "<p data-text=\"%s\"></p>",
		    bad[i]);
		REFUSED(html, "data-text");
	}
}
END_TEST

START_TEST(test_empty_path_refused)
{
	REFUSED("<p data-text=\"\"></p>", "needs a value");
	REFUSED("<p data-if>x</p>", "needs a value");
	REFUSED("<p data-repeat=\"\">x</p>", "needs a value");
}
END_TEST

START_TEST(test_long_path_refused)
{
	char html[600];

	snprintf(html, sizeof(html), "<p data-text=\"%0300d\"></p>", 0);
	REFUSED(html, "longer");
}
END_TEST

START_TEST(test_structure_directives_on_body_refused)
{
	REFUSED("<!DOCTYPE html><html><body data-repeat=\"xs\"></body></html>",
	    "only data-attr-*");
	REFUSED("<!DOCTYPE html><html data-if=\"x\"><body></body></html>",
	    "only data-attr-*");
}
END_TEST

START_TEST(test_attr_on_body_allowed)
{
	RENDERS("<!DOCTYPE html><html data-attr-lang=\"l\"><body "
	    "data-attr-class=\"c\"><p>x</p></body></html>",
	    "{\"l\":\"uk\",\"c\":\"dark\"}",
	    "<!DOCTYPE html>\n<html lang=\"uk\"><body class=\"dark\">"
	    "<p>x</p></body></html>\n");
}
END_TEST

START_TEST(test_error_message_has_name_and_line)
{
	REFUSED("<div>\n<p>\n<b data-text=\"a..b\"></b></p></div>",
	    "t.html:3: <b>: data-text=\"a..b\"");
}
END_TEST

START_TEST(test_invalid_utf8_refused)
{
	REFUSED("<p>a</p>\n<p>\xC3\x28</p>", "t.html:2: not valid UTF-8");
	REFUSED("<p>\xED\xA0\x80</p>", "not valid UTF-8"); /* surrogate */
	REFUSED("<p>\xC0\xAF</p>", "not valid UTF-8");     /* overlong */
}
END_TEST

START_TEST(test_nul_in_template_refused)
{
	struct tmpl_set *set = tmpl_set_new();
	struct buf err;

	buf_init(&err, 1024);
	ck_assert_int_eq(tmpl_set_add(set, "t.html", "<p>a\0b</p>", 10, &err),
	    CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&err), "NUL"));
	buf_free(&err);
	tmpl_set_free(set);
}
END_TEST

START_TEST(test_duplicate_name_refused)
{
	struct tmpl_set *set = tmpl_set_new();
	struct buf err;

	add_ok(set, "a.html", "a");
	buf_init(&err, 1024);
	ck_assert_int_eq(tmpl_set_add(set, "a.html", "b", 1, &err), CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&err), "already"));
	buf_free(&err);
	tmpl_set_free(set);
}
END_TEST

START_TEST(test_bad_template_name_refused)
{
	struct tmpl_set *set = tmpl_set_new();

	ck_assert_int_eq(tmpl_set_add(set, "../x.html", "a", 1, NULL),
	    CB_EINVAL);
	ck_assert_int_eq(tmpl_set_add(set, "", "a", 1, NULL), CB_EINVAL);
	ck_assert_int_eq(tmpl_set_add(set, "a/./b.html", "a", 1, NULL),
	    CB_EINVAL);
	tmpl_set_free(set);
}
END_TEST

START_TEST(test_template_over_cap_refused)
{
	struct tmpl_set *set = tmpl_set_new();
	char *big = malloc((size_t)TMPL_MAX_FILE + 1);

	ck_assert_ptr_nonnull(big);
	memset(big, 'a', (size_t)TMPL_MAX_FILE + 1);
	ck_assert_int_eq(tmpl_set_add(set, "big.html", big,
	    (size_t)TMPL_MAX_FILE + 1, NULL), CB_ETOOBIG);
	free(big);
	tmpl_set_free(set);
}
END_TEST

START_TEST(test_unknown_data_attributes_kept)
{
	RENDERS("<p data-id=\"5\" data-txt=\"typo\">x</p>", "{}",
	    "<p data-id=\"5\" data-txt=\"typo\">x</p>");
}
END_TEST

/* --- tmpl_render() ------------------------------------------------------- */

START_TEST(test_render_unknown_template_not_found)
{
	struct tmpl_set *set = tmpl_set_new();
	struct buf out;

	add_ok(set, "a.html", "a");
	buf_init(&out, 1024);
	ck_assert_int_eq(tmpl_render(set, "b.html", NULL, &out), CB_ENOTFOUND);
	ck_assert_uint_eq(out.len, 0);
	buf_free(&out);
	tmpl_set_free(set);
}
END_TEST

START_TEST(test_render_output_cap_too_big)
{
	struct tmpl_set *set = tmpl_set_new();
	struct json_object *m = json_object_new_object();
	struct json_object *xs = json_object_new_array();
	struct buf out;
	int i;

	for (i = 0; i < 10000; i++)
		json_object_array_add(xs, json_object_new_string("0123456789"));
	json_object_object_add(m, "xs", xs);
	add_ok(set, "t.html", "<i data-repeat=\"xs\" data-text=\".\"></i>");
	buf_init(&out, 4096);
	ck_assert_int_eq(tmpl_render(set, "t.html", m, &out), CB_ETOOBIG);
	ck_assert_uint_le(out.len, 4096);
	/* Sticky: rendering again into the same buffer fails at once. */
	ck_assert_int_eq(tmpl_render(set, "t.html", m, &out), CB_ETOOBIG);
	buf_free(&out);
	json_object_put(m);
	tmpl_set_free(set);
}
END_TEST

START_TEST(test_render_cap_exact_fit)
{
	struct tmpl_set *set = tmpl_set_new();
	struct buf out;

	add_ok(set, "t.html", "<p>12345</p>");
	buf_init(&out, 12);
	ck_assert_int_eq(tmpl_render(set, "t.html", NULL, &out), CB_OK);
	ck_assert_str_eq(buf_cstr(&out), "<p>12345</p>");
	ck_assert_int_eq(tmpl_render(set, "t.html", NULL, &out), CB_ETOOBIG);
	buf_free(&out);
	tmpl_set_free(set);
}
END_TEST

START_TEST(test_render_appends)
{
	struct tmpl_set *set = tmpl_set_new();
	struct buf out;

	add_ok(set, "t.html", "<p>x</p>");
	buf_init(&out, 1024);
	buf_puts(&out, "before:");
	ck_assert_int_eq(tmpl_render(set, "t.html", NULL, &out), CB_OK);
	ck_assert_int_eq(tmpl_render(set, "t.html", NULL, &out), CB_OK);
	ck_assert_str_eq(buf_cstr(&out), "before:<p>x</p><p>x</p>");
	buf_free(&out);
	tmpl_set_free(set);
}
END_TEST

static char *
copy_of(const char *s)
{
	char *p = malloc(strlen(s) + 1);

	ck_assert_ptr_nonnull(p);
	return strcpy(p, s);
}

START_TEST(test_render_does_not_modify_model)
{
	static const char json[] = "{\"a\":0.1,\"b\":[1,2.5,{\"c\":null}],"
	    "\"d\":\"x\",\"e\":18446744073709551615}";
	struct tmpl_set *set = tmpl_set_new();
	struct json_object *m = model_of(json);
	struct buf out;
	char *before;

	before = copy_of(json_object_to_json_string_ext(m,
	    JSON_C_TO_STRING_PLAIN));
	add_ok(set, "t.html", "<i data-text=\"a\"></i><i data-repeat=\"b\" "
	    "data-text=\".\"></i><i data-text=\"d\"></i><i data-text=\"e\">"
	    "</i><i data-text=\"b.c\"></i>");
	buf_init(&out, 1024);
	ck_assert_int_eq(tmpl_render(set, "t.html", m, &out), CB_OK);
	ck_assert_str_eq(buf_cstr(&out), "<i>0.1</i><i>1</i><i>2.5</i><i></i>"
	    "<i>x</i><i>18446744073709551615</i><i></i>");
	ck_assert_str_eq(json_object_to_json_string_ext(m,
	    JSON_C_TO_STRING_PLAIN), before);
	free(before);
	buf_free(&out);
	json_object_put(m);
	tmpl_set_free(set);
}
END_TEST

START_TEST(test_render_twice_same_output)
{
	struct tmpl_set *set = tmpl_set_new();
	char *a, *b;

	add_ok(set, "t.html", "<i data-repeat=\"xs\" data-text=\".\"></i>");
	a = render_set(set, "t.html", "{\"xs\":[1,2,3]}");
	b = render_set(set, "t.html", "{\"xs\":[1,2,3]}");
	ck_assert_str_eq(a, "<i>1</i><i>2</i><i>3</i>");
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	tmpl_set_free(set);
}
END_TEST

START_TEST(test_render_null_arguments)
{
	struct buf out;

	buf_init(&out, 64);
	ck_assert_int_eq(tmpl_render(NULL, "t.html", NULL, &out), CB_ENOTFOUND);
	ck_assert_int_eq(tmpl_render(NULL, "t.html", NULL, NULL), CB_EINVAL);
	tmpl_set_free(NULL);
	buf_free(&out);
}
END_TEST

/* --- tmpl_set_load() ----------------------------------------------------- */

/* A scratch directory of files, removed by tree_remove(). */
struct tree {
	char root[256];
	char paths[16][300];
	int n;
};

static void
tree_init(struct tree *t)
{
	static int seq;
	const char *tmp = getenv("TMPDIR");

	snprintf(t->root, sizeof(t->root), "%s/test_template.%ld.%d",
	    tmp && *tmp ? tmp : "/tmp", (long)getpid(), seq++);
	ck_assert_int_eq(mkdir(t->root, 0700), 0);
	t->n = 0;
}

/* Via a local: GCC's -Wrestrict cannot tell root and paths apart. */
static void
tree_path(struct tree *t, const char *rel)
{
	char p[sizeof(t->paths[0])];

	snprintf(p, sizeof(p), "%s/%s", t->root, rel);
	memcpy(t->paths[t->n], p, sizeof(p));
}

static void
tree_dir(struct tree *t, const char *rel)
{
	ck_assert_int_lt(t->n, 16);
	tree_path(t, rel);
	ck_assert_int_eq(mkdir(t->paths[t->n], 0700), 0);
	t->n++;
}

static void
tree_file(struct tree *t, const char *rel, const char *data, size_t len)
{
	FILE *f;

	ck_assert_int_lt(t->n, 16);
	tree_path(t, rel);
	ck_assert_ptr_nonnull(f = fopen(t->paths[t->n], "wb"));
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	t->n++;
}

static void
tree_remove(struct tree *t)
{
	while (t->n > 0)
		remove(t->paths[--t->n]);
	remove(t->root);
}

#define TREE_FILE(t, rel, s) tree_file((t), (rel), (s), strlen(s))

START_TEST(test_load_directory_recursive)
{
	struct tree t;
	struct tmpl_set *set;
	struct buf err;
	char *got;

	tree_init(&t);
	tree_dir(&t, "partials");
	TREE_FILE(&t, "partials/nav.html", "<a href=\"/\" data-text=\"who\">"
	    "x</a>\n");
	TREE_FILE(&t, "calls.html", "<!DOCTYPE html>\n<html><head><title>C"
	    "</title></head><body><nav data-include=\"partials/nav.html\">"
	    "</nav></body></html>\n");
	TREE_FILE(&t, ".draft.html", "<p data-text=\"\"></p>");
	TREE_FILE(&t, "notes.txt", "<p data-text=\"\"></p>");
	buf_init(&err, 1024);
	ck_assert_msg(tmpl_set_load(t.root, &set, &err) == CB_OK, "load: %s",
	    buf_cstr(&err));
	got = render_set(set, "calls.html", "{\"who\":\"Ann\"}");
	ck_assert_str_eq(got, "<!DOCTYPE html>\n<html><head><title>C</title>"
	    "</head><body><nav><a href=\"/\">Ann</a>\n</nav></body></html>\n");
	free(got);
	got = render_set(set, "partials/nav.html", "{\"who\":\"Bo\"}");
	ck_assert_str_eq(got, "<a href=\"/\">Bo</a>\n");
	free(got);
	tmpl_set_free(set);
	buf_free(&err);
	tree_remove(&t);
}
END_TEST

START_TEST(test_load_trailing_slash)
{
	struct tree t;
	struct tmpl_set *set;
	char dir[300];

	tree_init(&t);
	TREE_FILE(&t, "a.html", "a");
	snprintf(dir, sizeof(dir), "%s//", t.root);
	ck_assert_int_eq(tmpl_set_load(dir, &set, NULL), CB_OK);
	tmpl_set_free(set);
	tree_remove(&t);
}
END_TEST

START_TEST(test_load_missing_directory)
{
	struct tmpl_set *set = (struct tmpl_set *)&set;
	struct buf err;

	buf_init(&err, 1024);
	ck_assert_int_eq(tmpl_set_load("/nonexistent/templates", &set, &err),
	    CB_EIO);
	ck_assert_ptr_null(set);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&err), "/nonexistent/templates"));
	buf_free(&err);
}
END_TEST

START_TEST(test_load_missing_include)
{
	struct tree t;
	struct tmpl_set *set;
	struct buf err;

	tree_init(&t);
	TREE_FILE(&t, "a.html", "<p>\n<i data-include=\"gone.html\"></i></p>");
	buf_init(&err, 1024);
	ck_assert_int_eq(tmpl_set_load(t.root, &set, &err), CB_EINVAL);
	ck_assert_ptr_null(set);
	ck_assert_str_eq(buf_cstr(&err),
	    "a.html:2: data-include=\"gone.html\": no such template");
	buf_free(&err);
	tree_remove(&t);
}
END_TEST

START_TEST(test_load_bad_template_names_file)
{
	struct tree t;
	struct tmpl_set *set;
	struct buf err;

	tree_init(&t);
	tree_dir(&t, "sub");
	TREE_FILE(&t, "sub/bad.html", "<p data-text=\"a b\"></p>");
	buf_init(&err, 1024);
	ck_assert_int_eq(tmpl_set_load(t.root, &set, &err), CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&err), "sub/bad.html:1: <p>"));
	buf_free(&err);
	tree_remove(&t);
}
END_TEST

START_TEST(test_load_file_too_big)
{
	struct tree t;
	struct tmpl_set *set;
	char *big = malloc((size_t)TMPL_MAX_FILE + 10);

	ck_assert_ptr_nonnull(big);
	memset(big, ' ', (size_t)TMPL_MAX_FILE + 10);
	tree_init(&t);
	tree_file(&t, "big.html", big, (size_t)TMPL_MAX_FILE + 10);
	ck_assert_int_eq(tmpl_set_load(t.root, &set, NULL), CB_ETOOBIG);
	ck_assert_ptr_null(set);
	free(big);
	tree_remove(&t);
}
END_TEST

START_TEST(test_load_cycle)
{
	struct tree t;
	struct tmpl_set *set;
	struct buf err;

	tree_init(&t);
	TREE_FILE(&t, "a.html", "<i data-include=\"b.html\"></i>");
	TREE_FILE(&t, "b.html", "<i data-include=\"a.html\"></i>");
	buf_init(&err, 1024);
	ck_assert_int_eq(tmpl_set_load(t.root, &set, &err), CB_EINVAL);
	ck_assert_str_eq(buf_cstr(&err),
	    "b.html: include cycle: b.html -> a.html -> b.html");
	buf_free(&err);
	tree_remove(&t);
}
END_TEST

/* --- a whole page, and how fast it renders ------------------------------- */

static const char bench_layout[] =
    "<!DOCTYPE html>\n"
    "<html lang=\"en\">\n"
    "<head>\n"
    "  <meta charset=\"utf-8\">\n"
    "  <title data-text=\"title\">Calls</title>\n"
    "  <link rel=\"stylesheet\" href=\"/static/app.css\">\n"
    "  <script src=\"/static/app.js\" defer></script>\n"
    "</head>\n"
    "<body>\n"
    "  <header data-include=\"partials/nav.html\"></header>\n"
    "  <main>\n"
    "    <h1 data-text=\"title\">Calls</h1>\n"
    "    <p data-unless=\"calls\">No calls.</p>\n"
    "    <table data-if=\"calls\">\n"
    "      <thead><tr><th>#</th><th>When</th><th>From</th><th>To</th>"
    "<th>Manager</th><th>Duration</th><th>Status</th><th>Note</th>"
    "</tr></thead>\n"
    "      <tbody>\n"
    "        <tr data-repeat=\"calls\" data-attr-data-id=\"id\">\n"
    "          <td><a data-attr-href=\"url\" data-text=\"id\">1</a></td>\n"
    "          <td data-text=\"started_at\">2024-01-01 10:00</td>\n"
    "          <td><a data-attr-href=\"tel\" data-text=\"from\">+1</a></td>\n"
    "          <td data-text=\"to\">+2</td>\n"
    "          <td data-text=\"manager.name\">Ann</td>\n"
    "          <td data-text=\"duration\">0</td>\n"
    "          <td><span data-attr-class=\"status\" data-text=\"status\">"
    "ok</span></td>\n"
    "          <td data-text=\"note\">note</td>\n"
    "        </tr>\n"
    "      </tbody>\n"
    "    </table>\n"
    "  </main>\n"
    "</body>\n"
    "</html>\n";

static const char bench_nav[] =
    "<nav><a href=\"/calls\">Calls</a> <a href=\"/customers\">Customers</a>"
    " <span data-text=\"user.name\">me</span>"
    " <a data-if=\"user.admin\" href=\"/admin\">Admin</a></nav>\n";

static struct json_object *
bench_model(int rows)
{
	struct json_object *m = json_object_new_object();
	struct json_object *calls = json_object_new_array();
	struct json_object *user = json_object_new_object();
	struct json_object *row, *mgr;
	char s[64];
	int i;

	json_object_object_add(m, "title",
	    json_object_new_string("Calls & callbacks"));
	json_object_object_add(user, "name", json_object_new_string("Olena"));
	json_object_object_add(user, "admin", json_object_new_boolean(1));
	json_object_object_add(m, "user", user);
	for (i = 0; i < rows; i++) {
		row = json_object_new_object();
		json_object_object_add(row, "id",
		    json_object_new_int(1000 + i));
		snprintf(s, sizeof(s), "/calls/%d", 1000 + i);
		json_object_object_add(row, "url", json_object_new_string(s));
		snprintf(s, sizeof(s), "2024-05-%02d 10:%02d:00", 1 + i % 28,
		    i % 60);
		json_object_object_add(row, "started_at",
		    json_object_new_string(s));
		snprintf(s, sizeof(s), "+38067123%04d", i);
		json_object_object_add(row, "from", json_object_new_string(s));
		snprintf(s, sizeof(s), "tel:+38067123%04d", i);
		json_object_object_add(row, "tel", json_object_new_string(s));
		json_object_object_add(row, "to",
		    json_object_new_string("+380441234567"));
		mgr = json_object_new_object();
		json_object_object_add(mgr, "name",
		    json_object_new_string("Taras Shevchenko"));
		json_object_object_add(row, "manager", mgr);
		json_object_object_add(row, "duration",
		    json_object_new_int(i * 7));
		json_object_object_add(row, "status",
		    json_object_new_string(i % 3 ? "answered" : "missed"));
		json_object_object_add(row, "note", json_object_new_string(
		    "Customer asked about order <#4521> & delivery"));
		json_object_array_add(calls, row);
	}
	json_object_object_add(m, "calls", calls);
	return m;
}

static double
now_us(void)
{
	struct timespec ts;

	timespec_get(&ts, TIME_UTC);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

START_TEST(test_page_50_rows_renders_and_is_fast)
{
	struct tmpl_set *set = tmpl_set_new();
	struct json_object *m = bench_model(50);
	struct buf out;
	double t0, best = 1e9, us;
	int round, i, n = 200;
	const char *max_env = getenv("TMPL_BENCH_MAX_US");
	double max_us = max_env ? atof(max_env) : 2000.0;
	size_t rows = 0;
	const char *p;

	add_ok(set, "partials/nav.html", bench_nav);
	add_ok(set, "calls.html", bench_layout);
	buf_init(&out, OUT_MAX);
	ck_assert_int_eq(tmpl_render(set, "calls.html", m, &out), CB_OK);
	for (p = buf_cstr(&out); (p = strstr(p, "<tr data-id=")) != NULL; p++)
		rows++;
	ck_assert_uint_eq(rows, 50);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&out),
	    "<td><a href=\"/calls/1049\">1049</a></td>"));
	ck_assert_ptr_nonnull(strstr(buf_cstr(&out),
	    "<td>Customer asked about order &lt;#4521&gt; &amp; delivery"
	    "</td>"));
	ck_assert_ptr_nonnull(strstr(buf_cstr(&out),
	    "<span class=\"missed\">missed</span>"));
	ck_assert_ptr_nonnull(strstr(buf_cstr(&out),
	    "<a href=\"/admin\">Admin</a>"));
	ck_assert_ptr_null(strstr(buf_cstr(&out), "data-text"));
	ck_assert_ptr_null(strstr(buf_cstr(&out), "No calls."));

	/* Best of 5 rounds: this machine is shared and noisy. */
	for (round = 0; round < 5; round++) {
		t0 = now_us();
		for (i = 0; i < n; i++) {
			buf_reset(&out);
			tmpl_render(set, "calls.html", m, &out);
		}
		us = (now_us() - t0) / n;
		if (us < best)
			best = us;
	}
	printf("test_template: calls page, 50 rows x 8 fields, %zu bytes: "
	    "%.1f us per render (best of 5 x %d)\n", out.len, best, n);
	ck_assert_msg(best < max_us, "%.1f us per render (max %.0f)", best,
	    max_us);
	buf_free(&out);
	json_object_put(m);
	tmpl_set_free(set);
}
END_TEST

static Suite *
template_suite(void)
{
	Suite *s = suite_create("template");
	TCase *tc;

	tc = tcase_create("static");
	tcase_add_test(tc, test_document_round_trip);
	tcase_add_test(tc, test_doctype_kept);
	tcase_add_test(tc, test_doctype_lower_case_is_a_document);
	tcase_add_test(tc, test_void_elements_have_no_end_tag);
	tcase_add_test(tc, test_html5_voids_keep_sibling_order);
	tcase_add_test(tc, test_nbsp_preserved);
	tcase_add_test(tc, test_static_entities_reescaped);
	tcase_add_test(tc, test_static_attribute_quotes_escaped);
	tcase_add_test(tc, test_bare_boolean_attribute_kept);
	tcase_add_test(tc, test_script_copied_verbatim);
	tcase_add_test(tc, test_style_copied_verbatim);
	tcase_add_test(tc, test_comments_dropped);
	tcase_add_test(tc, test_fragment_siblings_stay_siblings);
	tcase_add_test(tc, test_fragment_leading_text_not_wrapped);
	tcase_add_test(tc, test_fragment_table_rows);
	tcase_add_test(tc, test_whitespace_kept);
	tcase_add_test(tc, test_utf8_bom_dropped);
	tcase_add_test(tc, test_empty_template);
	tcase_add_test(tc, test_document_after_leading_comment);
	tcase_add_test(tc, test_garbage_templates_load_or_fail_cleanly);
	suite_add_tcase(s, tc);

	tc = tcase_create("text");
	tcase_add_test(tc, test_text_string);
	tcase_add_test(tc, test_text_replaces_children);
	tcase_add_test(tc, test_text_escapes_script_tag);
	tcase_add_test(tc, test_text_escapes_quotes_and_amp);
	tcase_add_test(tc, test_text_entity_not_double_decoded);
	tcase_add_test(tc, test_text_nul_byte_replaced);
	tcase_add_test(tc, test_text_unicode_kept);
	tcase_add_test(tc, test_text_int);
	tcase_add_test(tc, test_text_negative_int);
	tcase_add_test(tc, test_text_big_unsigned_int);
	tcase_add_test(tc, test_text_double);
	tcase_add_test(tc, test_text_booleans);
	tcase_add_test(tc, test_text_null_is_empty);
	tcase_add_test(tc, test_text_missing_key_is_empty);
	tcase_add_test(tc, test_text_object_and_array_are_empty);
	tcase_add_test(tc, test_text_null_model);
	tcase_add_test(tc, test_text_dotted_path);
	tcase_add_test(tc, test_text_path_through_scalar_is_missing);
	tcase_add_test(tc, test_text_path_through_null_is_missing);
	tcase_add_test(tc, test_text_in_textarea_keeps_leading_newline);
	tcase_add_test(tc, test_text_in_title_escaped);
	suite_add_tcase(s, tc);

	tc = tcase_create("attr");
	tcase_add_test(tc, test_attr_sets_value);
	tcase_add_test(tc, test_attr_replaces_static_attribute);
	tcase_add_test(tc, test_attr_breakout_escaped);
	tcase_add_test(tc, test_attr_single_quote_escaped);
	tcase_add_test(tc, test_attr_missing_omitted);
	tcase_add_test(tc, test_attr_null_omitted);
	tcase_add_test(tc, test_attr_false_omitted);
	tcase_add_test(tc, test_attr_empty_string_kept);
	tcase_add_test(tc, test_attr_true_on_plain_attribute);
	tcase_add_test(tc, test_attr_number);
	tcase_add_test(tc, test_attr_boolean_true_prints_name);
	tcase_add_test(tc, test_attr_boolean_falsy_omitted);
	tcase_add_test(tc, test_attr_boolean_truthy_string);
	tcase_add_test(tc, test_attr_data_star);
	tcase_add_test(tc, test_attr_unicode_kept);
	tcase_add_test(tc, test_attr_nul_byte_replaced);
	tcase_add_test(tc, test_href_javascript_replaced);
	tcase_add_test(tc, test_href_javascript_mixed_case_and_space_replaced);
	tcase_add_test(tc, test_href_javascript_with_tab_replaced);
	tcase_add_test(tc, test_href_data_url_replaced);
	tcase_add_test(tc, test_href_vbscript_replaced);
	tcase_add_test(tc, test_href_nul_byte_replaced);
	tcase_add_test(tc, test_href_safe_urls_kept);
	tcase_add_test(tc, test_every_url_attribute_checked);
	tcase_add_test(tc, test_non_url_attribute_not_rewritten);
	tcase_add_test(tc, test_attr_event_handler_refused);
	tcase_add_test(tc, test_attr_style_refused);
	tcase_add_test(tc, test_attr_srcdoc_refused);
	tcase_add_test(tc, test_attr_bad_name_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("condition");
	tcase_add_test(tc, test_if_true_keeps_element);
	tcase_add_test(tc, test_if_false_drops_element);
	tcase_add_test(tc, test_if_falsy_values);
	tcase_add_test(tc, test_if_truthy_values);
	tcase_add_test(tc, test_unless_inverts);
	tcase_add_test(tc, test_if_and_unless_together);
	tcase_add_test(tc, test_if_with_text_and_attr);
	tcase_add_test(tc, test_if_on_void_element_keeps_siblings);
	suite_add_tcase(s, tc);

	tc = tcase_create("repeat");
	tcase_add_test(tc, test_repeat_items);
	tcase_add_test(tc, test_repeat_empty_missing_and_non_array);
	tcase_add_test(tc, test_repeat_dot_is_item);
	tcase_add_test(tc, test_repeat_index);
	tcase_add_test(tc, test_repeat_index_in_attr_and_if);
	tcase_add_test(tc, test_index_is_innermost);
	tcase_add_test(tc, test_index_outside_repeat_is_empty);
	tcase_add_test(tc, test_repeat_falls_back_to_outer_scope);
	tcase_add_test(tc, test_repeat_item_shadows_root);
	tcase_add_test(tc, test_repeat_null_key_does_not_fall_back);
	tcase_add_test(tc, test_nested_repeats);
	tcase_add_test(tc, test_nested_repeat_reaches_middle_scope);
	tcase_add_test(tc, test_repeat_with_if_filters_items);
	tcase_add_test(tc, test_repeat_item_dotted_path);
	suite_add_tcase(s, tc);

	tc = tcase_create("include");
	tcase_add_test(tc, test_include_fragment);
	tcase_add_test(tc, test_include_document_uses_body_content);
	tcase_add_test(tc, test_include_renders_in_current_scope);
	tcase_add_test(tc, test_include_added_later_resolves);
	tcase_add_test(tc, test_include_missing_render_not_found);
	tcase_add_test(tc, test_include_nested_chain);
	tcase_add_test(tc, test_include_diamond_is_not_a_cycle);
	tcase_add_test(tc, test_include_self_cycle_refused);
	tcase_add_test(tc, test_include_cycle_refused);
	tcase_add_test(tc, test_include_bad_name_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("invalid");
	tcase_add_test(tc, test_text_on_script_refused);
	tcase_add_test(tc, test_text_on_style_refused);
	tcase_add_test(tc, test_include_on_script_refused);
	tcase_add_test(tc, test_text_on_void_refused);
	tcase_add_test(tc, test_text_and_include_refused);
	tcase_add_test(tc, test_bad_paths_refused);
	tcase_add_test(tc, test_empty_path_refused);
	tcase_add_test(tc, test_long_path_refused);
	tcase_add_test(tc, test_structure_directives_on_body_refused);
	tcase_add_test(tc, test_attr_on_body_allowed);
	tcase_add_test(tc, test_error_message_has_name_and_line);
	tcase_add_test(tc, test_invalid_utf8_refused);
	tcase_add_test(tc, test_nul_in_template_refused);
	tcase_add_test(tc, test_duplicate_name_refused);
	tcase_add_test(tc, test_bad_template_name_refused);
	tcase_add_test(tc, test_template_over_cap_refused);
	tcase_add_test(tc, test_unknown_data_attributes_kept);
	suite_add_tcase(s, tc);

	tc = tcase_create("render");
	tcase_add_test(tc, test_render_unknown_template_not_found);
	tcase_add_test(tc, test_render_output_cap_too_big);
	tcase_add_test(tc, test_render_cap_exact_fit);
	tcase_add_test(tc, test_render_appends);
	tcase_add_test(tc, test_render_does_not_modify_model);
	tcase_add_test(tc, test_render_twice_same_output);
	tcase_add_test(tc, test_render_null_arguments);
	suite_add_tcase(s, tc);

	tc = tcase_create("load");
	tcase_add_test(tc, test_load_directory_recursive);
	tcase_add_test(tc, test_load_trailing_slash);
	tcase_add_test(tc, test_load_missing_directory);
	tcase_add_test(tc, test_load_missing_include);
	tcase_add_test(tc, test_load_bad_template_names_file);
	tcase_add_test(tc, test_load_file_too_big);
	tcase_add_test(tc, test_load_cycle);
	suite_add_tcase(s, tc);

	tc = tcase_create("page");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_page_50_rows_renders_and_is_fast);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(template_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
