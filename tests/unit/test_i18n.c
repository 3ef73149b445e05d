#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <json-c/json.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/timefmt.h"
#include "i18n/i18n.h"
#include "tmpl/template.h"

/* Languages (issue 18): the catalog reader, plural rules, Accept-Language
 * and the template engine's translation at compile time. The catalog is a
 * real .mo made by msgfmt from a .po written here. */

static char mo_path[256];

/* A Ukrainian catalog with a plural entry and text that needs escaping. */
static const char test_po[] =
    "msgid \"\"\nmsgstr \"\"\n"
    "\"Content-Type: text/plain; charset=UTF-8\\n\"\n"
    "\"Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : "
    "n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\\n\"\n\n"
    "msgid \"Call history\"\nmsgstr \"Історія дзвінків\"\n\n"
    "msgid \"Search the calls\"\nmsgstr \"Пошук дзвінків\"\n\n"
    "msgid \"Close\"\nmsgstr \"Закрити\"\n\n"
    "msgid \"Save\"\nmsgstr \"Зберегти\"\n\n"
    "msgid \"Open\"\nmsgstr \"Відкриті\"\n\n"
    "msgctxt \"lead status\"\nmsgid \"Open\"\nmsgstr \"Відкритий\"\n\n"
    "msgid \"Tom & Jerry\"\nmsgstr \"Том & <Джеррі> \\\"так\\\"\"\n\n"
    "msgid \"Not translated\"\nmsgstr \"\"\n\n"
    "msgid \"%d call\"\nmsgid_plural \"%d calls\"\n"
    "msgstr[0] \"%d дзвінок\"\nmsgstr[1] \"%d дзвінки\"\n"
    "msgstr[2] \"%d дзвінків\"\n";

static void
setup(void)
{
	char po[256], cmd[700];
	FILE *f;

	snprintf(po, sizeof(po), "/tmp/cb-test-i18n-%ld.po", (long)getpid());
	snprintf(mo_path, sizeof(mo_path), "/tmp/cb-test-i18n-%ld.mo",
	    (long)getpid());
	f = fopen(po, "w");
	ck_assert_ptr_nonnull(f);
	fputs(test_po, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "msgfmt --check-format -o %s %s", mo_path, po);
	ck_assert_int_eq(system(cmd), 0);
	unlink(po);
	ck_assert_int_eq(i18n_load_file(LANG_UK, mo_path, NULL), CB_OK);
}

static void
teardown(void)
{
	i18n_unload();
	unlink(mo_path);
}

START_TEST(catalog_lookup)
{
	ck_assert_str_eq(i18n_gettext(LANG_UK, "Call history"),
	    "Історія дзвінків");
	ck_assert_str_eq(i18n_gettext(LANG_UK, "Not translated"),
	    "Not translated");
	ck_assert_str_eq(i18n_gettext(LANG_UK, "Absent"), "Absent");
	ck_assert_str_eq(i18n_gettext(LANG_EN, "Call history"),
	    "Call history");
	ck_assert_str_eq(i18n_gettext(LANG_RU, "Call history"),
	    "Call history"); /* no catalog loaded */
	i18n_use(LANG_UK);
	ck_assert_str_eq(_("Save"), "Зберегти");
	i18n_use(LANG_EN);
	ck_assert_str_eq(_("Save"), "Save");
}
END_TEST

/* The same English word, two translations: msgctxt (C_). */
START_TEST(catalog_context)
{
	ck_assert_str_eq(i18n_gettext(LANG_UK, "Open"), "Відкриті");
	ck_assert_str_eq(i18n_pgettext(LANG_UK, "lead status\004Open"),
	    "Відкритий");
	/* Untranslated or English: the msgid without its context. */
	ck_assert_str_eq(i18n_pgettext(LANG_UK, "task kind\004Open"), "Open");
	ck_assert_str_eq(i18n_pgettext(LANG_EN, "lead status\004Open"),
	    "Open");
	ck_assert_str_eq(i18n_pgettext(LANG_UK, "no context"), "no context");
	i18n_use(LANG_UK);
	ck_assert_str_eq(C_("lead status", "Open"), "Відкритий");
	i18n_use(LANG_EN);
	ck_assert_str_eq(C_("lead status", "Open"), "Open");
}
END_TEST

