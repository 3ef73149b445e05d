/* callboard-tmpl-pot DIR: the translatable text of the templates under DIR
 * as a PO template on stdout (make update-po; docs/templates.md
 * "Translation").
 *
 * It loads the templates with the engine itself and a translator that
 * records what it is asked, so the extractor and the pages agree by
 * construction on what is translated (text nodes, human attributes, not
 * under translate="no") and on the key (whitespace-normalised text). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "tmpl/template.h"

struct msg {
	char *id;
	struct buf refs;  /* "#: a.html:3 b.html:9" */
};

struct pot {
	struct msg *v;
	size_t n, cap;
	int oom;
};

static const char *
record(void *arg, const char *msgid, const char *name, long line)
{
	struct pot *p = arg;
	struct msg *m = NULL, *v;
	size_t i, cap;

	if (p->oom)
		return NULL;
	for (i = 0; i < p->n; i++)
		if (strcmp(p->v[i].id, msgid) == 0) {
			m = &p->v[i];
			break;
		}
	if (m == NULL) {
		if (p->n == p->cap) {
			/* cap grows only with the array it counts */
			cap = p->cap ? p->cap * 2 : 256;
			if ((v = realloc(p->v, cap * sizeof(*v))) == NULL) {
				p->oom = 1;
				return NULL;
			}
			p->v = v;
			p->cap = cap;
		}
		m = &p->v[p->n];
		if ((m->id = strdup(msgid)) == NULL) {
			p->oom = 1;
			return NULL;
		}
		buf_init(&m->refs, 1 << 20);
		p->n++;
	}
	buf_printf(&m->refs, " %s:%ld", name, line);
	return NULL; /* keep the text: we only list it */
}

/* A PO string: " and \ escaped; the engine's keys have no newline or tab. */
static void
po_string(const char *s)
{
	putchar('"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
	putchar('"');
}

/* What record() kept: freed on every path, the error paths too (a file
 * given for the directory fails after the first records were made). */
static void
pot_free(struct pot *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free(p->v[i].id);
		buf_free(&p->v[i].refs);
	}
	free(p->v);
	memset(p, 0, sizeof(*p));
}

int
main(int argc, char *argv[])
{
	struct pot pot = { 0 };
	struct tmpl_i18n i18n = { NULL, record, &pot };
	struct tmpl_set *set = NULL;
	struct buf err;
	size_t i;
	int status = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s TEMPLATES-DIR\n", argv[0]);
		return 2;
	}
	buf_init(&err, 4096);
	if (tmpl_set_load_i18n(argv[1], &i18n, &set, &err) != CB_OK ||
	    pot.oom) {
		fprintf(stderr, "%s: %s\n", argv[0],
		    pot.oom ? "out of memory" : buf_cstr(&err));
		status = 1;
		goto done;
	}
	printf("# Callboard's templates (tools/tmpl_pot.c). Do not edit: "
	    "make update-po.\n");
	printf("msgid \"\"\nmsgstr \"\"\n"
	    "\"Content-Type: text/plain; charset=UTF-8\\n\"\n\n");
	for (i = 0; i < pot.n; i++) {
		printf("#:%s\n#, no-c-format\nmsgid ", buf_cstr(&pot.v[i].refs));
		po_string(pot.v[i].id);
		printf("\nmsgstr \"\"\n\n");
	}
done:
	pot_free(&pot);
	tmpl_set_free(set);
	buf_free(&err);
	return status;
}
