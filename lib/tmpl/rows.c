#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "tmpl/rows.h"

/* Marks a json-c userdata pointer as a table of ours: tmpl_rows_of() is
 * handed any value of a model, and json-c cannot say which serializer an
 * object has (its struct is private). */
#define ROWS_MAGIC 0x54524f57u /* "TROW" */

/* A cell: 16 bytes where a json-c value was a malloc'd object. */
struct cell {
	int64_t v;          /* INT, BOOL: the value; STR: offset in the text */
	uint32_t len;       /* STR: bytes */
	uint8_t kind;       /* enum tmpl_cell_kind */
};

struct tmpl_rows {
	uint32_t magic;
	enum cb_err err;            /* first write error, sticky */
	const char *const *cols;    /* borrowed */
	unsigned ncols;
	uint32_t hash[TMPL_ROWS_MAX_COLS];
	/* Open addressing by tmpl_rows_key_hash(): column + 1, 0 = empty;
	 * twice the largest column count, so a probe ends fast. */
	uint8_t slot[2 * TMPL_ROWS_MAX_COLS];
	struct cell *cells;         /* max_rows * ncols */
	size_t nrows, max_rows;
	char *text;                 /* every STR cell's bytes, NUL after each */
	size_t text_len, text_cap, text_max;
};

#define SLOT_MASK (2u * TMPL_ROWS_MAX_COLS - 1)

/* FNV-1a, 32 bits: the names are short and few, any spread will do. */
uint32_t
tmpl_rows_key_hash(const char *key)
{
	uint32_t h = 2166136261u;

	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 16777619u;
	return h;
}

static bool
col_name_valid(const char *s)
{
	if (s == NULL || *s == '\0')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return false;
	return true;
}

int
tmpl_rows_find(const struct tmpl_rows *t, const char *key, uint32_t h)
{
	unsigned i = h & SLOT_MASK, c;

	while (t->slot[i] != 0) {
		c = t->slot[i] - 1u;
		if (t->hash[c] == h && strcmp(t->cols[c], key) == 0)
			return (int)c;
		i = (i + 1) & SLOT_MASK;
	}
	return -1;
}

struct tmpl_rows *
tmpl_rows_new(const char *const *cols, size_t ncols, size_t max_rows,
    size_t max_text)
{
	struct tmpl_rows *t;
	unsigned c, i;

	if (cols == NULL || ncols == 0 || ncols > TMPL_ROWS_MAX_COLS ||
	    max_rows == 0 || max_rows > SIZE_MAX / ncols / sizeof(struct cell))
		return NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->magic = ROWS_MAGIC;
	t->cols = cols;
	t->ncols = (unsigned)ncols;
	t->max_rows = max_rows;
	t->text_max = max_text;
	for (c = 0; c < t->ncols; c++) {
		if (!col_name_valid(cols[c]) ||
		    tmpl_rows_find(t, cols[c], tmpl_rows_key_hash(cols[c])) >= 0)
			goto invalid;
		t->hash[c] = tmpl_rows_key_hash(cols[c]);
		for (i = t->hash[c] & SLOT_MASK; t->slot[i] != 0;
		    i = (i + 1) & SLOT_MASK)
			;
		t->slot[i] = (uint8_t)(c + 1);
	}
	if ((t->cells = malloc(max_rows * ncols * sizeof(struct cell))) ==
	    NULL)
		goto invalid;
	return t;
invalid:
	free(t);
	return NULL;
}

void
tmpl_rows_free(struct tmpl_rows *t)
{
	if (t == NULL)
		return;
	free(t->cells);
	free(t->text);
	free(t);
}

enum cb_err
tmpl_rows_add(struct tmpl_rows *t)
{
	if (t->nrows == t->max_rows)
		return CB_ETOOBIG;
	memset(t->cells + t->nrows * t->ncols, 0,
	    t->ncols * sizeof(struct cell));
	t->nrows++;
	return CB_OK;
}

/* The last row's cell col, or NULL before the first row. */
static struct cell *
cell_of(struct tmpl_rows *t, unsigned col)
{
	if (t->nrows == 0 || col >= t->ncols)
		return NULL;
	return &t->cells[(t->nrows - 1) * t->ncols + col];
}

/* Room for n more bytes of text: the pool doubles up to text_max. */
static bool
text_reserve(struct tmpl_rows *t, size_t n)
{
	size_t cap;
	char *p;

	if (n > t->text_max - t->text_len)
		return false;
	if (t->text_len + n <= t->text_cap)
		return true;
	cap = t->text_cap ? t->text_cap : 4096;
	while (cap < t->text_len + n)
		cap *= 2;
	if (cap > t->text_max)
		cap = t->text_max;
	if ((p = realloc(t->text, cap)) == NULL)
		return false;
	t->text = p;
	t->text_cap = cap;
	return true;
}

void
tmpl_rows_strn(struct tmpl_rows *t, unsigned col, const char *s, size_t len)
{
	struct cell *c = cell_of(t, col);

	if (c == NULL)
		return;
	if (s == NULL) {
		c->kind = TMPL_CELL_NULL;
		return;
	}
	if (len > UINT32_MAX || !text_reserve(t, len + 1)) {
		if (t->err == CB_OK)
			t->err = CB_ETOOBIG;
		c->kind = TMPL_CELL_NULL;
		return;
	}
	memcpy(t->text + t->text_len, s, len);
	t->text[t->text_len + len] = '\0';
	c->kind = TMPL_CELL_STR;
	c->v = (int64_t)t->text_len;
	c->len = (uint32_t)len;
	t->text_len += len + 1;
}

