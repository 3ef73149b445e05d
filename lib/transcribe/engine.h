/* Speech-to-text engines (issue 22), chosen per installation by the config
 * key transcribe_engine: "local" (Debian's pocketsphinx, English, draft
 * quality; lib/transcribe/local.c) or "http" (any OpenAI-compatible
 * /v1/audio/transcriptions endpoint; lib/transcribe/http.c). "" = off.
 * Summaries (summary.h) are a separate step so any engine's transcript gets
 * one.
 *
 * Two halves, so that the FastCGI programs do not link the engines'
 * libraries (pocketsphinx, libsndfile, libsamplerate and, through Debian's
 * pocketsphinx, PulseAudio): they only ask whether an engine is configured
 * (config_load, the card's button), while only the worker and the admin
 * tool run one.
 *  - lib/transcribe/engines.c (in libcallboard.a, linked everywhere) is the
 *    only list: each engine's id, name, label and whether it was built. It
 *    points at no engine code, so it pulls none into a program.
 *  - lib/transcribe/run.c (in libcallboard_engines.a, linked only by
 *    tools/) binds each id to the function that runs it, by the same
 *    enum: a name is written once. tests/unit/test_transcribe checks that
 *    every built engine has its runner; tests/unit/cgi_links.sh checks that
 *    no FastCGI program links an engine's library. */
#ifndef CB_TRANSCRIBE_ENGINE_H
#define CB_TRANSCRIBE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/conf.h"
#include "core/err.h"
#include "transcribe/transcript.h"

struct arena;

enum transcribe_engine_id {
	TRANSCRIBE_LOCAL,
	TRANSCRIBE_HTTP,
	TRANSCRIBE_N_ENGINES
};

struct transcribe_engine {
	enum transcribe_engine_id id;
	const char *name;      /* the transcribe_engine value */
	const char *label;     /* for people: "pocketsphinx (local, English)" */
	bool built;            /* configure found what it needs */
};

/* Transcribes the audio file at path (as stored under recordings_dir: WAV,
 * MP3 or Ogg, mono or two channels, any rate) into *out, which it clears
 * first, allocated in a. CB_EUPSTREAM / CB_EINVAL / CB_EIO with err set to
 * a sentence for the card ("transcript failed: <err>"); never a secret in
 * err. Every engine's runner has this type. */
typedef enum cb_err transcribe_fn(const struct cb_config *cfg,
    struct arena *a, const char *path, struct transcript *out, char *err,
    size_t errsz);

/* The built engine named by cfg->transcribe_engine, or NULL when
 * transcription is off or the name is unknown or not built (config_load
 * has already refused those). */
const struct transcribe_engine *transcribe_engine_of(
    const struct cb_config *cfg);
const struct transcribe_engine *transcribe_engine_by_name(const char *name);
/* The i-th listed engine, built or not; NULL past the end (for tests). */
const struct transcribe_engine *transcribe_engine_at(size_t i);

/* NULL when name is "" (off) or a built engine; else a static sentence for
 * the admin saying why it cannot be used (not built: what to install;
 * unknown). config_load() refuses the config with it. */
const char *transcribe_engine_why_not(const char *name);

/* lib/transcribe/run.c (libcallboard_engines.a: tools/ only). */
/* The function that runs engine e; NULL when e was not built. */
transcribe_fn *transcribe_runner(const struct transcribe_engine *e);
/* Runs engine e (built: from transcribe_engine_of / _by_name). */
enum cb_err transcribe_run(const struct transcribe_engine *e,
    const struct cb_config *cfg, struct arena *a, const char *path,
    struct transcript *out, char *err, size_t errsz);
/* Loads what engine e keeps between recordings (the local engine's model)
 * unless it is loaded: before transcribe_in_child() forks, so that every
 * child starts with it (lib/transcribe/child.h). CB_OK for engines that
 * keep nothing; else err says why (the model is missing). */
enum cb_err transcribe_prepare(const struct transcribe_engine *e,
    const struct cb_config *cfg, char *err, size_t errsz);
/* Frees what engines keep loaded between recordings (the local engine's
 * model: one decoder per process). Before a program exits. */
void transcribe_release(void);

#endif
