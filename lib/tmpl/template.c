#include "config.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "core/buf.h"
#include "core/err.h"
#include "http/escape.h"
#include "tmpl/rows.h"
#include "tmpl/template.h"

/*
 * How it works. A template is parsed once with libxml2's HTML parser and
 * the tree is compiled into a flat array of operations (struct op):
 * OP_STATIC copies a pre-serialised run of HTML from the template's pool,
 * the others look a path up in the view model and write through
 * html_text()/html_attr(). Elements with data-if, data-unless or
 * data-repeat become a jump: the op records the index just past the
 * element, so rendering is one loop over the array, recursing only for
 * repeats and includes. The libxml2 tree is freed as soon as the template
 * is compiled; nothing of libxml2 is used at render time.
 *
 * libxml2 2.9 (Debian 12) has an HTML 4 parser. What that means here,
 * each checked with its 2.9.14:
 * - Without HTML_PARSE_RECOVER a "</b>" inside a script string ends the
 *   <script> element and the rest of the script is lost, so RECOVER is
 *   on (it makes only "</script" end a script).
 * - Without HTML_PARSE_NODEFDTD a page without a doctype gets an HTML 4.0
 *   Transitional one.
 * - HTML_PARSE_NOIMPLIED nests the second top-level element of a fragment
 *   inside the first, and with or without it text at the top level is
 *   wrapped in an implied <p>. A fragment (a file that does not start with
 *   <!DOCTYPE, <html>, <head> or <body>) is therefore parsed as the
 *   content of an explicit <body>, as a browser does for body.innerHTML.
 * - HTML5 void elements it does not know (source, track, wbr) swallow
 *   their following siblings as children; we print those children after
 *   the tag, which restores the author's order.
 * - Entities are decoded (&nbsp; becomes U+00A0), whitespace text nodes
 *   are kept (no HTML_PARSE_NOBLANKS), and the leading newline of <pre>
 *   and <textarea> is kept, so printing it again round-trips.
 * - Element and attribute names come back lower-case; browsers fold case
 *   the same way, also for SVG (viewbox is read as viewBox).
 */

#define PARSE_OPTIONS (HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | \
	HTML_PARSE_NOWARNING | HTML_PARSE_NONET | HTML_PARSE_NODEFDTD)

#define PATH_MAX_LEN    256   /* bytes in one directive path */
#define PATH_MAX_SEGS   16    /* dotted keys in one path */
#define NAME_MAX_LEN    255   /* bytes in a template name */
#define COMPILE_DEPTH   512   /* element nesting */
#define POOL_MAX        (16 * (size_t)TMPL_MAX_FILE)

enum op_kind {
	OP_STATIC,   /* copy len bytes of the pool at off */
	OP_TEXT,     /* the escaped text of path */
	OP_ATTR,     /* ` name="value"` from path, or nothing */
	OP_IF,       /* go to end unless path is truthy */
	OP_UNLESS,   /* go to end if path is truthy */
	OP_REPEAT,   /* ops (i, end) once per item of the array at path */
	OP_INCLUDE,  /* the content of the template named at off */
	OP__MAX
};

enum path_kind {
	PATH_KEYS,   /* dotted keys: nseg NUL-terminated strings at off */
	PATH_ITEM,   /* "." : the current item */
	PATH_INDEX,  /* "$index": position in the innermost repeat */
	PATH__MAX
};

struct path {
	enum path_kind kind;
	size_t off;                  /* PATH_KEYS: the keys in the pool */
	size_t hoff;                 /* PATH_KEYS: nseg key hashes in the
				      * pool (unaligned: memcpy them) */
	size_t nseg;
	uint32_t col_hash;           /* PATH_KEYS: the first key's hash for
				      * a row of a table (tmpl/rows.h) */
};

#define OPF_URL     0x1u  /* OP_ATTR: value must pass url_is_safe() */
#define OPF_BOOL    0x2u  /* OP_ATTR: a boolean attribute: name or nothing */
#define OPF_LF      0x4u  /* OP_TEXT: in <pre>, <textarea>: keep a leading LF */

struct op {
	enum op_kind kind;
	unsigned flags;              /* OPF_* */
	size_t off, len;             /* OP_STATIC: bytes; OP_ATTR: ` name="`;
				      * OP_INCLUDE: target name */
	size_t end;                  /* OP_IF, OP_UNLESS, OP_REPEAT */
	struct path path;            /* OP_TEXT, OP_ATTR, OP_IF, OP_UNLESS,
				      * OP_REPEAT */
	long line;                   /* in the source, for messages */
	struct tmpl *target;         /* OP_INCLUDE: NULL until the target
				      * template is added to the set */
};

struct tmpl {
	lh_hash_fn *hash_fn;         /* what the paths' key hashes were made
				      * with: json-c's for object keys */
	char *name;                  /* owned */
	char *pool;                  /* owned: static HTML, paths, names */
	struct op *ops;              /* owned */
	size_t nops;
	size_t content_begin;        /* ops of the <body> content: what a */
	size_t content_end;          /* data-include of this one renders */
	unsigned visit;              /* cycle search mark, see set_cycle() */
};

struct tmpl_set {
	struct tmpl_i18n i18n;       /* translate is NULL: none */
	struct tmpl **v;             /* owned, sorted by name */
	size_t n, cap;
	unsigned visit;              /* last mark used by set_cycle() */
};

/* --- element and attribute tables (HTML Living Standard §13.1.2) ------ */

static bool
in_list(const char *const *list, const char *s)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

/* Void elements: no end tag (§13.1.2 "Void elements", plus obsolete ones
 * browsers still parse as void). */
static const char *const void_elements[] = {
	"area", "base", "basefont", "bgsound", "br", "col", "embed", "frame",
	"hr", "img", "input", "keygen", "link", "meta", "param", "source",
	"track", "wbr", NULL
};

/* Attributes that hold a URL a browser may navigate to, load or submit
 * to. A model value there must pass url_is_safe(), else it becomes "#".
 * srcset is a list of URLs; it is checked as one string, which refuses
 * any scheme but the safe ones. */
static const char *const url_attrs[] = {
	"action", "archive", "background", "cite", "classid", "codebase",
	"data", "formaction", "href", "icon", "longdesc", "lowsrc",
	"manifest", "ping", "poster", "profile", "src", "srcset", "usemap",
	NULL
};

/* Boolean attributes: present means true whatever the value, so a model
 * value is used for its truthiness and prints the bare name. */
static const char *const bool_attrs[] = {
	"allowfullscreen", "async", "autofocus", "autoplay", "checked",
	"controls", "default", "defer", "disabled", "formnovalidate",
	"hidden", "inert", "ismap", "itemscope", "loop", "multiple", "muted",
	"nomodule", "novalidate", "open", "playsinline", "readonly",
	"required", "reversed", "selected", NULL
};

/* --- the compiler: libxml2 tree to ops ------------------------------------ */

struct directives {
	xmlChar *text, *include, *cond_if, *unless, *repeat; /* xmlFree */
};

struct compiler {
	const char *name;            /* the template's, for messages */
	struct buf *errmsg;          /* may be NULL */
	enum cb_err err;             /* first error */
	struct buf pool;
	struct op *ops;
	size_t nops, cap;
	size_t run;                  /* start of the static run in the pool */
	bool have_body;
	size_t body_begin, body_end;
	int depth;
	lh_hash_fn *hash_fn;         /* json-c's hash of object keys */
	const struct tmpl_i18n *i18n; /* NULL: no translation */
	bool no_translate;           /* inside translate="no" */
	struct buf key;              /* scratch: a normalised msgid */
	struct op scratch;           /* push_op()'s answer when out of memory */
};

static void comp_error(struct compiler *, const xmlNode *, const char *, ...)
	__attribute__((format(printf, 3, 4)));

