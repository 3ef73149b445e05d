/* Server-side HTML templates (DESIGN §5, docs/templates.md).
 *
 * Templates are HTML5 files a designer can open in a browser; directives
 * are data-* attributes (data-text, data-attr-NAME, data-if, data-unless,
 * data-repeat, data-include) and never reach the output. Each file is
 * parsed once with libxml2 and compiled into a flat list of operations:
 * pre-serialised HTML chunks plus dynamic operations. Rendering walks that
 * list against a json-c view model and writes through the escaping
 * functions of http/escape.h, so every value is escaped for its context
 * and there is no way to output raw model data. A list in the model may
 * be a table of rows (tmpl/rows.h) instead of json-c objects; it renders
 * the same.
 *
 * Threads: a loaded set is immutable. tmpl_render() only reads the set
 * and the model, so any number of threads may render from one set at
 * once. Loading calls libxml2: do it at start-up, before threads.
 */
#ifndef CB_TMPL_TEMPLATE_H
#define CB_TMPL_TEMPLATE_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

struct json_object;

/* Every template of one directory, parsed once per process. Opaque. */
struct tmpl_set;

/* Caps on what a template set will load (STYLE §2.9). */
#define TMPL_MAX_FILE      (1024 * 1024) /* bytes per template file */
#define TMPL_MAX_FILES     1024          /* templates per set */
#define TMPL_MAX_DIR_DEPTH 8             /* subdirectory levels under dir */
#define TMPL_MAX_INCLUDES  16            /* nested data-include at render */

/* Parses every *.html file under dir, recursively; names are paths
 * relative to dir with '/' separators ("calls.html",
 * "partials/nav.html"). Files and directories whose name starts with '.'
 * are skipped. Every data-include must name a template of the set and
 * includes must not form a cycle.
 * On success *out is a new set (caller frees with tmpl_set_free()).
 * On failure *out is NULL and, if errmsg is not NULL, a message for a
 * human ("calls.html:12: <td data-text>: ...") is appended to it.
 * Errors: CB_EIO (unreadable directory or file), CB_ETOOBIG (a file over
 * TMPL_MAX_FILE, too many files or levels), CB_EINVAL (a template is not
 * valid UTF-8, a directive is invalid, an include is missing or cyclic),
 * CB_ENOMEM. */
enum cb_err tmpl_set_load(const char *dir, struct tmpl_set **out,
	struct buf *errmsg);

/* An empty set (caller frees), or NULL when out of memory. For tests and
 * for programs that embed their templates. */
struct tmpl_set *tmpl_set_new(void);

/* Parses html (len bytes, UTF-8, need not be NUL-terminated; borrowed for
 * the duration of the call) and adds it to the set under name. Includes
 * may name templates that are added later; a cycle through the new
 * template is refused here. On failure the set is unchanged and a message
 * is appended to errmsg (if not NULL).
 * Errors: CB_EINVAL (bad name, duplicate name, invalid template or
 * directive, include cycle), CB_ETOOBIG (over TMPL_MAX_FILE or
 * TMPL_MAX_FILES), CB_ENOMEM. */
enum cb_err tmpl_set_add(struct tmpl_set *set, const char *name,
	const char *html, size_t len, struct buf *errmsg);

/* CB_OK if every data-include of every template names a template of the
 * set; else CB_EINVAL and a message naming the first missing one.
 * tmpl_set_load() runs this itself; call it after the last
 * tmpl_set_add(). */
enum cb_err tmpl_set_check(const struct tmpl_set *set, struct buf *errmsg);

/* Renders template `name` with the view model (borrowed, may be NULL)
 * and appends the HTML to out. A template that is a document (it starts
 * with <!DOCTYPE or <html>) renders whole; a fragment renders its
 * content. Reads, never modifies, the set and the model.
 * Errors: CB_ENOTFOUND (no such template, or an include that names no
 * template: see tmpl_set_check()), CB_ETOOBIG (out's cap was hit),
 * CB_ENOMEM, CB_EINVAL (includes nested deeper than TMPL_MAX_INCLUDES),
 * or out's sticky error if it already had one. On error out holds a
 * partial page: discard it (buf_reset()) and send an error page. */
enum cb_err tmpl_render(const struct tmpl_set *set, const char *name,
	struct json_object *model, struct buf *out);

/* Translation at compile time (docs/templates.md "Translation"). Static
 * text nodes and the human attributes (title, placeholder, aria-label,
 * alt, label, the value of button-like inputs) are looked up by their
 * whitespace-normalised text; an element with translate="no" (the HTML
 * attribute, inherited by its subtree) opts out. A translated run is
 * escaped as template text is; the model's values are never translated.
 * translate() answers the translation of msgid, or NULL (or msgid) to
 * keep it; name and line say where the text is (the extractor lists
 * them). With lang set, <html lang="..."> says that language. */
struct tmpl_i18n {
	const char *lang;
	const char *(*translate)(void *arg, const char *msgid,
	    const char *name, long line);
	void *arg;
};

/* tmpl_set_load() that translates every template with i18n (borrowed for
 * the duration of the call; NULL translates nothing). A set is one
 * language: load one per language. */
enum cb_err tmpl_set_load_i18n(const char *dir, const struct tmpl_i18n *i18n,
    struct tmpl_set **out, struct buf *errmsg);

/* Translates what is added to set from now on with i18n (copied; its arg
 * is borrowed while templates are added). NULL stops translating. */
void tmpl_set_i18n(struct tmpl_set *set, const struct tmpl_i18n *i18n);

/* Frees the set and every template in it. NULL is a no-op. */
void tmpl_set_free(struct tmpl_set *set);

#endif