START_TEST(plurals)
{
	static const struct { unsigned long n; const char *uk; } cases[] = {
		{ 1, "%d дзвінок" }, { 2, "%d дзвінки" }, { 4, "%d дзвінки" },
		{ 5, "%d дзвінків" }, { 11, "%d дзвінків" },
		{ 12, "%d дзвінків" }, { 21, "%d дзвінок" },
		{ 22, "%d дзвінки" }, { 0, "%d дзвінків" },
		{ 111, "%d дзвінків" }, { 101, "%d дзвінок" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_str_eq(i18n_ngettext(LANG_UK, "%d call",
		    "%d calls", cases[i].n), cases[i].uk);
	ck_assert_str_eq(i18n_ngettext(LANG_EN, "%d call", "%d calls", 1),
	    "%d call");
	ck_assert_str_eq(i18n_ngettext(LANG_EN, "%d call", "%d calls", 0),
	    "%d calls");
	/* Polish: 1 połączenie, 2-4 połączenia, 5+ (and 12-14) połączeń. */
	ck_assert_uint_eq(i18n_plural_index(LANG_PL, 1), 0);
	ck_assert_uint_eq(i18n_plural_index(LANG_PL, 3), 1);
	ck_assert_uint_eq(i18n_plural_index(LANG_PL, 12), 2);
	ck_assert_uint_eq(i18n_plural_index(LANG_PL, 21), 2);
	ck_assert_uint_eq(i18n_plural_index(LANG_PL, 23), 1);
	ck_assert_uint_eq(i18n_plural_index(LANG_RU, 21), 0);
	ck_assert_uint_eq(i18n_plural_index(LANG_ES, 0), 1);
	ck_assert_uint_eq(i18n_plural_index(LANG_ES, 1), 0);
}
END_TEST

START_TEST(plural_forms_header_checked)
{
	struct buf err;

	/* The same catalog claims to be Polish: its Plural-Forms differ. */
	buf_init(&err, 4096);
	ck_assert_int_eq(i18n_load_file(LANG_PL, mo_path, &err), CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&err), "Plural-Forms"));
	ck_assert_int_eq(i18n_load_file(LANG_ES, "/nonexistent.mo", NULL),
	    CB_ENOTFOUND);
	ck_assert_str_eq(i18n_gettext(LANG_PL, "Save"), "Save");
	buf_free(&err);
}
END_TEST

START_TEST(negotiate)
{
	ck_assert_int_eq(i18n_negotiate(NULL), LANG_EN);
	ck_assert_int_eq(i18n_negotiate(""), LANG_EN);
	ck_assert_int_eq(i18n_negotiate("uk-UA,uk;q=0.9,en;q=0.8"), LANG_UK);
	ck_assert_int_eq(i18n_negotiate("de-DE,pl;q=0.7,en;q=0.5"), LANG_PL);
	ck_assert_int_eq(i18n_negotiate("en;q=0.5, es-ES;q=0.8"), LANG_ES);
	ck_assert_int_eq(i18n_negotiate("ru;q=0, fr"), LANG_EN);
	ck_assert_int_eq(i18n_negotiate("fr-FR, de"), LANG_EN);
	ck_assert_int_eq(i18n_negotiate("*"), LANG_EN);
	ck_assert_int_eq(i18n_negotiate("RU"), LANG_RU);
	ck_assert_int_eq(i18n_negotiate(";;;,,q=,"), LANG_EN);
	enum i18n_lang l;
	ck_assert(i18n_parse("uk", &l) && l == LANG_UK);
	ck_assert(!i18n_parse("ua", &l));
	ck_assert(!i18n_parse("", &l));
	ck_assert(!i18n_parse(NULL, &l));
}
END_TEST

START_TEST(formats)
{
	char out[64];

	i18n_format_datetime(LANG_UK, "2026-12-06 14:30", out, sizeof(out));
	ck_assert_str_eq(out, "06.12.2026 14:30");
	i18n_format_datetime(LANG_ES, "2026-12-06 14:30", out, sizeof(out));
	ck_assert_str_eq(out, "6/12/2026 14:30");
	i18n_format_datetime(LANG_EN, "2026-12-06 14:30", out, sizeof(out));
	ck_assert_str_eq(out, "6 Dec 2026 14:30");
	i18n_format_datetime(LANG_PL, "2026-12-06 14:30", out, sizeof(out));
	ck_assert_str_eq(out, "6.12.2026 14:30");
	i18n_format_datetime(LANG_RU, "2026-01-09", out, sizeof(out));
	ck_assert_str_eq(out, "09.01.2026");
	i18n_format_datetime(LANG_PL, "yesterday", out, sizeof(out));
	ck_assert_str_eq(out, "yesterday");
	i18n_format_int(LANG_EN, 1234567, out, sizeof(out));
	ck_assert_str_eq(out, "1,234,567");
	i18n_format_int(LANG_UK, -1234567, out, sizeof(out));
	ck_assert_str_eq(out, "-1\xC2\xA0" "234\xC2\xA0" "567");
	i18n_format_int(LANG_ES, 1234, out, sizeof(out));
	ck_assert_str_eq(out, "1234");
	i18n_format_int(LANG_ES, 12345, out, sizeof(out));
	ck_assert_str_eq(out, "12.345");
}
END_TEST

