/* The "http" transcription engine (issue 22): any OpenAI-compatible
 * POST /v1/audio/transcriptions (whisper.cpp's server, faster-whisper
 * servers, hosted APIs). Its runner is transcribe_http (engine.h's
 * transcribe_fn; listed in lib/transcribe/engines.c, bound in run.c); the
 * other functions are its parts, for tests and the fuzzer. */
#ifndef CB_TRANSCRIBE_HTTP_H
#define CB_TRANSCRIBE_HTTP_H

#include <stddef.h>

#include "core/err.h"
#include "transcribe/engine.h"
#include "transcribe/transcript.h"

struct arena;

transcribe_fn transcribe_http;

/* Whole request under the worker's 300 s "stale running job" requeue, so a
 * slow engine is never asked twice at once for one recording. */
#define TRANSCRIBE_HTTP_TIMEOUT 240            /* seconds */
#define TRANSCRIBE_HTTP_MAX_JSON ((size_t)8 * 1024 * 1024)

/* The endpoint for a configured transcribe_url: used as it is when it
 * ends with "/audio/transcriptions"; a base ending in "/v1" gets
 * "/audio/transcriptions"; any other base "/v1/audio/transcriptions"
 * (trailing slashes ignored). CB_EINVAL with err when it is not an http(s)
 * URL without user info, or when a key would travel in clear text (plain
 * http to another host than this one). */
enum cb_err transcribe_http_endpoint(const char *url, const char *key,
    char *out, size_t outsz, char *err, size_t errsz);

/* Reads a 2xx answer: verbose_json {"text", "language", "duration",
 * "segments": [{"start","end","text"[,"speaker"]}]}, or a plain {"text"}
 * (one utterance). Times in seconds (numbers). CB_EUPSTREAM with err
 * saying what is wrong with any other answer. */
enum cb_err transcribe_http_parse(const char *json, size_t len,
    struct arena *a, struct transcript *out, char *err, size_t errsz);

/* The reason in an error answer ({"error": {"message"}} or {"error":
 * "..."} or {"detail": "..."}), printable and at most 200 bytes, into out;
 * "" when it says none. */
void transcribe_http_error_text(const char *json, size_t len, char *out,
    size_t outsz);

#endif
