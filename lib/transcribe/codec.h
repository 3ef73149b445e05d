/* A transcript as it is stored (issue 22): the utterances as one JSON
 * array [{"start_ms","end_ms","side","text"}, ...] in transcripts.utterances,
 * the words said (every line's text joined by '\n') for the FULLTEXT index,
 * and the summary's first sentence for the history's column. Pure
 * functions: no database, no network; fuzzed with the engine's parser
 * (tests/fuzz/fuzz_transcript.c). */
#ifndef CB_TRANSCRIBE_CODEC_H
#define CB_TRANSCRIBE_CODEC_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "transcribe/transcript.h"

struct arena;

#define TRANSCRIPT_LINES_MAX 5000          /* utterances in one transcript */
#define TRANSCRIPT_LINE_MAX 2000           /* bytes of one utterance */
#define TRANSCRIPT_JSON_MAX ((size_t)4 * 1024 * 1024)

/* "manager", "customer" or "" (unknown), and back (anything else is
 * SPEAKER_UNKNOWN). */
const char *speaker_name(enum speaker s);
enum speaker speaker_parse(const char *s);

/* t's utterances as the stored JSON array, appended to out. */
enum cb_err transcript_to_json(const struct transcript *t, struct buf *out);
/* Reads the stored JSON (or an edited copy of it) into out, allocated in
 * a. CB_EINVAL for anything else than an array of such objects, or over
 * the caps. */
enum cb_err transcript_from_json(const char *json, size_t len,
    struct arena *a, struct transcript *out);
/* Every utterance's text, joined by '\n', appended to out. */
enum cb_err transcript_words(const struct transcript *t, struct buf *out);
/* The summary's first sentence (up to the first ". ", "! ", "? " or line
 * end), at most max_chars characters (cut after a whole word when
 * longer), into out. "" for an empty summary. */
void transcript_summary_head(const char *summary, size_t max_chars,
    char *out, size_t outsz);

#endif