/* A chart's axis day (the analytics page): the date without its year. */
START_TEST(day_month)
{
	char out[32];

	i18n_format_day_month(LANG_EN, "2026-12-06", out, sizeof(out));
	ck_assert_str_eq(out, "6 Dec");
	i18n_format_day_month(LANG_UK, "2026-12-06", out, sizeof(out));
	ck_assert_str_eq(out, "06.12");
	i18n_format_day_month(LANG_RU, "2026-01-09", out, sizeof(out));
	ck_assert_str_eq(out, "09.01");
	i18n_format_day_month(LANG_PL, "2026-01-09", out, sizeof(out));
	ck_assert_str_eq(out, "9.01");
	i18n_format_day_month(LANG_ES, "2026-01-09", out, sizeof(out));
	ck_assert_str_eq(out, "9/1");
	i18n_format_day_month(LANG_ES, "2026-13-09", out, sizeof(out));
	ck_assert_str_eq(out, "2026-13-09");
	i18n_format_day_month(LANG_PL, NULL, out, sizeof(out));
	ck_assert_str_eq(out, "");
	i18n_format_day_month(LANG_EN, "2026-12-06", out, 3);
	ck_assert_str_eq(out, "6 ");
}
END_TEST

/* Midnight, the first and last of a year, the hour without its zero. */
START_TEST(formats_edges)
{
	char out[64];

	i18n_format_datetime(LANG_ES, "2026-01-01 00:00", out, sizeof(out));
	ck_assert_str_eq(out, "1/1/2026 0:00");
	i18n_format_datetime(LANG_ES, "2026-12-31 10:05", out, sizeof(out));
	ck_assert_str_eq(out, "31/12/2026 10:05");
	i18n_format_datetime(LANG_EN, "2026-01-01 00:00", out, sizeof(out));
	ck_assert_str_eq(out, "1 Jan 2026 00:00");
	i18n_format_datetime(LANG_UK, "2026-12-31 23:59", out, sizeof(out));
	ck_assert_str_eq(out, "31.12.2026 23:59");
	i18n_format_datetime(LANG_PL, "2026-01-01 00:00", out, sizeof(out));
	ck_assert_str_eq(out, "1.01.2026 00:00");
	/* not a date: as it is */
	i18n_format_datetime(LANG_UK, "2026-13-01 10:00", out, sizeof(out));
	ck_assert_str_eq(out, "2026-13-01 10:00");
	i18n_format_datetime(LANG_EN, "2026-12-00", out, sizeof(out));
	ck_assert_str_eq(out, "2026-12-00");
	i18n_format_datetime(LANG_EN, NULL, out, sizeof(out));
	ck_assert_str_eq(out, "");
	/* a short buffer is cut, never overrun */
	i18n_format_datetime(LANG_EN, "2026-12-06 14:30", out, 6);
	ck_assert_str_eq(out, "6 Dec");
}
END_TEST

/* The wall clock jumps at the DST change (Kyiv, 29 March 2026, 03:00 ->
 * 04:00): the shown form follows the converted local time. */
START_TEST(formats_dst)
{
	char local[32], out[64];

	ck_assert_int_eq(time_utc_to_local("2026-03-29 00:59:00", "Europe/Kyiv",
	    local, sizeof(local)), CB_OK);
	i18n_format_datetime(LANG_UK, local, out, sizeof(out));
	ck_assert_str_eq(out, "29.03.2026 02:59");
	ck_assert_int_eq(time_utc_to_local("2026-03-29 01:00:00", "Europe/Kyiv",
	    local, sizeof(local)), CB_OK);
	i18n_format_datetime(LANG_UK, local, out, sizeof(out));
	ck_assert_str_eq(out, "29.03.2026 04:00");
	/* the last day of October's change back, in Warsaw */
	ck_assert_int_eq(time_utc_to_local("2026-10-25 01:30:00", "Europe/Warsaw",
	    local, sizeof(local)), CB_OK);
	i18n_format_datetime(LANG_PL, local, out, sizeof(out));
	ck_assert_str_eq(out, "25.10.2026 02:30");
}
END_TEST

