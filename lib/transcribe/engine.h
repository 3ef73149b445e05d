/* Speech-to-text engines (issue 22), chosen per installation by the config
 * key transcribe_engine: "local" (Debian's pocketsphinx, English, draft
 * quality; lib/transcribe/local.c) or "http" (any OpenAI-compatible
 * /v1/audio/transcriptions endpoint; lib/transcribe/http.c). "" = off.
 * lib/transcribe/engines.c is the only list. Summaries (summary.h) are a
 * separate step so any engine's transcript gets one. */
#ifndef CB_TRANSCRIBE_ENGINE_H
#define CB_TRANSCRIBE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/conf.h"
#include "core/err.h"
#include "transcribe/transcript.h"

struct arena;

struct transcribe_engine {
	const char *name;      /* the transcribe_engine value */
	const char *label;     /* for people: "pocketsphinx (local, English)" */
	/* Transcribes the audio file at path (as stored under
	 * recordings_dir: WAV, MP3 or Ogg, mono or two channels, any rate)
	 * into *out, which it clears first, allocated in a. CB_EUPSTREAM /
	 * CB_EINVAL / CB_EIO with err set to a sentence for the card
	 * ("transcript failed: <err>"); never a secret in err. */
	enum cb_err (*transcribe)(const struct cb_config *cfg, struct arena *a,
	    const char *path, struct transcript *out, char *err,
	    size_t errsz);
};

/* The engine named by cfg->transcribe_engine, or NULL when transcription
 * is off or the name is unknown (config_load has already refused that). */
const struct transcribe_engine *transcribe_engine_of(
    const struct cb_config *cfg);
const struct transcribe_engine *transcribe_engine_by_name(const char *name);

/* NULL when name is "" (off) or a built engine; else a static sentence for
 * the admin saying why it cannot be used (not built: what to install;
 * unknown). config_load() refuses the config with it. */
const char *transcribe_engine_why_not(const char *name);

#endif