void
tmpl_rows_str(struct tmpl_rows *t, unsigned col, const char *s)
{
	tmpl_rows_strn(t, col, s, s ? strlen(s) : 0);
}

void
tmpl_rows_i64(struct tmpl_rows *t, unsigned col, int64_t v)
{
	struct cell *c = cell_of(t, col);

	if (c != NULL) {
		c->kind = TMPL_CELL_INT;
		c->v = v;
	}
}

void
tmpl_rows_bool(struct tmpl_rows *t, unsigned col, bool v)
{
	struct cell *c = cell_of(t, col);

	if (c != NULL) {
		c->kind = TMPL_CELL_BOOL;
		c->v = v;
	}
}

void
tmpl_rows_null(struct tmpl_rows *t, unsigned col)
{
	struct cell *c = cell_of(t, col);

	if (c != NULL)
		c->kind = TMPL_CELL_NULL;
}

enum cb_err
tmpl_rows_err(const struct tmpl_rows *t)
{
	return t->err;
}

size_t
tmpl_rows_count(const struct tmpl_rows *t)
{
	return t->nrows;
}

unsigned
tmpl_rows_ncols(const struct tmpl_rows *t)
{
	return t->ncols;
}

void
tmpl_rows_cell(const struct tmpl_rows *t, size_t row, unsigned col,
    struct tmpl_cell_view *out)
{
	const struct cell *c = &t->cells[row * t->ncols + col];

	out->kind = (enum tmpl_cell_kind)c->kind;
	out->i = c->v;
	out->s = NULL;
	out->len = 0;
	if (c->kind == TMPL_CELL_STR) {
		out->s = t->text + c->v;
		out->len = c->len;
	}
}

/* --- in a json-c model --------------------------------------------------- */

/* The rows as the json-c array of objects they stand for, keys in column
 * order; NULL when out of memory. Only for the JSON writer below. */
static struct json_object *
rows_to_json(const struct tmpl_rows *t)
{
	struct json_object *arr = json_object_new_array_ext((int)t->nrows);
	struct json_object *o, *v;
	struct tmpl_cell_view cv;
	size_t r;
	unsigned c;

	if (arr == NULL)
		return NULL;
	for (r = 0; r < t->nrows; r++) {
		if ((o = json_object_new_object()) == NULL ||
		    json_object_array_add(arr, o) != 0)
			goto nomem;
		for (c = 0; c < t->ncols; c++) {
			tmpl_rows_cell(t, r, c, &cv);
			switch (cv.kind) {
			case TMPL_CELL_ABSENT:
				continue;
			case TMPL_CELL_STR:
				v = json_object_new_string_len(cv.s,
				    (int)cv.len);
				break;
			case TMPL_CELL_INT:
				v = json_object_new_int64(cv.i);
				break;
			case TMPL_CELL_BOOL:
				v = json_object_new_boolean(cv.i != 0);
				break;
			case TMPL_CELL_NULL:
			default:
				v = NULL;
				break;
			}
			if (json_object_object_add_ex(o, t->cols[c], v,
			    JSON_C_OBJECT_ADD_KEY_IS_NEW |
			    JSON_C_OBJECT_KEY_IS_CONSTANT) != 0) {
				json_object_put(v);
				goto nomem;
			}
		}
	}
	return arr;
nomem:
	json_object_put(arr);
	return NULL;
}

/* json-c's serializer hook (json_object_set_serializer): the JSON of the
 * rows is json-c's own writing of the objects they replace, so it is the
 * same bytes, escaping included. Only ?format=json pays for the objects;
 * a nested PRETTY print indents the rows as if they were at the top. */
static int
rows_write_json(struct json_object *jso, struct printbuf *pb, int level,
    int flags)
{
	const struct tmpl_rows *t = json_object_get_userdata(jso);
	struct json_object *arr;
	const char *s;
	size_t len;
	int rc;

	(void)level;
	if ((arr = rows_to_json(t)) == NULL)
		return -1;
	s = json_object_to_json_string_length(arr, flags, &len);
	rc = s == NULL ? -1 : printbuf_memappend(pb, s, (int)len);
	json_object_put(arr);
	return rc < 0 ? -1 : 0;
}

static void
rows_delete(struct json_object *jso, void *userdata)
{
	(void)jso;
	tmpl_rows_free(userdata);
}

enum cb_err
tmpl_rows_attach(struct json_object *o, const char *key, struct tmpl_rows *t)
{
	struct json_object *arr = json_object_new_array();

	if (arr == NULL) {
		tmpl_rows_free(t);
		return CB_ENOMEM;
	}
	json_object_set_serializer(arr, rows_write_json, t, rows_delete);
	if (json_object_object_add(o, key, arr) != 0) {
		json_object_put(arr);
		return CB_ENOMEM;
	}
	return CB_OK;
}

const struct tmpl_rows *
tmpl_rows_of(struct json_object *v)
{
	const struct tmpl_rows *t;

	if (!json_object_is_type(v, json_type_array) ||
	    (t = json_object_get_userdata(v)) == NULL ||
	    t->magic != ROWS_MAGIC)
		return NULL;
	return t;
}