START_TEST(formats_large_numbers)
{
	char out[64];

	i18n_format_int(LANG_EN, 9223372036854775807LL, out, sizeof(out));
	ck_assert_str_eq(out, "9,223,372,036,854,775,807");
	i18n_format_int(LANG_ES, -9223372036854775807LL - 1, out, sizeof(out));
	ck_assert_str_eq(out, "-9.223.372.036.854.775.808");
	i18n_format_int(LANG_PL, 1234, out, sizeof(out));
	ck_assert_str_eq(out, "1234");
	i18n_format_int(LANG_PL, 1000000, out, sizeof(out));
	ck_assert_str_eq(out, "1\xC2\xA0" "000\xC2\xA0" "000");
	i18n_format_int(LANG_RU, 1234, out, sizeof(out));
	ck_assert_str_eq(out, "1\xC2\xA0" "234");
	i18n_format_int(LANG_EN, 0, out, sizeof(out));
	ck_assert_str_eq(out, "0");
	i18n_format_int(LANG_EN, 999, out, sizeof(out));
	ck_assert_str_eq(out, "999");
}
END_TEST

/* Decimals and shares (issue 18): a decimal comma in uk/ru/es/pl, the
 * grouping of i18n_format_int(), CLDR's percent sign per language (as
 * node's Intl.NumberFormat writes them, ICU 78 / CLDR 48). */
START_TEST(formats_decimals)
{
	char out[256];

	i18n_format_decimal(LANG_EN, "87.5", out, sizeof(out));
	ck_assert_str_eq(out, "87.5");
	i18n_format_decimal(LANG_UK, "87.5", out, sizeof(out));
	ck_assert_str_eq(out, "87,5");
	i18n_format_decimal(LANG_EN, "1250.00", out, sizeof(out));
	ck_assert_str_eq(out, "1,250.00");
	i18n_format_decimal(LANG_UK, "1250.00", out, sizeof(out));
	ck_assert_str_eq(out, "1\xC2\xA0" "250,00");
	i18n_format_decimal(LANG_RU, "-12345.5", out, sizeof(out));
	ck_assert_str_eq(out, "-12\xC2\xA0" "345,5");
	i18n_format_decimal(LANG_ES, "1234.5", out, sizeof(out));
	ck_assert_str_eq(out, "1234,5");
	i18n_format_decimal(LANG_ES, "12345.5", out, sizeof(out));
	ck_assert_str_eq(out, "12.345,5");
	i18n_format_decimal(LANG_PL, "1234.50", out, sizeof(out));
	ck_assert_str_eq(out, "1234,50");
	i18n_format_decimal(LANG_PL, "+1.2", out, sizeof(out));
	ck_assert_str_eq(out, "+1,2");
	i18n_format_decimal(LANG_UK, "0", out, sizeof(out));
	ck_assert_str_eq(out, "0");
	/* not a decimal: as it is */
	i18n_format_decimal(LANG_UK, "1.2.3", out, sizeof(out));
	ck_assert_str_eq(out, "1.2.3");
	i18n_format_decimal(LANG_UK, "87.", out, sizeof(out));
	ck_assert_str_eq(out, "87.");
	i18n_format_decimal(LANG_UK, ".5", out, sizeof(out));
	ck_assert_str_eq(out, ".5");
	i18n_format_decimal(LANG_UK, "", out, sizeof(out));
	ck_assert_str_eq(out, "");
	i18n_format_decimal(LANG_UK, "12 UAH", out, sizeof(out));
	ck_assert_str_eq(out, "12 UAH");
	i18n_format_decimal(LANG_UK, NULL, out, sizeof(out));
	ck_assert_str_eq(out, "");
	/* the longest DECIMAL, grouped, and one digit more left alone */
	{
		char big[80], want[200];
		size_t i, o = 0;

		for (i = 0; i < 65; i++)
			big[i] = (char)('1' + i % 9);
		big[65] = '\0';
		for (i = 0; i < 65; i++) {
			if (i > 0 && (65 - i) % 3 == 0)
				want[o++] = ',';
			want[o++] = big[i];
		}
		memcpy(want + o, ".5", 3);
		strcat(big, ".5");
		i18n_format_decimal(LANG_EN, big, out, sizeof(out));
		ck_assert_str_eq(out, want);
		memmove(big + 1, big, strlen(big) + 1);
		big[0] = '9';
		i18n_format_decimal(LANG_EN, big, out, sizeof(out));
		ck_assert_str_eq(out, big);
	}
	/* a short buffer is cut, never overrun */
	i18n_format_decimal(LANG_UK, "1250.00", out, 4);
	ck_assert_str_eq(out, "1\xC2\xA0");
	i18n_format_percent(LANG_EN, "87.5", out, sizeof(out));
	ck_assert_str_eq(out, "87.5%");
	i18n_format_percent(LANG_UK, "87.5", out, sizeof(out));
	ck_assert_str_eq(out, "87,5%");
	i18n_format_percent(LANG_PL, "87.5", out, sizeof(out));
	ck_assert_str_eq(out, "87,5%");
	i18n_format_percent(LANG_RU, "87.5", out, sizeof(out));
	ck_assert_str_eq(out, "87,5\xC2\xA0%");
	i18n_format_percent(LANG_ES, "100.0", out, sizeof(out));
	ck_assert_str_eq(out, "100,0\xC2\xA0%");
	i18n_format_percent(LANG_ES, NULL, out, sizeof(out));
	ck_assert_str_eq(out, "");
}
END_TEST