static void
comp_error(struct compiler *c, const xmlNode *n, const char *fmt, ...)
{
	va_list ap;

	if (c->err != CB_OK)
		return; /* the first error is the one worth reading */
	c->err = CB_EINVAL;
	if (c->errmsg == NULL)
		return;
	if (n != NULL)
		buf_printf(c->errmsg, "%s:%ld: <%s>: ", c->name,
		    xmlGetLineNo(n), (const char *)n->name);
	else
		buf_printf(c->errmsg, "%s: ", c->name);
	va_start(ap, fmt);
	buf_vprintf(c->errmsg, fmt, ap);
	va_end(ap);
}

static void
emit(struct compiler *c, const char *s, size_t n)
{
	buf_append(&c->pool, s, n);
}

static void
emit_str(struct compiler *c, const char *s)
{
	buf_append(&c->pool, s, strlen(s));
}

/* Template text is trusted, so this only re-escapes what the parser
 * decoded: & < > in text, & " in attribute values. A no-break space is
 * written back as &nbsp; because it is invisible in the source and
 * designers rely on seeing it. Everything else stays UTF-8. */
static void
emit_escaped(struct compiler *c, const char *s, bool attr)
{
	const char *run = s, *rep;

	for (; *s != '\0'; s++) {
		if (*s == '&')
			rep = "&amp;";
		else if (*s == '<' && !attr)
			rep = "&lt;";
		else if (*s == '>' && !attr)
			rep = "&gt;";
		else if (*s == '"' && attr)
			rep = "&quot;";
		else if (s[0] == '\xC2' && s[1] == '\xA0')
			rep = "&nbsp;";
		else
			continue;
		emit(c, run, (size_t)(s - run));
		emit_str(c, rep);
		if (*s == '\xC2')
			s++;
		run = s + 1;
	}
	emit(c, run, (size_t)(s - run));
}

/* --- translation at compile time (docs/templates.md "Translation") ------- */

/* Attributes a person reads. value only on inputs that show it (a
 * button's value is data, not a label); label on <option>/<track>. */
static const char *const human_attrs[] = {
	"alt", "aria-description", "aria-label", "aria-placeholder",
	"aria-roledescription", "aria-valuetext", "label", "placeholder",
	"title", NULL
};

static bool
is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' ||
	    ch == '\f';
}

static bool
attr_is_human(const xmlNode *n, const char *an)
{
	xmlChar *type;
	bool yes;

	if (in_list(human_attrs, an))
		return true;
	if (strcmp(an, "value") != 0 ||
	    strcmp((const char *)n->name, "input") != 0)
		return false;
	type = xmlGetProp(n, (const xmlChar *)"type");
	yes = type != NULL && (xmlStrcasecmp(type, (const xmlChar *)"submit")
	    == 0 || xmlStrcasecmp(type, (const xmlChar *)"button") == 0 ||
	    xmlStrcasecmp(type, (const xmlChar *)"reset") == 0);
	xmlFree(type);
	return yes;
}

/* A word has a letter: ASCII, or a UTF-8 sequence from U+00C0 on outside
 * General Punctuation and the symbol blocks (lead bytes C3-DF, E3 on).
 * "42", "·", "—", "×" and "…" are left alone. */
static bool
has_word(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p != '\0'; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= 0xC3 && *p <= 0xDF) || (*p >= 0xE3 && *p <= 0xF4))
			return true;
	return false;
}

/* The translation of s, or NULL to print s as written. The key is s with
 * each run of HTML whitespace made one space and both ends trimmed, so
 * that re-indenting a template does not lose its translations. */
static const char *
translate(struct compiler *c, const xmlNode *n, const char *s)
{
	const char *tr, *key;
	bool space = false;

	if (c->i18n == NULL || c->i18n->translate == NULL ||
	    c->no_translate)
		return NULL;
	buf_reset(&c->key);
	for (; *s != '\0'; s++) {
		if (is_space(*s)) {
			space = c->key.len > 0;
			continue;
		}
		if (space)
			buf_putc(&c->key, ' ');
		space = false;
		buf_putc(&c->key, *s);
	}
	if (c->key.err != CB_OK || c->key.len == 0)
		return NULL;
	key = buf_cstr(&c->key);
	if (!has_word(key))
		return NULL;
	tr = c->i18n->translate(c->i18n->arg, key, c->name,
	    xmlGetLineNo(n));
	return tr != NULL && *tr != '\0' && strcmp(tr, key) != 0 ? tr : NULL;
}

/* A text node: its translation between the node's own leading and
 * trailing whitespace (layout stays the author's), or the text. */
static void
emit_text(struct compiler *c, const xmlNode *n, const char *s)
{
	const char *tr = translate(c, n, s), *b = s, *e = s + strlen(s);

	if (tr == NULL) {
		emit_escaped(c, s, false);
		return;
	}
	while (*b != '\0' && is_space(*b))
		b++;
	while (e > b && is_space(e[-1]))
		e--;
	emit(c, s, (size_t)(b - s));
	emit_escaped(c, tr, false);
	emit_str(c, e);
}

/* translate="no" / "yes" on n (HTML §3.2.6.6), else the parent's state. */
static bool
translate_off(const xmlNode *n, bool inherited)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)"translate");
	bool off = inherited;

	if (v != NULL) {
		off = xmlStrcasecmp(v, (const xmlChar *)"no") == 0;
		xmlFree(v);
	}
	return off;
}

/* Appends an op. When out of memory it records the error and answers a
 * scratch op, so callers can fill it in without checking. */
static struct op *
new_op(struct compiler *c, enum op_kind kind, const xmlNode *n)
{
	struct op *op, *ops;
	size_t cap;

	if (c->nops == c->cap) {
		cap = c->cap ? c->cap * 2 : 64;
		if ((ops = realloc(c->ops, cap * sizeof(*ops))) == NULL) {
			if (c->err == CB_OK)
				c->err = CB_ENOMEM;
			memset(&c->scratch, 0, sizeof(c->scratch));
			return &c->scratch;
		}
		c->ops = ops;
		c->cap = cap;
	}
	op = &c->ops[c->nops++];
	memset(op, 0, sizeof(*op));
	op->kind = kind;
	op->line = n != NULL ? xmlGetLineNo(n) : 0;
	return op;
}

/* Ends the pending run of static bytes with an OP_STATIC. */
static void
flush_static(struct compiler *c)
{
	struct op *op;

	if (c->pool.len > c->run) {
		op = new_op(c, OP_STATIC, NULL);
		op->off = c->run;
		op->len = c->pool.len - c->run;
		c->run = c->pool.len;
	}
}

/* Every dynamic op goes through here, so a static run never spans one. */
static struct op *
push_op(struct compiler *c, enum op_kind kind, const xmlNode *n)
{
	flush_static(c);
	return new_op(c, kind, n);
}

/* Stores data an op refers to (not output) in the pool. Called right after
 * push_op(), when no static run is pending. */
static size_t
pool_data(struct compiler *c, const char *s, size_t n)
{
	size_t off = c->pool.len;

	assert(c->run == c->pool.len);
	emit(c, s, n);
	c->run = c->pool.len;
	return off;
}

static bool
path_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
}

/* Checks a path ("a.b.c", ".", "$index") and stores it in the pool with
 * each '.' turned into a NUL, so rendering looks keys up without copying. */
