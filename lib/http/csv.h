/* CSV for the exports (history, analytics): cells safe to open in a
 * spreadsheet, and the separator the viewer's Excel expects. */
#ifndef CB_HTTP_CSV_H
#define CB_HTTP_CSV_H

#include <stdbool.h>

#include "core/buf.h"

/* UTF-8 byte order mark: without it Excel reads the file as the
 * viewer's legacy code page. Every export starts with it. */
#define CSV_BOM "\xEF\xBB\xBF"

/* Appends s (NULL = empty) as one cell, then sep or, when last, CRLF:
 * quoted when it holds sep, a quote, CR or LF; a cell a spreadsheet would
 * read as a formula (also after a ; , tab or line break inside it) gets an
 * invisible U+200B in front. */
void csv_cell(struct buf *b, const char *s, char sep, bool last);

/* A decimal ("87.5", as the model holds it) as one cell: with a decimal
 * comma in a ';' CSV, which only Excel of a decimal-comma locale opens
 * (csv_separator_for), and which reads "87.5" there as text or a date;
 * as it is in a ',' CSV. No grouping: spreadsheets read "1250,5". */
void csv_decimal(struct buf *b, const char *dec, char sep, bool last);

/* ';' or ',': the viewer's choice (sep_param "semicolon" / "comma"), else
 * by the first language of Accept-Language (NULL = none): ';' where
 * Excel lists with it (languages with a decimal comma), ',' otherwise. */
char csv_separator_for(const char *sep_param, const char *accept_language);

#endif
