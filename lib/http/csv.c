/* CSV cells for the exports (history, analytics): one rule for quoting
 * and for keeping a spreadsheet from reading a cell as a formula. Moved
 * here from cgi/calls.c when the analytics page (issue 21) needed it. */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "http/csv.h"

/* Whether a spreadsheet would start a formula here: = + - @ or a tab/CR,
 * also behind the quotes that open a field. */
static bool
csv_formula_at(const char *p)
{
	while (*p == '"')
		p++;
	return *p != '\0' && strchr("=+-@\t\r", *p) != NULL;
}

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

/* One CSV cell (RFC 4180): quoted when it holds a comma, quote, CR or LF,
 * quotes doubled. A cell a spreadsheet would read as a formula (= + - @,
 * or a leading tab/CR) gets a leading apostrophe first (OWASP "CSV
 * injection"); that includes E.164 numbers, which then read as text.
 * Excel in uk/ru/pl/es locales splits a line on ';' whatever the quotes
 * (issue 16 §10), and other importers on tabs or at a line break inside a
 * quoted cell: every place such a split would start a formula gets the
 * apostrophe too, so neither separator can turn a cell into one. */
void
csv_cell(struct buf *b, const char *s, bool last)
{
	const char *q;
	bool quote;

	if (s == NULL)
		s = "";
	quote = strpbrk(s, ",\"\r\n") != NULL;
	if (quote)
		buf_putc(b, '"');
	if (strchr("=+-@\t\r", s[0]) && s[0] != '\0')
		buf_putc(b, '\'');
	while ((q = strpbrk(s, ";,\t\r\n")) != NULL) {
		csv_run(b, s, (size_t)(q - s) + 1, quote);
		if (csv_formula_at(q + 1))
			buf_putc(b, '\'');
		s = q + 1;
	}
	csv_run(b, s, strlen(s), quote);
	if (quote)
		buf_putc(b, '"');
	if (last)
		buf_append(b, "\r\n", 2);
	else
		buf_putc(b, ',');
}
