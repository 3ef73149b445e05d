/* A table of rows for a template's data-repeat without a json-c object per
 * row. A history page's 50 rows of ~30 values were about 1,500 json-c
 * objects and 50 hash tables, built, looked up and freed per request:
 * half of callboard-calls' instructions (bench/README.md, session 5).
 * Here a row is a fixed array of cells (kind, number or text), the text of
 * every cell lives in one pool, and a template finds a column by a hash
 * of its name made when the template was compiled.
 *
 * A table sits in a json-c model like an array (tmpl_rows_attach()):
 * templates read its rows as objects (data-repeat, data-text="time"),
 * and json_object_to_json_string_ext() writes it exactly as the array of
 * json-c objects it replaces would be written: each row an object whose
 * keys are its present cells in column order. So the column order is the
 * key order of the JSON (keep it the order the old code added keys in).
 *
 * Cells: ABSENT (the default) is "no such key": a template looks the name
 * up in the outer scopes, as it does for a key missing from an object;
 * NULL is JSON null (falsy, no text, and the search stops there).
 *
 * Threads: one table belongs to one request; reading it (rendering) never
 * modifies it.
 */
#ifndef CB_TMPL_ROWS_H
#define CB_TMPL_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct json_object;
struct tmpl_rows;

#define TMPL_ROWS_MAX_COLS 64   /* columns of one table */

enum tmpl_cell_kind {
	TMPL_CELL_ABSENT = 0,   /* no key: the name is looked up further out */
	TMPL_CELL_NULL,         /* null */
	TMPL_CELL_STR,          /* text (UTF-8, may hold any byte but NUL) */
	TMPL_CELL_INT,          /* a signed 64-bit number */
	TMPL_CELL_BOOL,         /* true or false */
	TMPL_CELL__MAX
};

/* What a cell holds, for the template engine and for readers. s is
 * borrowed until the next write to the table. */
struct tmpl_cell_view {
	enum tmpl_cell_kind kind;
	const char *s;              /* STR: the text (NUL-terminated) */
	size_t len;                 /* STR: its length */
	int64_t i;                  /* INT: the number; BOOL: 0 or 1 */
};

/* A table with the columns cols[0..ncols) (names of [A-Za-z0-9_-], unique;
 * cols is borrowed and must outlive the table: a static array), at most
 * max_rows rows and max_text bytes of text in all. NULL when out of
 * memory or when the columns are invalid (a programming error).
 * Caller frees with tmpl_rows_free(), or hands it to tmpl_rows_attach(). */
struct tmpl_rows *tmpl_rows_new(const char *const *cols, size_t ncols,
	size_t max_rows, size_t max_text);
void tmpl_rows_free(struct tmpl_rows *t);

/* Starts a row, every cell ABSENT; the setters below write into it.
 * CB_ETOOBIG past max_rows. */
enum cb_err tmpl_rows_add(struct tmpl_rows *t);
/* Cells of the last row added (col < ncols). s is copied; a NULL s is a
 * NULL cell. Over max_text the cell becomes NULL and the table keeps
 * CB_ETOOBIG (tmpl_rows_err()); writing before the first row is a no-op. */
void tmpl_rows_str(struct tmpl_rows *t, unsigned col, const char *s);
void tmpl_rows_strn(struct tmpl_rows *t, unsigned col, const char *s,
	size_t len);
void tmpl_rows_i64(struct tmpl_rows *t, unsigned col, int64_t v);
void tmpl_rows_bool(struct tmpl_rows *t, unsigned col, bool v);
void tmpl_rows_null(struct tmpl_rows *t, unsigned col);
/* The first error of a write (CB_ETOOBIG), or CB_OK. */
enum cb_err tmpl_rows_err(const struct tmpl_rows *t);

size_t tmpl_rows_count(const struct tmpl_rows *t);
unsigned tmpl_rows_ncols(const struct tmpl_rows *t);
/* The cell (row < count, col < ncols) into *out. */
void tmpl_rows_cell(const struct tmpl_rows *t, size_t row, unsigned col,
	struct tmpl_cell_view *out);

/* Adds t to the object o under key (copied) as a json-c array that
 * templates read as t's rows and JSON writers write as t's rows.
 * Takes ownership of t in every case: freed with o. CB_ENOMEM when out of
 * memory (t is freed then). */
enum cb_err tmpl_rows_attach(struct json_object *o, const char *key,
	struct tmpl_rows *t);
/* The table behind a value of a model: NULL unless v was made by
 * tmpl_rows_attach(). */
const struct tmpl_rows *tmpl_rows_of(struct json_object *v);

/* For the template engine. The hash of a column name, made once per path
 * when a template is compiled; tmpl_rows_find() takes it with the name. */
uint32_t tmpl_rows_key_hash(const char *key);
/* The column named key (its hash h from tmpl_rows_key_hash()), or -1. */
int tmpl_rows_find(const struct tmpl_rows *t, const char *key, uint32_t h);

#endif