static bool
compile_path(struct compiler *c, const xmlNode *n, const char *attr,
    const char *s, struct path *p)
{
	char tmp[PATH_MAX_LEN + 1];
	size_t i, len = strlen(s), nseg = 1;

	memset(p, 0, sizeof(*p));
	if (len == 0) {
		comp_error(c, n, "%s: empty path", attr);
		return false;
	}
	if (len > PATH_MAX_LEN) {
		comp_error(c, n, "%s: path longer than %d bytes", attr,
		    PATH_MAX_LEN);
		return false;
	}
	if (strcmp(s, ".") == 0) {
		p->kind = PATH_ITEM;
		return true;
	}
	if (strcmp(s, "$index") == 0) {
		p->kind = PATH_INDEX;
		return true;
	}
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (i == 0 || i + 1 == len || s[i + 1] == '.') {
				comp_error(c, n, "%s=\"%s\": empty key in path",
				    attr, s);
				return false;
			}
			nseg++;
		} else if (!path_char(s[i])) {
			comp_error(c, n, "%s=\"%s\": a path is dotted keys of "
			    "A-Z a-z 0-9 _ -, or \".\" or \"$index\"", attr, s);
			return false;
		}
	}
	if (nseg > PATH_MAX_SEGS) {
		comp_error(c, n, "%s=\"%s\": more than %d keys", attr, s,
		    PATH_MAX_SEGS);
		return false;
	}
	for (i = 0; i < len; i++)
		tmp[i] = s[i] == '.' ? '\0' : s[i];
	tmp[len] = '\0';
	p->kind = PATH_KEYS;
	p->nseg = nseg;
	/* Each key's hash, made once here instead of at every lookup: a
	 * history page looks up about 2,000 keys, and hashing them was half
	 * of the lookups' cost (resolve() was 12 % of callboard-calls). */
	{
		unsigned long h[PATH_MAX_SEGS];
		const char *k = tmp;
		for (i = 0; i < nseg; i++, k += strlen(k) + 1)
			h[i] = c->hash_fn(k);
		p->hoff = pool_data(c, (const char *)h, nseg * sizeof(h[0]));
	}
	p->col_hash = tmpl_rows_key_hash(tmp);
	p->off = pool_data(c, tmp, len + 1);
	return true;
}

/* Template names: relative paths of [A-Za-z0-9._-] segments, no "." or
 * ".." segment, so a name can never leave the template directory. */
static bool
name_valid(const char *s)
{
	size_t i, seg = 0, len = strlen(s);

	if (len == 0 || len > NAME_MAX_LEN)
		return false;
	for (i = 0; i <= len; i++) {
		if (s[i] == '/' || s[i] == '\0') {
			if (i == seg)
				return false; /* empty segment, leading '/' */
			if (s[seg] == '.' && (i - seg == 1 ||
			    (i - seg == 2 && s[seg + 1] == '.')))
				return false;
			seg = i + 1;
		} else if (!path_char(s[i]) && s[i] != '.')
			return false;
	}
	return true;
}

/* The attribute's value, or NULL for a bare attribute (`<p data-if>`,
 * `<input disabled>`). Caller xmlFree()s. */
static xmlChar *
attr_value(const xmlAttr *a)
{
	if (a->children == NULL)
		return NULL;
	return xmlNodeGetContent((const xmlNode *)a);
}

static bool
is_directive(const char *name)
{
	return strcmp(name, "data-text") == 0 ||
	    strcmp(name, "data-include") == 0 ||
	    strcmp(name, "data-if") == 0 ||
	    strcmp(name, "data-unless") == 0 ||
	    strcmp(name, "data-repeat") == 0 ||
	    strncmp(name, "data-attr-", 10) == 0;
}

static void
directives_free(struct directives *d)
{
	xmlFree(d->text);
	xmlFree(d->include);
	xmlFree(d->cond_if);
	xmlFree(d->unless);
	xmlFree(d->repeat);
}

/* Checks a data-attr-NAME. Event handlers and style are refused: a model
 * value there is code or CSS, which html_attr() does not make safe;
 * srcdoc is a whole HTML document. */
static bool
check_attr_directive(struct compiler *c, const xmlNode *n, const char *aname)
{
	const char *name = aname + 10;
	size_t i;

	if (*name == '\0' || !(*name >= 'a' && *name <= 'z')) {
		comp_error(c, n, "%s: attribute name must start with a-z",
		    aname);
		return false;
	}
	for (i = 0; name[i] != '\0'; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= '0' && name[i] <= '9') || name[i] == '-')) {
			comp_error(c, n, "%s: attribute name must be a-z 0-9 -",
			    aname);
			return false;
		}
	if (strncmp(name, "on", 2) == 0 || strcmp(name, "style") == 0 ||
	    strcmp(name, "srcdoc") == 0) {
		comp_error(c, n, "%s: setting %s from the model is refused "
		    "(script or CSS context)", aname, name);
		return false;
	}
	return true;
}

static bool
parse_directives(struct compiler *c, const xmlNode *n, struct directives *d)
{
	const char *el = (const char *)n->name, *an;
	const xmlAttr *a;
	xmlChar **slot, *v;

	memset(d, 0, sizeof(*d));
	for (a = n->properties; a != NULL; a = a->next) {
		an = (const char *)a->name;
		if (!is_directive(an))
			continue;
		if (strncmp(an, "data-attr-", 10) == 0) {
			if (!check_attr_directive(c, n, an))
				return false;
			slot = NULL; /* compile_open_tag() reads these */
		} else if (strcmp(an, "data-text") == 0)
			slot = &d->text;
		else if (strcmp(an, "data-include") == 0)
			slot = &d->include;
		else if (strcmp(an, "data-if") == 0)
			slot = &d->cond_if;
		else if (strcmp(an, "data-unless") == 0)
			slot = &d->unless;
		else
			slot = &d->repeat;
		v = attr_value(a);
		if (v == NULL || *v == '\0') {
			xmlFree(v);
			comp_error(c, n, "%s needs a value", an);
			return false;
		}
		if (slot != NULL)
			*slot = v;
		else
			xmlFree(v);
	}
	if (d->text != NULL && d->include != NULL) {
		comp_error(c, n, "data-text and data-include both replace the "
		    "children: use one");
		return false;
	}
	if ((d->text != NULL || d->include != NULL) &&
	    in_list(void_elements, el)) {
		comp_error(c, n, "%s on a void element, which has no children",
		    d->text ? "data-text" : "data-include");
		return false;
	}
	/* Text in <script> and <style> is code, not HTML: escaping it with
	 * HTML rules does not make a value safe there. */
	if ((d->text != NULL || d->include != NULL) &&
	    (strcmp(el, "script") == 0 || strcmp(el, "style") == 0)) {
		comp_error(c, n, "%s inside <%s> is refused: its text is not "
		    "HTML-escaped (put data in a data-attr-* instead)",
		    d->text ? "data-text" : "data-include", el);
		return false;
	}
	/* Only attributes may change on the document's skeleton, so the
	 * output always has one html, head and body. */
	if ((d->text || d->include || d->cond_if || d->unless || d->repeat) &&
	    (strcmp(el, "html") == 0 || strcmp(el, "head") == 0 ||
	    strcmp(el, "body") == 0)) {
		comp_error(c, n, "only data-attr-* is allowed on <%s>", el);
		return false;
	}
	if (d->include != NULL && !name_valid((const char *)d->include)) {
		comp_error(c, n, "data-include=\"%s\": not a template name "
		    "(a relative path like partials/nav.html)",
		    (const char *)d->include);
		return false;
	}
	return true;
}

/* data-attr-NAME replaces a static NAME on the same element: the static
 * value is the designer's placeholder. */
static bool
overridden(const xmlNode *n, const char *name)
{
	const xmlAttr *a;
	const char *an;

	for (a = n->properties; a != NULL; a = a->next) {
		an = (const char *)a->name;
		if (strncmp(an, "data-attr-", 10) == 0 &&
		    strcmp(an + 10, name) == 0)
			return true;
	}
	return false;
}

static void compile_nodes(struct compiler *, const xmlNode *);

