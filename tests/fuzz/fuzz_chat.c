/* libFuzzer target for the chat-completions answer parser of the
 * summaries (lib/transcribe/summary.c, issue 22): the input is the body an
 * OpenAI-compatible endpoint answered. The parser must never crash or
 * read past the body, must append only valid UTF-8 within its cap, and
 * must fill err whenever it fails. The extractive summary then reads the
 * same bytes as a transcript line.
 * Run: fuzz_chat -max_total_time=60 corpus/chat */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/utf8.h"
#include "transcribe/summary.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf out, sum;
	struct transcript t = { 0 };
	struct arena *a;
	char err[256];
	char *copy;
	enum cb_err rc;

	/* An exact-size copy: ASan sees any read past the end. */
	if ((copy = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	buf_init(&out, 1 << 20);
	err[0] = '\0';
	rc = summary_chat_parse(copy, size, &out, err, sizeof(err));
	if (rc == CB_OK && (out.len == 0 || out.len > 1503 ||
	    !utf8_valid(out.p, out.len)))
		abort();
	if (rc != CB_OK && (err[0] == '\0' || out.len != 0))
		abort();
	buf_free(&out);

	a = arena_new();
	buf_init(&sum, 1 << 20);
	if (transcript_add(&t, a, 0, 1, SPEAKER_CUSTOMER, copy, size) == 0 &&
	    transcript_add(&t, a, 1, 2, SPEAKER_MANAGER, copy, size) == 0 &&
	    transcript_summary_extractive(&t, &sum) != CB_OK)
		abort();
	buf_free(&sum);
	arena_free(a);
	free(copy);
	return 0;
}
