/* A short summary of a transcript (issue 22): the customer's request, what
 * was agreed, the next step, in a few sentences. Through an OpenAI-compatible
 * /v1/chat/completions endpoint when summary_url is set, else extractive:
 * the transcript's key sentences, chosen locally. */
#ifndef CB_TRANSCRIBE_SUMMARY_H
#define CB_TRANSCRIBE_SUMMARY_H

#include <stddef.h>

#include "core/buf.h"
#include "core/conf.h"
#include "core/err.h"
#include "transcribe/transcript.h"

/* Appends the summary (UTF-8 text, sentences separated by spaces, first
 * sentence usable alone as the history's column) to out. Falls back to the
 * extractive summary when the endpoint fails, and says so in *note (static
 * text, or NULL when nothing to say). */
enum cb_err transcript_summarize(const struct cb_config *cfg,
    const struct transcript *t, struct buf *out, const char **note,
    char *err, size_t errsz);

/* The extractive summary alone (no network): deterministic. */
enum cb_err transcript_summary_extractive(const struct transcript *t,
    struct buf *out);

#endif