static void
compile_open_tag(struct compiler *c, const xmlNode *n)
{
	const xmlAttr *a;
	const char *an;
	xmlChar *v;
	struct op *op;
	size_t off;

	emit_str(c, "<");
	emit_str(c, (const char *)n->name);
	for (a = n->properties; a != NULL; a = a->next) {
		an = (const char *)a->name;
		if (is_directive(an) || overridden(n, an))
			continue;
		emit_str(c, " ");
		emit_str(c, an);
		if ((v = attr_value(a)) != NULL) {
			const char *tr = NULL;
			if (c->i18n != NULL && c->i18n->lang != NULL &&
			    strcmp(an, "lang") == 0 &&
			    strcmp((const char *)n->name, "html") == 0)
				tr = c->i18n->lang;
			else if (attr_is_human(n, an))
				tr = translate(c, n, (const char *)v);
			emit_str(c, "=\"");
			emit_escaped(c, tr ? tr : (const char *)v, true);
			emit_str(c, "\"");
			xmlFree(v);
		}
	}
	for (a = n->properties; a != NULL; a = a->next) {
		an = (const char *)a->name;
		if (strncmp(an, "data-attr-", 10) != 0)
			continue;
		if ((v = attr_value(a)) == NULL)
			continue; /* refused by parse_directives() */
		op = push_op(c, OP_ATTR, n);
		if (in_list(url_attrs, an + 10))
			op->flags |= OPF_URL;
		if (in_list(bool_attrs, an + 10))
			op->flags |= OPF_BOOL;
		/* ` name="`; a true boolean prints it without the last 2. */
		off = pool_data(c, " ", 1);
		pool_data(c, an + 10, strlen(an + 10));
		pool_data(c, "=\"", 2);
		op->off = off;
		op->len = c->pool.len - off;
		compile_path(c, n, an, (const char *)v, &op->path);
		xmlFree(v);
	}
	emit_str(c, ">");
}

static void
compile_element(struct compiler *c, const xmlNode *n)
{
	const char *el = (const char *)n->name;
	struct directives d;
	size_t jumps[3], njumps = 0, i, off;
	struct op *op;
	bool is_void = in_list(void_elements, el);
	bool outer_no = c->no_translate;

	if (!parse_directives(c, n, &d)) {
		directives_free(&d);
		return;
	}
	c->no_translate = translate_off(n, outer_no);
	/* data-repeat is outermost: data-if and data-unless on the same
	 * element are tested once per item, so they can filter items. */
	if (d.repeat != NULL) {
		flush_static(c); /* so that the op lands at c->nops */
		jumps[njumps++] = c->nops;
		op = push_op(c, OP_REPEAT, n);
		compile_path(c, n, "data-repeat", (const char *)d.repeat,
		    &op->path);
	}
	if (d.cond_if != NULL) {
		flush_static(c);
		jumps[njumps++] = c->nops;
		op = push_op(c, OP_IF, n);
		compile_path(c, n, "data-if", (const char *)d.cond_if,
		    &op->path);
	}
	if (d.unless != NULL) {
		flush_static(c);
		jumps[njumps++] = c->nops;
		op = push_op(c, OP_UNLESS, n);
		compile_path(c, n, "data-unless", (const char *)d.unless,
		    &op->path);
	}
	compile_open_tag(c, n);
	if (!is_void) {
		if (d.text != NULL) {
			op = push_op(c, OP_TEXT, n);
			if (strcmp(el, "pre") == 0 ||
			    strcmp(el, "textarea") == 0 ||
			    strcmp(el, "listing") == 0)
				op->flags |= OPF_LF;
			compile_path(c, n, "data-text", (const char *)d.text,
			    &op->path);
		} else if (d.include != NULL) {
			op = push_op(c, OP_INCLUDE, n);
			off = pool_data(c, (const char *)d.include,
			    strlen((const char *)d.include) + 1);
			op->off = off;
			op->len = strlen((const char *)d.include);
		} else if (strcmp(el, "body") == 0 && !c->have_body) {
			flush_static(c);
			c->have_body = true;
			c->body_begin = c->nops;
			compile_nodes(c, n->children);
			flush_static(c);
			c->body_end = c->nops;
		} else
			compile_nodes(c, n->children);
		emit_str(c, "</");
		emit_str(c, el);
		emit_str(c, ">");
	}
	if (njumps > 0) {
		flush_static(c);
		if (c->err == CB_OK)
			for (i = 0; i < njumps; i++)
				c->ops[jumps[i]].end = c->nops;
	}
	/* See the top of the file: children of a void element are the
	 * author's next siblings, outside any condition on the element. */
	c->no_translate = outer_no;
	if (is_void)
		compile_nodes(c, n->children);
	directives_free(&d);
}

static void
compile_doctype(struct compiler *c, const xmlDtd *dtd)
{
	emit_str(c, "<!DOCTYPE ");
	emit_str(c, dtd->name ? (const char *)dtd->name : "html");
	if (dtd->ExternalID != NULL) {
		emit_str(c, " PUBLIC \"");
		emit_str(c, (const char *)dtd->ExternalID);
		emit_str(c, "\"");
	} else if (dtd->SystemID != NULL)
		emit_str(c, " SYSTEM");
	if (dtd->SystemID != NULL) {
		emit_str(c, " \"");
		emit_str(c, (const char *)dtd->SystemID);
		emit_str(c, "\"");
	}
	emit_str(c, ">");
}

static bool
raw_text_parent(const xmlNode *n)
{
	const char *p;

	if (n->parent == NULL || n->parent->type != XML_ELEMENT_NODE)
		return false;
	p = (const char *)n->parent->name;
	return strcmp(p, "script") == 0 || strcmp(p, "style") == 0;
}

static void
compile_nodes(struct compiler *c, const xmlNode *n)
{
	if (++c->depth > COMPILE_DEPTH) {
		comp_error(c, n, "elements nested deeper than %d",
		    COMPILE_DEPTH);
		c->depth--;
		return;
	}
	for (; n != NULL && c->err == CB_OK; n = n->next) {
		switch (n->type) {
		case XML_ELEMENT_NODE:
			compile_element(c, n);
			break;
		case XML_TEXT_NODE:
			if (n->content == NULL)
				break;
			if (raw_text_parent(n))
				emit_str(c, (const char *)n->content);
			else
				emit_text(c, n, (const char *)n->content);
			break;
		case XML_CDATA_SECTION_NODE:
			/* libxml2's node for <script>/<style> content: trusted
			 * template code, copied verbatim. */
			if (n->content != NULL)
				emit_str(c, (const char *)n->content);
			break;
		case XML_DTD_NODE:
			compile_doctype(c, (const xmlDtd *)n);
			emit_str(c, "\n");
			break;
		default:
			/* Comments are dropped: they are notes for designers,
			 * not for every client. Processing instructions are
			 * not HTML. */
			break;
		}
	}
	c->depth--;
}

/* Offset of the first byte that is NUL or not well-formed UTF-8 (RFC
 * 3629 §4: no overlongs, no surrogates, nothing past U+10FFFF), or len. */
static size_t
utf8_check(const unsigned char *s, size_t len)
{
	size_t i = 0, k, n;
	uint32_t cp, min;

	while (i < len) {
		if (s[i] == 0)
			return i;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xC2 && s[i] <= 0xDF) {
			n = 1; cp = s[i] & 0x1F; min = 0x80;
		} else if (s[i] >= 0xE0 && s[i] <= 0xEF) {
			n = 2; cp = s[i] & 0x0F; min = 0x800;
		} else if (s[i] >= 0xF0 && s[i] <= 0xF4) {
			n = 3; cp = s[i] & 0x07; min = 0x10000;
		} else
			return i;
		if (len - i <= n)
			return i;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return i;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return i;
		i += n + 1;
	}
	return len;
}

