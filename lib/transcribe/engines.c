/* The only list of transcription engines (issue 22): names, labels and
 * whether each was built. No engine code is referenced from here (engine.h
 * says why); lib/transcribe/run.c binds each id to its runner. */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "transcribe/engine.h"

#ifdef HAVE_POCKETSPHINX
#define LOCAL_BUILT true
#else
#define LOCAL_BUILT false
#endif

static const struct transcribe_engine engines[] = {
	{ TRANSCRIBE_LOCAL, "local",
	    "pocketsphinx (local, English, draft quality)", LOCAL_BUILT },
	{ TRANSCRIBE_HTTP, "http",
	    "OpenAI-compatible /v1/audio/transcriptions (HTTP)", true },
};
_Static_assert(sizeof(engines) / sizeof(engines[0]) == TRANSCRIBE_N_ENGINES,
    "one entry per enum transcribe_engine_id");

const struct transcribe_engine *
transcribe_engine_at(size_t i)
{
	return i < sizeof(engines) / sizeof(engines[0]) ? &engines[i] : NULL;
}

static const struct transcribe_engine *
listed(const char *name)
{
	size_t i;

	if (name == NULL || name[0] == '\0')
		return NULL;
	for (i = 0; i < sizeof(engines) / sizeof(engines[0]); i++)
		if (strcmp(engines[i].name, name) == 0)
			return &engines[i];
	return NULL;
}

const struct transcribe_engine *
transcribe_engine_by_name(const char *name)
{
	const struct transcribe_engine *e = listed(name);

	return e != NULL && e->built ? e : NULL;
}

const struct transcribe_engine *
transcribe_engine_of(const struct cb_config *cfg)
{
	return transcribe_engine_by_name(cfg->transcribe_engine);
}

const char *
transcribe_engine_why_not(const char *name)
{
	const struct transcribe_engine *e = listed(name);

	if (name == NULL || name[0] == '\0' || (e != NULL && e->built))
		return NULL;
	if (e != NULL && e->id == TRANSCRIBE_LOCAL)
		return "the local engine was not built: configure found no "
		    "pocketsphinx (apt-get install libpocketsphinx-dev "
		    "libsndfile1-dev libsamplerate0-dev pocketsphinx-en-us, "
		    "then configure and build again)";
	return "unknown engine (expected local, http, or empty for off)";
}