/* Values inside a translated sentence: {n} and named placeholders, every
 * occurrence, truncated at the buffer, never past it. */
START_TEST(fill)
{
	static const char *const keys[] = { "{name}", "{number}" };
	const char *vals[] = { "Zadarma", NULL };
	char out[64], tiny[8];

	i18n_fill_n("wait {n} s, {n}!", 42, out, sizeof(out));
	ck_assert_str_eq(out, "wait 42 s, 42!");
	i18n_fill_n("no placeholder", 1, out, sizeof(out));
	ck_assert_str_eq(out, "no placeholder");
	i18n_fill("{name} calls {number}; {name}.", keys, vals, 2, out,
	    sizeof(out));
	ck_assert_str_eq(out, "Zadarma calls ; Zadarma.");
	i18n_fill("{name} {nam", keys, vals, 2, out, sizeof(out));
	ck_assert_str_eq(out, "Zadarma {nam");
	i18n_fill("{name} and more", keys, vals, 2, tiny, sizeof(tiny));
	ck_assert_str_eq(tiny, "Zadarma");
	i18n_fill_n("{n}", -12345678901LL, tiny, sizeof(tiny));
	ck_assert_str_eq(tiny, "-123456");
}
END_TEST

/* --- the engine --------------------------------------------------------- */

static const char *
tr_uk(void *arg, const char *msgid, const char *name, long line)
{
	(void)arg;
	(void)name;
	(void)line;
	return i18n_gettext(LANG_UK, msgid);
}

static char *
render_uk(const char *html, const char *json)
{
	struct tmpl_i18n i18n = { "uk", tr_uk, NULL };
	struct tmpl_set *set = tmpl_set_new();
	struct json_object *m = json ? json_tokener_parse(json) : NULL;
	struct buf err, out;
	enum cb_err e;

	buf_init(&err, 4096);
	buf_init(&out, 1 << 20);
	tmpl_set_i18n(set, &i18n);
	e = tmpl_set_add(set, "t.html", html, strlen(html), &err);
	ck_assert_msg(e == CB_OK, "add: %s", buf_cstr(&err));
	ck_assert_int_eq(tmpl_render(set, "t.html", m, &out), CB_OK);
	json_object_put(m);
	tmpl_set_free(set);
	buf_free(&err);
	return buf_steal(&out);
}

#define RENDERS_UK(html, json, want) do {				\
	char *got_ = render_uk((html), (json));				\
	ck_assert_str_eq(got_, (want));					\
	free(got_);							\
} while (0)

START_TEST(engine_text_nodes)
{
	/* The key is whitespace-normalised; the node's own leading and
	 * trailing whitespace stays. */
	RENDERS_UK("<h1>\n  Call\n   history </h1>", NULL,
	    "<h1>\n  Історія дзвінків </h1>");
	RENDERS_UK("<p>Unknown words stay</p>", NULL,
	    "<p>Unknown words stay</p>");
	/* Numbers and symbols are not words: never looked up. */
	RENDERS_UK("<p>42 · ×</p>", NULL, "<p>42 · ×</p>");
	/* Model values are never translated. */
	RENDERS_UK("<p data-text=\"v\">Save</p>", "{\"v\":\"Save\"}",
	    "<p>Save</p>");
}
END_TEST