static bool
prefix_ci(const char *s, const char *end, const char *word)
{
	size_t n = strlen(word), i;

	if ((size_t)(end - s) < n)
		return false;
	for (i = 0; i < n; i++) {
		char ch = s[i];
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if (ch != word[i])
			return false;
	}
	return true;
}

/* A document starts (after whitespace and comments) with a doctype or an
 * <html>, <head> or <body> tag; anything else is a fragment. */
static bool
is_document(const char *s, size_t len)
{
	const char *end = s + len, *e;
	static const char *const starts[] = {
		"<!doctype", "<html", "<head", "<body"
	};
	size_t i, n;

	for (;;) {
		while (s < end && (*s == ' ' || *s == '\t' || *s == '\n' ||
		    *s == '\r' || *s == '\f'))
			s++;
		if (!prefix_ci(s, end, "<!--"))
			break;
		for (e = s + 4; e + 3 <= end && memcmp(e, "-->", 3) != 0; e++)
			;
		if (e + 3 > end)
			return false;
		s = e + 3;
	}
	for (i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
		n = strlen(starts[i]);
		if (prefix_ci(s, end, starts[i]) && (s + n == end ||
		    s[n] == '>' || s[n] == '/' || s[n] == ' ' ||
		    s[n] == '\t' || s[n] == '\n' || s[n] == '\r' ||
		    s[n] == '\f'))
			return true;
	}
	return false;
}

static const xmlNode *
child_element(const xmlNode *n, const char *name)
{
	for (n = n ? n->children : NULL; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)n->name, name) == 0)
			return n;
	return NULL;
}

static void
tmpl_free(struct tmpl *t)
{
	if (t == NULL)
		return;
	free(t->name);
	free(t->pool);
	free(t->ops);
	free(t);
}

static char *
copy_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p;

	if ((p = malloc(n)) != NULL)
		memcpy(p, s, n);
	return p;
}

/* The hash function json-c's objects use for their keys (lh_char_hash, or
 * another one if json_global_set_string_hash() chose it), read from a new
 * object; NULL when out of memory. render_ops() checks each object's
 * table against it before it uses a path's hashes. */
static lh_hash_fn *
key_hash_fn(void)
{
	struct json_object *o = json_object_new_object();
	lh_hash_fn *fn;

	if (o == NULL)
		return NULL;
	fn = json_object_get_object(o)->hash_fn;
	json_object_put(o);
	return fn;
}

/* Parses and compiles one template. The libxml2 document lives only for
 * the duration of this call. */
static enum cb_err
tmpl_compile(const char *name, const char *html, size_t len,
    const struct tmpl_i18n *i18n, struct buf *errmsg, struct tmpl **out)
{
	struct compiler c;
	struct tmpl *t = NULL;
	htmlDocPtr doc = NULL;
	const xmlNode *root, *body, *n;
	char *src = NULL;
	size_t bad, line, i;
	bool document;

	*out = NULL;
	memset(&c, 0, sizeof(c));
	c.name = name;
	c.errmsg = errmsg;
	c.i18n = i18n;
	buf_init(&c.pool, POOL_MAX);
	buf_init(&c.key, TMPL_MAX_FILE);
	if ((c.hash_fn = key_hash_fn()) == NULL)
		return CB_ENOMEM;

	/* Checked here because libxml2 silently falls back to Latin-1 on a
	 * bad byte and stops at a NUL. */
	if ((bad = utf8_check((const unsigned char *)html, len)) != len) {
		for (line = 1, i = 0; i < bad; i++)
			line += html[i] == '\n';
		if (errmsg != NULL)
			buf_printf(errmsg, "%s:%zu: %s", name, line,
			    html[bad] == '\0' ? "NUL byte" :
			    "not valid UTF-8");
		return CB_EINVAL;
	}
	if (len >= 3 && memcmp(html, "\xEF\xBB\xBF", 3) == 0) {
		html += 3;
		len -= 3;
	}
	document = is_document(html, len);
	if (!document) {
		/* A fragment is parsed as the content of an explicit body
		 * (see the top of the file). No newline: lines stay true. */
		if ((src = malloc(len + 6)) == NULL)
			return CB_ENOMEM;
		memcpy(src, "<body>", 6);
		memcpy(src + 6, html, len);
		html = src;
		len += 6;
	}
	doc = htmlReadMemory(html, (int)len, name, "UTF-8", PARSE_OPTIONS);
	free(src);
	if (doc == NULL) {
		if (errmsg != NULL)
			buf_printf(errmsg, "%s: libxml2 could not parse it",
			    name);
		return CB_EINVAL;
	}
	root = xmlDocGetRootElement(doc);
	if (document) {
		compile_nodes(&c, doc->children);
		emit_str(&c, "\n");
	} else if ((body = child_element(root, "body")) != NULL) {
		if (body->properties != NULL)
			comp_error(&c, body, "a fragment cannot set <body> "
			    "attributes: start the file with <!DOCTYPE html>");
		for (n = root->children; n != NULL; n = n->next)
			if (n->type == XML_ELEMENT_NODE && n != body)
				comp_error(&c, n, "outside the fragment's body:"
				    " start the file with <!DOCTYPE html>");
		compile_nodes(&c, body->children);
	}
	flush_static(&c);
	xmlFreeDoc(doc);
	buf_free(&c.key);

	if (c.err == CB_OK && c.pool.err != CB_OK)
		c.err = c.pool.err;
	if (c.err == CB_OK && (t = calloc(1, sizeof(*t))) == NULL)
		c.err = CB_ENOMEM;
	if (c.err == CB_OK && (t->name = copy_str(name)) == NULL)
		c.err = CB_ENOMEM;
	if (c.err == CB_OK && (t->pool = buf_steal(&c.pool)) == NULL)
		c.err = CB_ENOMEM;
	if (c.err != CB_OK) {
		if (c.err == CB_ENOMEM && errmsg != NULL)
			buf_printf(errmsg, "%s: out of memory", name);
		else if (c.err == CB_ETOOBIG && errmsg != NULL)
			buf_printf(errmsg, "%s: compiled template too large",
			    name);
		tmpl_free(t);
		free(c.ops);
		buf_free(&c.pool);
		return c.err;
	}
	t->ops = c.ops;
	t->nops = c.nops;
	t->hash_fn = c.hash_fn;
	if (!document) {
		t->content_begin = 0;
		t->content_end = c.nops;
	} else if (c.have_body) {
		t->content_begin = c.body_begin;
		t->content_end = c.body_end;
	}
	*out = t;
	return CB_OK;
}

/* --- the set ------------------------------------------------------------- */

/* Binary search; *pos is where name is or would be inserted. */
static struct tmpl *
set_find(const struct tmpl_set *set, const char *name, size_t *pos)
{
	size_t lo = 0, hi = set->n, mid;
	int cmp;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		cmp = strcmp(name, set->v[mid]->name);
		if (cmp == 0) {
			if (pos != NULL)
				*pos = mid;
			return set->v[mid];
		}
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (pos != NULL)
		*pos = lo;
	return NULL;
}

/* Where include op of t leads once fresh (not yet in the set) is added. */
static struct tmpl *
include_target(const struct tmpl *t, const struct op *op, struct tmpl *fresh)
{
	if (op->target != NULL)
		return op->target;
	if (strcmp(t->pool + op->off, fresh->name) == 0)
		return fresh;
	return NULL;
}

/* Depth-first search for a path of includes from t back to fresh. On a
 * hit, chain[0..*len) holds the templates on the way. Marks visited
 * templates with the set's current mark so each is searched once. */
