/* The languages people read Callboard in (issue 18, docs/templates.md
 * "Translation").
 *
 * Messages are GNU gettext catalogs (po/<lang>.po compiled by msgfmt to
 * $(localedir)/<lang>/LC_MESSAGES/callboard.mo), read once per process
 * into memory by i18n_load(). We do not call glibc's gettext(): it picks
 * the catalog by the locale of the thread (uselocale), and when the locale
 * is not generated on the machine (a fresh Debian has only C and C.UTF-8)
 * newlocale() fails and every message silently comes back in English; it
 * also lets a LANGUAGE variable in the daemon's environment override the
 * user's choice. A catalog per language, looked up by the request's
 * language, depends on nothing but the .mo files we install.
 *
 * Plural forms are the rules of each language (en/es: 2 forms; uk, ru,
 * pl: 3); i18n_load() refuses a catalog whose Plural-Forms header says
 * otherwise, so the .po header and this code cannot drift apart.
 *
 * Threads: load before threads; lookups only read. The current language
 * (i18n_use) is per thread: the FastCGI loop sets it for each request so
 * that _() in a handler speaks the viewer's language. */
#ifndef CB_I18N_I18N_H
#define CB_I18N_I18N_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

enum i18n_lang {
	LANG_EN = 0,  /* the msgids: no catalog */
	LANG_UK,
	LANG_RU,
	LANG_ES,
	LANG_PL,
	LANG__MAX
};

#define I18N_DOMAIN "callboard"

/* "en", "uk", "ru", "es", "pl". */
const char *i18n_code(enum i18n_lang lang);
/* The language's own name ("Українська"), for the profile's select. */
const char *i18n_native_name(enum i18n_lang lang);
/* The language of an exact code ("uk"); false for "", NULL or unknown. */
bool i18n_parse(const char *code, enum i18n_lang *out);
/* The best of our languages for an Accept-Language header (RFC 9110
 * §12.5.4: q-values, "uk-UA" matches uk, q=0 refuses); LANG_EN when
 * nothing matches or the header is NULL. */
enum i18n_lang i18n_negotiate(const char *accept_language);

/* Reads <localedir>/<code>/LC_MESSAGES/callboard.mo for every language but
 * English. A missing file is logged by the caller and leaves that
 * language in English (errmsg names it, CB_ENOTFOUND after loading the
 * others); a corrupt file or a wrong Plural-Forms is CB_EINVAL. Calling it
 * again replaces the catalogs. */
enum cb_err i18n_load(const char *localedir, struct buf *errmsg);
/* Loads one catalog from a file (tests, tools). */
enum cb_err i18n_load_file(enum i18n_lang lang, const char *path,
    struct buf *errmsg);
/* Frees the catalogs (at exit, for leak checkers). */
void i18n_unload(void);
/* Number of messages of lang's catalog (0 for English or none). */
size_t i18n_count(enum i18n_lang lang);

/* The translation of msgid, or msgid itself (untranslated, empty
 * translation, English, no catalog). Never NULL for a non-NULL msgid. */
const char *i18n_gettext(enum i18n_lang lang, const char *msgid);
/* The translation of a msgid with a context (gettext's msgctxt: the same
 * English word translated two ways, "Open" tasks and an "Open" lead):
 * key is "context\004msgid", as msgfmt stores it; untranslated, the
 * msgid without its context. Use C_(). */
const char *i18n_pgettext(enum i18n_lang lang, const char *key);
/* The plural form for n: singular/plural are the English forms. */
const char *i18n_ngettext(enum i18n_lang lang, const char *singular,
    const char *plural, unsigned long n);
/* The index of the plural form for n in lang (0-based). */
unsigned i18n_plural_index(enum i18n_lang lang, unsigned long n);
/* The Plural-Forms header lang's catalog must carry. */
const char *i18n_plural_forms(enum i18n_lang lang);

/* _(msgid) looked up once per language and kept in memo (a static
 * array of LANG__MAX, zero-initialised, one per msgid): for labels
 * printed once per row of a long page, where even a binary search per row
 * is work the page need not do. */