START_TEST(engine_attributes)
{
	RENDERS_UK("<input placeholder=\"Search the calls\" title=\"Close\" "
	    "value=\"Save\" name=\"Save\">", NULL,
	    "<input placeholder=\"Пошук дзвінків\" title=\"Закрити\" "
	    "value=\"Save\" name=\"Save\">");
	RENDERS_UK("<input type=\"submit\" value=\"Save\">"
	    "<button aria-label=\"Close\" value=\"Close\">×</button>", NULL,
	    "<input type=\"submit\" value=\"Зберегти\">"
	    "<button aria-label=\"Закрити\" value=\"Close\">×</button>");
	/* data-attr-title replaces the static one: not translated. */
	RENDERS_UK("<a title=\"Close\" data-attr-title=\"t\">x</a>",
	    "{\"t\":\"Close\"}", "<a title=\"Close\">x</a>");
	RENDERS_UK("<!DOCTYPE html><html lang=\"en\"><head><title>Call "
	    "history</title></head><body></body></html>", NULL,
	    "<!DOCTYPE html>\n<html lang=\"uk\"><head><title>Історія "
	    "дзвінків</title></head><body></body></html>\n");
}
END_TEST

START_TEST(engine_opt_out)
{
	RENDERS_UK("<p translate=\"no\">Save <b>Close</b></p><p>Save</p>",
	    NULL, "<p translate=\"no\">Save <b>Close</b></p><p>Зберегти</p>");
	RENDERS_UK("<div translate=\"no\"><span translate=\"yes\">Save</span>"
	    "<i title=\"Close\">x</i></div>", NULL,
	    "<div translate=\"no\"><span translate=\"yes\">Зберегти</span>"
	    "<i title=\"Close\">x</i></div>");
}
END_TEST

START_TEST(engine_escapes_translations)
{
	/* A translation is printed as template text: escaped like it. */
	RENDERS_UK("<p title=\"Tom &amp; Jerry\">Tom &amp; Jerry</p>", NULL,
	    "<p title=\"Том &amp; <Джеррі> &quot;так&quot;\">Том &amp; "
	    "&lt;Джеррі&gt; \"так\"</p>");
}
END_TEST

/* What the extractor (tools/tmpl_pot.c) is asked: each msgid once per
 * place, never under translate="no", never in script or style. */
static const char *
record(void *arg, const char *msgid, const char *name, long line)
{
	struct buf *b = arg;

	buf_printf(b, "%s:%ld:%s|", name, line, msgid);
	return NULL;
}

START_TEST(engine_extraction)
{
	struct buf seen, err;
	struct tmpl_i18n i18n = { NULL, record, &seen };
	struct tmpl_set *set = tmpl_set_new();
	static const char html[] =
	    "<p>One  two</p>\n<script>var a = 'Not me';</script>\n"
	    "<p translate=\"no\">Nor me</p><img alt=\"Photo\" src=\"x.png\">"
	    "<style>p{}</style>";

	buf_init(&seen, 4096);
	buf_init(&err, 4096);
	tmpl_set_i18n(set, &i18n);
	ck_assert_int_eq(tmpl_set_add(set, "a.html", html, strlen(html),
	    &err), CB_OK);
	ck_assert_str_eq(buf_cstr(&seen), "a.html:1:One two|a.html:3:Photo|");
	tmpl_set_free(set);
	buf_free(&seen);
	buf_free(&err);
}
END_TEST

static Suite *
i18n_suite(void)
{
	Suite *s = suite_create("i18n");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, catalog_lookup);
	tcase_add_test(tc, catalog_context);
	tcase_add_test(tc, plurals);
	tcase_add_test(tc, plural_forms_header_checked);
	tcase_add_test(tc, negotiate);
	tcase_add_test(tc, formats);
	tcase_add_test(tc, day_month);
	tcase_add_test(tc, formats_edges);
	tcase_add_test(tc, formats_dst);
	tcase_add_test(tc, formats_large_numbers);
	tcase_add_test(tc, formats_decimals);
	tcase_add_test(tc, fill);
	tcase_add_test(tc, engine_text_nodes);
	tcase_add_test(tc, engine_attributes);
	tcase_add_test(tc, engine_opt_out);
	tcase_add_test(tc, engine_escapes_translations);
	tcase_add_test(tc, engine_extraction);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(i18n_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