static bool
set_cycle(struct tmpl *t, struct tmpl *fresh, unsigned mark,
    const struct tmpl **chain, size_t *len, size_t max)
{
	const struct op *op;
	struct tmpl *to;
	size_t i;

	if (*len == max)
		return false;
	t->visit = mark;
	chain[(*len)++] = t;
	for (i = 0; i < t->nops; i++) {
		op = &t->ops[i];
		if (op->kind != OP_INCLUDE)
			continue;
		if ((to = include_target(t, op, fresh)) == NULL)
			continue;
		if (to == fresh)
			return true;
		if (to->visit != mark &&
		    set_cycle(to, fresh, mark, chain, len, max))
			return true;
	}
	(*len)--;
	return false;
}

struct tmpl_set *
tmpl_set_new(void)
{
	return calloc(1, sizeof(struct tmpl_set));
}

void
tmpl_set_free(struct tmpl_set *set)
{
	size_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++)
		tmpl_free(set->v[i]);
	free(set->v);
	free(set);
}

enum cb_err
tmpl_set_add(struct tmpl_set *set, const char *name, const char *html,
    size_t len, struct buf *errmsg)
{
	struct tmpl *t, **v;
	const struct tmpl **chain;
	struct op *op;
	size_t pos, i, j, nchain = 0;
	enum cb_err e;
	bool cycle;

	if (set == NULL || name == NULL || (html == NULL && len > 0))
		return CB_EINVAL;
	if (!name_valid(name)) {
		if (errmsg != NULL)
			buf_printf(errmsg, "\"%s\": not a template name (a "
			    "relative path of A-Z a-z 0-9 . _ - and /)", name);
		return CB_EINVAL;
	}
	if (set_find(set, name, &pos) != NULL) {
		if (errmsg != NULL)
			buf_printf(errmsg, "%s: already in the set", name);
		return CB_EINVAL;
	}
	if (set->n >= TMPL_MAX_FILES) {
		if (errmsg != NULL)
			buf_printf(errmsg, "%s: the set already has %d "
			    "templates", name, TMPL_MAX_FILES);
		return CB_ETOOBIG;
	}
	if (len > TMPL_MAX_FILE) {
		if (errmsg != NULL)
			buf_printf(errmsg, "%s: larger than %d bytes", name,
			    TMPL_MAX_FILE);
		return CB_ETOOBIG;
	}
	if ((e = tmpl_compile(name, html ? html : "", len,
	    set->i18n.translate || set->i18n.lang ? &set->i18n : NULL,
	    errmsg, &t)) !=
	    CB_OK)
		return e;

	/* Link the new template's includes to what is there, then look for
	 * a cycle through it: there was none before, so any new one passes
	 * through the new template. */
	for (i = 0; i < t->nops; i++) {
		op = &t->ops[i];
		if (op->kind == OP_INCLUDE)
			op->target = set_find(set, t->pool + op->off, NULL);
	}
	if ((chain = calloc(set->n + 1, sizeof(*chain))) == NULL) {
		tmpl_free(t);
		return CB_ENOMEM;
	}
	cycle = set_cycle(t, t, ++set->visit, chain, &nchain, set->n + 1);
	if (cycle) {
		if (errmsg != NULL) {
			buf_printf(errmsg, "%s: include cycle: ", name);
			for (j = 0; j < nchain; j++)
				buf_printf(errmsg, "%s -> ", chain[j]->name);
			buf_puts(errmsg, name);
		}
		free(chain);
		tmpl_free(t);
		return CB_EINVAL;
	}
	free(chain);

	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 16;
		if ((v = realloc(set->v, cap * sizeof(*v))) == NULL) {
			tmpl_free(t);
			return CB_ENOMEM;
		}
		set->v = v;
		set->cap = cap;
	}
	memmove(&set->v[pos + 1], &set->v[pos],
	    (set->n - pos) * sizeof(*set->v));
	set->v[pos] = t;
	set->n++;
	/* Includes added earlier that were waiting for this one. */
	for (i = 0; i < set->n; i++)
		for (j = 0; j < set->v[i]->nops; j++) {
			op = &set->v[i]->ops[j];
			if (op->kind == OP_INCLUDE && op->target == NULL &&
			    strcmp(set->v[i]->pool + op->off, name) == 0)
				op->target = t;
		}
	return CB_OK;
}

enum cb_err
tmpl_set_check(const struct tmpl_set *set, struct buf *errmsg)
{
	const struct tmpl *t;
	const struct op *op;
	size_t i, j;

	if (set == NULL)
		return CB_EINVAL;
	for (i = 0; i < set->n; i++) {
		t = set->v[i];
		for (j = 0; j < t->nops; j++) {
			op = &t->ops[j];
			if (op->kind != OP_INCLUDE || op->target != NULL)
				continue;
			if (errmsg != NULL)
				buf_printf(errmsg, "%s:%ld: data-include="
				    "\"%s\": no such template", t->name,
				    op->line, t->pool + op->off);
			return CB_EINVAL;
		}
	}
	return CB_OK;
}