const char *i18n_memo(const char *msgid, const char *memo[LANG__MAX]);

/* The current thread's language (LANG_EN until set). */
void i18n_use(enum i18n_lang lang);
enum i18n_lang i18n_current(void);

/* A local time "YYYY-MM-DD[ HH:MM[...]]" as people of lang write it
 * (CLDR): en "6 Dec 2026 14:30" (en-GB's medium date), uk/ru
 * "06.12.2026 14:30", pl "6.12.2026 14:30", es "6/12/2026 4:05". What
 * follows the date is kept (es drops the hour's leading zero). Writes at
 * most outsz bytes; anything not of that shape is copied unchanged. No
 * allocation, no catalog lookup: cheap enough for every row of a page.
 * Machine-read copies (JSON, CSV, <time datetime>) keep the ISO form. */
void i18n_format_datetime(enum i18n_lang lang, const char *iso, char *out,
    size_t outsz);
/* The day and month of a local day "YYYY-MM-DD" as lang writes them on a
 * chart's axis (CLDR's day-month form, the date above without its year):
 * en "6 Dec", uk/ru "06.12", pl "6.12", es "6/12". Anything else is
 * copied unchanged. No allocation. */
void i18n_format_day_month(enum i18n_lang lang, const char *iso, char *out,
    size_t outsz);
/* n with the language's digit grouping (CLDR, as the browser's
 * Intl.NumberFormat writes it): "1,234" (en), "12 345" with a no-break
 * space U+00A0 (uk, ru, pl), "12.345" (es); es and pl leave four digits
 * ungrouped ("1234"). */
void i18n_format_int(enum i18n_lang lang, long long n, char *out,
    size_t outsz);

/* A decimal as machines write it (JSON, MariaDB's DECIMAL, our rates:
 * an optional sign, digits, optionally '.' and digits: "87.5",
 * "-1250.00", "+1.2") as people of lang write it (CLDR, as
 * Intl.NumberFormat does): the integer part grouped as by
 * i18n_format_int(), and a decimal comma in uk, ru, es and pl
 * ("1 250,00", "1250,00" in es/pl, "87,5") where English keeps the point
 * ("1,250.00"). The digits are kept as they are (no rounding). Anything
 * else is copied unchanged; NULL gives "". No allocation. */
void i18n_format_decimal(enum i18n_lang lang, const char *dec, char *out,
    size_t outsz);
/* dec per cent ("87.5") with lang's percent sign (CLDR percentFormat):
 * "87.5%" (en), "87,5%" (uk, pl), "87,5 %" with a no-break space U+00A0
 * (ru, es). NULL gives "". */
void i18n_format_percent(enum i18n_lang lang, const char *dec, char *out,
    size_t outsz);

/* msg with every "{n}" replaced by n, into out (at most outsz bytes): a
 * count inside a translated sentence, which is never a printf format
 * (ngettext("Try again in {n} second.", "... {n} seconds.", n)). */
void i18n_fill_n(const char *msg, long long n, char *out, size_t outsz);
/* msg with each keys[i] ("{name}") replaced by vals[i] (NULL: ""), into
 * out: values inside a translated sentence, whose word order is the
 * translator's. */
void i18n_fill(const char *msg, const char *const keys[],
    const char *const vals[], size_t n, char *out, size_t outsz);

/* xgettext keywords (po/Makevars-style: --keyword=_ --keyword=N_
 * --keyword=ngettext:1,2 --keyword=C_:1c,2). N_ marks a string translated
 * later. */
#define _(s) i18n_gettext(i18n_current(), (s))
#define N_(s) (s)
/* C_("lead status", "Open"): xgettext --keyword=C_:1c,2 */
#define C_(c, s) i18n_pgettext(i18n_current(), c "\004" s)
#ifdef ngettext
#undef ngettext
#endif
#define ngettext(s, p, n) i18n_ngettext(i18n_current(), (s), (p), (n))

#endif
