/* transcript_add(): the one way utterances get into a transcript, so every
 * engine's text is trimmed and copied the same way. */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "core/arena.h"
#include "transcribe/transcript.h"

int
transcript_add(struct transcript *t, struct arena *a, uint32_t start_ms,
    uint32_t end_ms, enum speaker side, const char *text, size_t len)
{
	struct utterance *u;

	while (len > 0 && isspace((unsigned char)*text)) {
		text++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)text[len - 1]))
		len--;
	if (len == 0)
		return 0;
	if (t->n == t->cap) {
		/* Arena memory is not realloc'd: grow by copying into a
		 * block twice the size (the old one goes with the arena). */
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct utterance *nu;

		if (cap > SIZE_MAX / sizeof(*nu))
			return -1;
		if ((nu = arena_alloc(a, cap * sizeof(*nu))) == NULL)
			return -1;
		if (t->n > 0)
			memcpy(nu, t->u, t->n * sizeof(*nu));
		t->u = nu;
		t->cap = cap;
	}
	u = &t->u[t->n];
	if ((u->text = arena_strndup(a, text, len)) == NULL)
		return -1;
	u->start_ms = start_ms;
	u->end_ms = end_ms < start_ms ? start_ms : end_ms;
	u->side = side;
	t->n++;
	return 0;
}