/* --- loading a directory ------------------------------------------------- */

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
free_names(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* The entries of dir but "." files, sorted so that loading (and so the
 * first error reported) is the same on every machine. */
static enum cb_err
list_dir(const char *dir, char ***out, size_t *count, struct buf *errmsg)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL, **nn;
	size_t n = 0, cap = 0;
	enum cb_err e = CB_OK;

	*out = NULL;
	*count = 0;
	if ((d = opendir(dir)) == NULL) {
		if (errmsg != NULL)
			buf_printf(errmsg, "%s: %s", dir, strerror(errno));
		return CB_EIO;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == TMPL_MAX_FILES) {
			if (errmsg != NULL)
				buf_printf(errmsg, "%s: more than %d entries",
				    dir, TMPL_MAX_FILES);
			e = CB_ETOOBIG;
			break;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			if ((nn = realloc(names, cap * sizeof(*nn))) == NULL) {
				e = CB_ENOMEM;
				break;
			}
			names = nn;
		}
		if ((names[n] = copy_str(de->d_name)) == NULL) {
			e = CB_ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (e != CB_OK) {
		free_names(names, n);
		return e;
	}
	if (n > 0)
		qsort(names, n, sizeof(*names), cmp_names);
	*out = names;
	*count = n;
	return CB_OK;
}

static enum cb_err
load_file(struct tmpl_set *set, const char *path, const char *name,
    struct buf *errmsg)
{
	FILE *f;
	char *data;
	size_t len;
	enum cb_err e;

	if ((f = fopen(path, "rb")) == NULL) {
		if (errmsg != NULL)
			buf_printf(errmsg, "%s: %s", path, strerror(errno));
		return CB_EIO;
	}
	if ((data = malloc((size_t)TMPL_MAX_FILE + 1)) == NULL) {
		fclose(f);
		return CB_ENOMEM;
	}
	len = fread(data, 1, (size_t)TMPL_MAX_FILE + 1, f);
	if (ferror(f)) {
		if (errmsg != NULL)
			buf_printf(errmsg, "%s: read error", path);
		e = CB_EIO;
	} else if (len > TMPL_MAX_FILE) {
		if (errmsg != NULL)
			buf_printf(errmsg, "%s: larger than %d bytes", path,
			    TMPL_MAX_FILE);
		e = CB_ETOOBIG;
	} else
		e = tmpl_set_add(set, name, data, len, errmsg);
	fclose(f);
	free(data);
	return e;
}

/* path holds "dir" or "dir/sub"; rel is where the name starts in it. */
static enum cb_err
load_dir(struct tmpl_set *set, struct buf *path, size_t rel, int depth,
    struct buf *errmsg)
{
	char **names;
	size_t n, i, keep = path->len, nlen;
	struct stat st;
	enum cb_err e;

	if (depth > TMPL_MAX_DIR_DEPTH) {
		if (errmsg != NULL)
			buf_printf(errmsg, "%s: more than %d directory levels",
			    buf_cstr(path), TMPL_MAX_DIR_DEPTH);
		return CB_ETOOBIG;
	}
	if ((e = list_dir(buf_cstr(path), &names, &n, errmsg)) != CB_OK)
		return e;
	for (i = 0; i < n && e == CB_OK; i++) {
		buf_putc(path, '/');
		buf_puts(path, names[i]);
		if (path->err != CB_OK) {
			if (errmsg != NULL)
				buf_printf(errmsg, "%s/%s: path too long",
				    buf_cstr(path), names[i]);
			e = path->err;
			break;
		}
		nlen = strlen(names[i]);
		if (stat(path->p, &st) != 0) {
			if (errmsg != NULL)
				buf_printf(errmsg, "%s: %s", path->p,
				    strerror(errno));
			e = CB_EIO;
		} else if (S_ISDIR(st.st_mode))
			e = load_dir(set, path, rel, depth + 1, errmsg);
		else if (S_ISREG(st.st_mode) && nlen > 5 &&
		    strcmp(names[i] + nlen - 5, ".html") == 0)
			e = load_file(set, path->p, path->p + rel, errmsg);
		/* Truncate back to this directory. */
		path->len = keep;
		path->p[keep] = '\0';
	}
	free_names(names, n);
	return e;
}

void
tmpl_set_i18n(struct tmpl_set *set, const struct tmpl_i18n *i18n)
{
	if (set == NULL)
		return;
	if (i18n != NULL)
		set->i18n = *i18n;
	else
		memset(&set->i18n, 0, sizeof(set->i18n));
}

enum cb_err
tmpl_set_load(const char *dir, struct tmpl_set **out, struct buf *errmsg)
{
	return tmpl_set_load_i18n(dir, NULL, out, errmsg);
}

enum cb_err
tmpl_set_load_i18n(const char *dir, const struct tmpl_i18n *i18n,
    struct tmpl_set **out, struct buf *errmsg)
{
	struct tmpl_set *set;
	struct buf path;
	enum cb_err e;

	if (out == NULL)
		return CB_EINVAL;
	*out = NULL;
	if (dir == NULL || *dir == '\0')
		return CB_EINVAL;
	if ((set = tmpl_set_new()) == NULL)
		return CB_ENOMEM;
	tmpl_set_i18n(set, i18n);
	buf_init(&path, 4096);
	buf_puts(&path, dir);
	while (path.len > 1 && path.p[path.len - 1] == '/')
		path.p[--path.len] = '\0';
	if ((e = path.err) == CB_OK)
		e = load_dir(set, &path, path.len + 1, 0, errmsg);
	buf_free(&path);
	if (e == CB_OK)
		e = tmpl_set_check(set, errmsg);
	if (e != CB_OK) {
		tmpl_set_free(set);
		return e;
	}
	tmpl_set_i18n(set, NULL); /* arg was borrowed for the load only */
	*out = set;
	return CB_OK;
}

/* --- rendering ----------------------------------------------------------- */

/* One level of data-repeat; the root scope holds the model. Lives on the
 * C stack of render_ops(), so rendering allocates nothing. */
struct scope {
	const struct scope *up;
	struct json_object *item;    /* NULL when rows is set */
	const struct tmpl_rows *rows; /* a repeat over a table: the item is */
	size_t index;                /* its row index */
	bool repeat;                 /* index is meaningful */
};

enum val_kind {
	VAL_NONE,                    /* missing */
	VAL_JSON,                    /* obj, which may be NULL for null */
	VAL_INDEX,                   /* $index */
	VAL_CELL,                    /* cell: a value of a table's row */
	VAL_ROW                      /* ".": a table's row as a whole */
};

struct value {
	enum val_kind kind;
	struct json_object *obj;
	size_t index;                /* $index; VAL_ROW: the row */
	const struct tmpl_rows *rows; /* VAL_ROW: its table */
	struct tmpl_cell_view cell;  /* VAL_CELL */
};

/* The value of key in o when o is an object: a lookup with the key's hash
 * made at compile time, unless o's table hashes another way. */
static bool
obj_get(const struct tmpl *t, struct json_object *o, const char *key,
    unsigned long h, struct json_object **out)
{
	struct lh_table *tab;
	struct lh_entry *e;

	if (!json_object_is_type(o, json_type_object))
		return false;
	tab = json_object_get_object(o);
	if (tab->hash_fn != t->hash_fn)
		return json_object_object_get_ex(o, key, out);
	if ((e = lh_table_lookup_entry_w_hash(tab, key, h)) == NULL)
		return false;
	*out = (struct json_object *)lh_entry_v(e);
	return true;
}

/* The first key is looked up in the current item, then each outer scope
 * up to the root; the others inside what the first found. A key that is
 * present with a null value stops the search: null is an answer. */
static void
resolve(const struct tmpl *t, const struct path *p, const struct scope *sc,
    struct value *v)
{
	const struct scope *s;
	struct json_object *o = NULL;
	unsigned long h[PATH_MAX_SEGS];
	const char *key;
	size_t i;
	int col;

	v->kind = VAL_NONE;
	v->obj = NULL;
	switch (p->kind) {
	case PATH_ITEM:
		v->kind = sc->rows != NULL ? VAL_ROW : VAL_JSON;
		v->obj = sc->item;
		v->rows = sc->rows;
		v->index = sc->index;
		return;
	case PATH_INDEX:
		for (s = sc; s != NULL; s = s->up)
			if (s->repeat) {
				v->kind = VAL_INDEX;
				v->index = s->index;
				return;
			}
		return;
	case PATH_KEYS:
		key = t->pool + p->off;
		memcpy(h, t->pool + p->hoff, p->nseg * sizeof(h[0]));
		for (s = sc; s != NULL; s = s->up) {
			if (s->rows == NULL) {
				if (obj_get(t, s->item, key, h[0], &o))
					break;
				continue;
			}
			/* An ABSENT cell is a missing key: go on out. A
			 * cell is a scalar, so a longer path ends here. */
			if ((col = tmpl_rows_find(s->rows, key,
			    p->col_hash)) < 0)
				continue;
			tmpl_rows_cell(s->rows, s->index, (unsigned)col,
			    &v->cell);
			if (v->cell.kind == TMPL_CELL_ABSENT)
				continue;
			if (p->nseg == 1)
				v->kind = VAL_CELL;
			return;
		}
		if (s == NULL)
			return;
		for (i = 1; i < p->nseg; i++) {
			key += strlen(key) + 1;
			if (!obj_get(t, o, key, h[i], &o))
				return;
		}
		v->kind = VAL_JSON;
		v->obj = o;
		return;
	default:
		abort();
	}
}

/* Whether a row has a cell, as an object is truthy when it has a key. */
static bool
row_present(const struct tmpl_rows *t, size_t row)
{
	struct tmpl_cell_view c;
	unsigned col;

	for (col = 0; col < tmpl_rows_ncols(t); col++) {
		tmpl_rows_cell(t, row, col, &c);
		if (c.kind != TMPL_CELL_ABSENT)
			return true;
	}
	return false;
}

static bool
truthy(const struct value *v)
{
	double d;

	if (v->kind == VAL_INDEX)
		return v->index != 0;
	if (v->kind == VAL_ROW)
		return row_present(v->rows, v->index);
	if (v->kind == VAL_CELL)
		switch (v->cell.kind) {
		case TMPL_CELL_STR:
			return v->cell.len > 0;
		case TMPL_CELL_INT:
		case TMPL_CELL_BOOL:
			return v->cell.i != 0;
		case TMPL_CELL_ABSENT:
		case TMPL_CELL_NULL:
		default:
			return false;
		}
	if (v->kind != VAL_JSON)
		return false;
	switch (json_object_get_type(v->obj)) {
	case json_type_boolean:
		return json_object_get_boolean(v->obj);
	case json_type_int:
		return json_object_get_int64(v->obj) != 0;
	case json_type_double:
		d = json_object_get_double(v->obj);
		return !isnan(d) && (d < 0 || d > 0);
	case json_type_string:
		return json_object_get_string_len(v->obj) > 0;
	case json_type_array:
		if (tmpl_rows_of(v->obj) != NULL)
			return tmpl_rows_count(tmpl_rows_of(v->obj)) > 0;
		return json_object_array_length(v->obj) > 0;
	case json_type_object:
		return json_object_object_length(v->obj) > 0;
	case json_type_null:
	default:
		return false;
	}
}

/* Digits of x at the end of tmp[24]. */
static const char *
fmt_u64(char *tmp, uint64_t x, bool neg, size_t *len)
{
	char *p = tmp + 24;

	do {
		*--p = (char)('0' + x % 10);
		x /= 10;
	} while (x != 0);
	if (neg)
		*--p = '-';
	*len = (size_t)(tmp + 24 - p);
	return p;
}

/* The text of a table's cell, in tmp (>= 32 bytes) or in the table, as
 * value_text() writes the json-c value the cell stands for. */
static bool
cell_text(const struct tmpl_cell_view *c, char *tmp, const char **s,
    size_t *len)
{
	switch (c->kind) {
	case TMPL_CELL_STR:
		*s = c->s;
		*len = c->len;
		return true;
	case TMPL_CELL_INT:
		if (c->i < 0)
			*s = fmt_u64(tmp, -(uint64_t)c->i, true, len);
		else
			*s = fmt_u64(tmp, (uint64_t)c->i, false, len);
		return true;
	case TMPL_CELL_BOOL:
		*s = c->i ? "true" : "false";
		*len = strlen(*s);
		return true;
	case TMPL_CELL_ABSENT:
	case TMPL_CELL_NULL:
	default:
		return false;
	}
}

/* A false boolean: a plain attribute leaves it out. */
static bool
is_false(const struct value *v)
{
	if (v->kind == VAL_CELL)
		return v->cell.kind == TMPL_CELL_BOOL && v->cell.i == 0;
	return v->kind == VAL_JSON &&
	    json_object_is_type(v->obj, json_type_boolean) &&
	    !json_object_get_boolean(v->obj);
}

/* The text of a value, in tmp (>= 32 bytes) or in the model. Never calls
 * json_object_to_json_string(): it caches its result in the object,
 * which would modify a model other threads may be reading. Returns false
 * for missing, null, arrays and objects, which have no text. */
static bool
value_text(const struct value *v, char *tmp, const char **s, size_t *len)
{
	int64_t i;
	double d;
	int n;

	if (v->kind == VAL_INDEX) {
		*s = fmt_u64(tmp, v->index, false, len);
		return true;
	}
	if (v->kind == VAL_CELL)
		return cell_text(&v->cell, tmp, s, len);
	if (v->kind != VAL_JSON)
		return false;
	switch (json_object_get_type(v->obj)) {
	case json_type_string:
		*s = json_object_get_string(v->obj);
		*len = (size_t)json_object_get_string_len(v->obj);
		return true;
	case json_type_int:
		i = json_object_get_int64(v->obj);
		if (i == INT64_MAX) /* or larger: json-c keeps a uint64 */
			*s = fmt_u64(tmp, json_object_get_uint64(v->obj),
			    false, len);
		else if (i < 0)
			*s = fmt_u64(tmp, -(uint64_t)i, true, len);
		else
			*s = fmt_u64(tmp, (uint64_t)i, false, len);
		return true;
	case json_type_double:
		/* Shortest of %.15g and %.17g that reads back the same
		 * number: 0.1 prints as 0.1, not 0.10000000000000001. */
		d = json_object_get_double(v->obj);
		n = snprintf(tmp, 32, "%.15g", d);
		if (!isnan(d) && strtod(tmp, NULL) != d)
			n = snprintf(tmp, 32, "%.17g", d);
		*s = tmp;
		*len = n > 0 ? (size_t)n : 0;
		return true;
	case json_type_boolean:
		*s = json_object_get_boolean(v->obj) ? "true" : "false";
		*len = strlen(*s);
		return true;
	case json_type_null:
	case json_type_array:
	case json_type_object:
	default:
		return false;
	}
}

static enum cb_err
render_ops(const struct tmpl *t, size_t i, size_t end, const struct scope *sc,
    int depth, struct buf *out)
{
	const struct op *op;
	struct value v;
	struct scope item;
	struct json_object *arr;
	const struct tmpl *to;
	char tmp[32];
	const char *s;
	size_t len, k, n;
	enum cb_err e;

	while (i < end) {
		op = &t->ops[i];
		switch (op->kind) {
		case OP_STATIC:
			buf_append(out, t->pool + op->off, op->len);
			i++;
			break;
		case OP_TEXT:
			resolve(t, &op->path, sc, &v);
			if (value_text(&v, tmp, &s, &len)) {
				/* The parser drops one LF after <pre> and
				 * <textarea>; give it one to drop. */
				if ((op->flags & OPF_LF) && len > 0 &&
				    s[0] == '\n')
					buf_putc(out, '\n');
				html_text(out, s, len);
			}
			i++;
			break;
		case OP_ATTR:
			resolve(t, &op->path, sc, &v);
			i++;
			if (op->flags & OPF_BOOL) {
				if (truthy(&v))
					buf_append(out, t->pool + op->off,
					    op->len - 2);
				break;
			}
			if (!value_text(&v, tmp, &s, &len) || is_false(&v))
				break;
			if ((op->flags & OPF_URL) && !url_is_safe(s, len)) {
				s = "#";
				len = 1;
			}
			buf_append(out, t->pool + op->off, op->len);
			html_attr(out, s, len);
			buf_putc(out, '"');
			break;
		case OP_IF:
		case OP_UNLESS:
			resolve(t, &op->path, sc, &v);
			i = truthy(&v) == (op->kind == OP_IF) ? i + 1 : op->end;
			break;
		case OP_REPEAT:
			resolve(t, &op->path, sc, &v);
			arr = v.kind == VAL_JSON &&
			    json_object_is_type(v.obj, json_type_array) ?
			    v.obj : NULL;
			item.rows = arr != NULL ? tmpl_rows_of(arr) : NULL;
			n = item.rows != NULL ? tmpl_rows_count(item.rows) :
			    arr != NULL ? json_object_array_length(arr) : 0;
			item.up = sc;
			item.repeat = true;
			item.item = NULL;
			for (k = 0; k < n; k++) {
				if (item.rows == NULL)
					item.item = json_object_array_get_idx(
					    arr, k);
				item.index = k;
				if ((e = render_ops(t, i + 1, op->end, &item,
				    depth, out)) != CB_OK)
					return e;
			}
			i = op->end;
			break;
		case OP_INCLUDE:
			if ((to = op->target) == NULL)
				return CB_ENOTFOUND;
			if (depth >= TMPL_MAX_INCLUDES)
				return CB_EINVAL;
			if ((e = render_ops(to, to->content_begin,
			    to->content_end, sc, depth + 1, out)) != CB_OK)
				return e;
			i++;
			break;
		default:
			abort();
		}
		/* Stop at the cap instead of walking the rest for nothing. */
		if (out->err != CB_OK)
			return out->err;
	}
	return CB_OK;
}

enum cb_err
tmpl_render(const struct tmpl_set *set, const char *name,
    struct json_object *model, struct buf *out)
{
	const struct tmpl *t;
	struct scope root;

	if (out == NULL)
		return CB_EINVAL;
	if (out->err != CB_OK)
		return out->err;
	if (set == NULL || name == NULL ||
	    (t = set_find(set, name, NULL)) == NULL)
		return CB_ENOTFOUND;
	root.up = NULL;
	root.rows = NULL;
	root.item = model;
	root.index = 0;
	root.repeat = false;
	return render_ops(t, 0, t->nops, &root, 0, out);
}
