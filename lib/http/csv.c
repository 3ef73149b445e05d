/* CSV cells for the exports (history, analytics): one rule for quoting,
 * for keeping a spreadsheet from reading a cell as a formula, and for the
 * separator the viewer's spreadsheet expects. */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "http/csv.h"

/* The first characters of a formula for a spreadsheet: = + - @ or a
 * tab/CR. */
static const bool csv_formula_start[256] = {
	['='] = true, ['+'] = true, ['-'] = true, ['@'] = true,
	['\t'] = true, ['\r'] = true,
};

/* Whether a spreadsheet would start a formula here, also behind the quotes
 * that open a field. */
static bool
csv_formula_at(const char *p)
{
	while (*p == '"')
		p++;
	return csv_formula_start[(unsigned char)*p];
}

/* What goes before a cell (or a piece of one) that a spreadsheet would
 * read as a formula: U+200B ZERO WIDTH SPACE. The cell then starts with a
 * character that starts no formula, so Excel and LibreOffice read text
 * (OWASP "CSV injection"), yet people see nothing: a number stays
 * "+380671234567" on the screen, where the usual apostrophe showed
 * ('+380671234567) in every cell and in every copy (issue 18). */
#define CSV_DEFUSE "\xE2\x80\x8B"

/* The bytes that make a cell more than its text: a quote, and the places
 * a separator or a line break (ours or an importer's) can split it. */
static const bool csv_stop[256] = {
	['"'] = true, [';'] = true, [','] = true, ['\t'] = true,
	['\r'] = true, ['\n'] = true,
};

/* n bytes of s, quotes doubled when the cell is quoted. Runs between
 * quotes go in one append each (a byte at a time was a third of the
 * export's CPU in this program). */
static void
csv_run(struct buf *b, const char *s, size_t n, bool quote)
{
	const char *q;

	while (quote && (q = memchr(s, '"', n)) != NULL) {
		buf_append(b, s, (size_t)(q - s) + 1);
		buf_putc(b, '"');
		n -= (size_t)(q - s) + 1;
		s = q + 1;
	}
	buf_append(b, s, n);
}

/* One CSV cell (RFC 4180) followed by sep (or CR LF when last): quoted
 * when it holds sep, a quote, CR or LF, quotes doubled. A cell a
 * spreadsheet would read as a formula (= + - @, or a leading tab/CR) gets
 * CSV_DEFUSE first; that includes E.164 numbers, which then read as text.
 * Excel in uk/ru/pl/es locales splits a line on ';' whatever the quotes
 * (issue 16 §10), and other importers on ',', tabs or at a line break
 * inside a quoted cell: every place such a split would start a formula
 * gets CSV_DEFUSE too, so no separator can turn a cell into one. */
void
csv_cell(struct buf *b, const char *s, char sep, bool last)
{
	const char *q;
	char quotable[] = { sep, '"', '\r', '\n', '\0' };
	bool quote;
	size_t n;

	if (s == NULL)
		s = "";
	/* Most cells (ids, numbers, names, times) hold none of the bytes
	 * below: one pass finds that and the length; strpbrk's two scans per
	 * cell were a sixth of a 500,000-row export's CPU here. */
	for (n = 0; s[n] != '\0' && !csv_stop[(unsigned char)s[n]] &&
	    s[n] != sep; n++)
		;
	if (s[n] == '\0') {
		if (csv_formula_start[(unsigned char)s[0]])
			buf_puts(b, CSV_DEFUSE);
		buf_append(b, s, n);
		if (last)
			buf_append(b, "\r\n", 2);
		else
			buf_putc(b, sep);
		return;
	}
	quote = strpbrk(s, quotable) != NULL;
	if (quote)
		buf_putc(b, '"');
	if (csv_formula_start[(unsigned char)s[0]])
		buf_puts(b, CSV_DEFUSE);
	while ((q = strpbrk(s, ";,\t\r\n")) != NULL) {
		csv_run(b, s, (size_t)(q - s) + 1, quote);
		if (csv_formula_at(q + 1))
			buf_puts(b, CSV_DEFUSE);
		s = q + 1;
	}
	csv_run(b, s, strlen(s), quote);
	if (quote)
		buf_putc(b, '"');
	if (last)
		buf_append(b, "\r\n", 2);
	else
		buf_putc(b, sep);
}

void
csv_decimal(struct buf *b, const char *dec, char sep, bool last)
{
	char cell[64], *p;
	size_t n;

	if (sep != ';' || dec == NULL || (n = strlen(dec)) >= sizeof(cell)) {
		csv_cell(b, dec, sep, last);
		return;
	}
	memcpy(cell, dec, n + 1);
	/* The decimal mark of the locales that list with ';'. */
	for (p = cell; (p = strchr(p, '.')) != NULL; p++)
		*p = ',';
	csv_cell(b, cell, sep, last);
}

/* Languages whose Excel lists with ';' (their decimal mark is a comma, so
 * the list separator cannot be). */
static const char *const semicolon_langs[] = {
	"uk", "ru", "pl", "es", "de", "fr", "it", "pt", "nl", "cs", "sk",
	"tr", "sv", "da", "fi", "nb", "nn", "no", "ro", "hu", "bg", "hr",
	"sl", "sr", "lt", "lv", "et", "el", "be", "kk", "az", "ka", "id",
	"vi", NULL
};

/* Excel opens a file by double-click right only when its separator is
 * the one of the viewer's Windows locale, which the browser's language
 * follows (issue 18). */
char
csv_separator_for(const char *v, const char *al)
{
	char lang[4];
	size_t n = 0;
	const char *const *l;

	if (v && strcmp(v, "semicolon") == 0)
		return ';';
	if (v && strcmp(v, "comma") == 0)
		return ',';
	if (al == NULL)
		return ',';
	while (*al == ' ')
		al++;
	/* The primary subtag: 2 or 3 letters, then the end of the tag. */
	while (n < 3 && ((al[n] >= 'a' && al[n] <= 'z') ||
	    (al[n] >= 'A' && al[n] <= 'Z'))) {
		lang[n] = (char)(al[n] | 0x20);
		n++;
	}
	lang[n] = '\0';
	if (n < 2 || strchr("-;, ", al[n]) == NULL)
		return ',';
	for (l = semicolon_langs; *l; l++)
		if (strcmp(*l, lang) == 0)
			return ';';
	return ',';
}
