/* CSV cells (RFC 4180) safe to open in a spreadsheet. */
#ifndef CB_HTTP_CSV_H
#define CB_HTTP_CSV_H

#include <stdbool.h>

#include "core/buf.h"

/* Appends s (NULL = empty) as one cell, then ',' or, when last, CRLF:
 * quoted when it holds a comma, quote, CR or LF; a leading = + - @ tab or
 * CR (also after a ; , tab or line break inside it) gets an apostrophe. */
void csv_cell(struct buf *b, const char *s, bool last);

#endif
