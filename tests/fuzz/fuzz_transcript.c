/* libFuzzer target for the transcription engines' answers (issue 22,
 * STYLE §2.21): the http engine's response parser (verbose_json or plain
 * text), its error-text reader, the stored-JSON codec (a correction is
 * read back through it) and the words-said query builder, all on the same
 * bytes. None may crash, leak or accept an utterance that is not UTF-8.
 * Run: fuzz_transcript -max_total_time=60 corpus/transcript */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/utf8.h"
#include "db/transcript.h"
#include "transcribe/codec.h"
#include "transcribe/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const struct transcript *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->u[i].text == NULL || t->u[i].text[0] == '\0' ||
		    !utf8_valid(t->u[i].text, strlen(t->u[i].text)) ||
		    t->u[i].end_ms < t->u[i].start_ms)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	struct transcript t;
	char err[256], out[600], sh[300], st[300];
	char *s = malloc(size + 1);

	if (a == NULL || s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	if (transcribe_http_parse(s, size, a, &t, err, sizeof(err)) == CB_OK)
		check(&t);
	if (memchr(err, '\0', sizeof(err)) == NULL)
		abort();
	transcribe_http_error_text(s, size, out, sizeof(out));
	if (transcript_from_json(s, size, a, &t) == CB_OK)
		check(&t);
	if (strlen(s) == size) {
		transcript_said_query(s, out, sizeof(out), sh, sizeof(sh), st,
		    sizeof(st));
		transcript_summary_head(s, 255, out, sizeof(out));
	}
	free(s);
	arena_free(a);
	return 0;
}
