/* TEMPORARY (branch s9h7 only): stand-ins for helper h6's
 * lib/transcribe/transcript.c, engines.c and summary.c, so this branch
 * builds and its tests run before those land. The lead deletes this file
 * (and its Makefile.am line) when merging h6's work: every function here
 * has the signature of the shared headers on main. */
#include "config.h"

#include <string.h>

#include "core/arena.h"
#include "transcribe/engine.h"
#include "transcribe/summary.h"
#include "transcribe/transcript.h"

extern const struct transcribe_engine transcribe_http_engine;

int
transcript_add(struct transcript *t, struct arena *a, uint32_t start_ms,
    uint32_t end_ms, enum speaker side, const char *text, size_t len)
{
	struct utterance *nu;

	while (len > 0 && (*text == ' ' || *text == '\n' || *text == '\t' ||
	    *text == '\r')) {
		text++;
		len--;
	}
	while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\n' ||
	    text[len - 1] == '\t' || text[len - 1] == '\r'))
		len--;
	if (len == 0)
		return 0;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		if ((nu = arena_alloc(a, cap * sizeof(*nu))) == NULL)
			return -1;
		if (t->n)
			memcpy(nu, t->u, t->n * sizeof(*nu));
		t->u = nu;
		t->cap = cap;
	}
	if ((t->u[t->n].text = arena_strndup(a, text, len)) == NULL)
		return -1;
	t->u[t->n].start_ms = start_ms;
	t->u[t->n].end_ms = end_ms;
	t->u[t->n].side = side;
	t->n++;
	return 0;
}

const struct transcribe_engine *
transcribe_engine_by_name(const char *name)
{
	if (name && strcmp(name, transcribe_http_engine.name) == 0)
		return &transcribe_http_engine;
	return NULL;
}

const struct transcribe_engine *
transcribe_engine_of(const struct cb_config *cfg)
{
	return transcribe_engine_by_name(cfg->transcribe_engine);
}

enum cb_err
transcript_summary_extractive(const struct transcript *t, struct buf *out)
{
	size_t i;

	for (i = 0; i < t->n && i < 3; i++) {
		if (i > 0)
			buf_putc(out, ' ');
		buf_puts(out, t->u[i].text);
		if (strchr(".!?", t->u[i].text[strlen(t->u[i].text) - 1]) ==
		    NULL)
			buf_putc(out, '.');
	}
	return out->err;
}

enum cb_err
transcript_summarize(const struct cb_config *cfg, const struct transcript *t,
    struct buf *out, const char **note, char *err, size_t errsz)
{
	(void)cfg;
	(void)err;
	(void)errsz;
	*note = NULL;
	return transcript_summary_extractive(t, out);
}
