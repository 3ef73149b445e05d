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

/* The chat-completions pieces, exposed for the tests and the fuzz target
 * (tests/fuzz/fuzz_chat.c). summary_chat_url: the endpoint for summary_url,
 * which may be a base ("http://host:8080", ".../v1") or the full
 * ".../chat/completions". summary_chat_request: the JSON request body for t
 * (model, temperature 0, a system prompt, the transcript as
 * "[mm:ss] Side: text" lines, capped). summary_chat_parse: the summary
 * text of an answer (choices[0].message.content, trimmed, valid UTF-8,
 * capped) appended to out, or CB_EUPSTREAM with err saying what was wrong
 * (never quoting the answer). */
void summary_chat_url(const char *base, char *out, size_t outsz);
enum cb_err summary_chat_request(const struct cb_config *cfg,
    const struct transcript *t, struct buf *out);
/* One summary from the endpoint at cfg->summary_url, within timeout_s
 * seconds (transcript_summarize gives it 60), no fallback: CB_EUPSTREAM
 * with err naming the endpoint's origin and what failed. */
enum cb_err summary_chat(const struct cb_config *cfg,
    const struct transcript *t, unsigned timeout_s, struct buf *out,
    char *err, size_t errsz);
enum cb_err summary_chat_parse(const char *body, size_t len, struct buf *out,
    char *err, size_t errsz);

#endif
